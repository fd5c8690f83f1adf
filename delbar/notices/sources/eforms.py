"""eForms notices (every family: planning, competition, direct award, result, modification, and
Norway's national and national-e notices), read by namespace-aware paths from the root element."""

from decimal import Decimal

from delbar.notices.sources.model import (
    Lot,
    ParsedNotice,
    Party,
    language_code,
    parse_amount,
    parse_date,
    ted_publication_number,
    total_in_one_currency,
    unique,
)

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
EXTENSION = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
PROJECT = "cac:ProcurementProject"
LOT = "cac:ProcurementProjectLot"


def _text(element, path: str) -> str:
    if element is None:
        return ""
    return (element.findtext(path, namespaces=NS) or "").strip()


def _all(element, path: str) -> list:
    return element.findall(path, namespaces=NS) if element is not None else []


def _by_language(elements, default_language: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for element in elements:
        value = " ".join((element.text or "").split())
        if value:
            texts.setdefault(language_code(element.get("languageID")) or default_language, value)
    return texts


def _organizations(extension) -> dict[str, Party]:
    parties = {}
    for company in _all(extension, "efac:Organizations/efac:Organization/efac:Company"):
        reference = _text(company, "cac:PartyIdentification/cbc:ID")
        parties[reference] = Party(
            name=_text(company, "cac:PartyName/cbc:Name"),
            org_number=_text(company, "cac:PartyLegalEntity/cbc:CompanyID"),
            city=_text(company, "cac:PostalAddress/cbc:CityName"),
            country=_text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
        )
    return parties


def _winners(extension, organizations: dict[str, Party]) -> list[Party]:
    """Follows the result's references: winning lot result -> lot tender -> tendering party -> tenderer."""
    result = extension.find("efac:NoticeResult", NS) if extension is not None else None
    if result is None:
        return []
    parties = {_text(party, "cbc:ID"): [_text(tenderer, "cbc:ID") for tenderer in _all(party, "efac:Tenderer")]
               for party in _all(result, "efac:TenderingParty")}
    tenders = {_text(tender, "cbc:ID"): _text(tender, "efac:TenderingParty/cbc:ID")
               for tender in _all(result, "efac:LotTender")}
    winners = []
    for lot_result in _all(result, "efac:LotResult"):
        if _text(lot_result, "cbc:TenderResultCode") not in ("", "selec-w"):
            continue
        for tender in _all(lot_result, "efac:LotTender/cbc:ID"):
            for organization in parties.get(tenders.get((tender.text or "").strip(), ""), []):
                if organization in organizations and organizations[organization] not in winners:
                    winners.append(organizations[organization])
    return winners


def _winning_tender_values(extension, problems) -> list[tuple[Decimal | None, str]]:
    """The value of each winning tender (BT-720, the LotTender's payable amount) of each lot result."""
    result = extension.find("efac:NoticeResult", NS) if extension is not None else None
    if result is None:
        return []
    tenders = {_text(tender, "cbc:ID"): tender for tender in _all(result, "efac:LotTender")}
    values = []
    for lot_result in _all(result, "efac:LotResult"):
        if _text(lot_result, "cbc:TenderResultCode") not in ("", "selec-w"):
            continue
        for reference in _all(lot_result, "efac:LotTender/cbc:ID"):
            tender = tenders.get((reference.text or "").strip())
            if tender is not None and tender.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS) is not None:
                values.append(_amount(tender, "cac:LegalMonetaryTotal/cbc:PayableAmount",
                                      "winning tender value (BT-720)", problems))
    return values


def _codes(projects, list_name: str) -> list[str]:
    return unique((code.text or "").strip() for project in projects
                  for code in _all(project, "cac:ProcurementAdditionalType/cbc:ProcurementTypeCode")
                  if code.get("listName") == list_name and (code.text or "").strip() != "none")


def _amount(element, path: str, what: str, problems) -> tuple[Decimal | None, str]:
    found = element.find(path, NS) if element is not None else None
    if found is None:
        return None, ""
    return parse_amount(found.text, what, problems), (found.get("currencyID") or "").strip()


def _earlier_notices(root, notice: ParsedNotice) -> list[str]:
    """The previous planning notices a lot names (BT-125): by TED publication number or by eForms identifier
    ("<notice id>-<version>"), as trail references."""
    related = []
    for lot in _all(root, LOT):
        for reference in _all(lot, "cac:TenderingProcess/cac:NoticeDocumentReference/cbc:ID"):
            value = (reference.text or "").strip()
            if number := ted_publication_number(value):
                related.append(f"ted:{number}")
            elif value:
                identifier, _, version = value.rpartition("-")
                related.append(f"eforms:{identifier if identifier and version.isdigit() else value}")
    own = {f"ted:{notice.publication_number}", f"eforms:{notice.notice_id}"}
    return [reference for reference in unique(related) if reference not in own]


def parse_root(root) -> ParsedNotice:
    problems: list[str] = []
    extension = root.find(EXTENSION, NS)
    if extension is None:
        problems.append("no eForms extension (efext:EformsExtension): organizations and subtype are missing")
    notice_id = _text(root, "cbc:ID")
    if not notice_id:
        problems.append("no notice identifier (BT-701)")
        notice_id = _text(root, "cbc:ContractFolderID")
    version = _text(root, "cbc:VersionID").lstrip("0") or "1"
    type_code = root.find("cbc:NoticeTypeCode", NS)
    languages = [language_code(element.text) for element in _all(root, "cbc:NoticeLanguageCode")]
    language = languages[0] if languages else ""
    project = root.find(PROJECT, NS)
    lots = _all(root, LOT)
    lot_projects = [lot.find(PROJECT, NS) for lot in lots]
    lot_projects = [lot_project for lot_project in lot_projects if lot_project is not None]
    projects = ([project] if project is not None else []) + lot_projects

    notice = ParsedNotice(
        format="eforms",
        notice_id=notice_id,
        version=version,
        publication_number=ted_publication_number(_text(extension, "efac:Publication/efbc:NoticePublicationID")),
        procedure_id=_text(root, "cbc:ContractFolderID"),
        customization=_text(root, "cbc:CustomizationID"),
        notice_type=(type_code.text or "").strip() if type_code is not None else "",
        form_type=(type_code.get("listName") or "").strip() if type_code is not None else "",
        subtype=_text(extension, "efac:NoticeSubType/cbc:SubTypeCode"),
        language=language,
        issue_date=parse_date(_text(root, "cbc:IssueDate"), "issue date (BT-05)", problems),
        publication_date=parse_date(_text(extension, "efac:Publication/efbc:PublicationDate"),
                                    "publication date (OPP-012)", problems),
        previous=_text(extension, "efac:Changes/efbc:ChangedNoticeIdentifier"),
        problems=problems,
    )
    if not notice.notice_type:
        problems.append("no notice type (BT-02)")

    organizations = _organizations(extension)
    for reference in _all(root, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID"):
        party = organizations.get((reference.text or "").strip())
        if party is None:
            problems.append(f"buyer {reference.text!r} is not among the notice's organizations")
        elif party not in notice.buyers:
            notice.buyers.append(party)
    if not notice.buyers:
        problems.append("no buyer (cac:ContractingParty)")
    notice.winners = _winners(extension, organizations)

    notice.titles = _by_language(_all(project, "cbc:Name"), language)
    notice.descriptions = _by_language(_all(project, "cbc:Description"), language)
    if not notice.titles and lot_projects:
        notice.titles = _by_language(_all(lot_projects[0], "cbc:Name"), language)
        problems.append("no procedure title (BT-21): the first lot's title is used")
    if not notice.titles:
        problems.append("no title (BT-21)")
    if not notice.descriptions and lot_projects:
        notice.descriptions = _by_language(_all(lot_projects[0], "cbc:Description"), language)

    notice.main_cpv = _text(project, "cac:MainCommodityClassification/cbc:ItemClassificationCode")
    if not notice.main_cpv and lot_projects:
        notice.main_cpv = _text(lot_projects[0], "cac:MainCommodityClassification/cbc:ItemClassificationCode")
    if not notice.main_cpv:
        problems.append("no main CPV code (BT-262)")
    notice.cpv_codes = unique([notice.main_cpv] + [
        (code.text or "").strip() for each in projects
        for code in _all(each, "cac:MainCommodityClassification/cbc:ItemClassificationCode")
        + _all(each, "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode")])
    notice.nuts = unique((code.text or "").strip() for each in projects
                         for code in _all(each, "cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode"))
    notice.nature = _text(project, "cbc:ProcurementTypeCode") or next(
        (_text(each, "cbc:ProcurementTypeCode") for each in lot_projects if _text(each, "cbc:ProcurementTypeCode")),
        "")
    notice.procedure = _text(root, "cac:TenderingProcess/cbc:ProcedureCode")
    notice.innovative_acquisition = _codes(projects, "innovative-acquisition")
    notice.strategic_procurement = _codes(projects, "strategic-procurement")

    notice.estimated_value, notice.estimated_currency = _amount(
        project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount", "estimated value (BT-27)", problems)
    notice.awarded_value, notice.awarded_currency = _amount(
        extension, "efac:NoticeResult/cbc:TotalAmount", "total awarded value (BT-161)", problems)

    deadlines, lot_values = [], []
    for lot in lots:
        lot_project = lot.find(PROJECT, NS)
        value, currency = _amount(lot_project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
                                  "lot estimated value (BT-27)", problems)
        identifier = lot.find("cbc:ID", NS)
        if identifier is None or identifier.get("schemeName") != "LotsGroup":   # a group's value repeats its lots'
            lot_values.append((value, currency))
        names = _by_language(_all(lot_project, "cbc:Name"), language)
        notice.lots.append(Lot(
            identifier=_text(lot, "cbc:ID"),
            title=next(iter(names.values()), ""),
            cpv_codes=unique([_text(lot_project, "cac:MainCommodityClassification/cbc:ItemClassificationCode")] + [
                (code.text or "").strip()
                for code in _all(lot_project, "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode")]),
            estimated_value=value, currency=currency))
        # The tender deadline (BT-131), or in two-stage procedures the deadline to ask to take part (BT-1311).
        deadline = parse_date(
            _text(lot, "cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate")
            or _text(lot, "cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod/cbc:EndDate"),
            "tender deadline (BT-131)", problems)
        if deadline:
            deadlines.append(deadline)
    notice.deadline = min(deadlines) if deadlines else None
    notice.related = _earlier_notices(root, notice)
    # Where the notice gives no total, its lots' values make one (BT-27 per lot; BT-720 per winning tender).
    if notice.estimated_value is None:
        notice.estimated_value, notice.estimated_currency = total_in_one_currency(lot_values)
    if notice.awarded_value is None:
        winning = _winning_tender_values(extension, problems)
        notice.awarded_value, notice.awarded_currency = total_in_one_currency(winning)
    return notice
