"""TED XML R2.0.9 (and R2.0.8): the standard forms TED published before eForms (F01–F25).

Paths use the `{*}` namespace wildcard: the schema's namespace changed between releases, the element
names did not. Forms map to the eForms notice types, so old and new notices share the facets."""

from datetime import date

from delbar.notices.sources.model import (
    Lot,
    ParsedNotice,
    Party,
    country_code,
    language_code,
    parse_amount,
    parse_date,
    ted_publication_number,
    total_in_one_currency,
    unique,
)
from delbar.notices.sources.paths import ByLocalName

# TED document type (TD_DOCUMENT_TYPE) per form -> (eForms notice type, form type)
FORMS = {
    "F01": ("pin-only", "planning"), "F04": ("pin-only", "planning"), "F02": ("cn-standard", "competition"),
    "F05": ("cn-standard", "competition"), "F03": ("can-standard", "result"), "F06": ("can-standard", "result"),
    "F07": ("qu-sy", "competition"), "F08": ("pin-buyer", "planning"), "F12": ("cn-desg", "competition"),
    "F13": ("can-desg", "result"), "F14": ("corr", "change"), "F15": ("veat", "dir-awa-pre"),
    "F20": ("can-modif", "cont-modif"), "F24": ("cn-standard", "competition"), "F25": ("can-standard", "result"),
    # Public passenger transport (Regulation 1370/2007): T01 announces, T02 awards.
    "T01": ("pin-tran", "planning"), "T02": ("can-tran", "result"),
}
# Where one form serves several eForms notice types, its NOTICE TYPE says which (OP-TED's ted-xml-data-converter,
# xslt/notice-type-mapping.xml): a PIN only for information, to shorten time limits or as a call for competition;
# the light regime's (F21–F23) PINs, contract notices, qualification systems and awards.
PIN_ONLY, PIN_RTL = ("pin-only", "planning"), ("pin-rtl", "planning")
QUALIFICATION, CFC_SOCIAL = ("qu-sy", "competition"), ("pin-cfc-social", "competition")
CN_SOCIAL, CAN_SOCIAL = ("cn-social", "competition"), ("can-social", "result")
NOTICE_TYPES = {
    ("F01", "PRI_ONLY"): PIN_ONLY, ("F01", "PRI_REDUCING_TIME_LIMITS"): PIN_RTL,
    ("F01", "PRI_CALL_COMPETITION"): ("pin-cfc-standard", "competition"),
    ("F04", "PER_ONLY"): PIN_ONLY, ("F04", "PER_REDUCING_TIME_LIMITS"): PIN_RTL,
    ("F04", "PER_CALL_COMPETITION"): ("pin-cfc-standard", "competition"),
    ("F07", "QSU_CALL_COMPETITION"): QUALIFICATION,
    ("F21", "PRI_ONLY"): PIN_ONLY, ("F21", "PRI_CALL_COMPETITION"): CFC_SOCIAL, ("F21", "CONTRACT"): CN_SOCIAL,
    ("F21", "AWARD_CONTRACT"): CAN_SOCIAL,
    ("F22", "PER_ONLY"): PIN_ONLY, ("F22", "PER_CALL_COMPETITION"): CFC_SOCIAL, ("F22", "QSU_ONLY"): QUALIFICATION,
    ("F22", "QSU_CALL_COMPETITION"): QUALIFICATION, ("F22", "CONTRACT"): CN_SOCIAL,
    ("F22", "AWARD_CONTRACT"): CAN_SOCIAL,
    ("F23", "PRI"): CFC_SOCIAL, ("F23", "CONCESSION_AWARD_CONTRACT"): CAN_SOCIAL,
}
# F21–F23 without a NOTICE TYPE: the coded data's document type, as the same mapping pairs them.
SOCIAL = {"0": PIN_ONLY, "P": PIN_ONLY, "A": CFC_SOCIAL, "M": CFC_SOCIAL, "H": CFC_SOCIAL, "O": QUALIFICATION,
          "Q": QUALIFICATION, "3": CN_SOCIAL, "7": CAN_SOCIAL, "J": CAN_SOCIAL}
PROCEDURES = {
    "PT_OPEN": "open", "PT_RESTRICTED": "restricted", "PT_COMPETITIVE_NEGOTIATION": "neg-w-call",
    "PT_NEGOTIATED_WITH_PRIOR_CALL": "neg-w-call", "PT_COMPETITIVE_DIALOGUE": "comp-dial",
    "PT_INNOVATION_PARTNERSHIP": "innovation", "PT_AWARD_CONTRACT_WITHOUT_CALL": "neg-wo-call",
    "PT_NEGOTIATED_WITHOUT_PUBLICATION": "neg-wo-call", "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION": "neg-wo-call",
    "PT_INVOLVING_NEGOTIATION": "neg-w-call", "PT_AWARD_CONTRACT_WITH_PRIOR_PUBLICATION": "neg-w-call",
}
# TED's coded procedure (CODIF_DATA/PR_PROC), read only when the form names none (a corrigendum has no section
# IV.1): the codes that name one eForms procedure type. Not 9 (not applicable), E (concession award procedure,
# with or without a prior notice), Z (not specified) or others.
CODED_PROCEDURES = {
    "1": "open",                       # Open procedure
    "2": "restricted", "3": "restricted",   # Restricted procedure; accelerated restricted procedure
    "4": "neg-w-call", "6": "neg-w-call",   # Negotiated procedure (with a call); accelerated negotiated procedure
    "B": "neg-w-call",                 # Competitive procedure with negotiation
    "C": "comp-dial",                  # Competitive dialogue
    "G": "innovation",                 # Innovation partnership
    "T": "neg-wo-call",                # Negotiated without a prior call for competition
    "V": "neg-wo-call",                # Contract award without prior publication
}
# The section of the standard forms that gives the time limit for receipt of tenders or requests to participate.
DEADLINE_SECTION = "IV.2.2"
PROCEDURE_TAGS = tuple(f"{{*}}{name}" for name in PROCEDURES)
NATURES = {"WORKS": "works", "SUPPLIES": "supplies", "SERVICES": "services"}


class Children(ByLocalName):
    __slots__ = ()
    STEPS = {}


def _text(tree: Children, element, path: str) -> str:
    if element is None:
        return ""
    found = tree.find(element, path)
    return " ".join("".join(found.itertext()).split()) if found is not None else ""


def _party(tree: Children, address) -> Party:
    country = tree.find(address, "{*}COUNTRY")
    return Party(name=_text(tree, address, "{*}OFFICIALNAME"), org_number=_text(tree, address, "{*}NATIONALID"),
                 city=_text(tree, address, "{*}TOWN"),
                 country=country_code(country.get("VALUE")) if country is not None else "")


def _changed_deadline(tree: Children, form, problems) -> date | None:
    """A corrigendum's (F14) new time limit for receipt of tenders: CHANGES/CHANGE in section IV.2.2, the
    earliest when it changes several lots'."""
    dates = []
    for change in tree.all(form, "{*}CHANGES/{*}CHANGE"):
        if _text(tree, change, "{*}WHERE/{*}SECTION").rstrip(") ") == DEADLINE_SECTION:
            changed = parse_date(_text(tree, change, "{*}NEW_VALUE/{*}DATE"), "changed tender deadline", problems)
            if changed:
                dates.append(changed)
    return min(dates) if dates else None


def parse_root(root) -> ParsedNotice:
    problems: list[str] = []
    tree = Children()
    coded = tree.find(root, "{*}CODED_DATA_SECTION")
    forms = [form for section in tree.all(root, "{*}FORM_SECTION") for form in section
             if isinstance(form.tag, str) and form.get("FORM")]
    if not forms:
        problems.append("no form in FORM_SECTION")
    original = next((form for form in forms if form.get("CATEGORY") == "ORIGINAL"), forms[0] if forms else None)
    document_id = (root.get("DOC_ID") or "").strip()
    publication_number = ted_publication_number(document_id)
    if not publication_number:
        problems.append(f"no TED publication number (DOC_ID {document_id!r})")
    form_code = (original.get("FORM") if original is not None else "") or ""
    document_type = tree.find(coded, "{*}CODIF_DATA/{*}TD_DOCUMENT_TYPE") if coded is not None else None
    type_code = document_type.get("CODE", "") if document_type is not None else ""
    stated = tree.find(original, "{*}NOTICE") if original is not None else None
    notice_type, form_type = NOTICE_TYPES.get((form_code, stated.get("TYPE", "") if stated is not None else "")) or (
        SOCIAL.get(type_code, ("", "")) if form_code in ("F21", "F22", "F23") else FORMS.get(form_code, ("", "")))
    if not notice_type and form_code in ("F21", "F22", "F23") and original is not None:
        # F22 and F23 write other document types (periodic indicative notices, concessions): what the form
        # holds says which it is.
        notice_type, form_type = (SOCIAL["7"] if tree.find(original, "{*}AWARD_CONTRACT") is not None else SOCIAL["3"])
    if not notice_type:
        problems.append(f"unknown TED form {form_code!r}")

    notice = ParsedNotice(
        format="ted-xml",
        notice_id=_text(tree, root, "{*}FORM_SECTION/{*}NOTICE_UUID") or document_id,
        publication_number=publication_number,
        notice_type=notice_type, form_type=form_type, subtype=form_code,
        language=language_code(_text(tree, coded, "{*}NOTICE_DATA/{*}LG_ORIG")
                               or (original.get("LG") if original is not None else "")),
        issue_date=parse_date(_text(tree, coded, "{*}CODIF_DATA/{*}DS_DATE_DISPATCH"), "dispatch date", problems),
        publication_date=parse_date(_text(tree, coded, "{*}REF_OJS/{*}DATE_PUB"), "publication date", problems),
        problems=problems,
    )
    if original is None:
        return notice
    notice.buyers = [_party(tree, address)
                     for address in tree.all(original, "{*}CONTRACTING_BODY/{*}ADDRESS_CONTRACTING_BODY")]
    notice.buyers += [_party(tree, address) for address in
                      tree.all(original, "{*}CONTRACTING_BODY/{*}ADDRESS_CONTRACTING_BODY_ADDITIONAL")]
    if not notice.buyers:
        problems.append("no contracting body")
    for form in forms:
        language = language_code(form.get("LG")) or notice.language
        if title := _text(tree, form, "{*}OBJECT_CONTRACT/{*}TITLE"):
            notice.titles.setdefault(language, title)
        if description := _text(tree, form, "{*}OBJECT_CONTRACT/{*}SHORT_DESCR"):
            notice.descriptions.setdefault(language, description)
    if not notice.titles:
        problems.append("no title")

    contract = tree.find(original, "{*}OBJECT_CONTRACT")
    main = tree.find(contract, "{*}CPV_MAIN/{*}CPV_CODE") if contract is not None else None
    notice.main_cpv = main.get("CODE", "") if main is not None else ""
    if not notice.main_cpv:
        problems.append("no main CPV code")
    notice.cpv_codes = unique([notice.main_cpv] + [code.get("CODE", "") for code in original.iter("{*}CPV_CODE")])
    notice.nuts = unique(code.get("CODE", "") for code in original.iter("{*}NUTS")
                         if code.tag.endswith("}NUTS") and code.getparent().tag.endswith("OBJECT_DESCR"))
    kind = tree.find(contract, "{*}TYPE_CONTRACT") if contract is not None else None
    notice.nature = NATURES.get(kind.get("CTYPE", "") if kind is not None else "", "")
    procedure = tree.find(original, "{*}PROCEDURE")
    if procedure is not None:
        # F15 nests the procedure one level down, under the directive it follows (DIRECTIVE_2014_24_EU/…).
        notice.procedure = next((PROCEDURES[child.tag.rpartition("}")[2]] for child in procedure.iter(*PROCEDURE_TAGS)),
                                "")
        notice.deadline = parse_date(_text(tree, procedure, "{*}DATE_RECEIPT_TENDERS"), "tender deadline", problems)
    codif = tree.find(coded, "{*}CODIF_DATA") if coded is not None else None
    if not notice.procedure and codif is not None:
        coded_procedure = tree.find(codif, "{*}PR_PROC")
        notice.procedure = CODED_PROCEDURES.get(coded_procedure.get("CODE", "") if coded_procedure is not None else "",
                                                "")
    if notice.deadline is None:
        notice.deadline = _changed_deadline(tree, original, problems)
    if notice.deadline is None and codif is not None and form_type not in ("result", "dir-awa-pre", "cont-modif"):
        # TED's coded deadline ("20230303 17:00"), where the form gives none (a corrigendum) and the notice has one.
        notice.deadline = parse_date(_text(tree, codif, "{*}DT_DATE_FOR_SUBMISSION").partition(" ")[0],
                                     "coded tender deadline", problems)
    if contract is not None:
        for path, what in (("{*}VAL_ESTIMATED_TOTAL", "estimated value"), ("{*}VAL_TOTAL", "total value")):
            element = tree.find(contract, path)
            if element is not None:
                amount = parse_amount(_text(tree, contract, path), what, problems)
                if what == "estimated value":
                    notice.estimated_value, notice.estimated_currency = amount, element.get("CURRENCY", "")
                else:
                    notice.awarded_value, notice.awarded_currency = amount, element.get("CURRENCY", "")
        for number, lot in enumerate(tree.all(contract, "{*}OBJECT_DESCR"), start=1):
            value = tree.find(lot, "{*}VAL_OBJECT")
            notice.lots.append(Lot(
                identifier=_text(tree, lot, "{*}LOT_NO") or str(number), title=_text(tree, lot, "{*}TITLE"),
                cpv_codes=unique(code.get("CODE", "") for code in lot.iter("{*}CPV_CODE")),
                estimated_value=parse_amount(value.text, "lot value", problems) if value is not None else None,
                currency=value.get("CURRENCY", "") if value is not None else ""))
        if notice.estimated_value is None and notice.lots:
            notice.estimated_value, notice.estimated_currency = total_in_one_currency(
                [(lot.estimated_value, lot.currency) for lot in notice.lots])
    awarded = tree.all(original, "{*}AWARD_CONTRACT/{*}AWARDED_CONTRACT")
    if notice.awarded_value is None and awarded:
        # Each award's value (VALUES/VAL_TOTAL) when the notice gives no total.
        values = [tree.find(award, "{*}VALUES/{*}VAL_TOTAL") for award in awarded]
        notice.awarded_value, notice.awarded_currency = total_in_one_currency(
            [(parse_amount(value.text, "award value", problems), value.get("CURRENCY", "")) if value is not None
             else (None, "") for value in values])
    modified = tree.find(original, "{*}MODIFICATIONS_CONTRACT/{*}INFO_MODIFICATIONS/{*}VALUES/{*}VAL_TOTAL_AFTER")
    if modified is not None:   # F20: the contract's value after the modification
        notice.awarded_value = parse_amount(modified.text, "value after the modification", problems)
        notice.awarded_currency = modified.get("CURRENCY", "")
    # R2.0.9 wraps an award's contractors in CONTRACTORS; older forms (S01/S02 data) name them directly.
    for award in awarded:
        for contractor in award.iter("{*}CONTRACTOR"):
            address = tree.find(contractor, "{*}ADDRESS_CONTRACTOR")
            party = _party(tree, address) if address is not None else None
            if party and party.name and party not in notice.winners:
                notice.winners.append(party)
    references = [_text(tree, reference, "{*}NO_DOC_OJS")
                  for reference in tree.all(coded, "{*}NOTICE_DATA/{*}REF_NOTICE")] if coded is not None else []
    if form_code in ("F14", "F20") and references:
        previous = ted_publication_number(references[0])
        notice.previous = f"ted:{previous}" if previous else ""
    # "Previous publication concerning this procedure" (IV.2.1): the prior information or contract notice.
    for procedure in original.iter("{*}PROCEDURE") if original is not None else ():
        for reference in procedure.iter("{*}NOTICE_NUMBER_OJ"):
            earlier = ted_publication_number(reference.text)
            if earlier and earlier != publication_number:
                notice.related.append(f"ted:{earlier}")
    notice.related = unique(notice.related)
    return notice
