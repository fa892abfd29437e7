"""Where a browser may be sent after signing in: only to a path on this site (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_NEXT_PATH_LENGTH = 2000


def safe_next_path(raw: str | None) -> str:
    """`raw` if it is a path on this site, else "/": where to go after sign-in (`?next=`).

    Refuses anything a browser could read as another origin: `//host` and `/\\host`
    (browsers treat a backslash as a slash), schemes, and control characters (browsers drop
    tabs and newlines, so `/\\t/host` would become `//host`).
    """
    if not raw or len(raw) > MAX_NEXT_PATH_LENGTH:
        return "/"
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        return "/"
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return "/"
    return raw
