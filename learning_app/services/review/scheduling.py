"""FSRS scheduling: the `fsrs` package decides every interval; this module only maps our rows
and our answers onto it.

Two schedulers, one algorithm (FSRS-6, default parameters, 90% desired retention):
- `SCHEDULER` reviews cards in the review queue, with Anki's default learning steps (1 and 10
  minutes), so a card rated Again comes back in the same sitting;
- `FIRST_SIGHT_SCHEDULER` has no learning steps. An exam answer is the first review of the
  question (right = Good, wrong = Again), and it should come back in days, not ten minutes
  after the exam, when 40 answers at once would bury the queue.

Per-student parameters can be fitted later from `review_log` (the `fsrs` optimizer); until
then every student uses the defaults.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

from learning_app.models.review import ReviewCard

SCHEDULER = Scheduler(
    desired_retention=0.9,
    learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
    relearning_steps=(timedelta(minutes=10),),
)
FIRST_SIGHT_SCHEDULER = Scheduler(desired_retention=0.9, learning_steps=())

RATING_NAMES: dict[int, str] = {
    Rating.Again: "Again",
    Rating.Hard: "Hard",
    Rating.Good: "Good",
    Rating.Easy: "Easy",
}
# A right answer within this time is fluent recall (Good); slower, it was effortful (Hard).
# Twenty seconds covers reading a two-line question and its options at an ordinary pace.
QUICK_ANSWER_S = 20.0


class InvalidRating(ValueError):
    """A rating that is not 1-4."""


def parse_rating(value: object) -> Rating:
    try:
        return Rating(int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise InvalidRating("Rate the card Again, Hard, Good or Easy (1-4).") from None


def rating_for_answer(correct: bool, seconds: float) -> Rating:
    """How an answered question counts as a review: wrong is Again, right and quick Good,
    right and slow Hard."""
    if not correct:
        return Rating.Again
    return Rating.Good if seconds <= QUICK_ANSWER_S else Rating.Hard


def _utc(moment: datetime) -> datetime:
    # fsrs insists on tzinfo == timezone.utc; the database hands back other UTC objects.
    return moment.astimezone(UTC)


def fsrs_card(row: ReviewCard) -> Card:
    """The scheduler's view of a stored memory state (card_id is unused: 0 avoids the
    library's sleep-based id)."""
    return Card(
        card_id=0,
        state=State(row.state),
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=_utc(row.due),
        last_review=_utc(row.last_review) if row.last_review else None,
    )


def new_card(now: datetime) -> Card:
    return Card(card_id=0, due=_utc(now))


def store_card(row: ReviewCard, card: Card, rating: Rating) -> None:
    """Write a reviewed card back to its row and count the review (and a lapse on Again once
    the card had been learnt)."""
    if rating == Rating.Again and State(row.state) == State.Review:
        row.lapses += 1
    row.state = int(card.state)
    row.step = card.step
    row.stability = card.stability
    row.difficulty = card.difficulty
    row.due = card.due
    row.last_review = card.last_review
    row.reps += 1


def review(card: Card, rating: Rating, now: datetime, *, first_sight: bool = False) -> Card:
    scheduler = FIRST_SIGHT_SCHEDULER if first_sight else SCHEDULER
    reviewed, _ = scheduler.review_card(card, rating, review_datetime=_utc(now))
    return reviewed


def retrievability(row: ReviewCard, now: datetime) -> float:
    """FSRS's predicted probability that the student recalls the item now (0 if never
    reviewed)."""
    return float(SCHEDULER.get_card_retrievability(fsrs_card(row), _utc(now)))
