"""`delbar import` and `delbar export` with the case interchange format."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from delbar.audit.models import AuditEvent
from delbar.cases.models import Case, CaseRevision
from delbar.orgs.models import Organization

EVAL_CASES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev" / "cases.jsonl"
DEMO_CASES = Path(__file__).resolve().parents[1] / "delbar" / "demo" / "cases.jsonl"

GOOD = [
    {"id": "x-1", "title": "Elektrisk ferje", "summary": "En ferje.",
     "buyer": {"kommunenummer": "4601", "name": "Bergen"},
     "sector": "samferdsel", "procedure": "innovation-partnership", "category": "AAI", "cpv": ["34512000"],
     "year": 2020, "outcome": "success", "language": "nb", "unknown_key": "ignored"},
    {"id": "x-2", "title": "Nattilsyn", "summary": "Kamera om natten.", "buyer": {"kommunenummer": "4621"},
     "sector": "helse-omsorg", "suppliers": [{"name": "Nordlys AS", "kind": "supplier"}]},
]


def write(tmp_path, rows, name="cases.jsonl"):
    path = tmp_path / name
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n"
                            for row in rows), encoding="utf-8")
    return path


def run_import(path):
    out = io.StringIO()
    call_command("import", str(path), stdout=out)
    return out.getvalue()


def test_good_file_then_same_file_again_changes_nothing(db, tmp_path):
    path = write(tmp_path, GOOD)
    assert "2 created, 0 updated, 0 unchanged" in run_import(path)
    case = Case.objects.get(external_id="x-1")
    assert case.is_published and case.category == "aai" and case.lead_buyer.name == "Bergen"
    assert list(case.cpv_codes.values_list("code", flat=True)) == ["34512000"]
    before = (CaseRevision.objects.count(), AuditEvent.objects.count(), Organization.objects.count())
    assert "0 created, 0 updated, 2 unchanged" in run_import(path)
    assert (CaseRevision.objects.count(), AuditEvent.objects.count(), Organization.objects.count()) == before
    assert Case.objects.count() == 2


def test_changed_line_updates_in_place(db, tmp_path):
    run_import(write(tmp_path, GOOD))
    changed = [{**GOOD[0], "title": "Batterielektrisk ferje"}, GOOD[1]]
    assert "0 created, 1 updated, 1 unchanged" in run_import(write(tmp_path, changed))
    assert Case.objects.get(external_id="x-1").title == "Batterielektrisk ferje"


@pytest.mark.parametrize(("bad_line", "message"), [
    ("{not json", "line 2: not valid JSON"),
    ({**GOOD[1], "sector": "romfart"}, "line 2: unknown sector 'romfart'"),
    ({**GOOD[1], "buyer": {"kommunenummer": "9999"}}, "line 2: unknown municipality number 9999"),
    ({**GOOD[1], "cpv": ["1234"]}, "line 2: cpv must be a list of 8-digit CPV codes"),
    ({**GOOD[1], "cpv": ["99999999"]}, "line 2: unknown CPV code 99999999"),
    ({k: v for k, v in GOOD[1].items() if k != "summary"}, "line 2: missing required key 'summary'"),
    ({**GOOD[1], "buyer": {"org_number": "123456789", "name": "X"}}, "line 2: buyer: 123456789 is not a valid"),
    ({**GOOD[1], "id": "x-1"}, "line 2: id 'x-1' already appears on line 1"),
    ({**GOOD[1], "year": "2020"}, "line 2: year must be a whole number"),
    ("[1, 2]", "line 2: each line must be a JSON object"),
])
def test_one_bad_line_rejects_the_file(db, tmp_path, bad_line, message):
    path = write(tmp_path, [GOOD[0], bad_line])
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert message in str(error.value) and "Nothing was imported" in str(error.value)
    assert not Case.objects.exists()


def test_missing_file_and_non_utf8_are_clear_errors(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "nope.jsonl")
    latin = tmp_path / "latin1.jsonl"
    latin.write_bytes(json.dumps({**GOOD[0], "title": "Båt på fjorden"}, ensure_ascii=False).encode("latin-1") + b"\n")
    with pytest.raises(CommandError, match="UTF-8"):
        run_import(latin)


def test_unknown_org_number_creates_a_state_agency(db, tmp_path):
    row = {**GOOD[0], "buyer": {"org_number": "971032081", "name": "Statens vegvesen"}}
    run_import(write(tmp_path, [row]))
    buyer = Case.objects.get().lead_buyer
    assert buyer.org_number == "971032081" and buyer.kind == "state-agency"


def test_eval_set_loads_completely_and_idempotently(db):
    assert "90 created" in run_import(EVAL_CASES)
    assert "90 unchanged" in run_import(EVAL_CASES)


def test_export_import_export_is_identical(db, tmp_path, django_db_blocker):
    run_import(DEMO_CASES)
    first = tmp_path / "first.jsonl"
    call_command("export", "-o", str(first))
    lines = first.read_text(encoding="utf-8").splitlines()
    assert len(lines) == Case.objects.published().count() >= 40
    # Into an empty database: remove every case and the organizations the import made.
    Case.objects.all().delete()
    Organization.objects.filter(kind__in=["supplier", "state-agency", "public-company"]).delete()
    run_import(first)
    second = tmp_path / "second.jsonl"
    call_command("export", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_reimport_only_reads(db, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [{**GOOD[0], "benefits": [{"kind": "climate", "description": "Mindre CO₂", "amount": 95, "unit": "%"}],
             "links": [{"kind": "web", "url": "https://example.no/ferje"}], "other_sectors": ["klima-energi"]},
            GOOD[1]]
    path = write(tmp_path, rows)
    run_import(path)
    with CaptureQueriesContext(connection) as queries:
        assert "2 unchanged" in run_import(path)
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    # ...and a real change is still seen: a benefit's amount, then a publication date.
    rows[0]["benefits"][0]["amount"] = 96
    assert "1 updated, 1 unchanged" in run_import(write(tmp_path, rows))
    assert Case.objects.get(external_id="x-1").benefits.get().amount == 96
    rows[1]["published_at"] = "2020-05-01T10:00:00+02:00"
    run_import(write(tmp_path, rows))
    assert Case.objects.get(external_id="x-2").published_at.year == 2020
