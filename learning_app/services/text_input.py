"""Rules every piece of user text passes before it is stored.

- Postgres cannot store NUL (not in `text`, not as `\\u0000` in `jsonb`): left to the database,
  it fails the write with a driver error the user cannot act on. Other C0 control characters
  (all but tab, newline and carriage return) have no place in typed text either.
- A title or name made only of invisible characters (zero-width spaces, joiners) would show as
  a blank: it counts as empty.
- In one-line fields (titles, names) bidirectional override and isolate characters can make a
  label read differently from what it holds ("gnp.exe" shown as "exe.png"), so they are
  refused there; right-to-left scripts themselves are fine.
"""

from __future__ import annotations

import re
import unicodedata

from learning_app.services.errors import InvalidInput

_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def storable(text: str, label: str, field: str) -> str:
    """`text` unchanged, or InvalidInput when it holds control characters."""
    if _UNSTORABLE.search(text):
        raise InvalidInput(f"The {label} contains control characters; remove them.", field=field)
    return text


def is_blank(text: str) -> bool:
    """Nothing visible: only spaces, separators and format or control characters."""
    return all(unicodedata.category(ch)[0] in "CZ" for ch in text)


def one_line(text: str, label: str, field: str) -> str:
    """A title or name: storable, without direction overrides, not blank (the caller says what
    to enter when it is)."""
    storable(text, label, field)
    if _BIDI_CONTROLS.search(text):
        raise InvalidInput(
            f"The {label} contains text-direction control characters; remove them.", field=field
        )
    return text
