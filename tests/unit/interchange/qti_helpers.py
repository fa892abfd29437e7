"""Helpers shared by the QTI tests: the fixture files, options as tuples, one-line refusals and
zip packages built in memory."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from learning_app.services.questions.interchange.items import BankFileRefused
from learning_app.services.questions.interchange.qti import parse_qti

DATA = Path(__file__).parents[2] / "data" / "interchange"


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


def options(question) -> list[tuple[str, bool, str]]:
    return [(o.body, o.is_correct, o.feedback) for o in question.options]


def refusal(data: bytes) -> str:
    with pytest.raises(BankFileRefused) as caught:
        parse_qti(data)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def zip_of(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()
