"""Reading procurement notices: pure functions from the bytes of a file to `ParsedNotice`s.

No database, no network. `parse(data)` recognises the format (eForms XML, TED XML R2.0.9, OCDS
release or record package) and returns one notice per document (an OCDS package may hold many).
Real notices often break the schema, so parsing is lenient: what is missing or malformed is written
to `ParsedNotice.problems` and the notice is still returned. Only a document that is not a notice at
all, or is hostile XML, raises `ParseError`.
"""

import hashlib
import json
import re

from delbar.notices.sources.model import (  # noqa: F401 - the public names
    Lot,
    ParsedNotice,
    ParseError,
    Party,
    country_code,
    country_name,
    currency_code,
    language_code,
)
from delbar.notices.sources.safexml import parse_xml

FORMATS = ("eforms", "ted-xml", "ocds")
EFORMS_ROOTS = {"ContractNotice", "ContractAwardNotice", "PriorInformationNotice",
                "BusinessRegistrationInformationNotice"}


def parse(data: bytes) -> list[ParsedNotice]:
    """Every notice in one file's bytes; raises ParseError when there is none to be had.

    A notice without an identifier is identified by its content, so importing it again still finds it."""
    notices = _parse(data)
    for notice in notices:
        if not notice.notice_id:
            notice.notice_id = "sha256-" + notice.content_digest[:40]
            notice.problems.append("no identifier: identified by a hash of its content")
    return notices


# Whitespace between tags (indenting, minifying) and the XML declaration do not change a notice. Canonical
# XML 2.0 would also ignore attribute order and namespace prefixes, but with lxml's c14n2 the parse rate
# of the 205 fixture and demo files fell from 1,081 to 339 notices/s (bench/bench_notices.py's parse
# measurement, 5 s each, this 2-core machine): a third of the speed for variants that do not occur among
# the copies of one notice.
BETWEEN_TAGS = re.compile(rb">\s+<")
DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")


def xml_digest(data: bytes) -> str:
    body = DECLARATION.sub(b"", data.removeprefix(b"\xef\xbb\xbf"))
    return hashlib.sha256(BETWEEN_TAGS.sub(b"><", body).strip()).hexdigest()


# json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False), from one encoder rather than
# a new one per call, and without the check for circular references: parsed JSON holds none (a cycle would
# end in RecursionError rather than ValueError). The check cost a tenth of the encoding.
CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False)


def canonical_json_digest(value) -> str:
    return hashlib.sha256(CANONICAL_JSON.encode(value).encode()).hexdigest()


def _parse(data: bytes) -> list[ParsedNotice]:
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        from delbar.notices.sources import ocds
        return ocds.parse(_json(data))
    if start != b"<":
        raise ParseError("not a notice: expected eForms or TED XML, or an OCDS JSON package")
    root = parse_xml(data)
    name = root.tag.rpartition("}")[2] if isinstance(root.tag, str) else ""
    if name in EFORMS_ROOTS:
        from delbar.notices.sources import eforms
        notice = eforms.parse_root(root)
    elif name == "TED_EXPORT":
        from delbar.notices.sources import ted_xml
        notice = ted_xml.parse_root(root)
    else:
        notice = None
    if notice is not None:
        notice.content_digest = xml_digest(data)
        return [notice]
    raise ParseError(f"not a notice: the XML root element is <{name}>, not an eForms notice or TED_EXPORT")


def _json(data: bytes):
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as error:
        raise ParseError(f"not valid JSON: {error}") from None
