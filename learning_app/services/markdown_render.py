"""Markdown written by teachers, turned into HTML that is safe to show to anyone.

Lesson bodies, course descriptions (and later exam texts and shared pages) are untrusted input.
They are rendered here, on the server, in three steps:

1. markdown-it-py in CommonMark mode with raw HTML *off*: `<script>` or `<img onerror>` typed
   into a lesson comes out as escaped text, not markup. Linkify and typographer stay off too.
2. Fenced code blocks are highlighted by Pygments into `<span class="...">` tokens (the colours
   are in `assets/markdown.css`). The fence's language only picks a lexer; it is never echoed.
3. nh3 (ammonia) sanitises the result against an allowlist, as a second line of defence: only
   the tags and attributes Markdown produces, links to http/https/mailto or relative paths
   (with `rel="noopener nofollow"`), images from https or this site only, and only the CSS
   classes Pygments emits (so a lesson cannot borrow the app's own classes to dress itself up
   as the app's UI).

Headings move one level down (`#` becomes `<h2>`): the page's own title is its only `<h1>`.

Every place that shows Markdown goes through here, in one of three shapes:
- `render_markdown`: a whole document (lessons, descriptions on their own page, exam texts);
  `line_breaks=True` keeps single newlines as `<br>`, for chat-like text (tutor answers);
- `render_inline`: a compact line for cards and lists (course descriptions in the catalogue):
  the same rendering and sanitising, then block elements flattened to their text, so only
  bold, italics, code and strike-through remain;
- `render_excerpt`: an inline excerpt with one highlighted stretch (tutor citations);
- `render_plain`: the words only, for plain-text places (search documents, question previews).

No Reflex import: pages, exams, share pages and jobs can all call `render_markdown`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES
from pygments.util import ClassNotFound

from learning_app.adapters.lru import LruCache
from learning_app.settings import get_settings

HIGHLIGHT_CLASS = "highlight"
MAX_HEADING_LEVEL = 6

_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    # Table column alignment; `filter_style_properties` keeps `text-align` and nothing else.
    "th": {"style"},
    "td": {"style"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
_CLASSES = {
    "pre": {HIGHLIGHT_CLASS},
    "span": {name for name in STANDARD_TYPES.values() if name},
}
_URL_SCHEMES = {"http", "https", "mailto"}
ANCHOR_PREFIX = "section-"
_ANCHOR = re.compile(re.escape(ANCHOR_PREFIX) + r"[\w-]{1,60}")


def _is_allowed_image(src: str) -> bool:
    """https images, or a path on this site; not `//host/...` (another site) and not `data:`."""
    src = src.strip()
    if src.lower().startswith("https://"):
        return True
    return ":" not in src.split("/", 1)[0] and not src.startswith(("//", "\\"))


def heading_anchor(heading: str) -> str:
    """The `id` a lesson heading gets, so citations can link to its section: prefixed, so a
    lesson can never take an id the app's own page uses."""
    words = re.sub(r"[^\w]+", "-", unicodedata.normalize("NFKC", heading).casefold())
    return ANCHOR_PREFIX + (words.strip("-_")[:60] or "part")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not _is_allowed_image(value):
        return None
    if attribute == "id" and not _ANCHOR.fullmatch(value):
        return None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        allowed_classes=_CLASSES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener nofollow",
        filter_style_properties={"text-align"},
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )


def _highlight(code: str, language: str, _attrs: str) -> str:
    """A fenced block as `<pre class="highlight"><code>` with Pygments token spans.

    markdown-it uses a result that starts with `<pre` as is; unknown languages get the same
    frame with escaped text, so every code block looks alike.
    """
    words = (language or "").split()
    name = words[0] if words else ""
    try:
        lexer = get_lexer_by_name(name) if name else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        body = html.escape(code)
    else:
        body = highlight(code, lexer, HtmlFormatter(nowrap=True))
    return f'<pre class="{HIGHLIGHT_CLASS}"><code>{body}</code></pre>\n'


@lru_cache(maxsize=2)
def _parser(line_breaks: bool = False) -> MarkdownIt:
    return MarkdownIt(
        "commonmark",
        {
            "html": False,
            "linkify": False,
            "typographer": False,
            "breaks": line_breaks,
            "highlight": _highlight,
        },
    ).enable(["table", "strikethrough"])


def _demote_headings(tokens: list[Token]) -> None:
    """`#` becomes `<h2>` (the page title is the only `<h1>`), and each heading gets its anchor
    (from its source text, as the tutor's chunks record it)."""
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + 1, MAX_HEADING_LEVEL)
            token.tag = f"h{level}"
        if token.type == "heading_open" and index + 1 < len(tokens):
            token.attrSet("id", heading_anchor(tokens[index + 1].content))


# The HTML of texts rendered lately, per process: a lesson or an exam's questions are opened by
# a whole class, and a page whose texts are all here skips the worker-thread hop of rendering
# them (`rendered_lately`). Keyed by the text, the mode and the file links' base (a setting).
_Key = tuple[str, bool, str]
_RENDERED: LruCache[_Key, str] = LruCache(
    2_048, max_weight=16_000_000, weigh=lambda key, html: len(key[0]) + len(html)
)


def render_markdown(text: str, *, line_breaks: bool = False, remember: bool = True) -> str:
    """Untrusted Markdown -> sanitised HTML ("" for empty text). `line_breaks`: a single
    newline is a `<br>` (as a chat answer is written), not a space (as CommonMark reads it).
    `remember=False` (texts rendered in bulk, that no page is showing) neither reads nor
    fills the cache of texts rendered lately, so it keeps what the pages are showing."""
    if not text or not text.strip():
        return ""
    base = _file_link_base()
    key = (text, line_breaks, base)
    if remember and (rendered := _RENDERED.get(key)) is not None:
        return rendered
    parser = _parser(line_breaks)
    env: dict[str, object] = {}
    tokens = parser.parse(text, env)
    _demote_headings(tokens)
    rendered = _absolute_file_links(
        _cleaner().clean(parser.renderer.render(tokens, parser.options, env)), base
    )
    if remember:
        _RENDERED.put(key, rendered)
    return rendered


def render_all(texts: Iterable[str]) -> list[str]:
    """`render_markdown` of each, so a page renders all its Markdown in one worker-thread hop."""
    return [render_markdown(text) for text in texts]


def rendered_lately(texts: Sequence[str]) -> list[str] | None:
    """`render_all(texts)` if every text is empty or was rendered lately (no rendering to do,
    so an event loop may call it), else None."""
    base = _file_link_base()
    found = [_RENDERED.get((text, False, base)) if text.strip() else "" for text in texts]
    return None if None in found else [html or "" for html in found]


def _file_link_base() -> str:
    return get_settings().backend_url.rstrip("/")


def _absolute_file_links(safe_html: str, base: str) -> str:
    """Course pictures are written `![..](/files/<id>)`; the backend serves that path, which
    is not the pages' origin in development. Done after sanitising, on `src` values that the
    sanitiser has already limited to this site's paths."""
    return safe_html.replace('src="/files/', f'src="{base}/files/') if base else safe_html


# What a compact rendering keeps: inline emphasis and code. A link becomes its words (a card
# has one link, its title); a picture goes (an empty element, so nothing of it remains).
_INLINE_TAGS = {"strong", "em", "code", "del", "s"}
_EXCERPT_TAGS = _INLINE_TAGS | {"mark"}
# Block ends become a space before the blocks are flattened, so "<p>a</p><p>b</p>" reads
# "a b", not "ab".
_BLOCK_END = re.compile(
    r"(</(?:p|h[2-6]|li|blockquote|pre|tr|td|th|ul|ol|table)>|<br\s*/?>|<hr\s*/?>)"
)
_SPACES = re.compile(r"\s+")
# The highlighted stretch of an excerpt travels through the renderer as two private-use
# characters (removed from the text first, so content cannot forge a highlight).
_MARK_START, _MARK_END = "\ue000", "\ue001"
# Sanitised HTML as tags and the text between them (nh3 escapes every "<" inside text).
_TAG_OR_TEXT = re.compile(r"<[^>]*>|[^<]+")


@lru_cache(maxsize=2)
def _flattener(tags: frozenset[str]) -> nh3.Cleaner:
    return nh3.Cleaner(tags=set(tags), attributes={}, strip_comments=True)


def _flatten(safe_html: str, tags: frozenset[str]) -> str:
    spaced = _BLOCK_END.sub(r"\1 ", safe_html)
    return _SPACES.sub(" ", _flattener(tags).clean(spaced)).strip()


def render_plain(text: str, *, remember: bool = True) -> str:
    """Untrusted Markdown -> its words as one line of plain text (no markup, entities
    decoded): for labels, search documents and anything that is not HTML. `remember`: as
    for `render_markdown`."""
    safe_html = render_markdown(text, remember=remember)
    return _SPACES.sub(" ", html.unescape(nh3.clean(safe_html, tags=set()))).strip()


def render_inline(text: str) -> str:
    """Untrusted Markdown -> one line of sanitised inline HTML: bold, italics, code and
    strike-through kept, headings, lists, paragraphs, tables and code blocks flattened to
    their text, links to their words, pictures dropped. For cards and list rows."""
    return _flatten(render_markdown(text), frozenset(_INLINE_TAGS))


def render_excerpt(before: str, marked: str, after: str) -> str:
    """`render_inline` of `before + marked + after` with the text of `marked` inside
    `<mark>`: a tutor citation's passage with the sentences that answer highlighted. Where
    emphasis or code crosses the edge of the highlight, each piece of text gets its own
    `<mark>`, so the nesting stays valid and every highlighted word is marked."""
    parts = [p.replace(_MARK_START, "").replace(_MARK_END, "") for p in (before, marked, after)]
    source = parts[0] + (_MARK_START + parts[1] + _MARK_END if parts[1] else "") + parts[2]
    flat = _flatten(render_markdown(source), frozenset(_INLINE_TAGS))
    pieces: list[str] = []
    inside = False
    for piece in _TAG_OR_TEXT.findall(flat):
        if piece.startswith("<"):
            pieces.append(piece)
            continue
        for index, run in enumerate(re.split(f"([{_MARK_START}{_MARK_END}])", piece)):
            if index % 2:
                inside = run == _MARK_START
            elif run:
                pieces.append(f"<mark>{run}</mark>" if inside else run)
    return "".join(pieces)
