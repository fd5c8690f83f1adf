"""OCDS 1.1 releases, release packages and record packages (the compiled release of each record)."""

import json

from delbar.notices.sources.model import (
    Lot,
    ParsedNotice,
    ParseError,
    Party,
    language_code,
    parse_amount,
    parse_date,
    unique,
)

# OCDS release tags -> (eForms notice type, form type), the first tag that is known wins
TAGS = {
    "planning": ("pin-only", "planning"), "planningUpdate": ("pin-only", "planning"),
    "tender": ("cn-standard", "competition"), "tenderAmendment": ("corr", "change"),
    "tenderUpdate": ("corr", "change"), "tenderCancellation": ("corr", "change"),
    "award": ("can-standard", "result"), "awardUpdate": ("can-standard", "result"),
    "contract": ("can-standard", "result"), "contractAmendment": ("can-modif", "cont-modif"),
    "contractUpdate": ("can-modif", "cont-modif"), "implementation": ("can-standard", "result"),
    "compiled": ("", ""),
}
METHODS = {"open": "open", "selective": "restricted", "limited": "neg-wo-call", "direct": "neg-wo-call"}
CATEGORIES = {"goods": "supplies", "works": "works", "services": "services"}
MAX_RELEASES = 100_000


def parse(data) -> list[ParsedNotice]:
    if isinstance(data, dict) and isinstance(data.get("releases"), list):
        releases = data["releases"]
    elif isinstance(data, dict) and isinstance(data.get("records"), list):
        releases = []
        for record in data["records"]:
            if not isinstance(record, dict):
                continue
            if isinstance(record.get("compiledRelease"), dict):
                releases.append(record["compiledRelease"])
            else:
                releases += [release for release in _list(record.get("releases")) if "ocid" in release]
    elif isinstance(data, dict) and "ocid" in data:
        releases = [data]
    elif isinstance(data, list) and all(isinstance(item, dict) and "ocid" in item for item in data):
        releases = data
    else:
        raise ParseError("not OCDS: expected a release, a release package or a record package")
    if len(releases) > MAX_RELEASES:
        raise ParseError(f"an OCDS package of more than {MAX_RELEASES} releases: split it")
    notices = [_release(release) for release in releases if isinstance(release, dict)]
    if len(notices) > 1:
        for notice, release in zip(notices, [r for r in releases if isinstance(r, dict)], strict=True):
            notice.raw = json.dumps(release, ensure_ascii=False).encode()
    if not notices:
        raise ParseError("the OCDS package holds no releases")
    return notices


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _str(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _party(party: dict) -> Party:
    identifier = _dict(party.get("identifier"))
    address = _dict(party.get("address"))
    return Party(name=_str(party.get("name")), org_number=_str(identifier.get("id")),
                 scheme=_str(identifier.get("scheme")) if _str(identifier.get("id")) else "",
                 city=_str(address.get("locality")), country=_str(address.get("countryName")))


def _cpv(classification: dict) -> str:
    """The CPV code of a classification, eight digits ("45233130.0" and "45233130-9" as written in the wild)."""
    if _str(classification.get("scheme")).upper() != "CPV":
        return ""
    code = _str(classification.get("id"))
    return code[:8] if code[:8].isdigit() and len(code) >= 8 else code


def _release(release: dict) -> ParsedNotice:
    problems: list[str] = []
    ocid = _str(release.get("ocid"))
    if not ocid:
        problems.append("no ocid")
    tags = _strings(release.get("tag"))
    tender = _dict(release.get("tender"))
    notice_type, form_type = next((TAGS[tag] for tag in tags if TAGS.get(tag, ("", ""))[0]), ("", ""))
    if not notice_type:
        notice_type, form_type = (("can-standard", "result") if release.get("awards") or release.get("contracts")
                                  else ("cn-standard", "competition") if tender else ("pin-only", "planning"))
    language = language_code(_str(release.get("language")))
    notice = ParsedNotice(
        format="ocds", notice_id=ocid, version=_str(release.get("id")) or "1", procedure_id=ocid,
        notice_type=notice_type, form_type=form_type, language=language,
        publication_date=parse_date(_str(release.get("date")), "release date", problems),
        problems=problems)
    notice.issue_date = notice.publication_date
    parties = _list(release.get("parties"))
    buyer = _dict(release.get("buyer"))
    buyers = [party for party in parties if "buyer" in _strings(party.get("roles"))
              or (buyer.get("id") and party.get("id") == buyer.get("id"))]
    notice.buyers = [_party(party) for party in buyers] or ([Party(name=_str(buyer.get("name")))] if buyer else [])
    if not notice.buyers:
        problems.append("no buyer")
    suppliers = {_str(party.get("id")): _party(party) for party in parties
                 if "supplier" in _strings(party.get("roles"))}
    for award in _list(release.get("awards")):
        for supplier in _list(award.get("suppliers")):
            party = suppliers.get(_str(supplier.get("id"))) or Party(name=_str(supplier.get("name")))
            if party.name and party not in notice.winners:
                notice.winners.append(party)

    lots = _list(tender.get("lots"))
    title = _str(tender.get("title")) or (_str(lots[0].get("title")) if lots else "")
    description = _str(tender.get("description")) or (_str(lots[0].get("description")) if lots else "")
    if title:
        notice.titles[language or "und"] = title
    else:
        problems.append("no tender title")
    if description:
        notice.descriptions[language or "und"] = description
    items = _list(tender.get("items"))
    notice.main_cpv = _cpv(_dict(tender.get("classification"))) or next(
        (_cpv(_dict(item.get("classification"))) for item in items if _cpv(_dict(item.get("classification")))), "")
    if not notice.main_cpv:
        problems.append("no CPV classification")
    notice.cpv_codes = unique([notice.main_cpv] + [
        _cpv(classification) for item in items
        for classification in [_dict(item.get("classification"))] + _list(item.get("additionalClassifications"))])
    notice.procedure = METHODS.get(_str(tender.get("procurementMethod")), "")
    notice.nature = CATEGORIES.get(_str(tender.get("mainProcurementCategory")), "")
    value = _dict(tender.get("value"))
    notice.estimated_value = parse_amount(_str(value.get("amount")), "tender value", problems)
    notice.estimated_currency = _str(value.get("currency"))
    awarded = [_dict(award.get("value")) for award in _list(release.get("awards"))]
    amounts = [parse_amount(_str(value.get("amount")), "award value", problems) for value in awarded]
    if amounts and all(amount is not None for amount in amounts):
        notice.awarded_value = sum(amounts)
        notice.awarded_currency = _str(awarded[0].get("currency"))
    notice.deadline = parse_date(_str(_dict(tender.get("tenderPeriod")).get("endDate")), "tender deadline", problems)
    for lot in lots:
        lot_value = _dict(lot.get("value"))
        notice.lots.append(Lot(identifier=_str(lot.get("id")), title=_str(lot.get("title")),
                               estimated_value=parse_amount(_str(lot_value.get("amount")), "lot value", problems),
                               currency=_str(lot_value.get("currency"))))
    return notice
