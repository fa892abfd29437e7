"""Is each store answering? Used by `/health`, `learning-app health` and the tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from sqlalchemy import text
from sqlmodel import Session

from learning_app.adapters.postgres import get_engine
from learning_app.adapters.redis_store import get_redis
from learning_app.adapters.s3_store import get_s3
from learning_app.adapters.typesense_store import get_typesense
from learning_app.services.access.roles import sees_store_details
from learning_app.services.accounts.viewers import viewer_for_session
from learning_app.settings import get_settings


@dataclass(frozen=True)
class StoreHealth:
    store: str
    ok: bool
    latency_ms: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _check_postgres() -> str:
    with get_engine().connect() as conn:
        version = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
        ).scalar()
    if not version:
        # Answering is not enough: without pgvector no embedding can be stored or searched.
        raise RuntimeError("pgvector extension missing: run `learning-app migrate`")
    return f"pgvector {version}"


def _check_redis() -> str:
    get_redis().ping()
    return "PONG"


def _check_typesense() -> str:
    answer = get_typesense().operations.is_healthy()
    if not answer:
        raise RuntimeError("not healthy yet")
    return "ok"


def _check_s3() -> str:
    bucket = get_settings().s3_bucket
    get_s3().head_bucket(Bucket=bucket)
    return f"bucket {bucket}"


CHECKS: dict[str, Callable[[], str]] = {
    "postgres": _check_postgres,
    "redis": _check_redis,
    "typesense": _check_typesense,
    "s3": _check_s3,
}


def _run(name: str, check: Callable[[], str]) -> StoreHealth:
    started = time.perf_counter()
    try:
        detail, ok = check(), True
    except Exception as exc:  # a health probe reports every failure instead of raising
        detail, ok = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", False
    return StoreHealth(name, ok, round((time.perf_counter() - started) * 1000, 1), detail)


def check_stores() -> list[StoreHealth]:
    """Probe every store in parallel, so one slow store does not hide the others."""
    with ThreadPoolExecutor(max_workers=len(CHECKS)) as pool:
        futures = [pool.submit(_run, name, check) for name, check in CHECKS.items()]
        return [f.result() for f in futures]


def details_allowed(session: Session, *, token: str | None) -> bool:
    """Whether the session's user may read each store's details on `/health`; everyone else,
    load balancers included, gets the overall status and its code."""
    return sees_store_details(viewer_for_session(session, token))
