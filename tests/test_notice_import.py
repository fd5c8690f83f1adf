"""Importing notices: every file imports, the same files twice change nothing, a corrected notice
supersedes the version it corrects (in whichever order they arrive), a broken file skips only itself
with a reason, provenance and the raw document are kept, buyers are matched to organizations, and
discovery marks the innovative notices with their reasons. Real files, the real e5 embedder."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from delbar.notices import discovery
from delbar.notices.importing import import_document, import_path, index_missing
from delbar.notices.models import Notice, Review, Source
from delbar.orgs.models import Organization
from delbar.search.engine import load_documents, search
from delbar.search.models import SearchDocument
from tests.notice_files import DEMO_NOTICES, DOFFIN, NOTICE_FIXTURES, TED_XML

pytestmark = pytest.mark.django_db


def _state():
    """Everything an import writes, to compare before and after a second import."""
    return (list(Notice.objects.order_by("pk").values_list("pk", "key", "superseded_by", "raw_sha256", "signal",
                                                          "trail", "also_from")),
            list(SearchDocument.objects.filter(kind="notice").order_by("pk").values_list("pk", "version", "removed")))


def test_every_file_imports_and_a_second_import_changes_nothing():
    report = import_path(DEMO_NOTICES)
    assert report.created == 65 and not report.skipped
    assert Notice.objects.filter(source_file__contains="/doffin/").count() == 60
    before = _state()
    again = import_path(DEMO_NOTICES)
    assert again.created == 0 and again.unchanged == 65 and not again.skipped
    assert _state() == before


def test_importing_every_notice_file_again_changes_nothing():
    first = [import_path(DEMO_NOTICES), import_path(NOTICE_FIXTURES)]
    assert sum(report.created for report in first) > 150 and sum(report.merged for report in first) >= 4
    before = _state()
    again = [import_path(DEMO_NOTICES), import_path(NOTICE_FIXTURES)]
    assert sum(report.created + report.merged + report.superseded for report in again) == 0
    assert _state() == before


def test_the_fixture_files_import_leniently_with_problems_recorded():
    report = import_path(NOTICE_FIXTURES)
    # Validator test sets are not notices; some SDK examples reuse one identifier for different notices.
    reasons = [reason for _, reason in report.skipped]
    assert all("not a notice" in reason or "same identity" in reason or "not OCDS" in reason for reason in reasons)
    files = [path for path in NOTICE_FIXTURES.rglob("*") if path.suffix in (".xml", ".json")]
    assert report.created + len(report.skipped) == len(files)      # each file: a notice, or a reason
    assert report.created > 100 and report.with_problems > 10
    invalid = Notice.objects.get(source_file__endswith="INVALID_cn_24_empty.xml")
    assert invalid.problems and invalid.notice_id.startswith("sha256-")
    assert SearchDocument.objects.filter(kind="notice", removed=False).count() == Notice.objects.current().count()


def test_a_change_notice_supersedes_the_version_it_changes_in_any_order():
    folder = NOTICE_FIXTURES / "eforms-sdk"
    change = (folder / "change-cn_24_open_dates.xml").read_bytes()
    report = import_document(change, source=Source.FILE, source_file="change.xml", report=_report())
    original = next(path for path in folder.glob("*.xml") if b"c4c415ee-ac08-4465-8fa6-57568cf69462</cbc:ID>"
                    in path.read_bytes())
    import_path(original)
    old = Notice.objects.get(key="c4c415ee-ac08-4465-8fa6-57568cf69462:1")
    new = Notice.objects.get(previous=old.key)
    assert report and old.superseded_by == new and new.superseded_by is None
    assert list(Notice.objects.current().filter(pk__in=[old.pk, new.pk])) == [new]
    live = set(SearchDocument.objects.filter(kind="notice", removed=False).values_list("object_id", flat=True))
    assert new.pk in live and old.pk not in live


def _report():
    from delbar.notices.importing import ImportReport
    return ImportReport()


def _version(document: bytes, version: str, title: str) -> bytes:
    document = re.sub(rb"<cbc:VersionID>\d+</cbc:VersionID>", f"<cbc:VersionID>{version}</cbc:VersionID>".encode(),
                      document, count=1)
    return re.sub(rb"(<cac:ProcurementProject>.*?<cbc:Name[^>]*>)[^<]*", rb"\g<1>" + title.encode(), document,
                  count=1, flags=re.DOTALL)


def test_a_new_version_supersedes_the_old_and_search_finds_only_the_new():
    original = (DOFFIN / "ContractNotice_cn-standard_2024-107345.xml").read_bytes()
    import_document(_version(original, "02", "Byggeledelse renseanlegg korrigert"), source=Source.FILE,
                    source_file="v2.xml", report=_report())
    import_document(original, source=Source.FILE, source_file="v1.xml", report=_report())
    index_missing()
    versions = Notice.objects.filter(notice_id="870ff007-688a-4ad1-9ad7-28c2ae514b40").order_by("version")
    assert [(notice.version, notice.superseded_by_id is None) for notice in versions] == [("1", False), ("2", True)]
    titles = [hit.document.title for hit in load_documents(search("Byggeledelse renseanlegg", kinds=["notice"]).hits)]
    assert "Byggeledelse renseanlegg korrigert" in titles and "Byggeledelse" not in titles


def test_a_different_document_under_a_stored_identity_is_reported_and_the_first_kept():
    original = (DOFFIN / "ContractNotice_cn-standard_2024-107345.xml").read_bytes()
    import_document(original, source=Source.FILE, source_file="first.xml", report=_report())
    report = _report()
    import_document(_version(original, "01", "Something else"), source=Source.FILE, source_file="second.xml",
                    report=report)
    assert report.conflicting == 1 and "already stored" in report.skipped[0][1]
    assert Notice.objects.get(notice_id="870ff007-688a-4ad1-9ad7-28c2ae514b40").title == "Byggeledelse"


def test_a_broken_file_skips_only_itself_with_a_reason(tmp_path):
    for path in list(DOFFIN.glob("ContractNotice_cn-standard_*.xml"))[:3]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "broken.xml").write_bytes(b"<ContractNotice><cbc:ID>unclosed")
    (tmp_path / "bomb.xml").write_bytes(b'<!DOCTYPE x [<!ENTITY a "aaaa">]><ContractNotice>&a;</ContractNotice>')
    (tmp_path / "notes.json").write_bytes(b'{"hello": "world"}')
    out, err = io.StringIO(), io.StringIO()
    call_command("import", str(tmp_path), stdout=out, stderr=err)
    assert "3 new notices" in out.getvalue() and "3 skipped" in out.getvalue()
    assert "broken.xml: skipped: not well-formed XML" in err.getvalue()
    assert "bomb.xml: skipped: XML with a document type declaration (DTD) is refused" in err.getvalue()
    assert "notes.json: skipped: not OCDS" in err.getvalue()
    assert Notice.objects.count() == 3
    # A summary table follows the line: a row per count.
    rows = dict(re.findall(r"^  (\S.*?)\s{2,}(\d[\d,]*)$", out.getvalue(), flags=re.M))
    assert rows["new"] == "3" and rows["skipped"] == "3" and rows["already present"] == "0"
    again = io.StringIO()
    call_command("import", str(tmp_path), stdout=again, stderr=io.StringIO())
    assert dict(re.findall(r"^  (\S.*?)\s{2,}(\d[\d,]*)$", again.getvalue(), flags=re.M))["already present"] == "3"


def test_the_import_command_refuses_a_missing_path():
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import", "/nowhere/notices", kind="notices")


def test_provenance_and_the_raw_document_are_kept(client):
    path = TED_XML / "20-157399-001-EXP.xml"
    import_path(path)
    notice = Notice.objects.get()
    assert bytes(notice.raw) == path.read_bytes() and notice.source_file == str(path)
    assert notice.source == Source.FILE and notice.fetched_at is not None and notice.format == "ted-xml"
    response = client.get(f"/notices/{notice.pk}/document/")
    assert response.status_code == 200 and response.content == path.read_bytes()
    assert response["Content-Type"] == "application/xml" and "attachment" in response["Content-Disposition"]


def test_buyers_are_matched_to_organizations_and_counties():
    import_path(TED_XML)
    kafjord = Notice.objects.get(publication_number="154292-2020")
    assert kafjord.organization == Organization.objects.get(name="Kåfjord")
    assert kafjord.county_id == kafjord.organization.county_id
    bergen = Notice.objects.get(publication_number="119321-2021")       # "Bergen kommune — Innkjøp konsern"
    assert bergen.organization.municipality_number == "4601"
    skyss = Notice.objects.get(publication_number="119337-2021")
    assert skyss.organization is None


def test_discovery_finds_the_innovative_notices_and_says_why():
    import_path(DEMO_NOTICES)
    import_path(NOTICE_FIXTURES / "eforms-sdk" / "cn_24_maximal.xml")
    conference = Notice.objects.get(title__startswith="Invitasjon til dialogkonferanse")
    assert conference.signal == "strong" and {"dialogue"} <= {r["code"] for r in conference.signal_reasons}
    dialogue = Notice.objects.get(title="Markedsdialog Nettverksutstyr")
    assert dialogue.signal == "some" and dialogue.review == Review.PENDING
    assert Notice.objects.get(title="Byggeledelse").signal == ""
    flagged = Notice.objects.get(source_file__endswith="cn_24_maximal.xml")
    assert flagged.signal == "strong" and {"bt776", "procedure"} <= {r["code"] for r in flagged.signal_reasons}
    assert Notice.objects.discovered().count() >= 5


@pytest.mark.parametrize(("fields", "level", "codes"), [
    ({"procedure": "innovation"}, "strong", ["procedure"]),
    ({"procedure": "comp-dial"}, "some", ["procedure"]),
    ({"procedure": "neg-w-call"}, "", ["procedure"]),
    ({"innovative_acquisition": ["mar-nov"]}, "strong", ["bt776"]),
    ({"innovative_acquisition": ["none"]}, "", []),
    ({"strategic_procurement": ["inn-pur"]}, "some", ["strategic"]),
    ({"cpv_codes": ["73110000"]}, "some", ["pre-commercial"]),
    ({"cpv_codes": ["73000000"]}, "", ["research"]),
    ({"texts": ["Førkommersiell anskaffelse av sensorer"]}, "some", ["pre-commercial"]),
    ({"texts": ["Invitasjon til dialogkonferanse"], "family": "planning"}, "some", ["dialogue"]),
    ({"texts": ["Vi stiller funksjonskrav og ønsker innovative løsninger"]}, "some", ["functional", "words"]),
    ({"texts": ["Vask av kontorlokaler"]}, "", []),
])
def test_discovery_rules(fields, level, codes):
    values = {"procedure": "", "innovative_acquisition": [], "strategic_procurement": [], "family": "competition",
              "cpv_codes": [], "texts": [], **fields}
    finding = discovery.assess(**values)
    assert finding.level == level
    assert [reason["code"] for reason in finding.reasons] == codes
    assert all(discovery.explain(reason) for reason in finding.reasons)


def test_the_same_notice_minified_indented_or_repackaged_is_the_same_notice():
    import json

    from delbar.notices.importing import ImportReport

    release = {"ocid": "ocds-abc123-7", "id": "7-tender", "date": "2024-01-05T00:00:00Z", "tag": ["tender"],
               "buyer": {"name": "Oslo kommune"}, "tender": {"id": "7", "title": "Elektriske ferjer"}}
    report = ImportReport()
    import_document(json.dumps(release).encode(), source=Source.FILE, source_file="a.json", report=report)
    # Indented, keys reordered, and inside a release package beside another release: the same release.
    package = {"version": "1.1", "releases": [{"ocid": "ocds-abc123-8", "id": "8", "date": "2024-01-06T00:00:00Z",
                                               "tender": {"id": "8", "title": "Annet"}},
                                              dict(reversed(list(release.items())))]}
    import_document(json.dumps(package, indent=4).encode(), source=Source.FILE, source_file="b.json", report=report)
    assert (report.created, report.unchanged, report.conflicting) == (2, 1, 0)
    # An eForms notice with other whitespace and attribute order is the same notice too.
    eforms = next(DOFFIN.glob("*.xml")).read_bytes()
    first = ImportReport()
    import_document(eforms, source=Source.FILE, source_file="c.xml", report=first)
    reformatted = re.sub(rb">\s*<", b">\n    <", eforms)
    second = ImportReport()
    import_document(reformatted, source=Source.FILE, source_file="d.xml", report=second)
    assert first.created == 1 and (second.created, second.unchanged, second.conflicting) == (0, 1, 0)
    # A changed release under the same identity is still a conflict, and the first is kept.
    changed = {**release, "tender": {"id": "7", "title": "Dieselferjer"}}
    third = ImportReport()
    import_document(json.dumps(changed).encode(), source=Source.FILE, source_file="e.json", report=third)
    assert third.conflicting == 1 and Notice.objects.get(notice_id="ocds-abc123-7").title == "Elektriske ferjer"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_import_command_draws_a_progress_bar_on_a_terminal_and_says_each_skip_as_it_happens(tmp_path):
    for path in sorted(TED_XML.glob("*.xml"))[:2]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "broken.xml").write_bytes(b"<not closed")
    terminal, out = Terminal(), io.StringIO()
    call_command("import", str(tmp_path), stdout=out, stderr=terminal)
    lines = terminal.getvalue().split("\r")
    assert any("broken.xml: skipped:" in line for line in lines)
    assert "[" + "#" * 24 + "] 3 of 3 files · 2 new" in terminal.getvalue()
    assert re.search(r"skipped\s+1\n", out.getvalue()) and re.search(r"new\s+2\n", out.getvalue())
    assert "2 documents wait for the task worker" in out.getvalue()
