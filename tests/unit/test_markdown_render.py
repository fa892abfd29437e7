"""Untrusted lesson Markdown becomes safe HTML: no markup of its own, only safe links and images."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from learning_app.services.markdown_render import render_markdown


class _Tags(HTMLParser):
    """Every real tag in a fragment with its attributes (escaped text is not a tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def tags_of(fragment: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(fragment)
    return parser.found


def test_script_tags_are_shown_as_text() -> None:
    out = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in out
    assert "&lt;script&gt;" in out


def test_raw_html_is_never_markup() -> None:
    out = render_markdown('<div class="rt-Card" style="position:fixed">Sign in again</div>')
    assert "<div" not in out
    assert "&lt;div" in out


def test_event_handler_attributes_cannot_appear() -> None:
    out = render_markdown(
        '<img src="x" onerror="alert(1)">\n\n'
        '![a](/a.png "t\\" onerror=\\"alert(1)")\n\n'
        '[b](https://example.org "x\\" onmouseover=\\"alert(1)")'
    )
    tags = tags_of(out)
    assert [tag for tag, _ in tags if tag in ("img", "a")] == ["img", "a"]
    assert all(not name.startswith("on") for _, attrs in tags for name in attrs)


@pytest.mark.parametrize(
    "markdown",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "<javascript:alert(1)>",
    ],
)
def test_dangerous_link_schemes_are_not_links(markdown: str) -> None:
    out = render_markdown(markdown)
    assert "href" not in out


@pytest.mark.parametrize(
    ("markdown", "href"),
    [
        ("[site](https://example.org/a)", "https://example.org/a"),
        ("[site](http://example.org/a)", "http://example.org/a"),
        ("[mail](mailto:teacher@example.org)", "mailto:teacher@example.org"),
        ("[next](/courses/abc)", "/courses/abc"),
        ("[anchor](#part-2)", "#part-2"),
    ],
)
def test_safe_links_are_kept_with_rel(markdown: str, href: str) -> None:
    out = render_markdown(markdown)
    assert f'href="{href}"' in out
    assert 'rel="noopener nofollow"' in out


@pytest.mark.parametrize(
    "src",
    [
        "data:image/png;base64,iVBORw0KGgo=",
        "http://example.org/plain-http.png",
        "//evil.example/tracker.png",
        "javascript:alert(1)",
    ],
)
def test_unsafe_image_sources_are_dropped(src: str) -> None:
    images = [
        attrs for tag, attrs in tags_of(render_markdown(f"![picture]({src})")) if tag == "img"
    ]
    assert all("src" not in attrs for attrs in images)


@pytest.mark.parametrize("src", ["https://example.org/a.png", "/static/a.png", "diagram.png"])
def test_https_and_same_site_images_are_kept(src: str) -> None:
    assert f'src="{src}"' in render_markdown(f"![picture]({src})")


def test_fenced_code_is_highlighted_with_token_classes() -> None:
    out = render_markdown("```python\ndef greet(name):\n    return 'hi'\n```")
    assert '<pre class="highlight"><code>' in out
    assert '<span class="k">def</span>' in out
    assert '<span class="nf">greet</span>' in out


def test_code_in_an_unknown_language_is_escaped_in_the_same_frame() -> None:
    out = render_markdown('```made-up" onclick="x\n<b>bold?</b>\n```')
    assert '<pre class="highlight"><code>&lt;b&gt;bold?&lt;/b&gt;' in out
    assert "onclick" not in out
    assert "made-up" not in out


def test_only_pygments_classes_survive() -> None:
    # Raw HTML is escaped anyway; the class allowlist is the second line of defence.
    out = render_markdown("`code` and **bold**")
    assert "class=" not in out


def test_headings_lists_and_tables_are_kept() -> None:
    out = render_markdown(
        "# Title\n\n## Part\n\n- one\n- two\n\n1. first\n2. second\n\n"
        "| a | b |\n|--:|---|\n| 1 | 2 |\n\n> quoted\n\n~~gone~~ *em* **strong**"
    )
    # Headings move one level down: the page title is the page's only <h1>.
    assert '<h2 id="section-title">Title</h2>' in out
    assert '<h3 id="section-part">Part</h3>' in out
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in out
    assert "<ol>\n<li>first</li>" in out
    assert '<th style="text-align:right">a</th>' in out
    assert "<blockquote>" in out
    assert "<s>gone</s>" in out
    assert "<em>em</em>" in out
    assert "<strong>strong</strong>" in out


def test_bare_urls_are_not_turned_into_links() -> None:
    assert "<a" not in render_markdown("see https://example.org")


def test_empty_text_renders_nothing() -> None:
    assert render_markdown("") == ""
    assert render_markdown("  \n ") == ""
