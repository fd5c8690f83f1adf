"""Open data out: `delbar export --format ocds` and the download write Delbar's published cases and
its notices as one OCDS 1.1 release package that validates against the official schema and passes
lib-cove-ocds, the Open Contracting Partnership's checker (both offline, from local schema files);
--format csv writes the same as a table."""

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from delbar.cases.models import Status
from delbar.notices import trail
from delbar.notices.importing import import_path
from delbar.notices.models import Notice
from delbar.opendata.ocds import notice_ocid, notice_release, release_schema
from delbar.orgs.models import CpvCode, Organization
from tests.conftest import FIXTURES
from tests.notice_files import DEMO_NOTICES, NOTICE_FIXTURES

pytestmark = pytest.mark.django_db
SCHEMAS = FIXTURES / "ocds-schema"


def _validator(package_schema: str) -> Draft4Validator:
    """The official schema of a package, with every schema it refers to read from the local files."""
    schemas = [json.loads(path.read_text()) for path in sorted(SCHEMAS.glob("*.json"))]
    registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)) for schema in schemas)
    package = json.loads((SCHEMAS / package_schema).read_text())
    return Draft4Validator(package, registry=registry, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def validator():
    return _validator("release-package-schema.json")


def _errors(validator, package) -> list[str]:
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(package)]


@pytest.fixture(scope="module")
def cove(tmp_path_factory):
    """lib-cove-ocds on a package, offline: it reads the standard's schema and codelists from an archive
    shaped like the standard's own (open-contracting/standard at 1__1__5), built here from the fixtures.
    Returns what it found wrong, by kind; {} is a clean package."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    archive = tmp_path_factory.mktemp("standard") / "standard.zip"
    with zipfile.ZipFile(archive, "w") as standard:
        standard.writestr("standard-1__1__5/", "")
        for path in sorted(SCHEMAS.rglob("*.*")):
            standard.write(path, f"standard-1__1__5/schema/{path.relative_to(SCHEMAS)}")
    config = LibCoveOCDSConfig({"standard_zip": archive.as_uri(), "context": "api"})

    def check(package: dict) -> dict:
        result = ocds_json_output(str(tmp_path_factory.mktemp("cove")), json_data=package, schema_version="1.1",
                                  lib_cove_ocds_config=config, record_pkg=False)
        closed = result["additional_closed_codelist_values"]
        found = {"validation errors": [json.loads(error)["message"] for error, _ in result["validation_errors"]],
                 "fields outside OCDS": [f"{f['path']}/{f['field']}" for f in result["additional_fields"]],
                 "codes outside closed codelists": {path: sorted(value["values"]) for path, value in closed.items()},
                 "additional checks": {name: len(found) for name, found in (result["additional_checks"] or {}).items()},
                 "deprecated fields": list(result["deprecated_fields"])}
        return {kind: problems for kind, problems in found.items() if problems}

    return check


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


def test_the_ocds_export_validates_against_the_official_schema(content, validator, cove):
    out = io.StringIO()
    call_command("export", format="ocds", stdout=out, stderr=io.StringIO())
    package = json.loads(out.getvalue())
    assert _errors(validator, package) == []
    assert cove(package) == {}
    releases = package["releases"]
    assert len(releases) == Notice.objects.current().count() + 1
    assert len({release["id"] for release in releases}) == len(releases)
    [case] = [release for release in releases if release["ocid"].endswith(f"-case-{content.pk}")]
    assert case["tender"]["procurementMethod"] == "selective" and case["tender"]["value"]["amount"] == 2_400_000
    # Delbar's organizations are Norwegian: their numbers are the Norwegian register's (org-id.guide NO-BRC).
    assert case["awards"][0]["suppliers"][0]["id"] == "NO-BRC-974760673"
    assert case["tender"]["items"][0]["classification"] == {"scheme": "CPV", "id": "42000000",
                                                            "description": CpvCode.objects.get(pk="42000000").name}
    assert not any("utkast" in release["tender"]["title"] for release in releases)
    awarded = next(release for release in releases if release["tender"]["title"].startswith("Winter Maintenance"))
    assert awarded["tag"] == ["award"] and awarded["awards"][0]["value"] == {"amount": 4500000.0, "currency": "NOK"}
    assert awarded["buyer"]["id"] == "NO-BRC-940363586"


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


def test_every_fixture_notice_exports_as_lib_cove_ocds_accepts(db, cove):
    """Real notices nobody here wrote: eForms SDK examples, DFØ's Norwegian tests, TED conversions and OCDS
    from other publishers, as one package."""
    import_path(NOTICE_FIXTURES)
    out = io.StringIO()
    call_command("export", format="ocds", kind="notices", include_superseded=True, stdout=out, stderr=io.StringIO())
    package = json.loads(out.getvalue())
    assert len(package["releases"]) == Notice.objects.count() > 100
    assert cove(package) == {}
    # `ocdskit compile` (with the shipped 1.1.5 release schema, offline) makes one record per procurement: the
    # same processes as Delbar's own record package, and none that joins unrelated buyers' notices.
    from ocdskit.combine import merge

    [compiled] = merge([package], schema=release_schema(), return_package=True)
    records = {record["ocid"]: record for record in compiled["records"]}
    out = io.StringIO()
    call_command("export", format="ocds-records", kind="notices", include_superseded=True, stdout=out,
                 stderr=io.StringIO())
    assert set(records) == {record["ocid"] for record in json.loads(out.getvalue())["records"]}
    trails = {trail_id for trail_id, format, identifier in Notice.objects.values_list("trail", "format", "notice_id")
              if not (format == "ocds" and trail.REGISTERED_OCID.match(identifier))}
    assert sum(ocid.startswith("ocds-delbar-procurement-") for ocid in records) == len(trails)
    # A record's buyers are those its notices name (joint procurements name several), never more.
    named = {}
    for notice in Notice.objects.all():
        named.setdefault(notice_ocid(notice), set()).update(buyer["name"] for buyer in notice.buyers if buyer["name"])
    for ocid, record in records.items():
        buyers = {party["name"] for party in record["compiledRelease"].get("parties", []) if "buyer" in party["roles"]}
        assert buyers <= named[ocid], (ocid, buyers - named[ocid])
    assert max(len(buyers) for buyers in named.values()) < 10


def notice(**fields) -> Notice:
    values = {"key": "n:1", "format": "eforms", "notice_id": "n", "version": "1", "title": "Renhold",
              "procedure_id": "d8e0c26b-6206-4588-85f5-946afb84a37d", "family": "result",
              "publication_date": date(2024, 3, 1), "fetched_at": datetime(2024, 3, 2, tzinfo=UTC),
              "buyers": [{"name": "Bergen kommune", "org_number": "964 338 531", "country": "NO"}]}
    return Notice(**{**values, **fields})


def test_only_a_norwegian_party_gets_a_norwegian_identifier():
    french = notice(buyers=[{"name": "SNCF", "org_number": "552049447", "country": "FR", "city": "Paris"}])
    release = notice_release(french, {})
    [party] = release["parties"]
    assert "identifier" not in party and party["id"] == "buyer-1"
    assert party["address"] == {"locality": "Paris", "countryName": "France"}
    [bergen] = notice_release(notice(), {})["parties"]
    assert bergen["identifier"] == {"scheme": "NO-BRC", "id": "964338531", "legalName": "Bergen kommune"}
    # A number with no country says nothing of its register.
    [unknown] = notice_release(notice(buyers=[{"name": "X", "org_number": "964338531"}]), {})["parties"]
    assert "identifier" not in unknown and "address" not in unknown
    # The scheme a source names is kept as it gave it.
    [british] = notice_release(notice(format="ocds", buyers=[
        {"name": "Barnet", "org_number": "GB-LAC-E09000003", "scheme": "GB-LAC", "country": "GB"}]), {})["parties"]
    assert british["identifier"]["scheme"] == "GB-LAC" and british["id"] == "GB-LAC-GB-LAC-E09000003"


def test_codes_outside_the_standards_lists_are_left_out_not_passed_on():
    release = notice_release(notice(language="est", awarded_value=10, awarded_currency="MNX",
                                    estimated_value=5, estimated_currency="NOK", winners=[{"name": ""}]), {})
    assert release["language"] == "et"
    assert release["tender"]["value"] == {"amount": 5.0, "currency": "NOK"}
    assert "value" not in release["awards"][0] and "suppliers" not in release["awards"][0]
    assert "language" not in notice_release(notice(language="engli"), {})
    assert "buyer" in release and "classification" not in release["tender"]


@pytest.mark.django_db
def test_one_procedure_identifier_is_one_process_only_for_one_buyer():
    def stored(**fields):
        saved = notice(**fields)
        saved.save()
        trail.link(saved)
        return saved.pk

    ids = [stored(), stored(key="n:2", notice_id="n2", version="2"),
           stored(key="m:1", notice_id="m",
                  buyers=[{"name": "Oslo kommune", "org_number": "958935420", "country": "NO"}])]
    bergen, again, oslo = (Notice.objects.get(pk=pk) for pk in ids)
    assert notice_ocid(bergen) == notice_ocid(again) != notice_ocid(oslo)
    assert notice_ocid(bergen) == f"ocds-delbar-procurement-{bergen.trail}"
    assert notice_ocid(notice(procedure_id="")) != notice_ocid(notice(key="n:9", procedure_id=""))
    registered = notice(format="ocds", notice_id="ocds-213czf-000-00001", procedure_id="ocds-213czf-000-00001")
    assert notice_ocid(registered) == "ocds-213czf-000-00001"
    local = notice(format="ocds", notice_id="10", procedure_id="10")
    assert notice_ocid(local).startswith("ocds-") and notice_ocid(local) != "10"


def test_the_record_package_holds_each_process_once_with_its_compiled_release(content, cove, client):
    out = io.StringIO()
    call_command("export", format="ocds", kind="notices", include_superseded=True, stdout=out, stderr=io.StringIO())
    released = json.loads(out.getvalue())["releases"]
    out = io.StringIO()
    call_command("export", format="ocds-records", kind="notices", include_superseded=True, stdout=out,
                 stderr=io.StringIO())
    package = json.loads(out.getvalue())
    assert _errors(_validator("record-package-schema.json"), package) == []
    # lib-cove-ocds reads a record package's schema from the standard's web site, which these machines
    # cannot reach; what it would check of the records is their compiled releases, checked here as releases.
    compiled = [record["compiledRelease"] for record in package["records"]]
    assert cove({key: value for key, value in package.items() if key != "records"} | {"releases": compiled}) == {}
    records = {record["ocid"]: record for record in package["records"]}
    assert len(records) == len(package["records"]) == len({release["ocid"] for release in released})
    for ocid, record in records.items():
        assert sorted(release["id"] for release in record["releases"]) == sorted(
            release["id"] for release in released if release["ocid"] == ocid)
    barnet = records["ocds-213czf-000-00001"]
    dates = [release["date"] for release in barnet["releases"]]
    assert len(dates) >= 5 and dates == sorted(dates)
    # The compiled release is the process as it stands: the last release's title, every party once.
    compiled = barnet["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["ocid"] == "ocds-213czf-000-00001"
    assert compiled["tender"]["title"] == next(release["tender"]["title"] for release in reversed(barnet["releases"])
                                               if release.get("tender", {}).get("title"))
    assert len({party["id"] for party in compiled["parties"]}) == len(compiled["parties"])
    # The download holds the current notices, as the release package's download does, sorted by ocid.
    current = json.loads(b"".join(client.get("/open-data/ocds.json?kind=notices").streaming_content))["releases"]
    response = client.get("/open-data/ocds-records.json?kind=notices")
    streamed = json.loads(b"".join(response.streaming_content))["records"]
    assert [record["ocid"] for record in streamed] == sorted({release["ocid"] for release in current})


def test_additional_identifiers_are_kept_on_the_way_in_and_out(db):
    # open-contracting's worked example: the contract release, whose award to Balfour Beatty is active.
    import_path(NOTICE_FIXTURES / "ocds" / "contract.json")
    notice = Notice.objects.get()
    [winner] = [party for party in notice.winners if party["name"] == "Balfour Beatty"]
    assert winner["other_identifiers"] == [{"scheme": "GB-VAT", "id": "217967235"}]
    [supplier] = [party for party in notice_release(notice, {})["parties"] if party["name"] == "Balfour Beatty"]
    assert supplier["additionalIdentifiers"] == [{"scheme": "GB-VAT", "id": "217967235"}]
