"""One procurement, one trail: notices linked by procedure identifiers and references, in any order of
arrival; the same notice from two sources merged field by field; all of it on the page, the case, the API
and in the OCDS export."""

import re

import pytest
from django.utils import timezone

from delbar.cases.models import Status
from delbar.notices.importing import ImportReport, import_document, import_path
from delbar.notices.models import Notice, Source
from delbar.opendata.ocds import notice_ocid
from tests.notice_files import DOFFIN, NOTICE_FIXTURES, TED_XML

pytestmark = pytest.mark.django_db

# A real Doffin contract notice: procedure 2023-649037 of SYKEHUSINNKJØP HF (916879067), estimated 30 MNOK.
CONTRACT_NOTICE = (DOFFIN / "ContractNotice_cn-standard_2023-649037.xml").read_bytes()
# A real TED XML R2.0.9 notice (311956-2020) whose procedure section names its earlier notice, 2020/S 069-165610.
TED_NOTICE = (TED_XML / "20-320448-001-EXP.xml").read_bytes()


def _store(document: bytes, name: str, source: str = Source.FILE) -> ImportReport:
    report = ImportReport()
    import_document(document, source=source, source_file=name, report=report)
    return report


def _another_notice(document: bytes, notice_id: str, *, buyer: str | None = None) -> bytes:
    """The same procedure's document under another notice identifier (and, if given, another buyer number)."""
    document = document.replace(b'notice-id">2023-649037<', f'notice-id">{notice_id}<'.encode())
    if buyer:
        document = document.replace(b"<cbc:CompanyID>916879067<", f"<cbc:CompanyID>{buyer}<".encode())
    return document


def test_notices_of_one_procedure_and_buyer_are_one_trail_and_another_buyers_are_not():
    _store(CONTRACT_NOTICE, "cn.xml")
    _store(_another_notice(CONTRACT_NOTICE, "2023-700001"), "award.xml")
    _store(_another_notice(CONTRACT_NOTICE, "2023-700002", buyer="974761076"), "other-buyer.xml")
    first, second, other = (Notice.objects.get(notice_id=identifier)
                            for identifier in ("2023-649037", "2023-700001", "2023-700002"))
    assert first.trail and first.trail == second.trail != other.trail
    assert notice_ocid(first) == notice_ocid(second) != notice_ocid(other)


@pytest.mark.parametrize("order", ["earlier first", "later first"])
def test_a_ted_notice_joins_the_earlier_notice_it_names_in_either_order(order):
    earlier = re.sub(rb'DOC_ID="[^"]*"', b'DOC_ID="165610-2020"', TED_NOTICE, count=1)
    documents = [(earlier, "earlier.xml"), (TED_NOTICE, "later.xml")]
    for document, name in documents if order == "earlier first" else reversed(documents):
        assert _store(document, name).created == 1
    assert Notice.objects.get(key="ted:165610-2020").trail == Notice.objects.get(key="ted:311956-2020").trail


def test_the_same_notice_from_doffin_and_ted_is_one_notice_the_richer_reading_filling_what_the_other_lacks(client):
    # Doffin's copy without the estimated value; TED's copy of the same eForms notice with it and a TED number.
    doffin = CONTRACT_NOTICE.replace(b'<cbc:EstimatedOverallContractAmount currencyID="NOK">30000000.00'
                                     b'</cbc:EstimatedOverallContractAmount>', b"")
    ted = CONTRACT_NOTICE.replace(b'ojs-notice-id">n.a.<', b'ojs-notice-id">654321-2023<')
    assert _store(doffin, "doffin:2023-649037", Source.DOFFIN).created == 1
    report = _store(ted, "ted:654321-2023", Source.TED)
    assert (report.created, report.merged) == (0, 1)
    notice = Notice.objects.get()
    assert notice.source == Source.DOFFIN and notice.estimated_value == 30_000_000
    assert [(other["source"], other["publication_number"]) for other in notice.also_from] == [("ted", "654321-2023")]
    # Either document again changes nothing; a notice naming the TED number joins the same trail.
    assert _store(ted, "again.xml").unchanged == 1 and _store(doffin, "again2.xml").unchanged == 1
    assert Notice.objects.get().also_from == notice.also_from
    page = client.get(notice.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Også lest fra" in page and 'href="https://ted.europa.eu/en/notice/-/detail/654321-2023"' in page


def test_ted_xml_and_its_eforms_conversion_are_one_notice_with_both_readings():
    ted_xml = TED_XML / "20-157399-001-EXP.xml"
    converted = NOTICE_FIXTURES / "ted-converted" / "20-157399-001-EXP.xml"
    import_path(ted_xml)
    report = import_path(converted)
    assert (report.created, report.merged) == (0, 1)
    notice = Notice.objects.get(key="ted:154292-2020")
    assert notice.format == "ted-xml" and [other["format"] for other in notice.also_from] == ["eforms"]
    assert import_path(converted).unchanged == 1 and import_path(ted_xml).unchanged == 1


def test_two_conversions_sharing_a_placeholder_identifier_stay_two_notices_and_two_procurements():
    import_path(NOTICE_FIXTURES / "ted-converted")
    converted = Notice.objects.filter(source_file__contains="ted-converted")
    assert converted.count() == 4 and len({notice.notice_id for notice in converted}) == 1
    assert len({notice.trail for notice in converted}) == 4


def test_the_trail_is_on_the_notice_page_the_case_and_in_the_api(client, api_client, make_case):
    _store(CONTRACT_NOTICE, "cn.xml")
    _store(_another_notice(CONTRACT_NOTICE, "2023-700001"), "award.xml")
    first, second = Notice.objects.get(notice_id="2023-649037"), Notice.objects.get(notice_id="2023-700001")
    client.cookies["django_language"] = "nb"
    page = client.get(first.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Kunngjøringer i samme anskaffelse" in page and second.get_absolute_url() in page
    api = api_client(None).get(f"/api/notices/{first.pk}").json()
    assert [step["id"] for step in api["trail"]] == sorted([first.pk, second.pk]) and api["trail_id"] == first.trail
    case = make_case(Status.PUBLISHED)
    first.cases.add(case)
    page = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert second.get_absolute_url() in page and "Kunngjøringer i anskaffelsen" in page


def _change(document: bytes, version: str, changes: str) -> bytes:
    """A new version of the notice that says, as eForms does, which version it changes."""
    document = document.replace(b"<cbc:VersionID>01", f"<cbc:VersionID>{version}".encode(), 1)
    changed = f"<efac:Changes><efbc:ChangedNoticeIdentifier>{changes}</efbc:ChangedNoticeIdentifier></efac:Changes>"
    return document.replace(b"<efext:EformsExtension>", b"<efext:EformsExtension>" + changed.encode(), 1)


@pytest.mark.parametrize("first", [Source.DOFFIN, Source.TED])
def test_a_change_to_a_notice_read_from_doffin_and_ted_supersedes_it_whichever_source_came_first(first):
    ted = CONTRACT_NOTICE.replace(b'ojs-notice-id">n.a.<', b'ojs-notice-id">654321-2023<')
    readings = {Source.DOFFIN: CONTRACT_NOTICE, Source.TED: ted}
    for source in (first, *(set(readings) - {first})):
        _store(readings[source], f"{source}.xml", source)
    _store(_change(CONTRACT_NOTICE, "02", "2023-649037-01"), "v2.xml", Source.DOFFIN)
    assert Notice.objects.count() == 2
    original, change = Notice.objects.order_by("pk")
    assert original.superseded_by == change and change.superseded_by is None
    assert [notice.pk for notice in Notice.objects.current()] == [change.pk]


def test_a_stand_in_title_gives_way_to_the_title_of_the_other_reading():
    from delbar.notices.importing import merge

    stored = Notice.objects.create(key="ted:1-2024", format="ted-xml", notice_id="x", version="1",
                                   title="cn-standard 1-2024", notice_type="cn-standard", fetched_at=timezone.now())
    incoming = Notice(key="ted:1-2024", format="eforms", notice_id="x", version="1", title="Elektrisk ferje",
                      titles={"nb": "Elektrisk ferje"}, fetched_at=timezone.now(), raw_sha256="b")
    merge(stored, incoming)
    stored.refresh_from_db()
    assert stored.title == "Elektrisk ferje" and stored.titles == {"nb": "Elektrisk ferje"}


def test_notices_naming_no_buyer_do_not_share_a_procedure():
    from delbar.notices import trail

    nobody = Notice(key="a:1", format="eforms", notice_id="a", procedure_id="placeholder", buyers=[])
    assert trail.references(nobody) == {"key:a:1"}
    somebody = Notice(key="b:1", format="eforms", notice_id="b", procedure_id="placeholder",
                      buyers=[{"name": "Bergen kommune", "org_number": "964338531"}])
    assert "procedure:placeholder@964338531" in trail.references(somebody)
