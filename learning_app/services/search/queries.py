"""Search: typo-tolerant, prefix-matching search over what the viewer may read, by words and by
meaning, one result per source.

Two legs run side by side: the lexical one in Typesense (`search.lexical`: courses, lessons,
questions, files and every passage of the lessons and files), whose request is sent first and
read last, and the vector one in Postgres (`search.semantic`) meanwhile, on the caller's
session, in the same thread. Their rankings of sources are fused (`search.fusion`). The
embedder is a port: callers pass the configured one, or None for words only (the navbar's
suggestions while typing, `suggest`).

Visibility is enforced here, on the server: every Typesense query carries a `filter_by` that
this module builds from the viewer's session (never from the request), and user input never
enters a filter. Facet choices are validated and turned into UUIDs or opaque tag keys first.
The vector leg applies the same rules in SQL.

Who sees what:
- visitors: published content of public courses;
- signed-in users: that, plus published content of the courses they are enrolled in, plus
  everything (drafts included) of the courses they teach;
- questions and flashcards: the teachers of their course only; admins: everything;
- a lesson a prerequisite still locks for the viewer (in that course) is out, words and
  passages alike (`locked_filter`; the SQL legs read the same `Audience.locked_lessons`).
(Public share links grant access to one course or lesson; they will join the filter when that
feature lands.)

When Typesense cannot answer, the same rules run as a Postgres full-text search
(`search.fallback`), fused with the vector leg, and the results say so (`degraded`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from sqlmodel import Session

from learning_app.adapters.embeddings import Embedder, has_query_vector
from learning_app.adapters.postgres import on_event_loop, reads_only
from learning_app.adapters.typesense_store import SEARCH_ERRORS
from learning_app.adapters.unit_slots import waiting_elsewhere
from learning_app.services.access.viewing import viewer_and_enrolments
from learning_app.services.accounts.viewers import Viewer
from learning_app.services.errors import InvalidInput
from learning_app.services.progress import events
from learning_app.services.search.document_shape import SearchKind, tag_key
from learning_app.services.search.documents import KIND_BY_TYPE, KINDS, PASSAGE_TYPES, PASSAGES
from learning_app.services.search.fallback import fallback_search
from learning_app.services.search.fusion import Evidence, fuse, per_source, source_of
from learning_app.services.search.index import SearchIndex, default_index
from learning_app.services.search.lexical import Counts, multi_search_body, read_answers
from learning_app.services.search.results import (
    Audience,
    SearchFilters,
    SearchHit,
    SearchResults,
    audience_of,
)
from learning_app.services.search.semantic import semantic_search
from learning_app.services.search.text import clean_text

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


def locked_filter(audience: Audience, kind: SearchKind) -> str:
    """The filter_by clause that keeps out the lesson places a prerequisite locks for the
    audience ("" when none are locked, or `kind` holds no lesson text).

    The index is shared by every student, so the places go into the query rather than into
    the documents: filtering hits afterwards would leave pages short and counts and facets
    wrong, and a per-document "gated" field would still need each viewer's passed exams.
    Passages name their place in `source_key` ("<lesson>.<course>"). Typesense 0.24 cannot
    filter `id` by "not equal", so a lesson document is kept out by a clause per place:
    NOT (lesson AND course) written as (lesson != L || course != C). A student has a few
    locked places at most; a visitor every gated lesson of the public catalogue, which is
    the price of computing it per request (a POST body has no URL length limit).
    """
    places = audience.locked_lessons
    if not places:
        return ""
    if kind is PASSAGES:
        return f"source_key:!=[{','.join(f'{lesson}.{course}' for course, lesson in places)}]"
    if kind.type != "lesson":
        return ""
    return " && ".join(
        f"(entity_id:!=[{uuid.UUID(str(lesson))}] || course_id:!=[{uuid.UUID(str(course))}])"
        for course, lesson in places
    )


def visibility_filter(audience: Audience, kind: SearchKind) -> str | None:
    """The filter_by that limits `kind` to what `audience` may see (prerequisites included);
    None: not searchable."""
    visible = _role_filter(audience, kind)
    locked = locked_filter(audience, kind)
    if visible is None or not locked:
        return visible
    return f"({visible}) && {locked}" if visible else locked


def _role_filter(audience: Audience, kind: SearchKind) -> str | None:
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
        if filters.type in PASSAGE_TYPES:
            kinds.append(PASSAGES)
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
        if kind is PASSAGES and filters and filters.type:
            parts.append(f"type:={filters.type}")  # validated: one of KIND_BY_TYPE
        searches.append((kind, " && ".join(p for p in parts if p)))
    return searches


def _semantic_scope(
    audience: Audience, filters: SearchFilters | None
) -> tuple[tuple[str, ...], uuid.UUID | None]:
    """The source types and the course the vector leg searches (after `plan_searches` has
    validated the filters): none for a tag filter, which only questions can match."""
    filters = filters or SearchFilters()
    if filters.tag:
        return (), None
    types = (filters.type,) if filters.type else PASSAGE_TYPES
    course_id = uuid.UUID(filters.course_id.strip()) if filters.course_id else None
    return tuple(t for t in types if t in PASSAGE_TYPES), course_id


def _fused(
    lexical: list[Evidence], semantic: list[Evidence], counts: Counts, limit: int
) -> list[SearchHit]:
    """The fused page of hits; sources only the vector leg found join the counts."""
    words = per_source(lexical)
    seen = {source_of(found.hit) for found in words}
    for found in semantic:
        if source_of(found.hit) not in seen:
            counts.add(found.hit)
    return fuse([words, semantic], limit)


def search_as(
    session: Session,
    viewer: Viewer | None,
    *,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 10,
    index: SearchIndex | None = None,
    embedder: Embedder | None = None,
    enrolled: tuple[uuid.UUID, ...] | None = None,
    counted: bool = True,
) -> SearchResults:
    """Search as `viewer` (None: a visitor). Callers resolve the viewer on the server: from the
    session token (`search`) or, for the admin CLI, from an account. Without `embedder` only
    words match. `enrolled`: the viewer's courses, if the caller has read them. Not `counted`:
    no facets, and `found` is the number of hits."""
    text, truncated = clean_query(query)
    notices = [TRUNCATED_NOTICE] if truncated else []
    if not text:
        return SearchResults(query="", hits=[], found=0, notices=notices)
    limit = max(1, min(MAX_LIMIT, limit))
    audience = audience_of(session, viewer, enrolled)
    searches = plan_searches(audience, filters)
    if not searches:
        return SearchResults(query=text, hits=[], found=0, notices=notices)
    index = index or default_index()
    # Sent now, read after the vector leg: Typesense and Postgres answer at the same time.
    answering = index.client.multi_search.start(
        multi_search_body(index, searches, text, limit, counted=counted)
    )
    semantic: list[Evidence] = []
    if embedder is not None:
        types, course_id = _semantic_scope(audience, filters)
        semantic = semantic_search(
            session, audience, text, embedder, types=types, course_id=course_id, limit=limit
        )
    try:
        # A wait for Typesense needs no slot (`adapters/unit_slots.py`).
        with nullcontext() if answering.ready() else waiting_elsewhere():
            answers = answering.answer()
        lexical, counts = read_answers(searches, answers["results"])
    except SEARCH_ERRORS:
        log.warning("search index unavailable; answering from Postgres", exc_info=True)
        # Postgres searches lessons and files whole, and shows their best passage itself.
        kinds = [kind for kind, _ in searches if kind is not PASSAGES]
        found = fallback_search(session, audience, text, kinds, filters, limit)
        words = [Evidence(hit, -rank, passage=True) for rank, hit in enumerate(found)]
        hits = _fused(words, semantic, Counts(), limit)
        notices.append(DEGRADED_NOTICE)
        return SearchResults(text, hits, len(hits), degraded=True, notices=notices)
    hits = _fused(lexical, semantic, counts, limit)
    if not counted:
        return SearchResults(query=text, hits=hits, found=len(hits), notices=notices)
    return SearchResults(
        query=text,
        hits=hits,
        found=counts.found,
        types=counts.type_facets(),
        courses=counts.course_facets(),
        tags=counts.tag_facets(),
        notices=notices,
    )


def _query_vector_at_hand(call: Mapping[str, Any]) -> bool:
    """A search runs on the event loop only if its query needs no embedding: the model's
    work (or OpenAI's round trip) would hold the loop."""
    embedder = call.get("embedder")
    text, _ = clean_query(call.get("query"))
    return embedder is None or not text or has_query_vector(embedder, text)


@on_event_loop(when=_query_vector_at_hand)
@reads_only
def search(
    session: Session,
    *,
    token: str | None,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 10,
    index: SearchIndex | None = None,
    embedder: Embedder | None = None,
) -> SearchResults:
    """Search as whoever holds `token` (a visitor when it is empty or signed out)."""
    viewer, enrolled = viewer_and_enrolments(session, token, embedder.name if embedder else "")
    results = search_as(
        session,
        viewer,
        query=query,
        filters=filters,
        limit=limit,
        index=index,
        embedder=embedder,
        enrolled=enrolled,
    )
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


@on_event_loop()
@reads_only
def suggest(
    session: Session,
    *,
    token: str | None,
    query: str,
    limit: int,
    index: SearchIndex | None = None,
) -> SearchResults:
    """What the navbar offers while someone types: the best `limit` sources by their words,
    as whoever holds `token` may see them, with no counts and no analytics event. A pause in
    typing is not a search: the results page records the one the user makes, and shows the
    counts these would ask Typesense for on every pause."""
    viewer, enrolled = viewer_and_enrolments(session, token, "")
    return search_as(
        session, viewer, query=query, limit=limit, index=index, enrolled=enrolled, counted=False
    )
