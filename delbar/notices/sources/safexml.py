"""Parsing XML that came from outside without letting it reach anything.

lxml with a hardened parser: no entity expansion, no DTD loading, no network, libxml2's size limits
on. On top of that any document type declaration is refused outright: notices never carry one, and a
DTD is the only way to declare the entities that billion-laughs and external-entity attacks need.
"""

from lxml import etree

from delbar.notices.sources.model import ParseError

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)


DOCTYPE = [marker.encode(encoding) for marker in ("<!DOCTYPE", "<!doctype")
           for encoding in ("utf-8", "utf-16-le", "utf-16-be")]
# The UTF-16 spellings hold NUL bytes: a document without one cannot hold them, and one search for a NUL
# (memchr) is much cheaper than four searches for markers that are not there.
DOCTYPE_8BIT = tuple(marker for marker in DOCTYPE if b"\0" not in marker)
DTD_REFUSED = ("XML with a document type declaration (DTD) is refused: notices never need one, and it is how "
               "entity-expansion and external-entity attacks work")


def parse_xml(data: bytes):
    """The root element of `data`; ParseError for malformed XML or any DTD."""
    # Refused before parsing, so not even libxml2's own limits are put to the test.
    if any(marker in data for marker in (DOCTYPE if b"\0" in data else DOCTYPE_8BIT)):
        raise ParseError(DTD_REFUSED)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as error:
        raise ParseError(f"not well-formed XML: {error}") from None
    except ValueError as error:      # e.g. a str with an encoding declaration
        raise ParseError(f"not readable XML: {error}") from None
    if root is None:
        raise ParseError("empty XML document")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ParseError(DTD_REFUSED)
    return root
