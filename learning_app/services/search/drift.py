"""Repairing drift between Postgres and the search index, as the periodic drift check does.

The outbox queues a sync job with every change an ORM session commits. What it cannot see (raw
SQL, a script, a restored backup of either store, a job lost with its worker) leaves the index
unlike Postgres until someone looks. `requeue_drift` looks: it compares every kind
(`check_drift`), over the whole catalogue or one part of it (`catalogue_parts`), and queues the
ordinary sync job for each entity that owns a missing, stale or extra document, and the
synonyms job when synonyms differ. The jobs then repair the index the
way they apply any change, reading Postgres as it is when they run.

It works from each document's `type` and `entity_id`, so a new kind needs nothing here. A
drifted entity whose sync job already waits (a change not yet applied, an outage being waited
out) is left to that job: the check neither queues it twice nor reports it as drift.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session

from learning_app.services.search.catalogue_parts import (
    CataloguePart,
    indexed_documents,
    part_for_run,
)
from learning_app.services.search.documents import KINDS
from learning_app.services.search.index import (
    ENTITY_SCOPES,
    KindDrift,
    SearchIndex,
    check_drift,
    lock_index_writes,
)
from learning_app.services.search.outbox import SYNONYMS, Change, enqueue_sync, waiting_syncs


@dataclass(frozen=True)
class DriftRepair:
    """What one check found that no waiting job explains, and the jobs it queued for it."""

    # kind -> {"missing" | "stale" | "extra": documents}, counting those of requeued entities
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    synonyms_differ: bool = False
    requeued: list[Change] = field(default_factory=list)
    # Documents whose type or entity_id names nothing a job can sync: only a reindex fixes them.
    unowned: list[str] = field(default_factory=list)
    part: CataloguePart | None = None  # what was compared: None for the whole catalogue

    @property
    def clean(self) -> bool:
        return not (self.requeued or self.unowned)

    def summary(self) -> str:
        """One line for the log, e.g. `documents: 2 missing, 1 extra; synonyms differ; ...`."""
        parts = [
            f"{kind}: " + ", ".join(f"{n} {how}" for how, n in sorted(counts.items()))
            for kind, counts in sorted(self.by_kind.items())
        ]
        if self.synonyms_differ:
            parts.append("synonyms differ")
        parts.append(f"{len(self.requeued)} sync job(s) queued")
        if self.unowned:
            parts.append(
                f"{len(self.unowned)} document(s) of no known entity, left for"
                f" `learning-app reindex`: {', '.join(self.unowned[:5])}"
            )
        if self.part is not None and self.part.of > 1:
            parts.insert(0, f"part {self.part.number + 1} of {self.part.of} of the catalogue")
        return "; ".join(parts)


def _owner(type_: str, entity_id: str) -> Change | None:
    """The entity a sync job must redo for a document of this type and entity id."""
    if type_ not in ENTITY_SCOPES:
        return None
    try:
        return (type_, str(uuid.UUID(entity_id)))
    except ValueError:
        return None


def _drifted_documents(drift: KindDrift) -> list[tuple[str, str]]:
    """(document id, "missing" | "stale" | "extra") of every drifted document of one kind."""
    return [
        (doc_id, how)
        for how, ids in (("missing", drift.missing), ("stale", drift.stale), ("extra", drift.extra))
        for doc_id in ids
    ]


def part_to_check(
    index: SearchIndex, run: int, documents_per_part: int | None = None
) -> CataloguePart:
    """The part of the catalogue that periodic run number `run` compares."""
    aliases = [index.alias(kind) for kind in KINDS.values()]
    return part_for_run(run, indexed_documents(index.client, aliases), documents_per_part)


def requeue_drift(
    session: Session, index: SearchIndex, part: CataloguePart | None = None
) -> DriftRepair:
    """Compare Postgres with the index (whole, or `part` of the catalogue) and queue, in this
    transaction, a sync job for every drifted entity that has none waiting. Raises
    SEARCH_ERRORS when the index is unreachable."""
    # No sync job writes while we compare, so a job half-way through is never taken for drift.
    lock_index_writes(session)
    report = check_drift(session, index, part=part)
    waiting = waiting_syncs(session)
    by_kind: dict[str, Counter[str]] = {}
    requeue: set[Change] = set()
    unowned: list[str] = []
    for drift in report:
        for doc_id, how in _drifted_documents(drift):
            owner = _owner(*drift.owners[doc_id])
            if owner is None:
                unowned.append(f"{drift.kind}/{doc_id}")
            elif owner not in waiting:
                requeue.add(owner)
                by_kind.setdefault(drift.kind, Counter())[how] += 1
    synonyms_differ = any(d.synonyms_differ for d in report) and (SYNONYMS, "") not in waiting
    if synonyms_differ:
        requeue.add((SYNONYMS, ""))
    for change in sorted(requeue):
        enqueue_sync(session, change)
    return DriftRepair(by_kind, synonyms_differ, sorted(requeue), unowned, part)
