"""`learning-app run --prod --servers N` and `learning-app serve`: several production app
servers behind the stack's load balancer.

The frontend is built once (`reflex export --frontend-only`), then each server is a
`learning-app serve` process: Reflex's production backend (granian, its own workers) serving
that build and the websocket on its own port. Reflex's state lives in Redis, so any server can
take any tab; HAProxy keeps a connection on the server that accepted it and moves a tab
whose server died to a live one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

from learning_app.cli.support import CliError, reflex_environment
from learning_app.settings import PROJECT_ROOT, Settings, get_settings
from learning_app.stack.processes import start_process_group, stop_process_group, wait_until_pinged

START_S = 180.0  # the first start of a worker loads the embedding model


def _built_frontend() -> Path:
    from reflex.utils import prerequisites
    from reflex_base import constants

    return prerequisites.get_web_dir() / constants.Dirs.STATIC


def serve_built_app(host: str, port: int, workers: int | None) -> NoReturn:
    """One production app server of the frontend already built in `.web` (Reflex's own
    `run --env prod`, minus the compile and the build, which another process did)."""
    os.environ.update(reflex_environment(get_settings(), prod=True, workers=workers))
    os.chdir(PROJECT_ROOT)
    from reflex.utils import exec as reflex_exec
    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    if not (_built_frontend() / "index.html").exists():
        raise CliError(
            f"no built frontend in {_built_frontend()}; `learning-app run --prod --servers N` "
            "builds it first"
        )
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    reflex_exec.run_backend_prod(
        host, port, get_config().loglevel.subprocess_level(), mount_frontend_compiled_app=True
    )
    sys.exit(0)


def run_servers(settings: Settings, count: int, workers: int | None) -> int:
    """Build the frontend once, start `count` servers on STACK_APP_PORT, +1, ... and keep
    them running until interrupted; the load balancer (already up) serves them."""
    url = f"http://localhost:{settings.stack_lb_port}"
    env = reflex_environment(settings, prod=True, workers=workers)
    # The browser talks to the load balancer: its address is the app's origin, unless the
    # settings (environment or .env) name the public address it sits behind.
    public = settings.public_base_url if "public_base_url" in settings.model_fields_set else url
    env["PUBLIC_BASE_URL"] = public
    env.setdefault("REFLEX_API_URL", public)
    reflex = str(Path(sys.executable).parent / "reflex")
    print("building the frontend once for every server ...", flush=True)
    built = subprocess.run(
        [reflex, "export", "--frontend-only", "--no-zip", "--env", "prod"],
        cwd=PROJECT_ROOT, env=env, check=False,
    )  # fmt: skip
    if built.returncode != 0:
        raise CliError("the frontend build failed (see above)")
    command = [str(Path(sys.executable).parent / "learning-app"), "serve"]
    logs = Path(settings.stack_dir) / "app-servers"
    logs.mkdir(parents=True, exist_ok=True)
    servers: dict[int, subprocess.Popen] = {}
    try:
        for i in range(count):
            port = settings.stack_app_port + i
            servers[port] = start_process_group(
                [*command, "--port", str(port)], cwd=PROJECT_ROOT, env=env,
                log_path=logs / f"app{i + 1}.log",
            )  # fmt: skip
        for i, (port, process) in enumerate(servers.items()):
            log = logs / f"app{i + 1}.log"
            wait_until_pinged(port, process, f"the app server on port {port}", log, START_S)
        print(f"serving the app at {env['PUBLIC_BASE_URL']} through {count} servers", flush=True)
        return _watch(servers, logs)
    finally:
        for process in servers.values():
            stop_process_group(process)


def _watch(servers: dict[int, subprocess.Popen], logs: Path) -> int:
    """Until Ctrl-C or SIGTERM: say when a server exits (the load balancer moves its users to
    the others); stop when none is left."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    reported: set[int] = set()
    try:
        while len(reported) < len(servers):
            for port, process in servers.items():
                if port not in reported and process.poll() is not None:
                    reported.add(port)
                    print(
                        f"the app server on port {port} exited ({process.returncode}); the "
                        f"others carry on; its log is in {logs}",
                        flush=True,
                    )
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    return 1
