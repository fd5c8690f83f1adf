"""eForms notices (every family: planning, competition, direct award, result, modification, and
Norway's national and national-e notices), read by namespace-aware paths from the root element."""

from decimal import Decimal

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
from delbar.notices.sources.paths import ByTag

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


class Children(ByTag):
    __slots__ = ()
    NAMESPACES = NS
    STEPS = {}


def _by_language(elements, default_language: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for element in elements:
        value = " ".join((element.text or "").split())
        if value:
            texts.setdefault(language_code(element.get("languageID")) or default_language, value)
    return texts


def _organizations(tree: Children, extension) -> dict[str, Party]:
    parties = {}
    for company in tree.all(extension, "efac:Organizations/efac:Organization/efac:Company"):
        reference = tree.text(company, "cac:PartyIdentification/cbc:ID")
        parties[reference] = Party(
            name=tree.text(company, "cac:PartyName/cbc:Name"),
            org_number=tree.text(company, "cac:PartyLegalEntity/cbc:CompanyID"),
            city=tree.text(company, "cac:PostalAddress/cbc:CityName"),
            # ISO alpha-3 in eForms ("NOR"); Party.country is alpha-2.
            country=country_code(tree.text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")),
        )
    return parties


def _winners(tree: Children, extension, organizations: dict[str, Party]) -> list[Party]:
    """Follows the result's references: winning lot result -> lot tender -> tendering party -> tenderer."""
    result = tree.find(extension, "efac:NoticeResult")
    if result is None:
        return []
    parties = {tree.text(party, "cbc:ID"): [tree.text(tenderer, "cbc:ID")
                                            for tenderer in tree.all(party, "efac:Tenderer")]
               for party in tree.all(result, "efac:TenderingParty")}
    tenders = {tree.text(tender, "cbc:ID"): tree.text(tender, "efac:TenderingParty/cbc:ID")
               for tender in tree.all(result, "efac:LotTender")}
    winners = []
    for lot_result in tree.all(result, "efac:LotResult"):
        if tree.text(lot_result, "cbc:TenderResultCode") not in ("", "selec-w"):
            continue
        for tender in tree.all(lot_result, "efac:LotTender/cbc:ID"):
            for organization in parties.get(tenders.get((tender.text or "").strip(), ""), []):
                if organization in organizations and organizations[organization] not in winners:
                    winners.append(organizations[organization])
    return winners


def _winning_tender_values(tree: Children, extension, problems) -> list[tuple[Decimal | None, str]]:
    """The value of each winning tender (BT-720, the LotTender's payable amount) of each lot result."""
    result = tree.find(extension, "efac:NoticeResult")
    if result is None:
        return []
    tenders = {tree.text(tender, "cbc:ID"): tender for tender in tree.all(result, "efac:LotTender")}
    values = []
    for lot_result in tree.all(result, "efac:LotResult"):
        if tree.text(lot_result, "cbc:TenderResultCode") not in ("", "selec-w"):
            continue
        for reference in tree.all(lot_result, "efac:LotTender/cbc:ID"):
            tender = tenders.get((reference.text or "").strip())
            if tender is not None and tree.find(tender, "cac:LegalMonetaryTotal/cbc:PayableAmount") is not None:
                values.append(_amount(tree, tender, "cac:LegalMonetaryTotal/cbc:PayableAmount",
                                      "winning tender value (BT-720)", problems))
    return values


def _codes(tree: Children, projects, list_name: str) -> list[str]:
    return unique((code.text or "").strip() for project in projects
                  for code in tree.all(project, "cac:ProcurementAdditionalType/cbc:ProcurementTypeCode")
                  if code.get("listName") == list_name and (code.text or "").strip() != "none")


def _amount(tree: Children, element, path: str, what: str, problems) -> tuple[Decimal | None, str]:
    found = tree.find(element, path)
    if found is None:
        return None, ""
    return parse_amount(found.text, what, problems), (found.get("currencyID") or "").strip()


def _earlier_notices(tree: Children, root, notice: ParsedNotice) -> list[str]:
    """The earlier notices the procedure (OPP-090, the previous notice) and its lots (BT-125, the previous
    planning notice) name: by TED publication number or by eForms identifier ("<notice id>-<version>"), as trail
    references."""
    related = []
    for part in [root, *tree.all(root, LOT)]:
        for reference in tree.all(part, "cac:TenderingProcess/cac:NoticeDocumentReference/cbc:ID"):
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
    tree = Children()
    extension = tree.find(root, EXTENSION)
    if extension is None:
        problems.append("no eForms extension (efext:EformsExtension): organizations and subtype are missing")
    notice_id = tree.text(root, "cbc:ID")
    if not notice_id:
        problems.append("no notice identifier (BT-701)")
        notice_id = tree.text(root, "cbc:ContractFolderID")
    version = tree.text(root, "cbc:VersionID").lstrip("0") or "1"
    type_code = tree.find(root, "cbc:NoticeTypeCode")
    languages = [language_code(element.text) for element in tree.all(root, "cbc:NoticeLanguageCode")]
    language = languages[0] if languages else ""
    project = tree.find(root, PROJECT)
    lots = tree.all(root, LOT)
    lot_projects = [tree.find(lot, PROJECT) for lot in lots]
    lot_projects = [lot_project for lot_project in lot_projects if lot_project is not None]
    projects = ([project] if project is not None else []) + lot_projects

    notice = ParsedNotice(
        format="eforms",
        notice_id=notice_id,
        version=version,
        publication_number=ted_publication_number(tree.text(extension, "efac:Publication/efbc:NoticePublicationID")),
        procedure_id=tree.text(root, "cbc:ContractFolderID"),
        customization=tree.text(root, "cbc:CustomizationID"),
        notice_type=(type_code.text or "").strip() if type_code is not None else "",
        form_type=(type_code.get("listName") or "").strip() if type_code is not None else "",
        subtype=tree.text(extension, "efac:NoticeSubType/cbc:SubTypeCode"),
        language=language,
        issue_date=parse_date(tree.text(root, "cbc:IssueDate"), "issue date (BT-05)", problems),
        publication_date=parse_date(tree.text(extension, "efac:Publication/efbc:PublicationDate"),
                                    "publication date (OPP-012)", problems),
        previous=tree.text(extension, "efac:Changes/efbc:ChangedNoticeIdentifier"),
        problems=problems,
    )
    if not notice.notice_type:
        problems.append("no notice type (BT-02)")

    organizations = _organizations(tree, extension)
    for reference in tree.all(root, "cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID"):
        party = organizations.get((reference.text or "").strip())
        if party is None:
            problems.append(f"buyer {reference.text!r} is not among the notice's organizations")
        elif party not in notice.buyers:
            notice.buyers.append(party)
    if not notice.buyers:
        problems.append("no buyer (cac:ContractingParty)")
    notice.winners = _winners(tree, extension, organizations)

    notice.titles = _by_language(tree.all(project, "cbc:Name"), language)
    notice.descriptions = _by_language(tree.all(project, "cbc:Description"), language)
    if not notice.titles and lot_projects:
        notice.titles = _by_language(tree.all(lot_projects[0], "cbc:Name"), language)
        problems.append("no procedure title (BT-21): the first lot's title is used")
    if not notice.titles:
        problems.append("no title (BT-21)")
    if not notice.descriptions and lot_projects:
        notice.descriptions = _by_language(tree.all(lot_projects[0], "cbc:Description"), language)

    notice.main_cpv = tree.text(project, "cac:MainCommodityClassification/cbc:ItemClassificationCode")
    if not notice.main_cpv and lot_projects:
        notice.main_cpv = tree.text(lot_projects[0], "cac:MainCommodityClassification/cbc:ItemClassificationCode")
    if not notice.main_cpv:
        problems.append("no main CPV code (BT-262)")
    notice.cpv_codes = unique([notice.main_cpv] + [
        (code.text or "").strip() for each in projects
        for code in tree.all(each, "cac:MainCommodityClassification/cbc:ItemClassificationCode")
        + tree.all(each, "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode")])
    notice.nuts = unique((code.text or "").strip() for each in projects
                         for code in tree.all(each, "cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode"))
    notice.nature = tree.text(project, "cbc:ProcurementTypeCode") or next(
        (tree.text(each, "cbc:ProcurementTypeCode") for each in lot_projects
         if tree.text(each, "cbc:ProcurementTypeCode")), "")
    notice.procedure = tree.text(root, "cac:TenderingProcess/cbc:ProcedureCode")
    notice.innovative_acquisition = _codes(tree, projects, "innovative-acquisition")
    notice.strategic_procurement = _codes(tree, projects, "strategic-procurement")

    notice.estimated_value, notice.estimated_currency = _amount(
        tree, project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount", "estimated value (BT-27)",
        problems)
    notice.awarded_value, notice.awarded_currency = _amount(
        tree, extension, "efac:NoticeResult/cbc:TotalAmount", "total awarded value (BT-161)", problems)

    deadlines, lot_values = [], []
    for lot in lots:
        lot_project = tree.find(lot, PROJECT)
        value, currency = _amount(tree, lot_project, "cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
                                  "lot estimated value (BT-27)", problems)
        identifier = tree.find(lot, "cbc:ID")
        if identifier is None or identifier.get("schemeName") != "LotsGroup":   # a group's value repeats its lots'
            lot_values.append((value, currency))
        names = _by_language(tree.all(lot_project, "cbc:Name"), language)
        notice.lots.append(Lot(
            identifier=tree.text(lot, "cbc:ID"),
            title=next(iter(names.values()), ""),
            cpv_codes=unique([tree.text(lot_project, "cac:MainCommodityClassification/cbc:ItemClassificationCode")] + [
                (code.text or "").strip()
                for code in tree.all(lot_project, "cac:AdditionalCommodityClassification/cbc:ItemClassificationCode")]),
            estimated_value=value, currency=currency))
        # The tender deadline (BT-131), or in two-stage procedures the deadline to ask to take part (BT-1311).
        deadline = parse_date(
            tree.text(lot, "cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate")
            or tree.text(lot, "cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod/cbc:EndDate"),
            "tender deadline (BT-131)", problems)
        if deadline:
            deadlines.append(deadline)
    notice.deadline = min(deadlines) if deadlines else None
    notice.related = _earlier_notices(tree, root, notice)
    # Where the notice gives no total, its lots' values make one (BT-27 per lot; BT-720 per winning tender).
    if notice.estimated_value is None:
        notice.estimated_value, notice.estimated_currency = total_in_one_currency(lot_values)
    if notice.awarded_value is None:
        winning = _winning_tender_values(tree, extension, problems)
        notice.awarded_value, notice.awarded_currency = total_in_one_currency(winning)
    return notice
