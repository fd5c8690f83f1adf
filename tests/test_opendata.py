"""Open data out: `delbar export --format ocds` and the download write Delbar's published cases and
its notices as one OCDS 1.1 release package that validates against the official schema (local files,
offline); --format csv writes the same as a table."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from delbar.cases.models import Status
from delbar.notices.importing import import_path
from delbar.notices.models import Notice
from delbar.orgs.models import CpvCode, Organization
from tests.conftest import FIXTURES
from tests.notice_files import DEMO_NOTICES, NOTICE_FIXTURES

pytestmark = pytest.mark.django_db
SCHEMAS = FIXTURES / "ocds-schema"


@pytest.fixture(scope="module")
def validator():
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    registry = Registry().with_resources([
        (release["id"], Resource.from_contents(release, default_specification=DRAFT4)),
        (package["id"], Resource.from_contents(package, default_specification=DRAFT4))])
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


def _errors(validator, package) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(package)]


@pytest.fixture
def content(make_case, cast):
    import_path(DEMO_NOTICES)
    import_path(NOTICE_FIXTURES / "ocds")
    supplier = Organization.objects.get(name="Dave Robotics AS")
    case = make_case(Status.PUBLISHED, contract_value_nok=2_400_000, procedure="innovation-partnership")
    case.suppliers.add(supplier)
    case.cpv_codes.add(CpvCode.objects.get(pk="42000000"))
    make_case(Status.DRAFT, title="Et utkast som ikke skal ut")
    return case


def test_the_ocds_export_validates_against_the_official_schema(content, validator):
    out = io.StringIO()
    call_command("export", format="ocds", stdout=out, stderr=io.StringIO())
    package = json.loads(out.getvalue())
    assert _errors(validator, package) == []
    releases = package["releases"]
    assert len(releases) == Notice.objects.current().count() + 1
    assert len({release["id"] for release in releases}) == len(releases)
    [case] = [release for release in releases if release["ocid"].endswith(f"-case-{content.pk}")]
    assert case["tender"]["procurementMethod"] == "selective" and case["tender"]["value"]["amount"] == 2_400_000
    assert case["awards"][0]["suppliers"][0]["id"] == "NO-ORG-974760673"
    assert case["tender"]["items"][0]["classification"] == {"scheme": "CPV", "id": "42000000",
                                                            "description": CpvCode.objects.get(pk="42000000").name}
    assert not any("utkast" in release["tender"]["title"] for release in releases)
    awarded = next(release for release in releases if release["tender"]["title"].startswith("Winter Maintenance"))
    assert awarded["tag"] == ["award"] and awarded["awards"][0]["value"] == {"amount": 4500000.0, "currency": "NOK"}
    assert awarded["buyer"]["id"] == "NO-ORG-940363586"


def test_the_notice_versions_of_one_procedure_share_an_ocid(content):
    out = io.StringIO()
    call_command("export", format="ocds", kind="notices", include_superseded=True, stdout=out, stderr=io.StringIO())
    releases = json.loads(out.getvalue())["releases"]
    barnet = [release for release in releases if release["ocid"] == "ocds-213czf-000-00001"]
    assert len(barnet) >= 5 and len({release["id"] for release in barnet}) == len(barnet)


def test_the_download_streams_the_same_package(content, client, validator):
    response = client.get("/open-data/ocds.json?kind=notices")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    package = json.loads(b"".join(response.streaming_content))
    assert _errors(validator, package) == [] and len(package["releases"]) == Notice.objects.current().count()
    assert client.get("/open-data/ocds.json?kind=needs").status_code == 404


def test_the_csv_export(content, client):
    out = io.StringIO()
    call_command("export", format="csv", stdout=out, stderr=io.StringIO())
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == Notice.objects.current().count() + 1
    case = next(row for row in rows if row["kind"] == "case")
    assert case["value"] == "2400000" and case["currency"] == "NOK" and case["buyer"] == "Bergen"
    flagged = [row for row in rows if row["innovation_signal"]]
    assert flagged and all(row["innovation_reasons"] for row in flagged)
    response = client.get("/open-data/delbar.csv")
    assert b"".join(response.streaming_content).decode() .count("\n") == len(rows) + 1


def test_an_empty_ocds_export_is_a_clear_error(db):
    with pytest.raises(CommandError, match="nothing to export"):
        call_command("export", format="ocds", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="not part of the OCDS"):
        call_command("export", format="ocds", kind="needs", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--format ocds or --format csv"):
        call_command("export", kind="notices", stdout=io.StringIO())
