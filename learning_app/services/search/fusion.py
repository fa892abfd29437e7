"""One result per source, and one ranking out of two.

A source (a course, a question, a lesson in one course, a course file) can be found several
times over: by its own document (a lesson's title, a file's name), by any of its passages, and
by the vector search. `per_source` keeps one piece of evidence per source within one ranking:
ranked by its best score, shown with its best matching passage when one matched (the snippet
and the link to that section or page), else with the source's own hit.

`fuse` merges the lexical and the vector rankings with reciprocal rank fusion (Cormack et al.,
2009): a source scores the sum of 1 / (RRF_K + rank) over the rankings that hold it. It needs no
calibration between Typesense's text_match and cosine similarity, which live on unrelated
scales, and a source both legs agree on rises above one that only a single leg found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from learning_app.services.search.results import SearchHit

# The usual constant: ranks 1 and 10 of a leg weigh 1/61 and 1/70, so one leg's top result does
# not drown the other leg's.
RRF_K = 60

SourceKey = tuple[str, str, str]  # (type, id, course id): a lesson is one source per course


@dataclass(frozen=True)
class Evidence:
    """One way a source was found: the hit to show, its score within its own ranking (higher
    is better), and whether the hit shows one of the source's passages."""

    hit: SearchHit
    score: float
    passage: bool


def source_of(hit: SearchHit) -> SourceKey:
    return (hit.type, hit.id, hit.course_id)


def per_source(evidence: Iterable[Evidence]) -> list[Evidence]:
    """One evidence per source, best score first; its hit is the best matching passage's."""
    best: dict[SourceKey, Evidence] = {}
    passages: dict[SourceKey, Evidence] = {}
    for found in sorted(evidence, key=lambda e: -e.score):
        key = source_of(found.hit)
        best.setdefault(key, found)
        if found.passage:
            passages.setdefault(key, found)
    ranked = []
    for key, found in best.items():  # in order of each source's best score
        passage = passages.get(key)
        ranked.append(Evidence(passage.hit, found.score, True) if passage else found)
    return ranked


def fuse(rankings: Iterable[list[Evidence]], limit: int) -> list[SearchHit]:
    """The best `limit` sources of several rankings (each one evidence per source, best
    first) by reciprocal rank fusion. Ties keep the earlier ranking's order. A source's hit is
    its first ranking's, unless only a later one shows a passage of it."""
    scores: dict[SourceKey, float] = defaultdict(float)
    shown: dict[SourceKey, Evidence] = {}
    for ranking in rankings:
        for rank, found in enumerate(ranking, start=1):
            key = source_of(found.hit)
            scores[key] += 1.0 / (RRF_K + rank)
            if key not in shown or (found.passage and not shown[key].passage):
                shown[key] = found
    order = sorted(scores, key=lambda key: -scores[key])  # stable: ties in insertion order
    return [shown[key].hit for key in order[:limit]]
