"""The renderer's compact shapes: an inline line for cards, an excerpt with a highlight, and
line breaks kept for chat-like answers; and counts whose noun agrees with the number."""

from __future__ import annotations

import reflex as rx

from learning_app.components.wording import count_text
from learning_app.services.markdown_render import (
    render_excerpt,
    render_inline,
    render_markdown,
    render_plain,
)
from learning_app.services.values import count_label, size_label


def test_an_answer_keeps_its_line_breaks_paragraphs_and_code() -> None:
    out = render_markdown(
        "Use **map** here.\nIt returns `list`.\n\n```python\nx = 1\n```", line_breaks=True
    )
    assert "<strong>map</strong>" in out and "<code>list</code>" in out
    assert "<br>" in out  # the single newline stays a line break
    assert out.count("<p>") == 1 and '<pre class="highlight">' in out


def test_a_document_still_reads_single_newlines_as_spaces() -> None:
    assert "<br>" not in render_markdown("one\ntwo")


def test_inline_keeps_emphasis_and_code_and_flattens_blocks() -> None:
    out = render_inline(
        "# Python\n\nLearn **loops** and `map`.\n\n- one\n- two\n\n[docs](https://x.org) "
        "![pic](https://x.org/p.png)"
    )
    assert out == "Python Learn <strong>loops</strong> and <code>map</code>. one two docs"


def test_inline_is_sanitised_like_the_rest() -> None:
    out = render_inline('<img src=x onerror="alert(1)"> *hi*')
    assert "<img" not in out and "&lt;img" in out and "<em>hi</em>" in out


def test_inline_of_nothing_is_empty() -> None:
    assert render_inline("") == "" and render_inline("   \n") == ""


def test_an_excerpt_marks_every_highlighted_word_with_valid_nesting() -> None:
    out = render_excerpt("Lead **strong ", "marked** and `code`.", " Tail.")
    assert out == (
        "Lead <strong>strong <mark>marked</mark></strong><mark> and </mark>"
        "<code><mark>code</mark></code><mark>.</mark> Tail."
    )


def test_an_excerpt_cannot_forge_a_highlight() -> None:
    assert "<mark>" not in render_excerpt("a \ue000 forged \ue001 b", "", "")


def test_an_excerpt_without_highlight_is_the_inline_text() -> None:
    assert render_excerpt("plain **text**", "", "") == "plain <strong>text</strong>"


def test_counts_agree_with_their_noun() -> None:
    assert count_label(1, "lesson") == "1 lesson"
    assert count_label(0, "lesson") == "0 lessons"
    assert count_label(3, "view") == "3 views"
    assert count_label(2, "quiz", "quizzes") == "2 quizzes"
    assert size_label(1) == "1 byte"


def test_a_count_in_the_browser_uses_the_same_words() -> None:
    class Counts(rx.State):
        lessons: int = 1

    code = str(count_text(Counts.lessons, "lesson"))
    assert '" lesson"' in code and '" lessons"' in code and "=== 1" in code
    assert str(count_text(1, "view")) == '"1 view"'


def test_plain_is_the_words_only() -> None:
    assert render_plain("## What is `x` **&** y?\n\n- one") == "What is x & y? one"
