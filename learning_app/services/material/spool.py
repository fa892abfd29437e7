"""Uploads on their way in: each file is written to a temporary `upload-*` file as its chunks
arrive, hashed and counted, in a folder of the app's own (`UPLOAD_SPOOL_DIR`).

Whoever holds a spool removes it on every exit path (`discard`); `upload_document` does once
it is handed the spool. What a killed process leaves behind, `sweep_stale_spools` removes: the
`material.sweep_uploads` job runs it every ten minutes for files untouched for an hour (a file
still arriving is written to, so its modification time stays recent).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import time
import unicodedata
from pathlib import Path

from learning_app.services.errors import InvalidInput
from learning_app.services.material.quota import does_not_fit
from learning_app.services.values import size_label
from learning_app.settings import ConfigurationError, get_settings

log = logging.getLogger(__name__)

SPOOL_PREFIX = "upload-"
STALE_AFTER_S = 3600
MAX_FILENAME_LENGTH = 255


def clean_filename(raw: str) -> str:
    """The name to show and store: no folders (`../`), no control characters, ≤ 255 chars."""
    name = re.split(r"[\\/]", raw or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, suffix = os.path.splitext(name)
        name = stem[: MAX_FILENAME_LENGTH - len(suffix)] + suffix
    return name or "upload"


def spool_dir() -> Path:
    """The spool folder, created private to this user. A symlink or another user's folder there
    is refused: in a shared /tmp, someone else could have put it in the way."""
    folder = get_settings().upload_spool_dir
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = folder.lstat()
    if folder.is_symlink() or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise ConfigurationError(f"UPLOAD_SPOOL_DIR ({folder}) is not a folder of this user")
    return folder


class UploadSpool:
    """One upload written to a temporary file as its chunks arrive, hashed and counted.

    `write` refuses the upload as soon as it passes the size limit, or the uploader's quota
    room (`room`, None for no quota), so an oversized file is rejected while it streams, not
    after it has all arrived. A refused spool is already discarded.
    """

    def __init__(
        self, filename: str, max_bytes: int | None = None, *, room: int | None = None
    ) -> None:
        self.filename = clean_filename(filename)
        self.max_bytes = max_bytes or get_settings().upload_max_bytes
        self.room = room
        self.size = 0
        self._hash = hashlib.sha256()
        handle, name = tempfile.mkstemp(prefix=SPOOL_PREFIX, dir=spool_dir())
        self._file = os.fdopen(handle, "wb")
        self.path = Path(name)

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            self.discard()
            raise InvalidInput(
                f"{self.filename} is larger than the limit of {size_label(self.max_bytes)}.",
                field="file",
            )
        if self.room is not None and self.size > self.room:
            self.discard()
            raise does_not_fit(self.filename, self.room)
        self._hash.update(data)
        self._file.write(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def finish(self) -> None:
        self._file.close()

    def discard(self) -> None:
        """Close and remove the file; safe to call again."""
        self._file.close()
        self.path.unlink(missing_ok=True)


def sweep_stale_spools(older_than_s: float = STALE_AFTER_S) -> int:
    """Remove spool files nobody has written to for `older_than_s` seconds (left by a process
    that was killed mid-upload); returns how many. Only `upload-*` files in the spool folder."""
    cutoff = time.time() - older_than_s
    removed = 0
    for path in spool_dir().glob(f"{SPOOL_PREFIX}*"):
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # its upload ended meanwhile and removed it
    if removed:
        log.info("removed %d abandoned upload file(s) from %s", removed, spool_dir())
    return removed
