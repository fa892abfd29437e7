"""A course's flashcards, written by its teachers, and the personal cards a student saves from
their own tutor answers.

A course card (`owner_id` NULL) is written, edited, tagged, archived and deleted by the
course's teachers only; every call checks `require_course_editor`. Tags are the course's one
tag list, shared with its questions (`questions.bank.ensure_tags`: unique per course, matched
ignoring case).

A card some student already has in their review queue (a `ReviewCard`) is archived instead of
deleted, so their review history keeps its meaning; archiving takes it out of new reviews and
out of search.

A course holds no two cards with the same front and back (`card_key`: whitespace and case
ignored), archived ones included; drafting leaves such cards out, and writing one is refused.

A personal card (`owner_id` set, source TUTOR: `review.tutor_cards`) belongs to the student
who saved it; nobody else sees or edits it, and the teachers' calls here do not find it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, exists, func
from sqlmodel import Session, col, select

from learning_app.models.base import utc_now
from learning_app.models.content import Lesson
from learning_app.models.questions import Tag
from learning_app.models.review import Flashcard, FlashcardSource, FlashcardTag, ReviewCard
from learning_app.services.access.courses import lesson_place, require_course_editor
from learning_app.services.access.roles import require_viewer
from learning_app.services.errors import InvalidInput, NotFound
from learning_app.services.markdown_render import render_markdown
from learning_app.services.questions.bank import ensure_tags, tag_names
from learning_app.services.questions.drafts import clean_tags
from learning_app.services.text_input import is_blank, storable
from learning_app.services.values import parse_id

MAX_SIDE_LENGTH = 2_000  # a card is read in seconds: more than this belongs in a lesson
CARD_NOT_FOUND = "We could not find that card."
LESSON_NOT_IN_COURSE = "Pick a lesson of this course, or none."
ALREADY_IN_COURSE = "The course already has this card."
ALREADY_ARCHIVED = "The course already has this card, archived: restore it instead."
# pg_advisory_xact_lock(namespace, key): the namespace of "a card is being written to this
# course" locks (ingestion's, on documents, is `DOCUMENT_LOCK_NAMESPACE`, 5105).
_COURSE_CARDS_LOCK = 5106

# A card's identity for "is it already in the course": its sides with runs of whitespace as
# one space and case folded, so re-wrapped or re-capitalised text is the same card.
CardKey = tuple[str, str]


@dataclass(frozen=True)
class FlashcardView:
    """A card as its course's teachers (or, for a personal card, its owner) see it."""

    id: str
    course_id: str
    front_markdown: str
    back_markdown: str
    front_html: str
    back_html: str
    source: str
    lesson_id: str = ""  # "" when the card belongs to no lesson
    lesson_title: str = ""
    tags: list[str] = field(default_factory=list)
    archived: bool = False
    in_review: bool = False  # a student has it in their queue: delete archives it instead


@dataclass(frozen=True)
class CleanCard:
    front: str
    back: str
    tags: list[str]


# --- checking what a teacher (or a drafting model) wrote -----------------------------------------


def _side(raw: str, label: str, field_name: str) -> str:
    value = storable((raw or "").strip(), label, field_name)
    if is_blank(value):
        raise InvalidInput(f"Enter the {label} of the card.", field=field_name)
    if len(value) > MAX_SIDE_LENGTH:
        raise InvalidInput(
            f"Use at most {MAX_SIDE_LENGTH:,} characters for the {label} of the card.",
            field=field_name,
        )
    return value


def split_tags(raw: Sequence[str] | str) -> list[str]:
    """Tags as a form sends them ("loops, syntax") or as a list."""
    return raw.split(",") if isinstance(raw, str) else list(raw)


def clean_card(front: str, back: str, tags: Sequence[str] | str = ()) -> CleanCard:
    """The card's sides trimmed and checked, and its tags (`clean_tags`: at most 10 of 64
    characters, repeats ignoring case dropped); InvalidInput naming the field otherwise."""
    return CleanCard(
        front=_side(front, "front", "front"),
        back=_side(back, "back", "back"),
        tags=clean_tags(split_tags(tags)),
    )


def card_key(front: str, back: str) -> CardKey:
    return " ".join(front.split()).casefold(), " ".join(back.split()).casefold()


# --- reading -------------------------------------------------------------------------------------


def _load_course_card(session: Session, flashcard_id: str, *, lock: bool = False) -> Flashcard:
    """A course card; a personal card is not found here (it is not the teachers')."""
    query = select(Flashcard).where(
        Flashcard.id == parse_id(flashcard_id, CARD_NOT_FOUND), col(Flashcard.owner_id).is_(None)
    )
    if lock:
        query = query.with_for_update()
    card = session.exec(query).first()
    if card is None:
        raise NotFound(CARD_NOT_FOUND)
    return card


def _in_review(session: Session, card_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not card_ids:
        return set()
    rows = session.exec(
        select(ReviewCard.flashcard_id).where(col(ReviewCard.flashcard_id).in_(card_ids)).distinct()
    ).all()
    return {card_id for card_id in rows if card_id is not None}


def _views(session: Session, cards: Sequence[Flashcard]) -> list[FlashcardView]:
    ids = [card.id for card in cards]
    tags = tag_names(session, FlashcardTag.flashcard_id, FlashcardTag.tag_id, ids)
    reviewed = _in_review(session, ids)
    lesson_ids = {card.lesson_id for card in cards if card.lesson_id}
    titles = dict(
        session.exec(select(Lesson.id, Lesson.title).where(col(Lesson.id).in_(lesson_ids))).all()
        if lesson_ids
        else []
    )
    return [
        FlashcardView(
            id=str(card.id),
            course_id=str(card.course_id),
            front_markdown=card.front_markdown,
            back_markdown=card.back_markdown,
            front_html=render_markdown(card.front_markdown),
            back_html=render_markdown(card.back_markdown),
            source=FlashcardSource(card.source).value,
            lesson_id=str(card.lesson_id or ""),
            lesson_title=titles.get(card.lesson_id, "") if card.lesson_id else "",
            tags=tags.get(card.id, []),
            archived=card.archived_at is not None,
            in_review=card.id in reviewed,
        )
        for card in cards
    ]


def _course_card_sides(session: Session, course_id: uuid.UUID) -> list[tuple[str, str, bool]]:
    """Each course card's sides and whether it is archived: the cards are compared in
    Python, with `card_key`, so that drafting and writing share one definition of "the same"
    (a course's cards are at most a few hundred short texts)."""
    rows = session.exec(
        select(
            Flashcard.front_markdown,
            Flashcard.back_markdown,
            col(Flashcard.archived_at).is_not(None),
        ).where(Flashcard.course_id == course_id, col(Flashcard.owner_id).is_(None))
    ).all()
    return [(front, back, bool(archived)) for front, back, archived in rows]


def course_card_keys(session: Session, course_id: uuid.UUID) -> set[CardKey]:
    """The `card_key` of each of the course's cards (not students' personal ones), archived
    ones included: restoring an archived card brings its students' review history back with
    it, which a second copy would not, and a card the teacher retired is not worth proposing
    again."""
    return {card_key(front, back) for front, back, _ in _course_card_sides(session, course_id)}


def flashcard_view(session: Session, card: Flashcard) -> FlashcardView:
    return _views(session, [card])[0]


def list_flashcards(
    session: Session,
    *,
    token: str,
    course_id: str,
    include_archived: bool = False,
    tag: str = "",
) -> list[FlashcardView]:
    """The course's cards (not students' personal ones), newest first, for its teachers;
    with `tag`, only the cards carrying it (ignoring case)."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    query = select(Flashcard).where(
        Flashcard.course_id == course.id, col(Flashcard.owner_id).is_(None)
    )
    if not include_archived:
        query = query.where(col(Flashcard.archived_at).is_(None))
    if tag.strip():
        tagged = (
            select(FlashcardTag.flashcard_id)
            .join(Tag, col(Tag.id) == col(FlashcardTag.tag_id))
            # The course's own tags: the (course, lower(name)) index finds the one it means.
            .where(
                Tag.course_id == course.id, func.lower(Tag.name) == " ".join(tag.split()).lower()
            )
        )
        query = query.where(col(Flashcard.id).in_(tagged))
    cards = session.exec(query.order_by(col(Flashcard.created_at).desc(), col(Flashcard.id))).all()
    return _views(session, cards)


# --- writing -------------------------------------------------------------------------------------


def _lesson_of_course(session: Session, course_id: uuid.UUID, raw: str | None) -> uuid.UUID | None:
    """The lesson a card belongs to: None for none; InvalidInput unless it is in the course."""
    if raw is None or not str(raw).strip():
        return None
    try:
        lesson_id = parse_id(str(raw).strip(), LESSON_NOT_IN_COURSE)
        lesson_place(session, course_id, lesson_id)
    except NotFound:
        raise InvalidInput(LESSON_NOT_IN_COURSE, field="lesson") from None
    return lesson_id


def _write_tags(session: Session, card: Flashcard, names: list[str]) -> None:
    tag_ids = ensure_tags(session, card.course_id, names)
    session.execute(delete(FlashcardTag).where(col(FlashcardTag.flashcard_id) == card.id))
    session.add_all(FlashcardTag(flashcard_id=card.id, tag_id=t) for t in tag_ids.values())


def _refuse_duplicate(session: Session, course_id: uuid.UUID, clean: CleanCard) -> None:
    """InvalidInput if a card of the course (archived ones included, see
    `course_card_keys`) has these sides. Writers of one course's cards take turns (a lock
    held until the transaction ends), so two teachers adding the same draft at once cannot
    both pass the check."""
    session.execute(
        select(func.pg_advisory_xact_lock(_COURSE_CARDS_LOCK, func.hashtext(str(course_id))))
    )
    key = card_key(clean.front, clean.back)
    archived = [
        is_archived
        for front, back, is_archived in _course_card_sides(session, course_id)
        if card_key(front, back) == key
    ]
    if archived:
        raise InvalidInput(ALREADY_ARCHIVED if all(archived) else ALREADY_IN_COURSE, field="front")


def create_flashcard(
    session: Session,
    *,
    token: str,
    course_id: str,
    front: str,
    back: str,
    tags: Sequence[str] | str = (),
    lesson_id: str | None = None,
    source: FlashcardSource | str = FlashcardSource.WRITTEN,
) -> FlashcardView:
    """A new course card, written by a teacher or a draft they accepted (`source` DRAFTED)."""
    viewer = require_viewer(session, token)
    course = require_course_editor(session, viewer, course_id)
    try:
        origin = FlashcardSource(source)
    except ValueError:
        origin = None
    if origin not in (FlashcardSource.WRITTEN, FlashcardSource.DRAFTED):
        # TUTOR cards are personal: only `save_tutor_answer_as_card` makes them.
        raise InvalidInput("A course card is written or drafted.", field="source")
    clean = clean_card(front, back, tags)
    _refuse_duplicate(session, course.id, clean)
    card = Flashcard(
        course_id=course.id,
        lesson_id=_lesson_of_course(session, course.id, lesson_id),
        author_id=uuid.UUID(viewer.user_id),
        source=origin,
        front_markdown=clean.front,
        back_markdown=clean.back,
    )
    session.add(card)
    session.flush()
    _write_tags(session, card, clean.tags)
    session.flush()
    return flashcard_view(session, card)


def update_flashcard(
    session: Session,
    *,
    token: str,
    flashcard_id: str,
    front: str,
    back: str,
    tags: Sequence[str] | str = (),
    lesson_id: str | None = None,
) -> FlashcardView:
    """New sides, tags and lesson for a course card. Students who review it see the new
    wording at its next review; their memory state of it is kept."""
    viewer = require_viewer(session, token)
    card = _load_course_card(session, flashcard_id, lock=True)
    require_course_editor(session, viewer, card.course_id)
    clean = clean_card(front, back, tags)
    # Only new sides are checked: a card that was already the same as another (written before
    # this check) can still get its tags or lesson changed.
    if card_key(clean.front, clean.back) != card_key(card.front_markdown, card.back_markdown):
        _refuse_duplicate(session, card.course_id, clean)
    card.lesson_id = _lesson_of_course(session, card.course_id, lesson_id)
    card.front_markdown, card.back_markdown = clean.front, clean.back
    card.updated_at = utc_now()
    session.add(card)
    _write_tags(session, card, clean.tags)
    session.flush()
    return flashcard_view(session, card)


def _set_archived(session: Session, token: str, flashcard_id: str, archived: bool) -> FlashcardView:
    viewer = require_viewer(session, token)
    card = _load_course_card(session, flashcard_id, lock=True)
    require_course_editor(session, viewer, card.course_id)
    if archived != (card.archived_at is not None):
        card.archived_at = utc_now() if archived else None
        card.updated_at = utc_now()
        session.add(card)
        session.flush()
    return flashcard_view(session, card)


def archive_flashcard(session: Session, *, token: str, flashcard_id: str) -> FlashcardView:
    """Retire a card from reviews and search; its review history is kept."""
    return _set_archived(session, token, flashcard_id, True)


def restore_flashcard(session: Session, *, token: str, flashcard_id: str) -> FlashcardView:
    return _set_archived(session, token, flashcard_id, False)


def delete_flashcard(session: Session, *, token: str, flashcard_id: str) -> bool:
    """Delete a card no student has in their review queue, or else archive it (their
    history keeps it). True if it was deleted, False if it was archived."""
    viewer = require_viewer(session, token)
    card = _load_course_card(session, flashcard_id, lock=True)
    require_course_editor(session, viewer, card.course_id)
    if session.exec(select(exists().where(ReviewCard.flashcard_id == card.id))).one():
        if card.archived_at is None:
            card.archived_at = card.updated_at = utc_now()
            session.add(card)
            session.flush()
        return False
    session.execute(delete(Flashcard).where(col(Flashcard.id) == card.id))
    session.expunge(card)
    return True
