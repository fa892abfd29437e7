"""PostgreSQL 16 + pgvector from the `pgserver` wheel's binaries.

PostgreSQL refuses to run as root, and CI runs as root: then the binaries run as a system user
(`pgserver`) that owns the server's folder. As a normal user they run as that user.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shlex
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from learning_app.stack.base import Server
from learning_app.stack.processes import HOST, StackError, log_tail, pid_alive, terminate

SERVICE_USER = "pgserver"
# Unix socket paths are limited to 107 bytes; beyond that the server only listens on TCP.
_MAX_SOCKET_PATH = 100


@dataclass(frozen=True)
class _Account:
    uid: int
    gid: int


def bin_dir() -> Path:
    """`pgserver._commands.POSTGRES_BIN_PATH`, found without importing `pgserver`.

    Importing the package runs its platformdirs setup, which warns on every import when
    XDG_RUNTIME_DIR is unset (CI, containers).
    """
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise StackError(
            "PostgreSQL: the `pgserver` package is missing; install the stack extra "
            "(pip install -e '.[stack]')"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def ensure_service_user() -> _Account:
    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        result = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             SERVICE_USER],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        try:
            entry = pwd.getpwnam(SERVICE_USER)  # also fine if a parallel run created it
        except KeyError:
            raise StackError(
                f"PostgreSQL cannot run as root and creating the user {SERVICE_USER!r} failed: "
                f"{result.stderr.strip() or result.returncode}"
            ) from None
    return _Account(entry.pw_uid, entry.pw_gid)


def make_traversable(path: Path) -> None:
    """Add o+x to `path` and each parent that lacks it, so the service user can reach files."""
    for folder in (path, *path.parents):
        mode = folder.stat().st_mode
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            folder.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)


def _chown_tree(root: Path, account: _Account) -> None:
    if root.stat().st_uid == account.uid:
        return
    for folder, dirs, files in os.walk(root):
        os.chown(folder, account.uid, account.gid)
        for name in (*dirs, *files):
            os.chown(os.path.join(folder, name), account.uid, account.gid, follow_symlinks=False)


class Postgres(Server):
    name = "PostgreSQL"
    key = "postgres"
    port_env = "STACK_PG_PORT"

    @property
    def data(self) -> Path:
        return self.dir / "data"

    @property
    def pidfile(self) -> Path:
        return self.data / "postmaster.pid"  # written and removed by PostgreSQL itself

    @property
    def log(self) -> Path:
        return self.dir / "postgres.log"

    @property
    def address(self) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/{self.settings.database_name}"

    def markers(self) -> tuple[str, ...]:
        return (str(self.data),)

    def conninfo(self, dbname: str) -> str:
        """The settings' libpq URL, pinned to this server (DATABASE_URL may point elsewhere)."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo(self.settings.libpq_url, host=HOST, port=str(self.port), dbname=dbname)

    def _account_for_start(self) -> _Account | None:
        return ensure_service_user() if os.geteuid() == 0 else None

    def _account_for_stop(self) -> _Account | None:
        """Whoever owns the data: pg_ctl only signals a server run by the same user."""
        if os.geteuid() != 0:
            return None
        owner = self.data.stat()
        return None if owner.st_uid == 0 else _Account(owner.st_uid, owner.st_gid)

    def _run(
        self, args: list[str], account: _Account | None, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        if account is not None:
            env["HOME"] = str(self.dir)
        # Files rather than pipes: should the postmaster ever inherit pg_ctl's output, a pipe
        # would keep run() waiting for as long as the server lives.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            try:
                result = subprocess.run(
                    args,
                    cwd=self.dir,
                    env=env,
                    stdout=out,
                    stderr=err,
                    timeout=max(timeout, 1.0),
                    check=False,
                    # Own session: the postmaster pg_ctl leaves behind ignores our Ctrl-C.
                    start_new_session=True,
                    user=account.uid if account else None,
                    group=account.gid if account else None,
                    extra_groups=[] if account else None,
                )
            except subprocess.TimeoutExpired as exc:
                raise StackError(
                    f"PostgreSQL: {Path(args[0]).name} took longer than {timeout:.0f} s; "
                    f"see {self.log}"
                ) from exc
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(args, result.returncode, out.read(), err.read())

    def start(self, deadline: float) -> int | None:
        binaries = bin_dir()
        account = self._account_for_start()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o700)
        if account is not None:
            make_traversable(self.dir.parent)
            make_traversable(binaries)
            _chown_tree(self.dir, account)
        if not (self.data / "PG_VERSION").exists():
            if self.data.exists():  # an initdb that was interrupted: start over
                shutil.rmtree(self.data)
            result = self._run(
                [str(binaries / "initdb"), "-D", str(self.data), "-U", "postgres",
                 "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                account, deadline - time.monotonic(),
            )  # fmt: skip
            if result.returncode != 0:
                raise StackError(f"PostgreSQL: initdb failed: {_last_line(result)}")
        socket_dir = str(self.data)
        if len(socket_dir) + len("/.s.PGSQL.65535") > _MAX_SOCKET_PATH:
            socket_dir = ""
        # fsync, synchronous_commit and full_page_writes off: a dev/test server trades crash
        # safety for speed. Production never runs this. Room for 8 workers' pools (`run --prod`
        # starts two per CPU, plus one): 5 workers under load held up to 94 of the default 100.
        options = (
            f"-c listen_addresses={HOST} -p {self.port} -k {shlex.quote(socket_dir)} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300"
        )
        wait = max(1, int(deadline - time.monotonic()))
        result = self._run(
            [str(binaries / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
             "-t", str(wait), "-o", options, "start"],
            account, wait + 10,
        )  # fmt: skip
        if result.returncode != 0:
            tail = log_tail(self.log)
            raise StackError(
                f"PostgreSQL did not start ({_last_line(result)}); see {self.log}"
                + (f" (last lines: {tail})" if tail else "")
            )
        return self.read_pid()

    def clean_stale(self) -> None:
        """Also drop the Unix socket lock files a killed postmaster leaves in the data dir.

        PostgreSQL refuses to start while a lock file names a pid that still "exists", which
        includes a reused pid and a not yet reaped zombie (slow init processes in containers).
        """
        if self.running_pid() is not None:
            return
        self.pidfile.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            for lock in self.data.glob(".s.PGSQL.*.lock"):
                lock.unlink(missing_ok=True)

    def check(self) -> str | None:
        import psycopg

        with psycopg.connect(self.conninfo("postgres"), connect_timeout=2) as conn:
            conn.execute("SELECT 1").fetchone()
        return None

    def after_ready(self) -> None:
        import psycopg
        from psycopg import errors, sql

        name = self.settings.database_name
        with psycopg.connect(self.conninfo("postgres"), autocommit=True, connect_timeout=5) as c:
            if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                return
            # A parallel `up` may have created it in the meantime.
            with contextlib.suppress(errors.DuplicateDatabase):
                c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def stop_pid(self, pid: int, timeout: float) -> None:
        result = self._run(
            [str(bin_dir() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
             "-t", str(max(1, int(timeout))), "stop"],
            self._account_for_stop(), timeout + 10,
        )  # fmt: skip
        if result.returncode != 0 or pid_alive(pid):
            # SIGINT is PostgreSQL's own "fast shutdown"; SIGKILL follows if even that hangs.
            terminate(pid, 5.0, first=signal.SIGINT)


def _last_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [ln for ln in (result.stderr or result.stdout or "").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else f"exit code {result.returncode}"
