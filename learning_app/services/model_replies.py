"""What a language model's reply holds, for the services that draft with one (questions,
flashcards). A reply is untrusted text: models wrap their JSON in prose or code fences, or
answer with something else entirely, so this finds the JSON and the caller checks each item
as it checks a teacher's form.
"""

from __future__ import annotations

import json
import re
from itertools import islice
from typing import Any

# Bounded: each failed start costs a parse, and a reply could be all brackets.
JSON_STARTS_TRIED = 50


def json_items(reply: str, key: str) -> list[Any]:
    """The items of the first JSON value in `reply` that holds some objects: an object with a
    list under `key` ("questions", "cards"), a list of objects, or one object (an item)."""
    decoder = json.JSONDecoder()
    for match in islice(re.finditer(r"[\[{]", reply), JSON_STARTS_TRIED):
        try:
            value, _ = decoder.raw_decode(reply, match.start())
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            value = value.get(key, [value])
        if isinstance(value, list) and any(isinstance(item, dict) for item in value):
            return value
    return []
