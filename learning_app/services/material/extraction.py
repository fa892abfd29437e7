"""What kind of file an upload is (from its bytes, never its name), and the text inside it.

Text comes out as `Section`s: a run of paragraphs under one heading on one page, so every
chunk cut from it can cite where it came from.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from learning_app.services.errors import InvalidInput

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
IMAGE_MIME_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    **IMAGE_MIME_TYPES,
}
NAME_SUFFIXES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".png": "png",
    ".jpg": "jpg",
    ".jpeg": "jpg",
    ".gif": "gif",
    ".webp": "webp",
}
# A DOCX is a zip: refuse archives that would unpack to more than this, or compress
# suspiciously well (a zip bomb), before python-docx inflates anything.
DOCX_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
DOCX_MAX_RATIO = 100
SNIFF_BYTES = 8192
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass
class Section:
    heading: str | None
    page: int | None
    paragraphs: list[str] = field(default_factory=list)


def _image_kind(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def sniff_kind(path: Path, filename: str) -> str:
    """'pdf', 'docx', 'md', 'txt' or an image kind ('png', 'jpg', 'gif', 'webp'), from the
    content; InvalidInput for anything else.

    Markdown and plain text look alike, so between those two only the name decides. A name
    claiming another type than the content (a `.pdf` that holds text) is refused.
    """
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    claimed = NAME_SUFFIXES.get(Path(filename).suffix.lower())
    image = _image_kind(head)
    if image is not None:
        kind = image
    elif head.startswith(PDF_MAGIC):
        kind = "pdf"
    elif head.startswith(ZIP_MAGIC) and _is_docx(path):
        kind = "docx"
    elif _looks_like_text(head):
        kind = "md" if claimed == "md" else "txt"
    else:
        raise InvalidInput(
            "This file is not a PDF, Word (.docx), Markdown, text or image file.", field="file"
        )
    if claimed is not None and claimed != kind and {claimed, kind} != {"md", "txt"}:
        raise InvalidInput(
            f"The file is named .{claimed} but its content is not a {claimed.upper()} file.",
            field="file",
        )
    return kind


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed block is still text.
        return exc.start >= len(head) - 3
    return True


def extract_sections(path: Path, kind: str) -> tuple[list[Section], int | None]:
    """The file's text as sections, and its page count (PDFs only)."""
    if kind == "pdf":
        return _pdf_sections(path)
    if kind == "docx":
        return _docx_sections(path), None
    text = path.read_bytes().decode("utf-8", errors="replace")
    return (markdown_sections(text) if kind == "md" else text_sections(text)), None


def _pdf_sections(path: Path) -> tuple[list[Section], int]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise InvalidInput("This PDF is password-protected; upload an unprotected copy.")
        sections = [
            Section(heading=None, page=number, paragraphs=_paragraphs(page.extract_text() or ""))
            for number, page in enumerate(reader.pages, start=1)
        ]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("This PDF is damaged and could not be read.") from exc
    return [s for s in sections if s.paragraphs], len(sections)


def _docx_sections(path: Path) -> list[Section]:
    import docx

    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        unpacked = sum(info.file_size for info in infos)
        packed = max(1, sum(info.compress_size for info in infos))
    if unpacked > DOCX_MAX_UNPACKED_BYTES or unpacked / packed > DOCX_MAX_RATIO:
        raise InvalidInput("This Word file unpacks to far more than its size; it was refused.")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise InvalidInput("This Word file is damaged and could not be read.") from exc
    sections = [Section(heading=None, page=None)]
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower().startswith(("heading", "title")):
            sections.append(Section(heading=text, page=None))
        else:
            sections[-1].paragraphs.append(text)
    return [s for s in sections if s.paragraphs]


def markdown_sections(text: str) -> list[Section]:
    """Sections under each `#` heading (headings inside code fences are not headings)."""
    sections = [Section(heading=None, page=None)]
    lines: list[str] = []
    in_fence = False

    def close_paragraphs() -> None:
        sections[-1].paragraphs.extend(_paragraphs("\n".join(lines)))
        lines.clear()

    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        heading = None if in_fence else MARKDOWN_HEADING.match(line)
        if heading:
            close_paragraphs()
            sections.append(Section(heading=heading.group(2).strip(), page=None))
        else:
            lines.append(line)
    close_paragraphs()
    return [s for s in sections if s.paragraphs]


def text_sections(text: str) -> list[Section]:
    paragraphs = _paragraphs(text)
    return [Section(heading=None, page=None, paragraphs=paragraphs)] if paragraphs else []


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs with their inner whitespace collapsed."""
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return [" ".join(block.split()) for block in blocks if block.strip()]
