"""An evaluation set for the tutor and search, as `tests/data/tutor_eval/README.md` lays it out.

Documents are Markdown with a front block (`format: md|pdf|docx`, `title:`); they become the
files a teacher would upload: Markdown as it is, PDF with one page per `##` section, DOCX with
one heading and one paragraph per section. Questions and searches are JSON lines; `split.json`
names the `tune` and `holdout` halves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from learning_app.bench.sample_files import docx_bytes, pdf_bytes

FORMATS = ("md", "pdf", "docx")
_FRONT = re.compile(r"\A---\n(?P<front>.*?)\n---\n", re.DOTALL)


class EvalSetError(ValueError):
    """The set's folder is missing a part or holds something malformed."""


@dataclass(frozen=True)
class EvalDocument:
    name: str  # the file name in documents/, which questions and searches refer to
    format: str
    title: str
    markdown: str  # the body after the front block

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) per `##` section, paragraphs joined by a space."""
        found: list[tuple[str, str]] = []
        for block in re.split(r"^## ", self.markdown, flags=re.MULTILINE)[1:]:
            heading, _, body = block.partition("\n")
            found.append((heading.strip(), " ".join(body.split())))
        return found

    def upload(self) -> tuple[str, bytes]:
        """The file name and bytes a teacher would upload."""
        stem = Path(self.name).stem
        if self.format == "pdf":
            pages = [f"{heading}. {text}" for heading, text in self.sections()]
            return f"{stem}.pdf", pdf_bytes(pages)
        if self.format == "docx":
            return f"{stem}.docx", docx_bytes(self.sections())
        return f"{stem}.md", self.markdown.encode()


@dataclass(frozen=True)
class EvalItem:
    id: str
    kind: str  # "answerable" | "off_topic" | "near_topic" | "search"
    text: str  # the question or the search query
    document: str = ""  # the document that answers it (or should be found)
    evidence: str = ""
    style: str = ""  # searches: "typo" | "paraphrase" | "synonym" | "exact"


@dataclass(frozen=True)
class EvalSet:
    documents: list[EvalDocument]
    questions: list[EvalItem]
    searches: list[EvalItem]
    halves: dict[str, set[str]] = field(default_factory=dict)  # "tune" / "holdout" -> ids

    def half(self, name: str) -> set[str]:
        """The ids of one half; "all" is every item."""
        if name == "all":
            return {item.id for item in [*self.questions, *self.searches]}
        return self.halves[name]


def _lines(path: Path) -> list[dict[str, str]]:
    try:
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    except (OSError, json.JSONDecodeError) as exc:
        raise EvalSetError(f"{path}: {exc}") from exc


def _document(path: Path) -> EvalDocument:
    text = path.read_text()
    front = _FRONT.match(text)
    if front is None:
        raise EvalSetError(f"{path}: no front block (---, format:, title:, ---)")
    fields = dict(line.split(":", 1) for line in front.group("front").splitlines() if ":" in line)
    fmt = fields.get("format", "").strip()
    if fmt not in FORMATS:
        raise EvalSetError(f"{path}: format must be one of {', '.join(FORMATS)}")
    return EvalDocument(path.name, fmt, fields.get("title", path.stem).strip(), text[front.end() :])


def load_eval_set(folder: Path) -> EvalSet:
    if not (folder / "documents").is_dir():
        raise EvalSetError(f"{folder}: no documents/ folder")
    documents = [_document(p) for p in sorted((folder / "documents").glob("*.md"))]
    questions = [
        EvalItem(
            row["id"],
            row["kind"],
            row["question"],
            row.get("document", ""),
            row.get("evidence", ""),
        )
        for row in _lines(folder / "questions.jsonl")
    ]
    searches = [
        EvalItem(row["id"], "search", row["query"], row["document"], style=row.get("style", ""))
        for row in _lines(folder / "searches.jsonl")
    ]
    split_path = folder / "split.json"
    halves = (
        {name: set(ids) for name, ids in json.loads(split_path.read_text()).items()}
        if split_path.exists()
        else {}
    )
    names = {d.name for d in documents}
    unknown = {
        i.document for i in [*questions, *searches] if i.document and i.document not in names
    }
    if unknown:
        raise EvalSetError(f"{folder}: items refer to unknown documents {sorted(unknown)}")
    return EvalSet(documents, questions, searches, halves)
