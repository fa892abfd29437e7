r"""GIFT, Moodle's plain-text question format (https://docs.moodle.org/en/GIFT_format), in and out.

Our own small parser: the PyPI ones were not sound to adopt (pygiftparser 1.1 was last released
in 2017, renders HTML through yattag/markdown and reads no category with a space in it;
pygiftparserrgmf 0.0.5 is AGPL, installs a top-level `tests` package over ours and keeps its
results in module globals). The grammar, as Moodle's own importer reads it, and as the tests in
`tests/unit/interchange/test_gift_import.py` pin it down:

    file      := block (blank-line block)*             blank lines separate questions
    block     := comment-line* ( category | question )
    comment   := line starting with //                 `[tag:name]` in it is a tag (Moodle 3.6+)
    category  := "$CATEGORY:" path                     applies to the questions after it
    question  := ["::" title "::"] ["[" format "]"] text "{" answers "}" [text]
    answers   := ""                                    essay
               | "T" | "TRUE" | "F" | "FALSE" ["#" wrong-feedback ["#" right-feedback]]
               | "#" number [":" tolerance | ".." number] | "#" ("=" ["%w%"] numeric ["#" fb])+
               | ("=" | "~" ["%w%"]) text ["#" feedback] ...   a ~ anywhere: choice
               | "=" text "->" text ...                          matching
               | ["="] ["%w%"] text ["#" feedback] ...           short answer
             followed by an optional "####" general feedback
    escapes   := \\ \~ \= \# \{ \} \:   and \n for a line break

What maps to what, and what cannot (each said once in `ParsedBank.notes`, never silently):
- `{=right ~wrong}` single choice; `{~%50%a ~%50%b ~%-100%c}` (no `=`) multiple choice, the
  options of positive weight correct: GIFT's weights become our (right - wrong) / correct rule.
  Export writes each correct option as 100/N and each wrong one as -100/N, which Moodle scores
  exactly as we do. Partial credit on a single-choice option is left out.
- `{T}`/`{TRUE}`/`{F}`/`{FALSE}` true/false, with options "True" and "False" and their feedback.
- `{=a =b}` or `{a}` short answer (case-insensitive, as in Moodle: GIFT has no case flag, so an
  export loses `case_sensitive`); answers worth less than 100% and per-answer feedback are left
  out. Note: an accepted answer containing "->" reads back as matching (GIFT cannot escape it).
- `{#3.14:0.01}` numeric; `{#3.13..3.15}` becomes its middle ± half the width; of several
  `=` answers, the one at full credit is kept, partial ones and answer feedback are left out.
- `{}` essay; `####text` before the closing brace is the explanation.
- Answers in the middle of the text (Moodle's "missing word") leave `_____` in the prompt.
- `::title::` is dropped (our questions have no title); it names the item in the report.
- `[html]` text becomes Markdown (`html_markdown`); `[markdown]`, `[plain]`, `[moodle]` are
  kept as written. Export marks every text `[markdown]`, which is what our prompts are.
- `$CATEGORY: a/b/c` makes the last part ("c") a tag of the questions after it: categories are
  a tree whose upper levels are mostly Moodle's context ("$course$/top/Default for X"), tags are
  flat. Tags themselves travel as `// [tag:name]` comments, as Moodle writes them.
- GIFT has no points: an import is worth 1 point each, an export writes none.
- Matching, several answer blocks in one question (cloze-like) and descriptions (no braces) are
  skipped, each with its line and the reason.
A brace left open (or a stray closing one) refuses the whole file with its line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from learning_app.services.questions.drafts import MAX_TAG_LENGTH, MAX_TAGS
from learning_app.services.questions.interchange.gift_answers import (
    HOLD,
    GiftSkip,
    ParseContext,
    draft_for,
    release,
)
from learning_app.services.questions.interchange.gift_export import export_gift
from learning_app.services.questions.interchange.items import (
    MAX_BANK_BYTES,
    BankFileRefused,
    ImportedItem,
    ParsedBank,
    SkippedItem,
)

_ESCAPE = re.compile(r"\\([\\~=#{}:n])")
_RESERVED = re.compile("[\U000f0000-\U000f0007]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]\x00-\x1f])+)\]")
_CONTEXTS = re.compile(r"^(\$\w+\$|top)$")
TITLE_IN_LABEL = 40

__all__ = ["export_gift", "parse_gift"]  # the format's two entry points; export lives beside


def parse_gift(data: bytes | str) -> ParsedBank:
    """Read a GIFT file; `BankFileRefused` when it cannot be read as a whole."""
    text = _decode(data)
    if "\x00" in text:
        raise BankFileRefused("The file contains NUL characters: it is not a GIFT text file.")
    reserved = _RESERVED.search(text)
    if reserved:
        line = text.count("\n", 0, reserved.start()) + 1
        raise BankFileRefused(
            f"Line {line}: a character of Unicode's private use plane 15 (U+F0000..U+F0007) "
            "cannot be read here; remove it."
        )
    context = ParseContext()
    parsed = ParsedBank()
    category_tag = ""
    seen_any = False
    for start, lines in _blocks(text.split("\n")):
        comments = [ln for ln in lines if ln.strip().startswith("//")]
        body = "\n".join("" if ln.strip().startswith("//") else ln for ln in lines)
        if not body.strip():
            continue
        body = _ESCAPE.sub(lambda m: HOLD[m.group(1)], body)
        first = len(body) - len(body.lstrip())
        if body.lstrip().startswith("$CATEGORY:"):
            end = body.find("\n", first)
            end = len(body) if end < 0 else end
            category_tag = _category_tag(body[first + len("$CATEGORY:") : end], context)
            seen_any = True
            body = "\n" * body.count("\n", 0, end) + body[end:]
            if not body.strip():
                continue
            first = len(body) - len(body.lstrip())
        seen_any = True
        tags = _comment_tags(comments)
        if category_tag and category_tag.casefold() not in {t.casefold() for t in tags}:
            if len(tags) < MAX_TAGS:
                tags.insert(0, category_tag)
            else:
                context.note(
                    f"The category tag was left off questions that already have {MAX_TAGS} tags."
                )
        _question(body, first, start, tags, context, parsed)
    if not seen_any:
        raise BankFileRefused("The file holds no GIFT questions.")
    if parsed.items:
        parsed.notes.append("GIFT carries no points: each imported question is worth 1 point.")
    parsed.notes.extend(context.notes)
    return parsed


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        size = len(data.encode("utf-8", "surrogatepass"))
        text = data
    else:
        size = len(data)
        text = ""
    if size > MAX_BANK_BYTES:
        raise BankFileRefused(
            f"The file is {size / 1e6:.1f} MB; a question bank may be at most "
            f"{MAX_BANK_BYTES // (1024 * 1024)} MB."
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise BankFileRefused(
                f"The file is not UTF-8 text (line {line}, "
                f"byte {exc.start + 1} cannot be read); "
                "save it as UTF-8 and try again."
            ) from None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with its first line's number (1-based)."""
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if blocks and blocks[-1][0] + len(blocks[-1][1]) == number:
            blocks[-1][1].append(line)
        else:
            blocks.append((number, [line]))
    return blocks


def _category_tag(path: str, context: ParseContext) -> str:
    """The last part of a category path ("//" is a slash inside a name), or "" for Moodle's
    context parts such as "$course$" and "top"."""
    parts = [p.replace("//", "/").strip() for p in re.split(r"(?<!/)/(?!/)", path.strip())]
    last = next((p for p in reversed(parts) if p), "")
    last = release(last)
    last = " ".join(last.split())
    if not last or _CONTEXTS.match(last):
        return ""
    context.note(
        'GIFT categories became tags: the last part of each $CATEGORY path ("c" of "a/b/c") '
        "tags the questions after it."
    )
    if len(last) > MAX_TAG_LENGTH:
        context.note(f"Category names longer than {MAX_TAG_LENGTH} characters were shortened.")
        last = last[:MAX_TAG_LENGTH].rstrip()
    return last


def _comment_tags(comments: list[str]) -> list[str]:
    tags: list[str] = []
    for comment in comments:
        tags.extend(m.group(1).replace("\\]", "]").strip() for m in _TAG.finditer(comment))
    return [t for t in tags if t]


def _question(
    body: str, first: int, start: int, tags: list[str], context: ParseContext, parsed: ParsedBank
) -> None:
    def line_at(pos: int) -> int:
        return start + body.count("\n", 0, pos)

    title = ""
    pos = first
    if body.startswith("::", pos):
        end = body.find("::", pos + 2)
        if end < 0:
            pos += 2
        else:
            title = " ".join(release(body[pos + 2 : end]).split())
            pos = end + 2
    label = f"line {line_at(first)}"
    if title:
        short = title if len(title) <= TITLE_IN_LABEL else title[: TITLE_IN_LABEL - 1] + "…"
        label += f" ({short})"
    spans = _answer_spans(body, pos, line_at)
    if not spans:
        parsed.skipped.append(
            SkippedItem(label, "It has no answers in braces: GIFT reads it as a description.")
        )
        return
    if len(spans) > 1:
        parsed.skipped.append(
            SkippedItem(
                label,
                f"It has {len(spans)} answer blocks in braces (Moodle's cloze style): a "
                "question here has one answer.",
            )
        )
        return
    opened, closed = spans[0]
    head, answers, tail = body[pos:opened], body[opened + 1 : closed], body[closed + 1 :]
    text = head + "_____" + tail if tail.strip() else head
    if title:
        context.note("GIFT question titles (::title::) were left out: questions here have none.")
    try:
        draft = draft_for(text, answers, tags, context)
    except GiftSkip as skip:
        parsed.skipped.append(SkippedItem(label, str(skip)))
        return
    parsed.items.append(ImportedItem(label, draft))


def _answer_spans(body: str, pos: int, line_at: Callable[[int], int]) -> list[tuple[int, int]]:
    """Where each `{...}` is; a brace left open or closing nothing refuses the file."""
    spans: list[tuple[int, int]] = []
    opened = -1
    for i in range(pos, len(body)):
        ch = body[i]
        if ch == "{":
            if opened >= 0:
                raise BankFileRefused(
                    f"Line {line_at(opened)}: a question opened with {{ is never closed "
                    f"(another {{ follows on line {line_at(i)})."
                )
            opened = i
        elif ch == "}":
            if opened < 0:
                raise BankFileRefused(
                    f"Line {line_at(i)}: this }} closes no {{; write \\}} for a brace in text."
                )
            spans.append((opened, i))
            opened = -1
    if opened >= 0:
        raise BankFileRefused(f"Line {line_at(opened)}: a question opened with {{ is never closed.")
    return spans
