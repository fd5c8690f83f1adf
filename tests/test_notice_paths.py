"""The parsers' path reader (delbar/notices/sources/paths.py) answers as lxml's ElementPath does, which it
replaced for speed: the same elements, in the same order, the same first one and the same text. Checked on
generated trees and on every path every parser reads from every notice file. No database."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from delbar.notices.sources import ParseError, eforms, parse, ted_xml
from delbar.notices.sources.paths import ByLocalName, ByTag
from delbar.notices.sources.safexml import parse_xml
from tests.notice_files import notice_files

NS = {"a": "urn:a", "b": "urn:b"}


class Reader(ByTag):
    __slots__ = ()
    NAMESPACES = NS
    STEPS = {}


class LocalReader(ByLocalName):
    __slots__ = ()
    STEPS = {}


# Small trees whose elements have the local names x, y, z in namespace a, b or none, with text or without.
TAGS = st.sampled_from(["{urn:a}x", "{urn:a}y", "{urn:b}x", "{urn:b}z", "x", "y"])
TREES = st.recursive(st.tuples(TAGS, st.sampled_from([None, "", " t ", "u"]), st.just(())),
                     lambda children: st.tuples(TAGS, st.sampled_from([None, " t "]),
                                                st.lists(children, max_size=4).map(tuple)), max_leaves=25)


def build(node, parent=None):
    tag, text, children = node
    element = etree.Element(tag) if parent is None else etree.SubElement(parent, tag)
    element.text = text
    for child in children:
        build(child, element)
    return element


PREFIXED = st.lists(st.sampled_from(["a:x", "a:y", "b:x", "b:z"]), min_size=1, max_size=3).map("/".join)
ANY_NAMESPACE = st.lists(st.sampled_from(["{*}x", "{*}y", "{*}z"]), min_size=1, max_size=3).map("/".join)


@settings(max_examples=300, deadline=None)
@given(TREES, st.lists(PREFIXED, min_size=1, max_size=6))
def test_prefixed_paths_reach_what_elementpath_reaches(node, paths):
    root = etree.ElementTree(build(("{urn:a}root", None, (node, node)))).getroot()
    reader = Reader()
    for element in root.iter():
        for path in paths:
            assert reader.all(element, path) == element.findall(path, NS)
            assert reader.find(element, path) is element.find(path, NS)
            assert reader.text(element, path) == (element.findtext(path, namespaces=NS) or "").strip()


@settings(max_examples=300, deadline=None)
@given(TREES, st.lists(ANY_NAMESPACE, min_size=1, max_size=6))
def test_any_namespace_paths_reach_what_elementpath_reaches(node, paths):
    root = etree.ElementTree(build(("root", None, (node, node)))).getroot()
    reader = LocalReader()
    for element in root.iter():
        for path in paths:
            assert reader.all(element, path) == element.findall(path)
            assert reader.find(element, path) is element.find(path)


def test_no_element_reaches_nothing():
    assert Reader().all(None, "a:x") == [] and Reader().find(None, "a:x") is None and Reader().text(None, "a:x") == ""


class CheckedEForms(eforms.Children):
    __slots__ = ()

    def all(self, element, path):
        found = super().all(element, path)
        assert found == (element.findall(path, eforms.NS) if element is not None else []), path
        return found

    def find(self, element, path):
        found = super().find(element, path)
        assert found is (element.find(path, eforms.NS) if element is not None else None), path
        return found


class CheckedTed(ted_xml.Children):
    __slots__ = ()

    def all(self, element, path):
        found = super().all(element, path)
        assert found == element.findall(path), path
        return found

    def find(self, element, path):
        found = super().find(element, path)
        assert found is element.find(path), path
        return found


def test_every_path_the_parsers_read_from_the_notice_files_is_elementpaths_answer(monkeypatch):
    monkeypatch.setattr(eforms, "Children", CheckedEForms)
    monkeypatch.setattr(ted_xml, "Children", CheckedTed)
    formats = set()
    for path in notice_files():
        formats.update(notice.format for notice in parse(path.read_bytes()))
    assert {"eforms", "ted-xml"} <= formats


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16"])
@pytest.mark.parametrize("doctype", ["<!DOCTYPE x>", "<!doctype x>"])
def test_a_utf16_document_type_declaration_is_refused_before_parsing(encoding, doctype):
    with pytest.raises(ParseError, match="DTD"):
        parse_xml(f"{doctype}<ContractNotice/>".encode(encoding))


def test_a_document_type_declaration_is_refused_anywhere_in_the_bytes():
    with pytest.raises(ParseError, match="DTD"):
        parse(b"<ContractNotice><!-- <!doctype x> --></ContractNotice>")
