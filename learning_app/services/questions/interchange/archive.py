"""Opening an uploaded bank package (a zip) without trusting it.

Threat model: the zip comes from anyone who can upload a bank. Before anything is inflated,
the central directory is checked: how many entries, how much they claim to unpack to and how
well they claim to compress (a zip bomb), and every path (`../evil.xml`, `/etc/passwd`,
`C:\\x`) so no name can point outside the package. Headers can lie about sizes, so an entry
is then read with a hard cap rather than trusted. Every refusal is one line naming the
problem, never an entry's content.

The DOCX check in `services/material/extraction.py` (`_docx_sections`) does the size and
ratio part of this inline; it keeps its own limits until it is moved onto `check_archive`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath, PureWindowsPath

from learning_app.services.questions.interchange.items import MAX_BANK_BYTES, BankFileRefused

ZIP_MAGIC = b"PK\x03\x04"
# A Canvas export of one bank is a manifest, the assessment, its metadata and the bank's
# images: tens of entries. Thousands only cost us time to list.
MAX_ENTRIES = 1_000
# What the whole package may unpack to, images included.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# As for DOCX uploads: XML compresses about 5-20 times; a hundred times is a bomb.
MAX_RATIO = 100


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def _is_outside(name: str) -> bool:
    """Whether an entry's name is absolute or climbs out of the package (either slash)."""
    if not name or name.startswith(("/", "\\")) or PureWindowsPath(name).drive:
        return True
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return ".." in parts


def open_package(data: bytes) -> zipfile.ZipFile:
    """The zip, once its directory has passed `check_archive`."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise BankFileRefused("This zip file is damaged and could not be opened.") from None
    check_archive(archive)
    return archive


def check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a package by its directory alone: entry count, paths, sizes, ratio."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise BankFileRefused(f"This zip holds more than {MAX_ENTRIES:,} files; it was refused.")
    if any(_is_outside(info.filename) for info in infos):
        raise BankFileRefused(
            "This zip holds a file whose path leads outside the package; it was refused."
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise BankFileRefused("This zip is password-protected; export it again without one.")
    unpacked = sum(info.file_size for info in infos)
    packed = max(1, sum(info.compress_size for info in infos))
    if unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
        raise BankFileRefused("This zip unpacks to far more than its size; it was refused.")


def read_entry(archive: zipfile.ZipFile, name: str) -> bytes:
    """One entry's bytes, read with a cap whatever its header claims."""
    try:
        with archive.open(name) as handle:
            data = handle.read(MAX_BANK_BYTES + 1)
    except KeyError:
        raise BankFileRefused("The package's manifest names a file it does not hold.") from None
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
        raise BankFileRefused("This zip file is damaged and could not be read.") from None
    if len(data) > MAX_BANK_BYTES:
        raise BankFileRefused(
            f"A file in this zip is larger than {MAX_BANK_BYTES // (1024 * 1024)} MB; "
            "it was refused."
        )
    return data
