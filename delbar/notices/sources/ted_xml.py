"""TED XML R2.0.9 (and R2.0.8): the standard forms TED published before eForms (F01–F25).

Paths use the `{*}` namespace wildcard: the schema's namespace changed between releases, the element
names did not. Forms map to the eForms notice types, so old and new notices share the facets."""

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
# F21–F23 (social and other specific services) carry whether they are a PIN, a CN or a CAN in the coded data.
SOCIAL = {"0": ("pin-cfc-social", "competition"), "3": ("cn-social", "competition"),
          "7": ("can-social", "result")}
PROCEDURES = {
    "PT_OPEN": "open", "PT_RESTRICTED": "restricted", "PT_COMPETITIVE_NEGOTIATION": "neg-w-call",
    "PT_NEGOTIATED_WITH_PRIOR_CALL": "neg-w-call", "PT_COMPETITIVE_DIALOGUE": "comp-dial",
    "PT_INNOVATION_PARTNERSHIP": "innovation", "PT_AWARD_CONTRACT_WITHOUT_CALL": "neg-wo-call",
    "PT_NEGOTIATED_WITHOUT_PUBLICATION": "neg-wo-call", "PT_AWARD_CONTRACT_WITHOUT_PUBLICATION": "neg-wo-call",
    "PT_INVOLVING_NEGOTIATION": "neg-w-call",
}
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
    notice_type, form_type = (SOCIAL.get(type_code, ("", "")) if form_code in ("F21", "F22", "F23")
                              else FORMS.get(form_code, ("", "")))
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
