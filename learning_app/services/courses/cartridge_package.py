"""Opening a Common Cartridge without trusting it, and sorting out what it holds, before the
import writes anything (`cartridge_import.py`; what our packages hold: `cartridge.py`).

Threat model: the package comes from anyone who may create a course. Before a byte is
inflated, its zip directory goes through `check_archive` (entry count, `../` and absolute
paths, what it claims to unpack to and how well it claims to compress); every entry is then
read with a hard cap, whatever its header claims; the manifest is parsed with defusedxml,
entities refused, and every path it names must stay inside the package. A package refused as
a whole raises `CartridgeRefused` with one line saying why.
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from urllib.parse import unquote

from learning_app.services.courses.cartridge import (
    COURSE_FORMAT,
    COURSE_JSON,
    EXAM_FORMAT,
    MANIFEST,
    WEBCONTENT,
)
from learning_app.services.errors import DomainError
from learning_app.services.questions.interchange.archive import MAX_UNPACKED_BYTES, check_archive
from learning_app.services.questions.interchange.html_markdown import html_to_markdown
from learning_app.services.questions.interchange.items import BankFileRefused
from learning_app.services.questions.interchange.qti_xml import all_text, parse_xml

LESSON_SUFFIXES = (".md", ".markdown", ".html", ".htm")


class CartridgeRefused(DomainError):
    """The whole package is refused; the message says why in one line."""

    default_message = "This file cannot be imported as a course."


@dataclass
class Resource:
    ident: str
    kind: str
    paths: list[str]  # package paths, the resource's href first


@dataclass
class Package:
    archive: zipfile.ZipFile
    title: str
    description: str
    resources: dict[str, Resource]
    order: list[tuple[str, str]]  # (title, resource ident) in the organization's order
    ours: dict[str, object] = field(default_factory=dict)  # learning_app/course.json


def _refused(exc: BankFileRefused) -> CartridgeRefused:
    return CartridgeRefused(str(exc).replace("This zip", "This cartridge"))


def read_entry(archive: zipfile.ZipFile, name: str, limit: int = MAX_UNPACKED_BYTES) -> bytes:
    try:
        with archive.open(name) as handle:
            data = handle.read(limit + 1)
    except KeyError:
        raise CartridgeRefused(f"The cartridge's manifest names {name}, which it lacks.") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        raise CartridgeRefused("This cartridge is damaged and could not be read.") from None
    if len(data) > limit:
        raise CartridgeRefused("This cartridge unpacks to far more than it says; it was refused.")
    return data


def _inside(folder: str, href: str) -> str:
    path = posixpath.normpath(posixpath.join(folder, unquote(href)))
    if path.startswith(("../", "/")) or path == "..":
        raise CartridgeRefused("The cartridge's manifest names a file outside the package.")
    return path


def read_package(data: bytes) -> Package:
    if len(data) > MAX_UNPACKED_BYTES:
        raise CartridgeRefused(
            f"The file is {len(data) / 1e6:.0f} MB; a cartridge may be at most "
            f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_archive(archive)
    except BankFileRefused as exc:
        raise _refused(exc) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise CartridgeRefused(
            "This file is not a cartridge (a damaged or non-zip file)."
        ) from None
    if MANIFEST not in archive.namelist():
        raise CartridgeRefused("This zip is not a Common Cartridge: it has no imsmanifest.xml.")
    try:
        root = parse_xml(read_entry(archive, MANIFEST), "The cartridge's manifest")
    except BankFileRefused as exc:
        raise CartridgeRefused(str(exc)) from None
    if root.tag != "manifest":
        raise CartridgeRefused("The cartridge's manifest is not an IMS manifest.")
    resources: dict[str, Resource] = {}
    for element in root.iter("resource"):
        base = element.get("{http://www.w3.org/XML/1998/namespace}base") or ""
        paths = [_inside(base, element.get("href") or "")] if element.get("href") else []
        for file in element.findall("file"):
            path = _inside(base, file.get("href") or "")
            if path not in paths:
                paths.append(path)
        ident = element.get("identifier") or f"resource {len(resources) + 1}"
        resources[ident] = Resource(ident, (element.get("type") or "").lower(), paths)
    order = [
        (all_text(item.find("title")), item.get("identifierref") or "")
        for item in root.iter("item")
        if item.get("identifierref")
    ]
    general = root.find("metadata/lom/general")
    title = all_text(general.find("title")) if general is not None else ""
    description = all_text(general.find("description")) if general is not None else ""
    package = Package(archive, title, description, resources, order)
    if COURSE_JSON in archive.namelist():
        ours = read_json(archive, COURSE_JSON)
        if ours.get("format") == COURSE_FORMAT:
            package.ours = ours
    return package


def read_json(archive: zipfile.ZipFile, name: str) -> dict[str, object]:
    try:
        value = json.loads(read_entry(archive, name))
    except (ValueError, UnicodeDecodeError):
        raise CartridgeRefused(f"{name} in this cartridge is not valid JSON.") from None
    if not isinstance(value, dict):
        raise CartridgeRefused(f"{name} in this cartridge is not what this app writes.")
    return value


@dataclass
class Plan:
    """What the package holds, sorted out before anything is written."""

    lessons: list[tuple[str, str, str]] = field(default_factory=list)  # title, path, body
    files: list[str] = field(default_factory=list)
    banks: list[tuple[str, bytes]] = field(default_factory=list)  # path, QTI document
    exams: list[dict[str, object]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def plan_package(package: Package) -> Plan:
    plan = Plan()
    names = set(package.archive.namelist())
    lesson_idents: set[str] = set()
    for title, ref in package.order:
        resource = package.resources.get(ref)
        if resource is None:
            plan.skipped.append(f"{title or ref}: the manifest names no such resource")
            continue
        href = resource.paths[0] if resource.paths else ""
        if resource.kind != WEBCONTENT or not href.lower().endswith(LESSON_SUFFIXES):
            plan.skipped.append(f"{title or ref}: {resource.kind or 'untyped'} is not imported")
            continue
        if href not in names:
            plan.skipped.append(f"{title or ref}: {href} is not in the package")
            continue
        body = read_entry(package.archive, href).decode("utf-8", "replace")
        if href.lower().endswith((".html", ".htm")):
            body, lost = html_to_markdown(body)
            if lost:
                plan.notes.append(f"{href}: left out of the lesson: {', '.join(sorted(lost))}")
        lesson_idents.add(ref)
        plan.lessons.append((title or posixpath.basename(href), href, body))
    for resource in package.resources.values():
        if resource.ident in lesson_idents:
            continue
        if resource.kind == WEBCONTENT:
            for path in resource.paths:
                if path in names and not path.lower().endswith(LESSON_SUFFIXES):
                    plan.files.append(path)
                elif path.lower().endswith(LESSON_SUFFIXES):
                    plan.skipped.append(f"{path}: a page outside the lesson order")
        elif resource.kind.startswith("imsqti_xmlv1p2"):
            _plan_qti(package, resource, plan, names)
        elif resource.kind.startswith("associatedcontent") and any(
            p.startswith("learning_app/") for p in resource.paths
        ):
            continue  # our own settings, read with the resource that uses them
        elif resource.ident not in {ref for _, ref in package.order}:
            plan.skipped.append(f"{resource.ident}: {resource.kind or 'untyped'} is not imported")
    plan.files = list(dict.fromkeys(plan.files))
    return plan


def _plan_qti(package: Package, resource: Resource, plan: Plan, names: set[str]) -> None:
    documents = [p for p in resource.paths if p.lower().endswith(".xml") and p in names]
    if not documents:
        plan.skipped.append(f"{resource.ident}: its QTI file is not in the package")
        return
    for path in documents:
        plan.banks.append((path, read_entry(package.archive, path)))
    settings = [p for p in resource.paths if p.startswith("learning_app/") and p in names]
    if not settings:
        if "assessment" in resource.kind:
            plan.notes.append(
                f"{documents[0]}: its questions went into the bank; its settings were not read"
            )
        return
    exam = read_json(package.archive, settings[0])
    if exam.get("format") != EXAM_FORMAT:
        plan.skipped.append(f"{settings[0]}: not exam settings this app writes")
        return
    plan.exams.append(exam)
