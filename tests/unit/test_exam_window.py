"""When an exam opens or closes, as its list and intro page tell the viewer, in their zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from learning_app.services.exams.listing import exam_window
from learning_app.services.time_zones import local_moment

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def _exam(
    opens: timedelta | None = None, closes: timedelta | None = None
) -> tuple[datetime | None, datetime | None]:
    """An exam's window (or a student's own, by their accommodation)."""
    return (
        NOW + opens if opens is not None else None,
        NOW + closes if closes is not None else None,
    )


def test_an_exam_without_a_window_says_nothing() -> None:
    assert exam_window(*_exam(), PARIS, NOW) == ""


def test_a_future_exam_says_when_it_opens_and_closes_in_the_viewers_zone() -> None:
    exam = _exam(opens=timedelta(days=2), closes=timedelta(days=3, hours=5))
    assert (
        exam_window(*exam, PARIS, NOW) == "Opens Thu 3 Dec, 13:00 CET · closes Fri 4 Dec, 18:00 CET"
    )
    assert exam_window(*_exam(opens=timedelta(hours=1)), PARIS, NOW) == "Opens Tue 1 Dec, 14:00 CET"


def test_an_open_exam_says_when_it_closes_and_a_past_one_that_it_closed() -> None:
    exam = _exam(opens=-timedelta(days=1), closes=timedelta(hours=2))
    assert exam_window(*exam, ZoneInfo("UTC"), NOW) == "Closes Tue 1 Dec, 14:00 UTC"
    assert (
        exam_window(*_exam(closes=-timedelta(days=1)), PARIS, NOW) == "Closed Mon 30 Nov, 13:00 CET"
    )
    assert exam_window(*_exam(opens=-timedelta(days=1)), PARIS, NOW) == ""


def test_a_moment_in_another_year_names_the_year() -> None:
    assert local_moment(NOW + timedelta(days=45), PARIS, NOW) == "Fri 15 Jan 2027, 13:00 CET"
    # New Year's Eve in UTC is already next year in Tokyo.
    eve = datetime(2026, 12, 31, 20, 0, tzinfo=UTC)
    assert local_moment(eve, ZoneInfo("Asia/Tokyo"), NOW) == "Fri 1 Jan 2027, 05:00 JST"
