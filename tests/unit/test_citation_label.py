"""A citation's label names its source once: no "Functions - Functions"."""

from __future__ import annotations

import pytest

from learning_app.services.tutor.answering import citation_label


@pytest.mark.parametrize(
    ("source", "heading", "page", "label"),
    [
        ("Functions", "Functions", 0, "Functions"),
        ("Functions", "**Functions**", 0, "Functions"),
        ("Functions ", "functions:", 0, "Functions"),
        ("tides.pdf", "Tides", 2, "tides.pdf, page 2"),
        ("tides.pdf", "", 2, "tides.pdf, page 2"),
        ("Functions", "Return `values`", 0, "Functions - Return values"),
        ("Loops", "__init__ methods", 0, "Loops - __init__ methods"),
    ],
)
def test_the_heading_shows_only_when_it_adds_something(
    source: str, heading: str, page: int, label: str
) -> None:
    assert citation_label({"source": source, "heading": heading, "page": page}) == label
