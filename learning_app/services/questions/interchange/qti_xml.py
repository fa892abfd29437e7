"""Reading untrusted QTI XML: parsed with `defusedxml`, so no entity is ever expanded and no
external resource is ever fetched; every failure is one line with, at most, a line number.

A `<!DOCTYPE questestinterop SYSTEM "ims_qtiasiv1p2.dtd">` with no internal subset (as the
IMS examples carry) is accepted and never loaded. Any entity declaration, internal (a
billion laughs) or external (`SYSTEM "file:///etc/passwd"`), refuses the whole file.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, EntitiesForbidden
from defusedxml.ElementTree import fromstring

from learning_app.services.questions.interchange.items import BankFileRefused


def parse_xml(data: bytes, what: str = "This file") -> Element:
    """The document's root, with namespaces stripped from every tag."""
    try:
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except EntitiesForbidden:
        raise BankFileRefused(
            f"{what} declares XML entities, which are refused for safety."
        ) from None
    except DefusedXmlException:
        raise BankFileRefused(
            f"{what} refers to an outside resource, which is refused for safety."
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        where = f" (line {line})" if line else ""
        raise BankFileRefused(f"{what} is not well-formed XML{where}.") from None
    except (ValueError, RecursionError, MemoryError):
        raise BankFileRefused(f"{what} could not be read as XML.") from None
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]
    return root


def all_text(element: Element | None) -> str:
    return "".join(element.itertext()).strip() if element is not None else ""
