"""The Typesense leg of search: the one multi_search request, and what its answers say.

Each collection is searched with the same query. Passages are grouped by source in Typesense
(`group_by` on `source_key`, `group_limit` 1): each group is one lesson place or file with its
best matching passage, and `found` and the facet counts count groups, that is sources.

A lesson or file can then be found twice, by its own document and by its passages: its hits
merge into one (`fusion.per_source`). Their counts cannot be merged exactly without fetching
every match, so a type or course counts the larger of the two (every passage match is a
source, and a source's own document adds only its title, summary or file name to what its
passages hold): a lower bound that is exact whenever one side holds the other.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from learning_app.adapters.typesense_store import SearchError
from learning_app.services.search.document_shape import SearchKind
from learning_app.services.search.documents import PASSAGES
from learning_app.services.search.fusion import Evidence
from learning_app.services.search.index import SearchIndex
from learning_app.services.search.results import (
    FacetCount,
    SearchHit,
    mark_terms,
    parts_from_marked,
    source_hit,
)
from learning_app.services.search.text import MARK_END, MARK_START

TYPE_LABELS = {
    "course": "Courses",
    "lesson": "Lessons",
    "question": "Questions",
    "flashcard": "Flashcards",
    "document": "Course files",
}
QUERY_BY = "title,tags,preview,course_title"
QUERY_WEIGHTS = "4,3,2,1"
# A passage is found by its own words; its source's title is its source document's job.
PASSAGE_QUERY_BY = "text,heading"
PASSAGE_QUERY_WEIGHTS = "2,1"
HIDDEN_FIELDS = "teacher_ids,tag_keys,content_hash,course_key"


def _search_params(
    kind: SearchKind, alias: str, text: str, filter_by: str, limit: int, *, counted: bool
) -> dict:
    params: dict[str, Any] = {
        "collection": alias,
        "q": text,
        "query_by": QUERY_BY,
        "query_by_weights": QUERY_WEIGHTS,
        "filter_by": filter_by,
        "facet_by": "course_key,tags",
        "max_facet_values": 20,
        "per_page": limit,
        "num_typos": 2,
        "prefix": "true",
        "highlight_fields": "title,preview",
        "highlight_start_tag": MARK_START,
        "highlight_end_tag": MARK_END,
        "highlight_affix_num_tokens": 12,
        "exclude_fields": HIDDEN_FIELDS,
    }
    if kind is PASSAGES:
        params.update(
            query_by=PASSAGE_QUERY_BY,
            query_by_weights=PASSAGE_QUERY_WEIGHTS,
            facet_by="course_key,type",
            group_by="source_key",
            group_limit=1,
            highlight_fields="text",
            exclude_fields=f"{HIDDEN_FIELDS},source_key",
        )
    if not counted:
        del params["facet_by"], params["max_facet_values"]
    return params


def multi_search_body(
    index: SearchIndex,
    searches: list[tuple[SearchKind, str]],
    text: str,
    limit: int,
    *,
    counted: bool = True,
) -> dict[str, Any]:
    """The one Typesense request a search sends (a POST: a long enrolment list in a filter
    never meets a URL length limit). Uncounted, it asks for no facets: they were about a
    quarter of Typesense's time for a search, and only the results page shows counts."""
    return {
        "searches": [
            _search_params(k, index.alias(k), text, f, limit, counted=counted) for k, f in searches
        ]
    }


def _evidence(doc: dict[str, Any], highlights: list[dict[str, Any]], text_match: int) -> Evidence:
    snippets = {h.get("field"): h.get("snippet", "") for h in highlights}
    passage = "text" in doc
    marked = snippets.get("text" if passage else "preview") or snippets.get("title") or ""
    parts = parts_from_marked(marked) if MARK_START in marked else []
    if not parts:
        parts = mark_terms(str(doc.get("text" if passage else "preview", "")), [])
    type_ = str(doc["type"])
    item_id = str(doc.get("lesson_id") or doc["entity_id"])
    course_id = str(doc["course_id"])
    heading, page = str(doc.get("heading", "")), int(doc.get("page", 0))
    hit = source_hit(
        type_=type_,
        item_id=item_id,
        title=str(doc["title"]),
        course_id=course_id,
        course_title=str(doc["course_title"]),
        parts=parts,
        heading=heading,
        page=page,
    )
    return Evidence(hit, float(text_match), passage)


CourseRef = tuple[str, str]  # (course id, course title)


@dataclass
class Counts:
    """How many sources of each type and course matched (see the module notes)."""

    types: Counter[str] = field(default_factory=Counter)
    courses: Counter[CourseRef] = field(default_factory=Counter)
    tags: Counter[str] = field(default_factory=Counter)

    def add(self, hit: SearchHit) -> None:
        """Count a source that only the vector search found."""
        self.types[hit.type] += 1
        self.courses[(hit.course_id, hit.course_title)] += 1

    @property
    def found(self) -> int:
        return sum(self.types.values())

    def type_facets(self) -> list[FacetCount]:
        return [
            FacetCount(t, label, self.types[t]) for t, label in TYPE_LABELS.items() if self.types[t]
        ]

    def course_facets(self) -> list[FacetCount]:
        return [FacetCount(cid, title, n) for (cid, title), n in self.courses.most_common()]

    def tag_facets(self) -> list[FacetCount]:
        return [FacetCount(name, name, n) for name, n in self.tags.most_common()]


def _facet(answer: dict[str, Any], name: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for facet in answer.get("facet_counts", []):
        if facet["field_name"] == name:
            for count in facet["counts"]:
                counts[count["value"]] += int(count["count"])
    return counts


def _course_refs(keys: Counter[str]) -> Counter[CourseRef]:
    # course_key is "<36-character id> <title>"
    return Counter({(k[:36], k[37:]): n for k, n in keys.items() if len(k) > 36})


def read_answers(
    searches: list[tuple[SearchKind, str]], answers: list[dict[str, Any]]
) -> tuple[list[Evidence], Counts]:
    """Every hit of every collection as evidence (passages: the best of each source), and
    the counts of sources."""
    evidence: list[Evidence] = []
    own_types, passage_types = Counter[str](), Counter[str]()
    own_courses, passage_courses, other_courses = Counter[str](), Counter[str](), Counter[str]()
    counts = Counts()
    for (kind, _), answer in zip(searches, answers, strict=True):
        if "error" in answer:
            raise SearchError(f"{kind.name}: {answer['error']}")
        if kind is PASSAGES:
            passage_types.update(_facet(answer, "type"))
            passage_courses.update(_facet(answer, "course_key"))
            hits = [group["hits"][0] for group in answer.get("grouped_hits", [])]
        else:
            found = int(answer["found"])
            if kind.type in ("lesson", "document"):
                own_types[kind.type] += found
                own_courses.update(_facet(answer, "course_key"))
            else:
                counts.types[kind.type] += found
                other_courses.update(_facet(answer, "course_key"))
            counts.tags.update(_facet(answer, "tags"))
            hits = answer["hits"]
        for hit in hits:
            evidence.append(
                _evidence(hit["document"], hit.get("highlights", []), hit.get("text_match", 0))
            )
    for type_ in own_types.keys() | passage_types.keys():
        counts.types[type_] += max(own_types[type_], passage_types[type_])
    for key in own_courses.keys() | passage_courses.keys():
        other_courses[key] += max(own_courses[key], passage_courses[key])
    counts.courses = _course_refs(other_courses)
    return evidence, counts
