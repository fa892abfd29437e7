"""HTML from a bank file (Moodle's question text, QTI's `mattext`) as the Markdown our prompts use.

Deliberately small: paragraphs, line breaks, lists, headings, bold, italics, inline code, code
blocks and links become their Markdown; any other element gives its text. Scripts and styles
are dropped; images, tables and embedded media cannot be carried, so they are named in `lost`
for the import report. Nothing here is trusted: the result is ordinary prompt text, rendered
later by the same Markdown renderer (which escapes raw HTML) as a teacher's own question.
lxml's HTML parser loads no DTD and fetches nothing.
"""

from __future__ import annotations

import re

from lxml import etree, html

_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
# What each element loses, as the kinds `lost` names.
_MEDIA = {
    "img": "files",
    "svg": "files",
    "video": "media",
    "audio": "media",
    "iframe": "media",
    "object": "media",
    "embed": "media",
    "table": "tables",  # kept as plain rows
}
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "blockquote", "ul", "ol", "table", "hr", "dl"}
)
_HEADINGS = {f"h{n}": "#" * n for n in range(1, 7)}
_WRAPS = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
_SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_TAG_HINT = re.compile(r"<[A-Za-z!/]|&[#A-Za-z]")
# lxml's parser already stops at 256 levels; past this many our walk just takes the text.
_MAX_DEPTH = 60


def looks_like_html(text: str) -> bool:
    return bool(_TAG_HINT.search(text))


def html_to_markdown(source: str) -> tuple[str, set[str]]:
    """The Markdown for an HTML fragment, and the kinds of content it could not carry
    ("files": images; "media": audio, video, embedded pages; "tables": layout, rows kept)."""
    lost: set[str] = set()
    if not source.strip():
        return "", lost
    if not looks_like_html(source):
        return source.strip(), lost
    try:
        root = html.fragment_fromstring(source, create_parent="div")
    except (etree.ParserError, ValueError):
        return source.strip(), lost
    out: list[str] = []
    _children(root, out, lost, 0)
    return _tidy("".join(out)), lost


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _words(text: str | None) -> str:
    """HTML whitespace: runs collapse to one space (kept at the ends, so words stay apart)."""
    if not text:
        return ""
    squeezed = " ".join(text.split())
    if not squeezed:
        return " "
    return (" " if text[0].isspace() else "") + squeezed + (" " if text[-1].isspace() else "")


def _children(element: etree._Element, out: list[str], lost: set[str], depth: int) -> None:
    out.append(_words(element.text))
    for child in element:
        _element(child, out, lost, depth + 1)
        out.append(_words(child.tail))


def _inner(element: etree._Element, lost: set[str], depth: int) -> str:
    parts: list[str] = []
    _children(element, parts, lost, depth)
    return "".join(parts)


def _element(element: etree._Element, out: list[str], lost: set[str], depth: int) -> None:
    if not isinstance(element.tag, str):  # a comment or processing instruction
        return
    tag = element.tag.lower()
    if tag in _SKIPPED:
        return
    if tag in _MEDIA:
        lost.add(_MEDIA[tag])
        if tag != "table":
            return
    if depth > _MAX_DEPTH:
        out.append(_words(element.text_content()))
        return
    if tag == "br":
        out.append("\n")
    elif tag == "pre":
        out.append("\n\n```\n" + element.text_content().strip("\n") + "\n```\n\n")
    elif tag in _HEADINGS:
        out.append(f"\n\n{_HEADINGS[tag]} {_inner(element, lost, depth).strip()}\n\n")
    elif tag == "li":
        marker = (
            "1." if element.getparent() is not None and element.getparent().tag == "ol" else "-"
        )
        out.append(f"\n{marker} {_inner(element, lost, depth).strip()}")
    elif tag == "tr":
        out.append("\n" + _inner(element, lost, depth).strip().rstrip("|").rstrip() + "\n")
    elif tag in ("td", "th"):
        out.append(_inner(element, lost, depth).strip() + " | ")
    elif tag in _WRAPS:
        out.append(_wrap(_inner(element, lost, depth), _WRAPS[tag]))
    elif tag == "a":
        text = _inner(element, lost, depth)
        href = (element.get("href") or "").strip()
        if text.strip() and _SAFE_LINK.match(href) and not re.search(r"[\s()<>]", href):
            out.append(_wrap(text, "[", f"]({href})"))
        else:
            out.append(text)
    elif tag in _BLOCKS:
        out.append("\n\n" + _inner(element, lost, depth) + "\n\n")
    else:
        out.append(_inner(element, lost, depth))


def _wrap(text: str, start: str, end: str | None = None) -> str:
    """Markers hugging the words (`**bold** text`, never `** bold **`), spaces kept outside."""
    core = text.strip()
    if not core:
        return text
    lead = " " if text[0].isspace() else ""
    trail = " " if text[-1].isspace() else ""
    return f"{lead}{start}{core}{start if end is None else end}{trail}"
