"""Course material files for the demo, made in code: a PDF of headed pages and a DOCX of headed
sections. They go through the same upload checks, extraction and ingestion as a teacher's files.

`pdf_file` assembles the objects into a file; `bench/sample_files.py` uses it too, for its
one-line benchmark PDFs (a study guide needs headed pages of wrapped paragraphs).
"""

from __future__ import annotations

import io
import textwrap

PAGE_WIDTH, PAGE_HEIGHT = 612, 792
MARGIN = 60
WRAP_COLUMNS = 88  # Helvetica 11 pt across the 492 pt between the margins


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of these numbered objects (object 1 the catalog), with the cross-reference table's
    offsets computed, so pypdf reads it without repairs."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _pdf_text(text: str) -> str:
    """A PDF string literal's inside: Latin-1 only, with its three special characters escaped."""
    plain = text.encode("latin-1", "replace").decode("latin-1")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_content(heading: str, body: str) -> bytes:
    lines = [f"BT /F2 16 Tf {MARGIN} {PAGE_HEIGHT - MARGIN} Td ({_pdf_text(heading)}) Tj ET"]
    y = PAGE_HEIGHT - MARGIN - 32
    for line in textwrap.wrap(body, WRAP_COLUMNS):
        lines.append(f"BT /F1 11 Tf {MARGIN} {y} Td ({_pdf_text(line)}) Tj ET")
        y -= 16
    return "\n".join(lines).encode("latin-1")


def pdf_bytes(pages: tuple[tuple[str, str], ...]) -> bytes:
    """A valid PDF with one headed page per (heading, text); byte offsets are computed, so
    pypdf reads it without repairs."""
    count = len(pages)
    regular, bold = 3 + 2 * count, 4 + 2 * count
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
    ]
    for i, (heading, body) in enumerate(pages):
        content = _page_content(heading, body)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {regular} 0 R /F2 {bold} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    for font in ("Helvetica", "Helvetica-Bold"):
        objects.append(f"<< /Type /Font /Subtype /Type1 /BaseFont /{font} >>".encode())
    return pdf_file(objects)


def docx_bytes(title: str, sections: tuple[tuple[str, str], ...]) -> bytes:
    """A Word document: the title, then a heading and a paragraph per section."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=0)
    for heading, paragraph in sections:
        document.add_heading(heading, level=1)
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
