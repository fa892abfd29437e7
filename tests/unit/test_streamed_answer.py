"""A streamed answer is shown a few times a second, not once per token (`answering.coalesced`)."""

from __future__ import annotations

from collections.abc import Iterator

from learning_app.services.tutor.answering import coalesced


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def tokens(clock: Clock, count: int, every_s: float) -> Iterator[str]:
    """`count` tokens, one each `every_s` seconds, as a model streams them."""
    for number in range(count):
        yield f"t{number} "
        clock.now += every_s


def test_the_first_piece_shows_at_once_then_a_chunk_per_interval_joining_to_the_same_text() -> None:
    clock = Clock()
    streamed = tokens(clock, 300, 0.02)  # 50 tokens a second for 6 s
    chunks = list(coalesced(streamed, every_s=0.15, clock=clock))
    assert chunks[0] == "t0 "
    assert "".join(chunks) == "".join(f"t{number} " for number in range(300))
    assert 35 <= len(chunks) <= 45  # ~7 a second, against 300 updates, one per token


def test_a_slow_model_is_shown_piece_by_piece() -> None:
    clock = Clock()
    chunks = list(coalesced(tokens(clock, 5, 1.0), every_s=0.15, clock=clock))
    assert chunks == ["t0 ", "t1 ", "t2 ", "t3 ", "t4 "]


def test_what_is_left_when_the_pieces_end_is_shown_and_nothing_comes_of_no_pieces() -> None:
    clock = Clock()
    assert list(coalesced(tokens(clock, 3, 0.0), every_s=0.15, clock=clock)) == ["t0 ", "t1 t2 "]
    assert list(coalesced(iter([]), every_s=0.15, clock=clock)) == []
