"""The notice parsers, on real files: Doffin's eForms notices give the values in the shared summary;
every notice family of eForms, the older TED XML and OCDS packages are read; invalid notices are read
leniently with their problems recorded; hostile XML is refused without touching files or the network.
Pure functions: no database."""

import json
import re
import threading
from datetime import date
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from delbar.notices.sources import ParseError, country_code, parse
from tests.notice_files import DOFFIN, NOTICE_FIXTURES, TED_XML, notice_files, summary_rows


def _digits(value: str) -> str:
    return "; ".join(re.sub(r"\D", "", part) for part in value.split(";"))


def _words(value: str) -> str:
    return " ".join(value.split())


DOFFIN_ROWS = [row for row in summary_rows() if row["source"] == "doffin"]


def test_the_summary_covers_every_doffin_file():
    assert len(DOFFIN_ROWS) == 60
    assert {row["file"] for row in DOFFIN_ROWS} == {path.name for path in DOFFIN.glob("*.xml")}


@pytest.mark.parametrize("row", DOFFIN_ROWS, ids=lambda row: row["file"])
def test_doffin_notice_gives_the_summary_values(row):
    [notice] = parse((DOFFIN / row["file"]).read_bytes())
    assert notice.format == "eforms"
    assert notice.notice_id == row["notice_id"]
    assert notice.notice_type == row["notice_type"]
    assert notice.form_type == row["form_type"]
    assert notice.subtype == row["subtype"]
    assert "; ".join(buyer.name for buyer in notice.buyers) == row["buyer_name"]
    assert _digits("; ".join(buyer.org_number for buyer in notice.buyers)) == _digits(row["buyer_orgnr"])
    assert _words(notice.title) == _words(row["title"])
    assert notice.main_cpv == row["main_cpv"]
    assert sorted(notice.cpv_codes) == sorted(row["all_cpv"].split())
    assert sorted(notice.nuts) == sorted(row["nuts"].split())
    assert notice.procedure == row["procedure_code"]
    assert notice.nature == row["nature"]
    assert " ".join(notice.innovative_acquisition) == row["innovative_acquisition"]
    assert " ".join(notice.strategic_procurement) == row["strategic_procurement"]
    assert len(notice.lots) == int(row["n_lots"])


def test_every_notice_file_parses():
    files = notice_files()
    assert len(files) > 200
    families = set()
    for path in files:
        notices = parse(path.read_bytes())
        assert notices, path
        for notice in notices:
            assert notice.key and notice.notice_id, path
            families.add(notice.form_type)
    # Every notice family: planning, competition, direct award, result, modification, change.
    assert {"planning", "competition", "dir-awa-pre", "result", "cont-modif", "change"} <= families


def test_norwegian_national_and_national_e_notices():
    folder = NOTICE_FIXTURES / "eforms-sdk-nor"
    [e3] = parse((folder / "national-e" / "VALID-national-e3-multi-buyer-0e9f.xml").read_bytes())
    assert e3.subtype == "E3" and e3.notice_type == "cn-standard"
    assert "anskaffelser.no:2026:eforms:national" in e3.customization
    assert [buyer.name for buyer in e3.buyers] == ["Lorem Ipsum AS", "Lorem Ipsum Kommune"]
    assert e3.strategic_procurement == ["env-imp"]
    [national] = parse((folder / "national" / "test" / "cn_24_national.xml").read_bytes())
    assert "eforms:national" in national.customization and national.buyers


def test_invalid_examples_are_read_leniently_with_their_problems():
    [empty] = parse((NOTICE_FIXTURES / "eforms-sdk" / "INVALID_cn_24_empty.xml").read_bytes())
    assert empty.problems and any("title" in problem for problem in empty.problems)
    for path in sorted((NOTICE_FIXTURES / "eforms-sdk-nor" / "national-e").glob("INVALID-*.xml")):
        [notice] = parse(path.read_bytes())
        assert notice.title and notice.buyers, path
    # DFØ's test files keep template placeholders such as ${ISSUEDATE}: a recorded problem, not a failure.
    [template] = parse((NOTICE_FIXTURES / "eforms-sdk-nor" / "eu" / "test" / "cn_24.xml").read_bytes())
    assert template.issue_date is None
    assert any("issue date" in problem for problem in template.problems)


def test_values_winners_lots_and_innovation_flags():
    [award] = parse((NOTICE_FIXTURES / "eforms-sdk" / "can_24_maximal.xml").read_bytes())
    assert award.winners and award.awarded_value is not None and award.awarded_currency
    assert award.innovative_acquisition == ["proc-innov"]
    [notice] = parse((NOTICE_FIXTURES / "eforms-sdk" / "cn_24_maximal.xml").read_bytes())
    assert notice.innovative_acquisition == ["proc-innov"] and notice.procedure == "neg-w-call"
    assert notice.deadline is not None and len(notice.lots) >= 1
    [pathology] = parse((DOFFIN / "2024-113575.xml").read_bytes())
    assert pathology.estimated_value is not None or pathology.awarded_value is not None


def test_a_change_notice_names_the_version_it_changes():
    [change] = parse((NOTICE_FIXTURES / "eforms-sdk" / "change-cn_24_open_dates.xml").read_bytes())
    # eForms keeps the notice's own type on a change notice; efac:Changes says what it changes.
    assert change.notice_type == "cn-standard"
    assert change.previous_key == "c4c415ee-ac08-4465-8fa6-57568cf69462:1"


def test_older_ted_xml():
    [notice] = parse((TED_XML / "20-157399-001-EXP.xml").read_bytes())
    assert notice.format == "ted-xml" and notice.key == "ted:154292-2020"
    assert (notice.notice_type, notice.form_type, notice.procedure) == ("can-standard", "result", "open")
    assert notice.buyers[0].name == "Kåfjord Kommune" and notice.buyers[0].org_digits == "940363586"
    assert notice.main_cpv == "90620000" and notice.nuts == ["NO072"]
    assert notice.awarded_value == 4500000 and notice.awarded_currency == "NOK"
    assert [winner.name for winner in notice.winners][:2] == ["Kurt Steinar Wiik", "Manndalen Maskin AS"]
    [five_buyers] = parse((TED_XML / "20-320448-001-EXP.xml").read_bytes())
    assert len(five_buyers.buyers) == 5 and five_buyers.deadline.isoformat() == "2020-09-25"


def test_a_ted_notice_and_its_eforms_conversion_are_one_notice():
    # The conversions share one placeholder identifier; the TED publication number tells them apart.
    converted = {parse(path.read_bytes())[0].key for path in (NOTICE_FIXTURES / "ted-converted").glob("*.xml")}
    originals = {parse(path.read_bytes())[0].key for path in TED_XML.glob("*.xml")}
    assert len(converted) == 4 and converted <= originals


def test_ocds_release_record_and_package():
    folder = NOTICE_FIXTURES / "ocds"
    [record] = parse((folder / "ocds-213czf-000-00001.json").read_bytes())
    assert record.format == "ocds" and record.notice_id == "ocds-213czf-000-00001"
    assert record.title == "Planned cycle lane improvements" and record.main_cpv == "45233130"
    assert record.buyers[0].name == "London Borough of Barnet"
    [release] = parse((folder / "ContractNotice_cn-standard_2024-107345_release_0.json").read_bytes())
    assert release.title == "Byggeledelse" and release.procedure == "open"
    assert release.buyers[0].name == "Kongsbergregionen"
    [award] = parse((folder / "award.json").read_bytes())
    # The standard's example award is "pending" (proposed, not yet in force): no winner and no value yet.
    assert award.form_type == "result" and award.winners == [] and award.awarded_value is None


def _release(**fields) -> bytes:
    return json.dumps({"ocid": "ocds-abc123-1", "id": "1", "date": "2024-05-02T00:00:00Z", **fields}).encode()


def test_ocds_kind_of_notice_comes_from_what_the_release_holds():
    tender = {"id": "t", "title": "Snow clearing", "status": "complete"}
    awarded = {"id": "a", "status": "active", "value": {"amount": 10, "currency": "GBP"}, "suppliers": [{"name": "A"}]}
    # Tagged "tender", but an award was made: an award notice.
    [notice] = parse(_release(tag=["tender"], tender=tender, awards=[awarded]))
    assert (notice.notice_type, notice.form_type) == ("can-standard", "result")
    [notice] = parse(_release(tag=["tender"], tender=tender, awards=[{**awarded, "status": "pending"}]))
    assert notice.form_type == "competition" and notice.winners == [] and notice.awarded_value is None
    [notice] = parse(_release(tag=["award"], contracts=[{"id": "c", "awardID": "a", "amendments": [{"id": "1"}]}]))
    assert notice.form_type == "cont-modif"


def test_ocds_award_totals_count_only_the_awards_made():
    awards = [{"id": "1", "status": "active", "value": {"amount": 100, "currency": "EUR"},
               "suppliers": [{"name": "A"}]},
              {"id": "2", "status": "unsuccessful", "value": {"amount": 900, "currency": "EUR"},
               "suppliers": [{"name": "B"}]},
              {"id": "3", "value": {"amount": 50, "currency": "EUR"}, "suppliers": [{"name": "C"}]}]
    [notice] = parse(_release(tag=["award"], tender={"id": "t", "title": "Bridges"}, awards=awards))
    assert notice.awarded_value == 150 and [winner.name for winner in notice.winners] == ["A", "C"]


def test_ocds_buyer_from_buyer_or_procuring_entity_with_its_identifier_in_both_versions():
    barnet = {"id": "GB-LAC-E09000003", "name": "London Borough of Barnet", "roles": ["buyer"],
              "identifier": {"scheme": "GB-LAC", "id": "E09000003"},
              "address": {"locality": "London", "countryName": "United Kingdom"}}
    # OCDS 1.1: the buyer is a reference to a party.
    [notice] = parse(_release(parties=[barnet], buyer={"id": barnet["id"], "name": barnet["name"]},
                              tender={"id": "t", "title": "Lanes"}))
    [buyer] = notice.buyers
    assert (buyer.name, buyer.scheme, buyer.org_number, buyer.country) == (
        "London Borough of Barnet", "GB-LAC", "E09000003", "GB")   # countryName as ISO alpha-2
    # OCDS 1.0: no parties; the buyer is the whole organization.
    whole = {key: value for key, value in barnet.items() if key not in ("id", "roles")}
    [notice] = parse(_release(buyer=whole, tender={"id": "t", "title": "Lanes"}))
    assert notice.buyers[0].scheme == "GB-LAC" and notice.buyers[0].city == "London"
    # Only a procuring entity: it is the buyer.
    [notice] = parse(_release(tender={"id": "t", "title": "Lanes", "procuringEntity": whole}))
    assert notice.buyers[0].name == "London Borough of Barnet" and "no buyer" not in notice.problems


@pytest.mark.parametrize(("written", "language"), [("en", "en"), ("EN-GB", "en"), ("est", "et"), ("NOB", "nb"),
                                                   ("no", "nb"), ("nno", "nn"), ("engli", "")])
def test_ocds_languages_become_iso_639_1(written, language):
    [notice] = parse(_release(language=written, tender={"id": "t", "title": "Lanes"}))
    assert notice.language == language


@pytest.mark.parametrize("data", [b"", b"   ", b"hello", b"[1, 2]", b'{"a": 1}', b"<html><body/></html>",
                                  b"<ContractNotice", b"{", "<a>\u00e6</a>".encode("utf-16")])
def test_what_is_not_a_notice_is_a_clear_error(data):
    with pytest.raises(ParseError):
        parse(data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&lol9;</cbc:ID>
</ContractNotice>"""


def test_billion_laughs_is_refused():
    with pytest.raises(ParseError, match="DTD"):
        parse(BILLION_LAUGHS)


def test_an_external_entity_does_not_read_a_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    document = f"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>
<ContractNotice xmlns="urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&xxe;</cbc:ID>
</ContractNotice>""".encode()
    with pytest.raises(ParseError) as refused:
        parse(document)
    assert "TOP-SECRET-VALUE" not in str(refused.value)


@pytest.fixture
def listening_server():
    """A local HTTP server that counts the requests it gets: hostile XML must not make any."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server interface
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY remote "REMOTE-VALUE">')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


@pytest.mark.parametrize("template", [
    '<!DOCTYPE x [<!ENTITY remote SYSTEM "{url}/entity">]><ContractNotice><ID>&remote;</ID></ContractNotice>',
    '<!DOCTYPE x [<!ENTITY % dtd SYSTEM "{url}/parameter"> %dtd;]><ContractNotice><ID>&remote;</ID></ContractNotice>',
    '<!DOCTYPE ContractNotice SYSTEM "{url}/external.dtd"><ContractNotice><ID>x</ID></ContractNotice>',
])
def test_external_entities_and_dtds_make_no_request(listening_server, template):
    url, requests = listening_server
    with pytest.raises(ParseError):
        parse(template.format(url=url).encode())
    assert requests == []


def test_ocds_classifications_in_other_schemes_are_kept_with_their_scheme():
    items = [{"id": "1", "classification": {"scheme": "UNSPSC", "id": "72141100", "description": "Road works"},
              "additionalClassifications": [{"scheme": "CPV", "id": "45233130-9"},
                                            {"scheme": "x_local", "id": "R-7"}]}]
    [notice] = parse(_release(tender={"id": "t", "title": "Roads", "items": items}))
    assert notice.cpv_codes == ["45233130"] and notice.main_cpv == "45233130"
    assert notice.classifications == [{"scheme": "UNSPSC", "id": "72141100", "description": "Road works"},
                                      {"scheme": "x_local", "id": "R-7", "description": ""}]
    [unclassified] = parse(_release(tender={"id": "t", "title": "Roads"}))
    assert "no classification" in unclassified.problems


def test_eforms_values_come_from_the_lots_when_the_notice_gives_no_total():
    folder = NOTICE_FIXTURES / "eforms-sdk"
    maximal = (folder / "cn_24_maximal.xml").read_bytes()
    without_total = re.sub(rb"(<cac:ProcurementProject>(?:(?!</cac:ProcurementProject>).)*?)"
                           rb"<cbc:EstimatedOverallContractAmount[^<]*</cbc:EstimatedOverallContractAmount>",
                           rb"\1", maximal, count=1, flags=re.S)
    [notice] = parse(without_total)
    # Two lots of 9,999,999.99 EUR; the group of lots (GLO-0001) repeats them and is not counted again.
    assert [lot.identifier for lot in notice.lots] == ["GLO-0001", "LOT-0001", "LOT-0002"]
    assert (notice.estimated_value, notice.estimated_currency) == (Decimal("19999999.98"), "EUR")
    ukri = (folder / "can_24_UKRI.xml").read_bytes()
    [awarded] = parse(re.sub(rb"<cbc:TotalAmount[^<]*</cbc:TotalAmount>", b"", ukri))
    assert (awarded.awarded_value, awarded.awarded_currency) == (Decimal("60000000"), "GBP")


def test_ted_xml_winners_with_or_without_the_contractors_wrapper_and_values_by_lot_and_award():
    award = (TED_XML / "20-157399-001-EXP.xml").read_bytes()
    [wrapped] = parse(award)
    [bare] = parse(re.sub(rb"</?CONTRACTORS>", b"", award))
    assert bare.winners == wrapped.winners and len(wrapped.winners) >= 4
    # Without the notice's total, the awards' own values (VALUES/VAL_TOTAL) make it; here they give ranges
    # and estimates only, so there is no total to make rather than a wrong one.
    [no_total] = parse(re.sub(rb"<VAL_TOTAL CURRENCY=\"NOK\">4500000.00</VAL_TOTAL>", b"", award))
    assert wrapped.awarded_value == Decimal("4500000.00") and no_total.awarded_value is None
    competition = (TED_XML / "20-320448-001-EXP.xml").read_bytes()
    [lots] = parse(re.sub(rb"<VAL_ESTIMATED_TOTAL[^>]*>[^<]*</VAL_ESTIMATED_TOTAL>", b"", competition, count=1))
    assert [(lot.estimated_value, lot.currency) for lot in lots.lots] == [
        (Decimal("16000000.00"), "NOK"), (Decimal("4000000.00"), "NOK")]
    assert (lots.estimated_value, lots.estimated_currency) == (Decimal("20000000.00"), "NOK")


def test_ted_xml_f15_procedure_nested_under_its_directive():
    notice = (TED_XML / "20-320448-001-EXP.xml").read_bytes()
    nested = re.sub(rb"<PT_OPEN/>", b"<DIRECTIVE_2014_24_EU><PT_AWARD_CONTRACT_WITHOUT_CALL/></DIRECTIVE_2014_24_EU>",
                    notice, count=1)
    [parsed] = parse(nested)
    assert parsed.procedure == "neg-wo-call"


@pytest.mark.parametrize(("written", "code"), [("NOR", "NO"), ("NO", "NO"), ("UK", "GB"), ("EL", "GR"), ("gb", "GB"),
                                               ("United Kingdom", "GB"), ("Norge", "NO"), ("Atlantis", ""), ("", "")])
def test_countries_become_iso_alpha_2_and_stay_so(written, code):
    assert country_code(written) == code
    assert country_code(code) == code   # converting again changes nothing


def test_ted_xml_notice_type_follows_the_forms_notice_type_as_op_ted_maps_it():
    periodic = (NOTICE_FIXTURES / "ted-xml" / "22-434184-001-EXP.xml").read_bytes()
    [reducing] = parse(periodic)
    assert (reducing.notice_type, reducing.form_type) == ("pin-rtl", "planning")
    [only] = parse(periodic.replace(b'TYPE="PER_REDUCING_TIME_LIMITS"', b'TYPE="PER_ONLY"'))
    assert (only.notice_type, only.form_type) == ("pin-only", "planning")
    [call] = parse(periodic.replace(b'TYPE="PER_REDUCING_TIME_LIMITS"', b'TYPE="PER_CALL_COMPETITION"'))
    assert (call.notice_type, call.form_type) == ("pin-cfc-standard", "competition")
    qualification = (NOTICE_FIXTURES / "ted-xml" / "20-318547-001-EXP.xml").read_bytes()
    [f22] = parse(qualification)
    assert (f22.notice_type, f22.form_type) == ("qu-sy", "competition")
    # Without NOTICE TYPE, the coded document type (Q: qualification system) says the same.
    [untyped] = parse(qualification.replace(b'<NOTICE TYPE="QSU_ONLY"/>', b""))
    assert (untyped.notice_type, untyped.form_type) == ("qu-sy", "competition")


def test_ted_xml_corrigendum_procedure_and_new_deadline_from_its_changes_and_the_coded_data():
    corrigendum = (NOTICE_FIXTURES / "ted-xml" / "23-119901-001-EXP.xml").read_bytes()
    later_coded = corrigendum.replace(b"<DT_DATE_FOR_SUBMISSION>20230303", b"<DT_DATE_FOR_SUBMISSION>20230310")
    [changed] = parse(later_coded)
    assert (changed.procedure, changed.deadline) == ("open", date(2023, 3, 3))   # the change, before the coded date
    [coded] = parse(later_coded.replace(b"<SECTION>IV.2.2)</SECTION>", b"<SECTION>II.1.4)</SECTION>"))
    assert coded.deadline == date(2023, 3, 10) and not coded.problems
    [unspecified] = parse(corrigendum.replace(b'<PR_PROC CODE="1">', b'<PR_PROC CODE="Z">'))
    assert unspecified.procedure == ""
    # The form's own procedure wins over the coded one.
    competition = (TED_XML / "20-320448-001-EXP.xml").read_bytes()
    [form] = parse(competition.replace(b'<PR_PROC CODE="1">', b'<PR_PROC CODE="2">'))
    assert form.procedure == "open"
    # An award notice has no deadline, whatever the coded data says.
    award = (TED_XML / "20-157399-001-EXP.xml").read_bytes()
    [awarded] = parse(award.replace(b"</DS_DATE_DISPATCH>", b"</DS_DATE_DISPATCH><DT_DATE_FOR_SUBMISSION>20200301"
                                    b"</DT_DATE_FOR_SUBMISSION>"))
    assert awarded.deadline is None


def test_ocds_party_number_from_additional_identifiers_and_country_from_ocds_1_2_address_country():
    # As Doffin writes its OCDS: no identifier, the organization number only among additionalIdentifiers.
    doffin = {"id": "ORG-0001", "name": "Kongsbergregionen", "roles": ["buyer"], "identifier": None,
              "additionalIdentifiers": [{"id": "995969653", "scheme": "NO-BRC"}, {"id": "NO995969653MVA"}],
              "address": {"locality": "KONGSBERG", "country": "NO", "countryName": "Sverige"}}
    [notice] = parse(_release(parties=[doffin], buyer={"id": "ORG-0001"}, tender={"id": "t", "title": "Bygg"}))
    [buyer] = notice.buyers
    assert (buyer.org_number, buyer.scheme, buyer.country) == ("995969653", "NO-BRC", "NO")   # country before name
    assert buyer.other_identifiers == [{"scheme": "NO-BRC", "id": "995969653"}, {"scheme": "", "id": "NO995969653MVA"}]
    # An identifier with an id comes first; a country that is no country is none.
    identified = {**doffin, "identifier": {"scheme": "NO-ORG", "id": "940363586"}, "address": {"country": "Nowhere"}}
    [notice] = parse(_release(parties=[identified], buyer={"id": "ORG-0001"}, tender={"id": "t", "title": "Bygg"}))
    assert (notice.buyers[0].org_number, notice.buyers[0].scheme, notice.buyers[0].country) == (
        "940363586", "NO-ORG", "")


def test_ocds_title_and_classification_of_awards_and_contracts_when_the_tender_gives_none():
    def items(code):
        return [{"id": "1", "classification": {"scheme": "CPV", "id": code}}]

    award = {"id": "a", "status": "pending", "title": "Award of lanes", "description": "Awarded",
             "items": items("45233130")}
    contract = {"id": "c", "awardID": "a", "title": "Contract for lanes", "items": items("45233162-2")}
    [notice] = parse(_release(tag=["contract"], awards=[award], contracts=[contract]))
    assert (notice.title, notice.description) == ("Award of lanes", "Awarded")   # the award's before the contract's
    assert notice.cpv_codes == ["45233130", "45233162"] and notice.main_cpv == "45233130"
    [contract_only] = parse(_release(tag=["contract"], contracts=[contract]))
    assert contract_only.title == "Contract for lanes" and contract_only.cpv_codes == ["45233162"]
    # The tender's own title and classification come first; its unclassified items give way to the awards'.
    tender = {"id": "t", "title": "Lanes", "items": items("45000000")}
    [tendered] = parse(_release(tag=["award"], tender=tender, awards=[award]))
    assert (tendered.title, tendered.cpv_codes) == ("Lanes", ["45000000"])
    [unclassified] = parse(_release(tag=["award"], tender={**tender, "items": [{"id": "1"}]}, awards=[award]))
    assert unclassified.cpv_codes == ["45233130"]


def test_ocds_deadline_of_the_lots_planned_tenders_and_the_release_an_amendment_changes():
    lots = [{"id": "2", "tenderPeriod": {"endDate": "2024-07-01T10:00:00Z"}},
            {"id": "1", "tenderPeriod": {"endDate": "2024-06-19T10:00:00+00:00"}}, {"id": "3"}]
    [notice] = parse(_release(tag=["tender"], tender={"id": "t", "title": "Bygg", "lots": lots}))
    assert notice.deadline == date(2024, 6, 19)   # the earliest lot's, when the tender has no tenderPeriod
    [own] = parse(_release(tag=["tender"], tender={"id": "t", "title": "Bygg", "lots": lots,
                                                   "tenderPeriod": {"endDate": "2024-08-01T00:00:00Z"}}))
    assert own.deadline == date(2024, 8, 1)
    [planned] = parse(_release(tag=["tender"], tender={"id": "t", "title": "Bygg", "status": "planned"}))
    assert (planned.notice_type, planned.form_type) == ("pin-only", "planning")
    amendment = {"id": "1", "amendsReleaseID": "ocds-abc123-1-02-tender", "releaseID": "3"}
    [amending] = parse(_release(id="3", tag=["tenderAmendment"], tender={"id": "t", "amendments": [amendment]}))
    assert amending.previous == amending.previous_key == "ocds:ocds-abc123-1:ocds-abc123-1-02-tender"
    # A later release that repeats the amendment, or a compiled one, changes nothing itself.
    [later] = parse(_release(id="4", tag=["award"], tender={"id": "t", "amendments": [amendment]}))
    [compiled] = parse(_release(id="5", tag=["compiled"], tender={"id": "t", "amendments": [
        {key: value for key, value in amendment.items() if key != "releaseID"}]}))
    assert later.previous == compiled.previous == ""
