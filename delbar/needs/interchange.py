"""The need interchange format (shared/formats/needs.md; docs/interchange.md): JSON Lines in and out.

The same rules as cases: every line is checked before anything is written, a bad line refuses the
file with its line number, needs are keyed by `id` so a second import changes nothing, unknown keys
are ignored, and the export is a superset that imports back to the same export. Matches are computed
once for the whole file at the end, after every need is in the search index.
"""

import json
import re
from dataclasses import dataclass
from typing import IO

from django.db import transaction

from delbar import search
from delbar.cases.interchange import ImportReport, InterchangeError, _date, _org_ref, _Resolver, _text
from delbar.needs import actions
from delbar.needs.models import Need, NeedStatus, Visibility
from delbar.needs.tasks import rematch
from delbar.orgs.models import Organization

REQUIRED = ("id", "title", "description", "buyer")


@dataclass
class NeedRecord:
    external_id: str
    buyer: Organization | dict
    fields: dict
    cpv: list


def parse_line(obj, line: int, resolver: _Resolver) -> NeedRecord:
    if not isinstance(obj, dict):
        raise InterchangeError(line, "each line must be a JSON object")
    for key in REQUIRED:
        if obj.get(key) in (None, "", {}):
            raise InterchangeError(line, f"missing required key {key!r}")
    external_id = str(obj["id"]).strip()
    if len(external_id) > 100:
        raise InterchangeError(line, "id is longer than 100 characters")
    sector = obj.get("sector")
    if sector not in (None, "") and sector not in resolver.sectors:
        raise InterchangeError(line, f"unknown sector {sector!r}")
    cpv = obj.get("cpv") or []
    if not isinstance(cpv, list) or any(not isinstance(code, str) or not re.fullmatch(r"\d{8}", code)
                                         for code in cpv):
        raise InterchangeError(line, "cpv must be a list of 8-digit CPV codes")
    unknown = [code for code in cpv if code not in resolver.cpv]
    if unknown:
        raise InterchangeError(line, f"unknown CPV code {', '.join(unknown)}")
    joint = obj.get("open_for_joint_procurement", True)
    if not isinstance(joint, bool):
        raise InterchangeError(line, "open_for_joint_procurement must be true or false")
    visibility = obj.get("visibility") or Visibility.PUBLIC
    if visibility not in Visibility.values:
        raise InterchangeError(line, f"unknown visibility {visibility!r} (expected public or buyers)")
    status = obj.get("status") or NeedStatus.OPEN
    if status not in NeedStatus.values:
        raise InterchangeError(line, f"unknown status {status!r} (expected {', '.join(NeedStatus.values)})")
    budget = {}
    for key in ("budget_min_nok", "budget_max_nok"):
        value = obj.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise InterchangeError(line, f"{key} must be a whole number of kroner")
        budget[key] = value
    if None not in budget.values() and budget["budget_min_nok"] > budget["budget_max_nok"]:
        raise InterchangeError(line, "budget_min_nok is above budget_max_nok")
    title = _text(obj, "title", line, max_length=200)
    description = _text(obj, "description", line)
    if not title or not description:
        raise InterchangeError(line, "title and description must not be empty")
    fields = {
        "title": title, "description": description,
        "sector": resolver.sectors[sector] if sector else None,
        "language": _text(obj, "language", line, max_length=5) or "nb",
        "open_for_joint_procurement": joint, "visibility": visibility, "status": status, **budget,
        "wanted_by": _date(obj, "wanted_by", line),
    }
    buyer = resolver.buyer(obj["buyer"], line)
    return NeedRecord(external_id, buyer, fields, [resolver.cpv[code] for code in dict.fromkeys(cpv)])


def read_records(lines: list[tuple[int, object]]) -> list[NeedRecord]:
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


def import_needs(lines: list[tuple[int, object]], *, actor=None) -> ImportReport:
    """Imports parsed JSON lines ((line number, object) pairs, see cases.interchange.read_lines)."""
    records = read_records(lines)
    report = ImportReport()
    changed: list[Need] = []
    with transaction.atomic(), search.deferred():
        existing = {need.external_id: need for need in Need.objects.filter(
            external_id__in=[record.external_id for record in records])}
        created_orgs: dict[str, Organization] = {}
        for record in records:
            buyer = record.buyer
            if not isinstance(buyer, Organization):
                buyer = created_orgs.get(buyer["org_number"]) or Organization.objects.create(
                    kind=buyer["kind"], name=buyer["name"], org_number=buyer["org_number"])
                created_orgs[buyer.org_number] = buyer
            need = existing.get(record.external_id)
            if need is None:
                changed.append(actions.create_need(actor=actor, organization=buyer, fields=record.fields,
                                                   cpv_codes=record.cpv, external_id=record.external_id, match=False))
                report.created += 1
                continue
            fields = {**record.fields, "organization": buyer}
            if actions.update_need(need=need, actor=actor, fields=fields, cpv_codes=record.cpv, match=False):
                changed.append(need)
                report.updated += 1
            else:
                report.unchanged += 1
    # Matches need every imported need indexed first: they are computed once the import has committed.
    for need in changed:
        rematch(need)
    return report


def need_to_record(need: Need) -> dict:
    return {
        "id": need.interchange_id, "title": need.title, "description": need.description,
        "buyer": _org_ref(need.organization), "sector": need.sector_id,
        "cpv": sorted(cpv.code for cpv in need.cpv_codes.all()),
        "open_for_joint_procurement": need.open_for_joint_procurement, "visibility": need.visibility,
        "status": need.status, "language": need.language, "budget_min_nok": need.budget_min_nok,
        "budget_max_nok": need.budget_max_nok, "wanted_by": need.wanted_by.isoformat() if need.wanted_by else None,
        "created_at": need.created_at.isoformat(),
    }


def export_needs(stream: IO[str], queryset=None) -> int:
    """One line per need, ordered by id so two exports of the same data are byte-identical."""
    queryset = Need.objects.filter(visibility=Visibility.PUBLIC) if queryset is None else queryset
    needs = sorted(queryset.select_related("organization").prefetch_related("cpv_codes"),
                   key=lambda need: need.interchange_id)
    for need in needs:
        stream.write(json.dumps(need_to_record(need), ensure_ascii=False, sort_keys=True) + "\n")
    return len(needs)
