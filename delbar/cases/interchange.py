"""The case interchange format (docs/interchange.md; shared/formats/cases.md): JSON Lines in and out.

Import reads the whole file and checks every line before writing anything, then writes it in one
transaction: a bad line rejects the file with its line number and reason, and nothing is written.
Cases are keyed by `id`, so importing the same file again changes nothing. Export writes a superset
of the format that imports back to the same export.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from delbar import search as search_index
from delbar.cases import actions
from delbar.cases.models import Benefit, Case, CaseLink, CaseRevision, Category, Outcome, Procedure, Status
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.orgs.numbers import is_valid_org_number

REQUIRED = ("id", "title", "summary", "buyer", "sector")
TEXT_FIELDS = ("need", "requirements", "solution", "lessons", "what_went_wrong", *Case.ROGERS_FIELDS)
CATEGORY_BY_CODE = {"IIA": Category.IIA, "AAI": Category.AAI}


class InterchangeError(ValueError):
    """A line that breaks the format; the message names the line."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass
class CaseRecord:
    """One valid line, with its references resolved (except organizations still to be created)."""

    external_id: str
    lead_buyer: Organization | dict
    fields: dict
    relations: dict
    status: str
    published_at: dt.datetime | None
    new_organizations: list[dict] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


class _Resolver:
    """Looks up reference data once per file, so a 10,000-line file costs a handful of queries."""

    def __init__(self):
        self.sectors = {sector.pk: sector for sector in Sector.objects.all()}
        self.municipalities = {org.municipality_number: org for org in Organization.objects.municipalities()}
        self.by_org_number = {org.org_number: org for org in Organization.objects.exclude(org_number=None)}
        self.suppliers_by_name = {org.name.casefold(): org for org in Organization.objects.suppliers()}
        self.cpv: dict[str, CpvCode] = {}

    def load_cpv(self, codes: set[str]) -> None:
        self.cpv = {cpv.code: cpv for cpv in CpvCode.objects.filter(code__in=codes)}

    def buyer(self, value, line: int, label: str = "buyer"):
        if not isinstance(value, dict):
            raise InterchangeError(line, f"{label} must be an object with kommunenummer or org_number")
        if value.get("kommunenummer"):
            number = str(value["kommunenummer"]).zfill(4)
            if number not in self.municipalities:
                raise InterchangeError(line, f"unknown municipality number {number} in {label}")
            return self.municipalities[number]
        return self.organization(value, line, label, kind=value.get("kind") or Organization.Kind.STATE_AGENCY)

    def organization(self, value, line: int, label: str, kind: str):
        if not isinstance(value, dict):
            raise InterchangeError(line, f"{label} must be an object")
        number = str(value.get("org_number") or "").replace(" ", "")
        name = str(value.get("name") or "").strip()
        if number:
            if not is_valid_org_number(number):
                raise InterchangeError(line, f"{label}: {number} is not a valid organisation number (mod-11)")
            if number in self.by_org_number:
                return self.by_org_number[number]
            if not name:
                raise InterchangeError(line, f"{label}: a new organization needs a name")
            return {"org_number": number, "name": name, "kind": kind}
        if kind == Organization.Kind.SUPPLIER and name:
            return self.suppliers_by_name.get(name.casefold()) or {"org_number": None, "name": name, "kind": kind}
        raise InterchangeError(line, f"{label} needs kommunenummer or org_number")


def _text(obj: dict, key: str, line: int, *, max_length: int | None = None) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InterchangeError(line, f"{key} must be a string")
    if max_length and len(value) > max_length:
        raise InterchangeError(line, f"{key} is longer than {max_length} characters")
    return value.strip()


def _choice(obj: dict, key: str, line: int, choices) -> str:
    value = obj.get(key)
    if value in (None, ""):
        return ""
    if value not in choices.values:
        raise InterchangeError(line, f"unknown {key} {value!r} (expected one of {', '.join(choices.values)})")
    return value


def _date(obj: dict, key: str, line: int):
    value = obj.get(key)
    if value in (None, ""):
        return None
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise InterchangeError(line, f"{key} must be a date written YYYY-MM-DD")
    return parsed


def _int(obj: dict, key: str, line: int, low: int, high: int):
    value = obj.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InterchangeError(line, f"{key} must be a whole number from {low} to {high}")
    return value


def parse_line(obj, line: int, resolver: _Resolver) -> CaseRecord:
    if not isinstance(obj, dict):
        raise InterchangeError(line, "each line must be a JSON object")
    for key in REQUIRED:
        if obj.get(key) in (None, "", {}):
            raise InterchangeError(line, f"missing required key {key!r}")
    external_id = str(obj["id"]).strip()
    if len(external_id) > 100:
        raise InterchangeError(line, "id is longer than 100 characters")
    sector_slug = obj["sector"]
    if sector_slug not in resolver.sectors:
        raise InterchangeError(line, f"unknown sector {sector_slug!r}")
    other_sectors = obj.get("other_sectors") or []
    if not isinstance(other_sectors, list) or any(slug not in resolver.sectors for slug in other_sectors):
        raise InterchangeError(line, "other_sectors must be a list of known sector slugs")
    cpv = obj.get("cpv") or []
    if not isinstance(cpv, list) or any(not isinstance(code, str) or not re.fullmatch(r"\d{8}", code)
                                         for code in cpv):
        raise InterchangeError(line, "cpv must be a list of 8-digit CPV codes")
    unknown_cpv = [code for code in cpv if code not in resolver.cpv]
    if unknown_cpv:
        raise InterchangeError(line, f"unknown CPV code {', '.join(unknown_cpv)}")
    category = obj.get("category")
    if category not in (None, "") and category not in CATEGORY_BY_CODE:
        raise InterchangeError(line, f"unknown category {category!r} (expected IIA or AAI)")
    language = _text(obj, "language", line, max_length=5) or "nb"
    status = obj.get("status") or Status.PUBLISHED
    if status not in Status.values:
        raise InterchangeError(line, f"unknown status {status!r}")
    published_at = None
    if obj.get("published_at"):
        published_at = parse_datetime(str(obj["published_at"]))
        if published_at is None:
            raise InterchangeError(line, "published_at must be an ISO 8601 date and time")

    fields = {
        "title": _text(obj, "title", line, max_length=200),
        "summary": _text(obj, "summary", line),
        **{key: _text(obj, key, line) for key in TEXT_FIELDS},
        "sector": resolver.sectors[sector_slug],
        "category": CATEGORY_BY_CODE.get(category, ""),
        "procedure": _choice(obj, "procedure", line, Procedure),
        "outcome": _choice(obj, "outcome", line, Outcome),
        "language": language,
        "year": _int(obj, "year", line, 1990, 2100),
        "contract_value_nok": _int(obj, "contract_value_nok", line, 0, 10**13),
        **{key: _date(obj, key, line) for key in Case.PHASE_FIELDS},
    }
    new_organizations = []

    def org_or_new(value):
        if isinstance(value, dict) and not isinstance(value, Organization):
            new_organizations.append(value)
        return value

    lead_buyer = org_or_new(resolver.buyer(obj["buyer"], line))
    partners = obj.get("partner_buyers") or []
    suppliers = obj.get("suppliers") or []
    if not isinstance(partners, list) or not isinstance(suppliers, list):
        raise InterchangeError(line, "partner_buyers and suppliers must be lists")
    relations = {
        "other_sectors": [resolver.sectors[slug] for slug in other_sectors if slug != sector_slug],
        "cpv_codes": [resolver.cpv[code] for code in dict.fromkeys(cpv)],
        "partner_buyers": [org_or_new(resolver.buyer(value, line, "partner_buyers")) for value in partners],
        "suppliers": [org_or_new(resolver.organization(value, line, "suppliers", Organization.Kind.SUPPLIER))
                      for value in suppliers],
        "benefits": _benefits(obj.get("benefits") or [], line),
        "links": _links(obj.get("links") or [], line),
    }
    return CaseRecord(external_id, lead_buyer, fields, relations, status, published_at, new_organizations)


def _benefits(values, line: int) -> list[dict]:
    if not isinstance(values, list):
        raise InterchangeError(line, "benefits must be a list")
    rows = []
    for value in values:
        if not isinstance(value, dict) or value.get("kind") not in Benefit.Kind.values or not value.get("description"):
            raise InterchangeError(line, "each benefit needs a kind (money, time, quality, climate) and a description")
        amount = value.get("amount")
        try:
            amount = None if amount in (None, "") else Decimal(str(amount))
        except InvalidOperation:
            raise InterchangeError(line, f"benefit amount {amount!r} is not a number") from None
        rows.append({"kind": value["kind"], "description": str(value["description"])[:300], "amount": amount,
                     "unit": str(value.get("unit") or "")[:40]})
    return rows


def _links(values, line: int) -> list[dict]:
    if not isinstance(values, list):
        raise InterchangeError(line, "links must be a list")
    rows, check = [], URLValidator(schemes=["http", "https"])
    for value in values:
        url = value.get("url") if isinstance(value, dict) else None
        try:
            check(url or "")
        except ValidationError:
            raise InterchangeError(line, f"link {url!r} is not an http(s) address") from None
        kind = value.get("kind") or CaseLink.Kind.WEB
        if kind not in CaseLink.Kind.values:
            raise InterchangeError(line, f"unknown link kind {kind!r}")
        rows.append({"kind": kind, "url": url, "title": str(value.get("title") or "")[:200]})
    return rows


def read_lines(stream: IO[str]) -> list[tuple[int, object]]:
    """The file's non-blank lines parsed as JSON, with their line numbers."""
    lines = []
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            lines.append((number, json.loads(raw)))
        except json.JSONDecodeError as error:
            raise InterchangeError(number, f"not valid JSON ({error.msg})") from None
        except UnicodeDecodeError:
            raise InterchangeError(number, "not UTF-8 text") from None
    return lines


def read_records(stream: IO[str]) -> list[CaseRecord]:
    """Parses and checks every line; raises InterchangeError for the first bad one."""
    lines = read_lines(stream)
    resolver = _Resolver()
    resolver.load_cpv({code for _, obj in lines if isinstance(obj, dict) and isinstance(obj.get("cpv"), list)
                       for code in obj["cpv"] if isinstance(code, str)})
    records, seen = [], {}
    for number, obj in lines:
        record = parse_line(obj, number, resolver)
        if record.external_id in seen:
            first = seen[record.external_id]
            raise InterchangeError(number, f"id {record.external_id!r} already appears on line {first}")
        seen[record.external_id] = number
        records.append(record)
    return records


@transaction.atomic
def import_cases(stream: IO[str], *, actor=None) -> ImportReport:
    # Search documents are written once at the end, embedding in batches, in this same transaction.
    with search_index.deferred():
        return _import_records(stream, actor)


def _import_records(stream: IO[str], actor) -> ImportReport:
    records = read_records(stream)
    report = ImportReport()
    created_orgs: dict[tuple, Organization] = {}

    def resolve(value):
        if isinstance(value, Organization):
            return value
        key = (value["org_number"], value["name"].casefold())
        if key not in created_orgs:
            org = None
            if value["org_number"]:
                org = Organization.objects.filter(org_number=value["org_number"]).first()
            org = org or Organization.objects.create(kind=value["kind"], name=value["name"],
                                                     org_number=value["org_number"])
            created_orgs[key] = org
        return created_orgs[key]

    existing = {case.external_id: case for case in Case.objects.filter(
        external_id__in=[record.external_id for record in records])}
    latest = _latest_snapshots(existing.values())
    for record in records:
        case = existing.get(record.external_id)
        if case is not None and _unchanged(case, record, latest.get(case.pk)):
            report.unchanged += 1
            continue
        lead_buyer = resolve(record.lead_buyer)
        relations = {**record.relations,
                     "partner_buyers": [resolve(org) for org in record.relations["partner_buyers"]],
                     "suppliers": [resolve(org) for org in record.relations["suppliers"]]}
        if case is None:
            actions.create_case(actor=actor, lead_buyer=lead_buyer, fields=record.fields, relations=relations,
                                external_id=record.external_id, status=record.status,
                                published_at=record.published_at)
            report.created += 1
            continue
        case.status = record.status
        if record.published_at is not None:
            case.published_at = record.published_at
        elif record.status == Status.PUBLISHED and case.published_at is None:
            case.published_at = dt.datetime.now(dt.UTC)
        changed = actions.update_case(case=case, actor=actor, fields=record.fields, relations=relations,
                                      lead_buyer=lead_buyer)
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _latest_snapshots(cases) -> dict[int, dict]:
    """Each case's newest revision snapshot, read in one query."""
    latest = {}
    revisions = CaseRevision.objects.filter(case__in=list(cases)).order_by("case_id", "-number")
    for case_id, snapshot in revisions.values_list("case_id", "snapshot"):
        latest.setdefault(case_id, snapshot)
    return latest


def _unchanged(case: Case, record: CaseRecord, previous: dict | None) -> bool:
    if previous is None or not isinstance(record.lead_buyer, Organization):
        return False
    if record.published_at is not None and record.published_at != case.published_at:
        return False
    proposed = actions.proposed_snapshot(previous, fields=record.fields, relations=record.relations,
                                         lead_buyer=record.lead_buyer, status=record.status)
    return proposed == previous


def _org_ref(org: Organization) -> dict:
    if org.municipality_number:
        return {"kommunenummer": org.municipality_number, "name": org.name}
    ref = {"name": org.name}
    if org.org_number:
        ref["org_number"] = org.org_number
    if org.kind != Organization.Kind.STATE_AGENCY:
        ref["kind"] = org.kind
    return ref


def case_to_record(case: Case) -> dict:
    """The export line for one case: the interchange format plus Delbar's own fields."""
    record = {
        "id": case.interchange_id,
        "title": case.title,
        "summary": case.summary,
        "need": case.need,
        "solution": case.solution,
        "lessons": case.lessons,
        "buyer": _org_ref(case.lead_buyer),
        "sector": case.sector_id,
        "procedure": case.procedure or None,
        "category": case.category.upper() or None,
        "cpv": [cpv.code for cpv in case.cpv_codes.all()],
        "year": case.year,
        "outcome": case.outcome or None,
        "language": case.language,
        "requirements": case.requirements,
        "what_went_wrong": case.what_went_wrong,
        **{name: getattr(case, name) for name in Case.ROGERS_FIELDS},
        "other_sectors": sorted(sector.pk for sector in case.other_sectors.all()),
        "partner_buyers": [_org_ref(org) for org in case.partner_buyers.order_by("name", "pk")],
        "suppliers": [_org_ref(org) for org in case.suppliers.order_by("name", "pk")],
        "contract_value_nok": case.contract_value_nok,
        **{name: getattr(case, name).isoformat() if getattr(case, name) else None for name in Case.PHASE_FIELDS},
        "benefits": [{"kind": b.kind, "description": b.description,
                      "amount": None if b.amount is None else str(b.amount.normalize()), "unit": b.unit}
                     for b in case.benefits.all()],
        "links": [{"kind": link.kind, "url": link.url, "title": link.title} for link in case.links.all()],
        "status": case.status,
        "published_at": case.published_at.isoformat() if case.published_at else None,
    }
    return record


def export_cases(stream: IO[str], queryset=None) -> int:
    """Writes one line per case, ordered by id so two exports of the same data are byte-identical."""
    if queryset is None:
        queryset = Case.objects.published()
    cases = sorted(queryset.select_related("lead_buyer").prefetch_related(
        "cpv_codes", "other_sectors", "partner_buyers", "suppliers", "benefits", "links"),
        key=lambda case: case.interchange_id)
    for case in cases:
        stream.write(json.dumps(case_to_record(case), ensure_ascii=False, sort_keys=True) + "\n")
    return len(cases)
