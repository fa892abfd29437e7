"""Hostile Moodle XML files: malformed XML, entities, oversized files, garbage bytes, empty quizzes
and XML that is not a quiz are each refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning_app.services.questions.interchange.items import MAX_BANK_BYTES, BankFileRefused
from learning_app.services.questions.interchange.moodle_xml import parse_moodle_xml


def refused(data: bytes) -> str:
    with pytest.raises(BankFileRefused) as caught:
        parse_moodle_xml(data)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_malformed_xml_is_refused_with_its_position() -> None:
    message = refused(b"<quiz>\n<question type='essay'>\n</quiz>")
    assert message.startswith("This file is not well-formed XML (line 3, column")


def test_billion_laughs_is_refused() -> None:
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY lol0 "lol">{entities}]>'
        "<quiz><question type='essay'><questiontext><text>&lol9;</text></questiontext>"
        "</question></quiz>"
    ).encode()
    message = refused(data)  # at the DOCTYPE, before any entity is read
    assert "document type or entities" in message
    assert "lol" not in message


def test_external_entity_to_a_local_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PASSWORD-42")
    for declaration in (
        f'<!DOCTYPE quiz [<!ENTITY x SYSTEM "file://{secret}">]>',
        '<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        f'<!DOCTYPE quiz [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
        f'<!DOCTYPE quiz SYSTEM "file://{secret}">',
    ):
        data = (
            f'<?xml version="1.0"?>{declaration}'
            "<quiz><question type='essay'><questiontext><text>&x;</text></questiontext>"
            "</question></quiz>"
        ).encode()
        message = refused(data)
        assert "TOP-SECRET" not in message and "root:" not in message
        assert str(secret) not in message and "passwd" not in message


def test_a_file_over_the_size_limit_is_refused() -> None:
    message = refused(b"<quiz>" + b" " * MAX_BANK_BYTES + b"</quiz>")
    assert "at most 10 MB" in message


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        b"PK\x03\x04\x14\x00\x06\x00garbage",
        "<?xml version='1.0' encoding='UTF-8'?><quiz>caf\xe9</quiz>".encode("latin-1"),
        b"\xff\xfe\xfd not xml at all",
    ],
)
def test_garbage_and_non_utf8_bytes_are_refused(data: bytes) -> None:
    assert refused(data).startswith("This file is not well-formed XML")


@pytest.mark.parametrize(
    "data",
    [
        b"<quiz></quiz>",
        b"<quiz/>",
        b"<quiz><question type='category'><category><text>$course$/A</text></category>"
        b"</question></quiz>",
    ],
)
def test_an_empty_quiz_is_refused(data: bytes) -> None:
    assert refused(data) == "This Moodle XML file holds no questions."


def test_xml_that_is_not_a_quiz_is_refused() -> None:
    assert refused(b"<html><body>hi</body></html>") == (
        "This XML file is not a Moodle question bank (no <quiz> element)."
    )
