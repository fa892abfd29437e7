"""Hostile GIFT files: unbalanced braces, empty or oversized files, non-UTF-8 bytes and reserved
characters are refused with where; a BOM and Windows line ends are read."""

from __future__ import annotations

import pytest

from learning_app.services.questions.interchange.gift import parse_gift
from learning_app.services.questions.interchange.items import MAX_BANK_BYTES, BankFileRefused


def test_unclosed_brace_refuses_the_file_with_its_line():
    text = "Q1 {T}\n\n// c\nQ2 {\n=a\n~b\n\nQ3 {T}"
    with pytest.raises(
        BankFileRefused, match=r"^Line 4: a question opened with \{ is never closed"
    ):
        parse_gift(text)


def test_brace_opened_twice_names_both_lines():
    with pytest.raises(
        BankFileRefused, match=r"Line 1: .* never closed \(another \{ follows on line 2\)"
    ):
        parse_gift("Q1 {=a ~b\nQ2 {T}")


def test_stray_closing_brace_refuses_the_file():
    with pytest.raises(BankFileRefused, match=r"^Line 3: this \} closes no \{"):
        parse_gift("Q {T}\n\nA brace } alone")


@pytest.mark.parametrize("data", [b"", "", "\n\n  \n", "// only a comment\n", b"\xef\xbb\xbf"])
def test_empty_file_is_refused(data: bytes | str):
    with pytest.raises(BankFileRefused, match="no GIFT questions"):
        parse_gift(data)


def test_file_over_the_limit_is_refused_before_reading():
    big = b"Q {T}\n\n" * (MAX_BANK_BYTES // 7 + 1)
    assert len(big) > MAX_BANK_BYTES
    with pytest.raises(BankFileRefused, match="may be at most 10 MB"):
        parse_gift(big)
    with pytest.raises(BankFileRefused, match="may be at most 10 MB"):
        parse_gift(big.decode())


def test_non_utf8_bytes_are_refused_with_where():
    with pytest.raises(BankFileRefused, match=r"not UTF-8 text \(line 3, byte 11 cannot be read\)"):
        parse_gift("Q {T}\n\nCaf\u00e9 ?{T}".encode("latin-1"))


def test_utf8_with_bom_and_windows_line_ends_are_read():
    parsed = parse_gift("\ufeffQ1 {T}\r\n\r\nQ2\r\n{=a ~b}".encode())
    assert [(i.item, i.draft.prompt) for i in parsed.items] == [("line 1", "Q1"), ("line 3", "Q2")]


def test_nul_and_reserved_characters_are_refused():
    with pytest.raises(BankFileRefused, match="NUL"):
        parse_gift(b"Q {T}\x00")
    with pytest.raises(BankFileRefused, match=r"Line 2: .*private use"):
        parse_gift("Q {T}\nA \U000f0003 {F}")
