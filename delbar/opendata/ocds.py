"""OCDS 1.1 release packages of Delbar's published cases and imported notices.

A case becomes one release of a Delbar process ("<prefix>-case-<id>"); a notice version becomes one
release of its procurement procedure (the eForms procedure identifier, BT-04), so a procedure's
planning, competition and award notices line up as the releases of one contracting process. The
package is written as a stream, a release at a time, so 200,000 notices need no more memory than one.
"""

import json
import re
from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from delbar.cases.models import Case
from delbar.notices.models import Notice

OCDS_VERSION = "1.1"
CASE_METHODS = {"open": "open", "restricted": "selective", "competitive-dialogue": "selective",
                "negotiated-with-notice": "selective", "innovation-partnership": "selective",
                "pre-commercial": "selective", "simplified-below-threshold": "open"}
NOTICE_METHODS = {"open": "open", "restricted": "selective", "neg-w-call": "selective", "comp-dial": "selective",
                  "innovation": "selective", "neg-wo-call": "limited", "comp-tend": "open"}
NOTICE_TAGS = {"planning": "planning", "competition": "tender", "dir-awa-pre": "award", "result": "award",
               "cont-modif": "contractAmendment", "change": "tenderAmendment", "completion": "implementation",
               "consultation": "planning"}
CATEGORIES = {"supplies": "goods", "works": "works", "services": "services"}
CURRENCY = re.compile(r"^[A-Z]{3}$")


def _datetime(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, time()), timezone.UTC)
    return value.astimezone(timezone.UTC).isoformat().replace("+00:00", "Z")


def _value(amount, currency: str) -> dict | None:
    if amount is None or not CURRENCY.match(currency or ""):
        return None
    return {"amount": float(amount), "currency": currency}


def _party_id(org_number: str, name: str, fallback: str) -> str:
    digits = re.sub(r"\D", "", org_number or "")
    return f"NO-ORG-{digits}" if len(digits) == 9 else fallback or f"name-{name}"


def _party(*, name: str, org_number: str = "", city: str = "", roles: list[str], fallback: str = "") -> dict:
    party = {"id": _party_id(org_number, name, fallback), "name": name, "roles": roles}
    digits = re.sub(r"\D", "", org_number or "")
    if len(digits) == 9:
        party["identifier"] = {"scheme": "NO-ORG", "id": digits, "legalName": name}
    if city:
        party["address"] = {"locality": city, "countryName": "Norway"}
    return party


def _merge(parties: list[dict]) -> list[dict]:
    """One party per id, roles combined (OCDS wants each party once)."""
    merged: dict[str, dict] = {}
    for party in parties:
        if party["id"] in merged:
            roles = merged[party["id"]]["roles"]
            roles += [role for role in party["roles"] if role not in roles]
        else:
            merged[party["id"]] = party
    return list(merged.values())


def _items(cpv_codes: list[str], names: dict[str, str]) -> list[dict]:
    return [{"id": str(number), "classification": {"scheme": "CPV", "id": code, "description": names.get(code, "")}}
            for number, code in enumerate(cpv_codes, start=1)]


def case_release(case: Case, cpv_names: dict[str, str]) -> dict:
    prefix = settings.OCDS_PREFIX
    lead = case.lead_buyer
    buyer = _party(name=lead.name, org_number=lead.org_number or "", roles=["buyer"], fallback=f"delbar-{lead.pk}")
    parties = [buyer]
    parties += [_party(name=org.name, org_number=org.org_number or "", roles=["buyer"], fallback=f"delbar-{org.pk}")
                for org in case.partner_buyers.all()]
    suppliers = [_party(name=org.name, org_number=org.org_number or "", roles=["supplier"],
                        fallback=f"delbar-{org.pk}") for org in case.suppliers.all()]
    cpv_codes = [cpv.code for cpv in case.cpv_codes.all()]
    tender = {"id": f"case-{case.pk}", "title": case.title, "description": case.summary, "status": "complete"}
    if case.procedure:
        tender["procurementMethod"] = CASE_METHODS.get(case.procedure)
        tender["procurementMethodDetails"] = str(case.get_procedure_display())
    if cpv_codes:
        tender["classification"] = {"scheme": "CPV", "id": cpv_codes[0], "description": cpv_names.get(cpv_codes[0], "")}
        tender["items"] = _items(cpv_codes, cpv_names)
    value = _value(case.contract_value_nok, "NOK")
    if value:
        tender["value"] = value
    release = {
        "ocid": f"{prefix}-case-{case.pk}", "id": f"case-{case.pk}-{_datetime(case.updated_at)}",
        "date": _datetime(case.published_at or case.updated_at), "tag": ["award" if suppliers else "tender"],
        "initiationType": "tender", "language": case.language or "nb",
        "parties": _merge(parties + suppliers), "buyer": {"id": buyer["id"], "name": buyer["name"]}, "tender": tender,
    }
    if suppliers:
        award = {"id": f"case-{case.pk}-award", "status": "active",
                 "suppliers": [{"id": party["id"], "name": party["name"]} for party in suppliers]}
        if case.contract_date:
            award["date"] = _datetime(case.contract_date)
        if value:
            award["value"] = value
        release["awards"] = [award]
    return release


def _notice_party(party: dict, role: str, number: int) -> dict:
    return _party(name=party.get("name", ""), org_number=party.get("org_number", ""), city=party.get("city", ""),
                  roles=[role], fallback=f"{role}-{number}")


def notice_release(notice: Notice, cpv_names: dict[str, str]) -> dict:
    prefix = settings.OCDS_PREFIX
    procedure = notice.procedure_id or notice.notice_id or notice.key
    process = notice.notice_id if notice.format == "ocds" and notice.notice_id else f"{prefix}-notice-{procedure}"
    buyers = [_notice_party(party, "buyer", number) for number, party in enumerate(notice.buyers, 1)]
    suppliers = [_notice_party(party, "supplier", number) for number, party in enumerate(notice.winners, 1)]
    tender = {"id": procedure, "title": notice.title}
    if notice.description:
        tender["description"] = notice.description
    if notice.procedure in NOTICE_METHODS:
        tender["procurementMethod"] = NOTICE_METHODS[notice.procedure]
    if notice.procedure:
        tender["procurementMethodDetails"] = notice.procedure
    if notice.nature in CATEGORIES:
        tender["mainProcurementCategory"] = CATEGORIES[notice.nature]
    if notice.main_cpv:
        tender["classification"] = {"scheme": "CPV", "id": notice.main_cpv,
                                    "description": cpv_names.get(notice.main_cpv, "")}
    if notice.cpv_codes:
        tender["items"] = _items(notice.cpv_codes, cpv_names)
    if value := _value(notice.estimated_value, notice.estimated_currency):
        tender["value"] = value
    if notice.deadline:
        tender["tenderPeriod"] = {"endDate": _datetime(notice.deadline)}
    release = {
        "ocid": process, "id": notice.key, "date": _datetime(notice.publication_date or notice.fetched_at),
        "tag": [NOTICE_TAGS.get(notice.family, "tender")], "initiationType": "tender",
        "parties": _merge(buyers + suppliers), "tender": tender,
    }
    if notice.language:
        release["language"] = notice.language
    if buyers:
        release["buyer"] = {"id": buyers[0]["id"], "name": buyers[0]["name"]}
    if suppliers or notice.awarded_value is not None:
        award = {"id": f"{notice.key}-award", "status": "active" if notice.family == "result" else "pending",
                 "suppliers": [{"id": party["id"], "name": party["name"]} for party in suppliers]}
        if value := _value(notice.awarded_value, notice.awarded_currency):
            award["value"] = value
        release["awards"] = [award]
    return release


def releases(cases, notices):
    """Every release, a case or notice at a time (CPV labels read once per batch)."""
    from delbar.orgs.models import CpvCode
    for queryset, make in ((cases, case_release), (notices, notice_release)):
        batch = []
        for item in queryset.iterator(chunk_size=500) if hasattr(queryset, "iterator") else queryset:
            batch.append(item)
            if len(batch) == 500:
                yield from _batch(batch, make, CpvCode)
                batch = []
        yield from _batch(batch, make, CpvCode)


def _batch(items, make, cpv_model):
    codes = set()
    for item in items:
        codes |= set(item.cpv_codes) if isinstance(item, Notice) else {cpv.code for cpv in item.cpv_codes.all()}
    names = {cpv.code: cpv.name for cpv in cpv_model.objects.filter(code__in=codes)}
    for item in items:
        yield make(item, names)


def package_chunks(cases, notices):
    """The release package as text, a release at a time. Yields nothing when there is no release:
    a package needs at least one."""
    site = settings.SITE_URL.rstrip("/")
    first = True
    for release in releases(cases, notices):
        if first:
            header = {"uri": f"{site}/open-data/ocds.json", "version": OCDS_VERSION,
                      "publishedDate": _datetime(timezone.now()), "publisher": {"name": "Delbar", "uri": site},
                      "license": settings.OCDS_LICENSE, "publicationPolicy": f"{site}/about/"}
            yield json.dumps(header, ensure_ascii=False)[:-1] + ', "releases": [\n'
            first = False
        else:
            yield ",\n"
        yield json.dumps(release, ensure_ascii=False)
    if not first:
        yield "\n]}\n"


def write_package(stream, cases, notices) -> int:
    """Writes one release package; returns the number of releases."""
    count = 0
    for chunk in package_chunks(cases, notices):
        stream.write(chunk)
        count += chunk.startswith("{\"ocid\"")
    return count
