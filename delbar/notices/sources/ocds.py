"""OCDS 1.1 releases, release packages and record packages (the compiled release of each record)."""

import json

from delbar.notices.sources.model import (
    Lot,
    ParsedNotice,
    ParseError,
    Party,
    country_code,
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
    from delbar.notices.sources import canonical_json_digest

    releases = [release for release in releases if isinstance(release, dict)]
    notices = [_release(release) for release in releases]
    for notice, release in zip(notices, releases, strict=True):
        notice.content_digest = canonical_json_digest(release)
        if len(notices) > 1:
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
    others = [{"scheme": _str(other.get("scheme"))[:40], "id": _str(other.get("id"))[:100]}
              for other in map(_dict, _list(party.get("additionalIdentifiers"))) if _str(other.get("id"))]
    org_number = _str(identifier.get("id"))
    scheme = _str(identifier.get("scheme")) if org_number else ""
    if not org_number and others:
        # No identifier: the first additional one is the organization's number (Doffin's OCDS writes it only there).
        org_number, scheme = others[0]["id"], others[0]["scheme"]
    # OCDS 1.2's address.country is ISO alpha-2; countryName is a name ("United Kingdom") or, in the wild, a code.
    country = (country_code(_str(address.get("country"))) or country_code(_str(address.get("countryName")))
               if address else "")
    return Party(name=_str(party.get("name")), org_number=org_number, scheme=scheme,
                 city=_str(address.get("locality")), country=country, other_identifiers=others)


def _cpv(classification: dict) -> str:
    """The CPV code of a classification, eight digits ("45233130.0" and "45233130-9" as written in the wild)."""
    if _str(classification.get("scheme")).upper() != "CPV":
        return ""
    code = _str(classification.get("id"))
    return code[:8] if code[:8].isdigit() and len(code) >= 8 else code


# An award that was made: "active" in OCDS 1.1; an award without a status is taken as made (OCDS 1.0
# publishers often leave it out). Pending, unsuccessful and cancelled awards are no winner and no value.
MADE = {"active", ""}


def _counts(award: dict) -> bool:
    return _str(award.get("status")) in MADE


def _item_classifications(items: list[dict]) -> list[dict]:
    return [classification for item in items
            for classification in [_dict(item.get("classification"))] + _list(item.get("additionalClassifications"))]


def _amended_release(release: dict, tender: dict, ocid: str) -> str:
    """The key of the release a tender amendment changes (OCDS 1.1 tender.amendments[].amendsReleaseID), as
    ParsedNotice.key writes it: "ocds:<ocid>:<release id>". Releases repeat earlier amendments (a later award, a
    compiled release): an amendment is this release's when its releaseID names this release or, when none names
    one, when the release is tagged as a change to the tender."""
    amendments = _list(tender.get("amendments"))
    if not amendments:
        return ""
    own = _str(release.get("id"))
    if any(_str(amendment.get("releaseID")) for amendment in amendments):
        amendments = [amendment for amendment in amendments if _str(amendment.get("releaseID")) == own]
    elif not {"tenderAmendment", "tenderUpdate"} & set(_strings(release.get("tag"))):
        amendments = []
    amended = [_str(amendment.get("amendsReleaseID")) for amendment in amendments]
    amended = [release_id for release_id in amended if release_id and release_id != own]
    return f"ocds:{ocid}:{amended[-1]}" if amended and ocid else ""


def _kind(release: dict, tender: dict, made: list[dict]) -> tuple[str, str]:
    """(eForms notice type, form type) from what the release holds, not from its first tag: a release tagged
    "tender" that holds an active award (`made`) is an award notice. The tags decide only when the content
    does not."""
    contracts = _list(release.get("contracts"))
    if any(_list(contract.get("amendments")) for contract in contracts):
        return "can-modif", "cont-modif"
    if made or contracts:
        return "can-standard", "result"
    if _str(tender.get("status")) in ("planning", "planned"):   # a procurement being considered or planned
        return "pin-only", "planning"
    tags = _strings(release.get("tag"))
    known = next((TAGS[tag] for tag in tags if TAGS.get(tag, ("", ""))[0]), ("", ""))
    if known[0]:
        return known
    return ("cn-standard", "competition") if tender else ("pin-only", "planning")


# relatedProcesses relationships that make two processes one procurement's trail: its planning, the process it
# follows, and an unsuccessful process it replaces. Frameworks, parents and sub-contracts are other procurements.
SAME_PROCUREMENT = {"planning", "prior", "unsuccessfulProcess", "replacementProcess"}


def _release(release: dict) -> ParsedNotice:
    problems: list[str] = []
    ocid = _str(release.get("ocid"))
    if not ocid:
        problems.append("no ocid")
    tender = _dict(release.get("tender"))
    made = [award for award in _list(release.get("awards")) if _counts(award)]
    notice_type, form_type = _kind(release, tender, made)
    language = language_code(_str(release.get("language")))
    notice = ParsedNotice(
        format="ocds", notice_id=ocid, version=_str(release.get("id")) or "1", procedure_id=ocid,
        notice_type=notice_type, form_type=form_type, language=language,
        publication_date=parse_date(_str(release.get("date")), "release date", problems),
        problems=problems)
    notice.issue_date = notice.publication_date
    # OCDS 1.1 names parties once under `parties` and refers to them by id; OCDS 1.0 has no `parties` and
    # writes the whole organization (identifier, address) where it is referred to. Both are read here.
    parties = {_str(party.get("id")): party for party in _list(release.get("parties")) if _str(party.get("id"))}

    def organization(reference: dict) -> Party:
        return _party(parties.get(_str(reference.get("id"))) or reference)

    buyer = _dict(release.get("buyer")) or _dict(tender.get("procuringEntity"))
    by_role = [party for party in parties.values() if {"buyer"} & set(_strings(party.get("roles")))] or [
        party for party in parties.values() if {"procuringEntity"} & set(_strings(party.get("roles")))]
    notice.buyers = [organization(buyer)] if buyer else []
    notice.buyers += [party for party in map(_party, by_role) if party not in notice.buyers]
    notice.buyers = [party for party in notice.buyers if party.name or party.org_number]
    if not notice.buyers:
        problems.append("no buyer")
    for award in made:
        for supplier in map(organization, _list(award.get("suppliers"))):
            if supplier.name and supplier not in notice.winners:
                notice.winners.append(supplier)

    lots = _list(tender.get("lots"))
    # Without a tender title (a release of an award or a contract has no tender), the first lot's, else the first
    # award's, else the first contract's.
    awards, contracts = _list(release.get("awards")), _list(release.get("contracts"))
    parts = [tender, *lots[:1], *awards, *contracts]
    title = next(filter(None, (_str(part.get("title")) for part in parts)), "")
    description = next(filter(None, (_str(part.get("description")) for part in parts)), "")
    if title:
        notice.titles[language or "und"] = title
    else:
        problems.append("no tender title")
    if description:
        notice.descriptions[language or "und"] = description
    every = [_dict(tender.get("classification"))] + _item_classifications(_list(tender.get("items")))
    if not any(_str(classification.get("id")) for classification in every):
        # What the awards and contracts bought, when the tender classifies nothing (or there is no tender).
        every = _item_classifications([item for part in awards + contracts for item in _list(part.get("items"))])
    notice.cpv_codes = unique(_cpv(classification) for classification in every)
    notice.main_cpv = notice.cpv_codes[0] if notice.cpv_codes else ""
    for classification in every:
        scheme, identifier = _str(classification.get("scheme")), _str(classification.get("id"))
        other = {"scheme": scheme[:40], "id": identifier[:100],
                 "description": _str(classification.get("description"))[:300]}
        if scheme and identifier and scheme.upper() != "CPV" and other not in notice.classifications:
            notice.classifications.append(other)
    if not notice.cpv_codes and not notice.classifications:
        problems.append("no classification")
    notice.procedure = METHODS.get(_str(tender.get("procurementMethod")), "")
    notice.nature = CATEGORIES.get(_str(tender.get("mainProcurementCategory")), "")
    value = _dict(tender.get("value"))
    notice.estimated_value = parse_amount(_str(value.get("amount")), "tender value", problems)
    notice.estimated_currency = _str(value.get("currency"))
    awarded = [_dict(award.get("value")) for award in made]
    amounts = [parse_amount(_str(value.get("amount")), "award value", problems) for value in awarded]
    if amounts and all(amount is not None for amount in amounts):
        notice.awarded_value = sum(amounts)
        notice.awarded_currency = _str(awarded[0].get("currency"))
    notice.deadline = parse_date(_str(_dict(tender.get("tenderPeriod")).get("endDate")), "tender deadline", problems)
    if notice.deadline is None and lots:
        # The lots' own tender periods (OCDS 1.1 lots extension, as Doffin writes them): the earliest.
        deadlines = [parse_date(_str(_dict(lot.get("tenderPeriod")).get("endDate")), "lot tender deadline", problems)
                     for lot in lots]
        notice.deadline = min(filter(None, deadlines), default=None)
    notice.previous = _amended_release(release, tender, ocid)
    notice.related = unique(
        f"ocid:{_str(process.get('identifier'))}" for process in _list(release.get("relatedProcesses"))
        if _str(process.get("scheme")).lower() == "ocid" and _str(process.get("identifier")) not in ("", ocid)
        and SAME_PROCUREMENT & set(_strings(process.get("relationship"))))
    for lot in lots:
        lot_value = _dict(lot.get("value"))
        notice.lots.append(Lot(identifier=_str(lot.get("id")), title=_str(lot.get("title")),
                               estimated_value=parse_amount(_str(lot_value.get("amount")), "lot value", problems),
                               currency=_str(lot_value.get("currency"))))
    return notice
