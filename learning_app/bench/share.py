"""`learning-app bench share`: share-link lookups among 100k links.

The links are written straight into `shared_token` (hashes of random tokens, for one bench
course created and deleted by the run), then random known tokens are looked up through
`sharing.links.find_active_link`: a SHA-256 and one query through the unique index on
`token_hash`, each in its own short transaction as a visit would be. A raw single-row SELECT
by primary key on the same table, in the same run, is the yardstick.
"""

from __future__ import annotations

import random
import secrets
import time
import uuid

from sqlalchemy import delete, insert, text
from sqlmodel import col, select

from learning_app.adapters.postgres import get_engine, session_scope
from learning_app.bench.stats import percentile
from learning_app.models.base import utc_now
from learning_app.models.content import Course, PublishStatus
from learning_app.models.sharing import SharedToken, ShareEntityType
from learning_app.models.users import User, UserProfile, UserRole
from learning_app.services.sharing.links import find_active_link
from learning_app.services.sharing.tokens import token_hash

BATCH = 10_000


def _fixture(tokens: int) -> tuple[uuid.UUID, uuid.UUID, list[str]]:
    tag = uuid.uuid4().hex[:8]
    owner, course_id = uuid.uuid4(), uuid.uuid4()
    raws = [secrets.token_urlsafe(32) for _ in range(tokens)]
    with session_scope() as session:
        session.execute(insert(User), [{"id": owner, "email": f"bench-share-{tag}@example.test"}])
        session.execute(
            insert(UserProfile),
            [{"user_id": owner, "role": UserRole.TEACHER, "display_name": "Bench"}],
        )
        session.add(
            Course(
                id=course_id,
                owner_id=owner,
                title="Bench share",
                slug=f"bench-share-{tag}",
                status=PublishStatus.PUBLISHED,
                published_at=utc_now(),
            )
        )
    for start in range(0, tokens, BATCH):
        with session_scope() as session:
            session.execute(
                insert(SharedToken),
                [
                    {
                        "id": uuid.uuid4(),
                        "entity_type": ShareEntityType.COURSE,
                        "entity_id": course_id,
                        "token_hash": token_hash(raw),
                        "created_by": owner,
                    }
                    for raw in raws[start : start + BATCH]
                ],
            )
    with get_engine().connect() as conn:
        conn.execute(text("ANALYZE shared_token"))
        conn.commit()
    return owner, course_id, raws


def _drop(owner: uuid.UUID, course_id: uuid.UUID) -> None:
    with session_scope() as session:
        session.execute(delete(SharedToken).where(col(SharedToken.created_by) == owner))
        session.execute(delete(Course).where(col(Course.id) == course_id))
        session.execute(delete(User).where(col(User.id) == owner))


def run_share_bench(tokens: int = 100_000, lookups: int = 2_000) -> dict[str, float]:
    owner, course_id, raws = _fixture(tokens)
    try:
        sample = random.sample(raws, min(lookups, len(raws)))
        with session_scope() as session:
            ids = session.exec(select(SharedToken.id).limit(lookups)).all()
        app_ms, raw_ms = [], []
        for raw, link_id in zip(sample, ids, strict=False):
            start = time.perf_counter()
            with session_scope() as session:
                find_active_link(session, raw, utc_now())
            app_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            with session_scope() as session:
                session.get(SharedToken, link_id)
            raw_ms.append((time.perf_counter() - start) * 1000)
    finally:
        _drop(owner, course_id)
    return {
        "tokens": tokens,
        "lookups": len(app_ms),
        "p50_ms": round(percentile(app_ms, 0.5), 3),
        "p95_ms": round(percentile(app_ms, 0.95), 3),
        "raw_p50_ms": round(percentile(raw_ms, 0.5), 3),
        "raw_p95_ms": round(percentile(raw_ms, 0.95), 3),
    }
