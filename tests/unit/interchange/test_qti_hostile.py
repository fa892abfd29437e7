"""Hostile QTI files and zip packages: malformed XML, entities, paths outside the package, zip
bombs, too many entries and oversized files are each refused in one line."""

from __future__ import annotations

import struct
import zipfile

import pytest

from learning_app.services.questions.interchange.items import MAX_BANK_BYTES
from tests.unit.interchange.qti_helpers import fixture, refusal, zip_of


def test_malformed_xml_names_the_line_not_the_content():
    message = refusal(b"<questestinterop>\n<item ident='x'>\nsecret-words\n</questestinterop>")
    assert message == "This file is not well-formed XML (line 4)."


def test_billion_laughs_is_refused():
    laughs = b"""<?xml version="1.0"?>
<!DOCTYPE questestinterop [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<questestinterop><item ident="a"><presentation><material>
<mattext>&lol9;</mattext></material></presentation></item></questestinterop>"""
    assert refusal(laughs) == "This file declares XML entities, which are refused for safety."


@pytest.mark.parametrize("kind", ["general", "parameter"])
def test_external_entity_to_a_local_file_is_refused_without_its_content(tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-41")
    url = secret.as_uri().encode()
    if kind == "general":
        doctype = b'<!DOCTYPE questestinterop [<!ENTITY xxe SYSTEM "' + url + b'">]>'
        body = b"<mattext>&xxe;</mattext>"
    else:
        doctype = b'<!DOCTYPE questestinterop [<!ENTITY % xxe SYSTEM "' + url + b'"> %xxe;]>'
        body = b"<mattext>x</mattext>"
    xml = (
        doctype
        + b"<questestinterop><item ident='a'><presentation><material>"
        + body
        + b"</material></presentation></item></questestinterop>"
    )
    message = refusal(xml)
    assert "TOP-SECRET" not in message and "secret.txt" not in message
    assert "refused for safety" in message


def test_not_qti_and_damaged_zip_are_refused():
    assert refusal(b"<quiz><question/></quiz>") == "This XML file is not a QTI 1.2 question file."
    assert "damaged" in refusal(b"PK\x03\x04 not really a zip")


@pytest.mark.parametrize(
    "name", ["../evil.xml", "/etc/evil.xml", "a/../../evil.xml", "..\\evil.xml"]
)
def test_zip_with_a_path_outside_the_package_is_refused(name):
    package = zip_of({"imsmanifest.xml": b"<manifest/>", name: fixture("qti_canvas_text.xml")})
    assert "outside the package" in refusal(package)


def test_manifest_naming_a_file_outside_the_package_is_refused():
    manifest = b"""<manifest><resources><resource identifier="a" type="imsqti_xmlv1p2"
      href="../../etc/passwd"/></resources></manifest>"""
    assert "outside the package" in refusal(zip_of({"imsmanifest.xml": manifest}))


def test_zip_bomb_is_refused_before_inflating():
    bomb = zip_of({"questions.xml": b"<questestinterop>" + b" " * (20 * 1024 * 1024)})
    assert len(bomb) < MAX_BANK_BYTES
    assert refusal(bomb) == "This zip unpacks to far more than its size; it was refused."


def test_declared_huge_size_is_refused():
    package = bytearray(zip_of({"questions.xml": fixture("qti_canvas_text.xml")}))
    central = package.index(b"PK\x01\x02")
    struct.pack_into("<I", package, central + 24, 0xF000_0000)  # uncompressed size
    assert refusal(bytes(package)) == "This zip unpacks to far more than its size; it was refused."


def test_entry_whose_header_understates_its_size_is_refused():
    package = bytearray(
        zip_of({"questions.xml": fixture("qti_canvas_text.xml")}, zipfile.ZIP_STORED)
    )
    central = package.index(b"PK\x01\x02")
    struct.pack_into("<I", package, central + 24, 100)
    struct.pack_into("<I", package, 22, 100)  # the local header agrees, the data does not
    assert refusal(bytes(package)) == "This zip file is damaged and could not be read."


def test_too_many_entries_is_refused():
    package = zip_of({f"f{n}.txt": b"" for n in range(1001)})
    assert refusal(package) == "This zip holds more than 1,000 files; it was refused."


def test_file_over_the_size_limit_is_refused_unread():
    message = refusal(b"<questestinterop>" + b" " * MAX_BANK_BYTES)
    assert message == "This file is larger than 10 MB; it was refused."
