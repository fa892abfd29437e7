"""Search: typo-tolerant, prefix-matching search over what the viewer may read.

Visibility is enforced here, on the server: every Typesense query carries a `filter_by` that
this module builds from the viewer's session (never from the request), and user input never
enters a filter. Facet choices are validated and turned into UUIDs or opaque tag keys first.

Who sees what:
- visitors: published content of public courses;
- signed-in users: that, plus published content of the courses they are enrolled in, plus
  everything (drafts included) of the courses they teach;
- questions: the teachers of their course only; admins: everything.
(Public share links grant access to one course or lesson; they will join the filter when that
feature lands.)

When Typesense cannot answer, the same rules run as a Postgres full-text search
(`search.fallback`), and the results say so (`degraded`).
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections import Counter
from typing import Any

from sqlmodel import Session

from learning_app.adapters.typesense_store import SEARCH_ERRORS, SearchError
from learning_app.services.access.courses import optional_viewer
from learning_app.services.accounts.users import Viewer
from learning_app.services.errors import InvalidInput
from learning_app.services.progress import events
from learning_app.services.search.documents import KIND_BY_TYPE, KINDS, SearchKind, tag_key
from learning_app.services.search.fallback import fallback_search
from learning_app.services.search.index import SearchIndex, default_index
from learning_app.services.search.results import (
    Audience,
    FacetCount,
    SearchFilters,
    SearchHit,
    SearchResults,
    audience_of,
    hit_url,
    mark_terms,
    parts_from_marked,
    plain,
)
from learning_app.services.search.text import MARK_END, MARK_START, clean_text

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
MAX_LIMIT = 50
MAX_TAG_CHARS = 64
TRUNCATED_NOTICE = (
    f"Your search was long, so only its first {MAX_QUERY_CHARS} characters were used."
)
DEGRADED_NOTICE = (
    "Search is running in a simpler mode right now: results may miss misspelled words, and "
    "counts and tag filters are unavailable."
)
TYPE_LABELS = {
    "course": "Courses",
    "lesson": "Lessons",
    "question": "Questions",
    "document": "Course files",
}
QUERY_BY = "title,tags,preview,course_title"
QUERY_WEIGHTS = "4,3,2,1"


def clean_query(raw: str | None) -> tuple[str, bool]:
    """The query as searched, and whether it was shortened.

    Control characters go and whitespace collapses. A query longer than `MAX_QUERY_CHARS` is
    cut there (at the last space, if there is one in the second half), never refused.
    """
    text = clean_text(raw or "")
    if len(text) <= MAX_QUERY_CHARS:
        return text, False
    cut = text[:MAX_QUERY_CHARS]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_QUERY_CHARS // 2 else cut).strip(), True


def _ids(values: tuple[uuid.UUID, ...] | list[uuid.UUID]) -> str:
    return ",".join(str(uuid.UUID(str(v))) for v in values)


def visibility_filter(audience: Audience, kind: SearchKind) -> str | None:
    """The filter_by that limits `kind` to what `audience` may see; None: not searchable."""
    if audience.is_admin:
        return ""
    if kind.teachers_only:
        return f"teacher_ids:=[{audience.user_id}]" if audience.is_teacher else None
    if audience.user_id is None:
        return "published:=true && course_public:=true"
    readable = "course_public:=true"
    if audience.enrolled:
        readable = f"(course_public:=true || course_id:=[{_ids(audience.enrolled)}])"
    published = f"published:=true && {readable}"
    if not audience.is_teacher:  # course_teacher rows count only while the role is teacher
        return published
    return f"({published}) || teacher_ids:=[{audience.user_id}]"


def _facet_filter(filters: SearchFilters) -> tuple[list[SearchKind] | None, str]:
    """The kinds a type filter keeps (None: all), and filter_by clauses for course and tag."""
    kinds = None
    if filters.type:
        if filters.type not in KIND_BY_TYPE:
            raise InvalidInput("Choose courses, lessons or questions.", field="type")
        kinds = [KIND_BY_TYPE[filters.type]]
    clauses = []
    if filters.course_id:
        try:
            clauses.append(f"course_id:=[{uuid.UUID(filters.course_id.strip())}]")
        except ValueError:
            raise InvalidInput("That course filter is not valid.", field="course") from None
    if filters.tag:
        if len(filters.tag) > MAX_TAG_CHARS:
            raise InvalidInput("That tag filter is not valid.", field="tag")
        clauses.append(f"tag_keys:=[{tag_key(filters.tag)}]")
    return kinds, " && ".join(clauses)


def _search_params(alias: str, text: str, filter_by: str, limit: int) -> dict[str, Any]:
    return {
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
        "exclude_fields": "teacher_ids,tag_keys,content_hash,course_key",
    }


def _hit(doc: dict[str, Any], highlights: list[dict[str, Any]]) -> SearchHit:
    snippets = {h.get("field"): h.get("snippet", "") for h in highlights}
    marked = snippets.get("preview") or snippets.get("title") or ""
    parts = parts_from_marked(marked) if MARK_START in marked else []
    if not parts:
        parts = mark_terms(str(doc.get("preview", "")), [])
    type_ = str(doc["type"])
    item_id = str(doc.get("lesson_id") or doc["entity_id"])
    course_id = str(doc["course_id"])
    return SearchHit(
        type=type_,
        id=item_id,
        title=str(doc["title"]),
        course_id=course_id,
        course_title=str(doc["course_title"]),
        url=hit_url(type_, course_id, item_id),
        snippet=plain(parts),
        parts=parts,
    )


def plan_searches(
    audience: Audience, filters: SearchFilters | None
) -> list[tuple[SearchKind, str]]:
    """Each collection the audience may search (narrowed by a type filter), with its filter_by:
    the visibility rule AND the validated facet clauses."""
    kinds, facet_clause = _facet_filter(filters or SearchFilters())
    searches = []
    for kind in kinds or KINDS.values():
        visible = visibility_filter(audience, kind)
        if visible is None:
            continue  # e.g. a student asking for questions: that collection is not theirs
        parts = [f"({visible})" if visible else "", facet_clause]
        searches.append((kind, " && ".join(p for p in parts if p)))
    return searches


def multi_search_body(
    index: SearchIndex, searches: list[tuple[SearchKind, str]], text: str, limit: int
) -> dict[str, Any]:
    """The one Typesense request a search sends (a POST: a long enrolment list in a filter
    never meets a URL length limit)."""
    return {"searches": [_search_params(index.alias(k), text, f, limit) for k, f in searches]}


def _typesense_search(
    index: SearchIndex,
    searches: list[tuple[SearchKind, str]],
    text: str,
    limit: int,
) -> SearchResults:
    body = multi_search_body(index, searches, text, limit)
    answers = index.client.multi_search.perform(body, {})["results"]
    scored: list[tuple[int, int, SearchHit]] = []
    types, courses, tags = [], Counter[str](), Counter[str]()
    for (kind, _), answer in zip(searches, answers, strict=True):
        if "error" in answer:
            raise SearchError(f"{kind.name}: {answer['error']}")
        if answer["found"]:
            types.append(FacetCount(kind.type, TYPE_LABELS[kind.type], int(answer["found"])))
        for facet in answer.get("facet_counts", []):
            counter = courses if facet["field_name"] == "course_key" else tags
            for count in facet["counts"]:
                counter[count["value"]] += int(count["count"])
        for rank, hit in enumerate(answer["hits"]):
            found = _hit(hit["document"], hit.get("highlights", []))
            scored.append((-int(hit.get("text_match", 0)), rank, found))
    scored.sort(key=lambda item: (item[0], item[1]))
    return SearchResults(
        query=text,
        hits=[hit for *_, hit in scored[:limit]],
        found=sum(f.count for f in types),
        types=types,
        courses=[
            FacetCount(key[:36], key[37:], n) for key, n in courses.most_common() if len(key) > 36
        ],
        tags=[FacetCount(name, name, n) for name, n in tags.most_common()],
    )


def search_as(
    session: Session,
    viewer: Viewer | None,
    *,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 10,
    index: SearchIndex | None = None,
) -> SearchResults:
    """Search as `viewer` (None: a visitor). Callers resolve the viewer on the server: from the
    session token (`search`) or, for the admin CLI, from an account."""
    text, truncated = clean_query(query)
    notices = [TRUNCATED_NOTICE] if truncated else []
    if not text:
        return SearchResults(query="", hits=[], found=0, notices=notices)
    limit = max(1, min(MAX_LIMIT, limit))
    audience = audience_of(session, viewer)
    searches = plan_searches(audience, filters)
    if not searches:
        return SearchResults(query=text, hits=[], found=0, notices=notices)
    try:
        results = _typesense_search(index or default_index(), searches, text, limit)
    except SEARCH_ERRORS:
        log.warning("search index unavailable; answering from Postgres", exc_info=True)
        hits = fallback_search(session, audience, text, [k for k, _ in searches], filters, limit)
        notices.append(DEGRADED_NOTICE)
        return SearchResults(text, hits, len(hits), degraded=True, notices=notices)
    return dataclasses.replace(results, notices=notices)


def search(
    session: Session,
    *,
    token: str | None,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 10,
    index: SearchIndex | None = None,
) -> SearchResults:
    """Search as whoever holds `token` (a visitor when it is empty or signed out)."""
    viewer = optional_viewer(session, token)
    results = search_as(session, viewer, query=query, filters=filters, limit=limit, index=index)
    if results.query:
        # The query's length, not its words: searches can hold what people would not share.
        events.record_event(
            "search_performed",
            user_id=viewer.user_id if viewer else None,
            course_id=None,
            context={
                "query_chars": len(results.query),
                "hits": results.found,
                "degraded": results.degraded,
            },
        )
    return results
