"""Facts about real notices, read by hand from each document (never from the parser's output) and compared
with what the parsers give, field by field: TED XML R2.0.9 of many forms, eForms (Doffin, the SDK's and DFØ's
examples, OP-TED's conversions of TED notices) and OCDS 1.0 and 1.1 of several publishers.

Every notice states every field; a fact the document does not give is written as empty or None. The 43
differences these facts first showed were parser bugs, all fixed (the parsers' history says which). Pure
functions: no database."""

from datetime import date
from decimal import Decimal

import pytest

from delbar.notices.sources import parse
from tests.notice_files import DOFFIN, NOTICE_FIXTURES, TED_XML

D = Decimal
NONE = (None, "")
FIELDS = ("key", "form_type", "title", "buyer_names", "buyer_ids", "buyer_countries", "main_cpv", "cpv_codes",
          "classifications", "procedure", "lots", "estimated", "awarded", "winners", "publication_date",
          "issue_date", "deadline", "language", "related", "previous")


def notice(path, **facts) -> dict:
    missing, unknown = set(FIELDS) - set(facts), set(facts) - set(FIELDS)
    assert not missing and not unknown, (path, missing, unknown)
    return {"path": path, "id": f"{path.parent.name}/{path.stem}", **facts}


# TED XML R2.0.9, all read from the form whose CATEGORY is ORIGINAL and from CODED_DATA_SECTION:
# key "ted:" + TED_EXPORT/@DOC_ID; form_type from the form (F01…F25) and CODIF_DATA/TD_DOCUMENT_TYPE;
# title OBJECT_CONTRACT/TITLE; buyers CONTRACTING_BODY/ADDRESS_CONTRACTING_BODY(_ADDITIONAL)/(OFFICIALNAME,
# NATIONALID as written, COUNTRY/@VALUE as ISO 3166-1 alpha-2: TED's "UK" is GB); main_cpv CPV_MAIN/CPV_CODE,
# cpv_codes with every OBJECT_DESCR/CPV_ADDITIONAL; procedure the PROCEDURE/PT_* element (F15: under
# DIRECTIVE_*), as OP-TED's converter maps it (ted-xml-data-converter xslt/other-mappings.xml, procedure-types);
# lots the OBJECT_DESCR elements; estimated OBJECT_CONTRACT/VAL_ESTIMATED_TOTAL (II.1.5), else the sum of
# OBJECT_DESCR/VAL_OBJECT (II.2.6) — an award's "initial estimated total value" (AWARDED_CONTRACT/…/
# VAL_ESTIMATED_TOTAL) is not one: eForms has no equivalent outside frameworks (the converter's
# ted-elements-not-convertible.md); awarded OBJECT_CONTRACT/VAL_TOTAL (II.1.7), else the sum of the awards'
# VAL_TOTAL; winners AWARDED_CONTRACT/(CONTRACTORS/)CONTRACTOR/ADDRESS_CONTRACTOR/OFFICIALNAME; publication_date
# REF_OJS/DATE_PUB; issue_date CODIF_DATA/DS_DATE_DISPATCH; deadline PROCEDURE/DATE_RECEIPT_TENDERS; language
# NOTICE_DATA/LG_ORIG; related PROCEDURE/NOTICE_NUMBER_OJ; previous (F14, F20) NOTICE_DATA/REF_NOTICE/NO_DOC_OJS.
TED = NOTICE_FIXTURES / "ted-xml"
TED_NOTICES = [
    # F01, prior information notice only; R2.0.9.S03. No PT_* in PROCEDURE (CODIF_DATA/PR_PROC "Not applicable").
    notice(TED / "20-155018-001-EXP.xml", key="ted:150025-2020", form_type="planning",
           title="Gemeinde Veitshöchheim, Sportplatzbauarbeiten an der Freisportanlage",
           buyer_names=["Gemeinde Veitshöchheim"], buyer_ids=[""], buyer_countries=["DE"],
           main_cpv="45212200", cpv_codes=["45212200"], classifications=[], procedure="", lots=1,
           estimated=NONE, awarded=NONE, winners=[], publication_date=date(2020, 3, 30),
           issue_date=date(2020, 3, 27), deadline=None, language="de", related=[], previous=""),
    # F02, open procedure, one lot (NO_LOT_DIVISION); DOC_ID 352907-2021 although the file is 21-364236.
    notice(TED / "21-364236-001-EXP.xml", key="ted:352907-2021", form_type="competition",
           title="Laboratorieinredning Hus 6 och 7 Ångström",
           buyer_names=["Uppsala universitet"], buyer_ids=["202100-2932"], buyer_countries=["SE"],
           main_cpv="39180000", cpv_codes=["39180000"], classifications=[], procedure="open", lots=1,
           estimated=(D("2000000.00"), "SEK"), awarded=NONE, winners=[], publication_date=date(2021, 7, 13),
           issue_date=date(2021, 7, 8), deadline=date(2021, 8, 18), language="sv", related=[], previous=""),
    # F03 of a discontinued procedure: AWARD_CONTRACT/NO_AWARDED_CONTRACT/PROCUREMENT_DISCONTINUED.
    notice(TED / "21-364240-001-EXP.xml", key="ted:354339-2021", form_type="result",
           title="Arbetsbefrämjande insatser",
           buyer_names=["Uppsala kommun"], buyer_ids=[""], buyer_countries=["SE"],
           main_cpv="85300000", cpv_codes=["85300000", "85310000", "98000000"], classifications=[],
           procedure="restricted", lots=1, estimated=NONE, awarded=NONE, winners=[],
           publication_date=date(2021, 7, 13), issue_date=date(2021, 7, 8), deadline=None, language="sv",
           related=["ted:431038-2019"], previous=""),
    # F03 under the EIB's rules (LEGAL_BASIS_OTHER), outside the EU. OBJECT_CONTRACT gives only VAL_RANGE_TOTAL
    # (lowest and highest offer), so no awarded value; the award's VALUES/VAL_ESTIMATED_TOTAL is V.2.3.
    notice(TED / "21-010961-001-EXP.xml", key="ted:15463-2021", form_type="result",
           title="Design Review and Construction Supervision Services in relation to the Design and Build",
           buyer_names=["Mulonga Water Supply and Sanitation Company Ltd"], buyer_ids=[""], buyer_countries=["ZM"],
           main_cpv="71242000", cpv_codes=["71242000"], classifications=[], procedure="restricted", lots=1,
           estimated=NONE, awarded=NONE, winners=["Nicholas Odwyer"], publication_date=date(2021, 1, 14),
           issue_date=date(2021, 1, 8), deadline=None, language="en", related=["ted:262839-2017"], previous=""),
    # F03 of schema R2.0.9.S02: AWARDED_CONTRACT holds CONTRACTOR and VAL_TOTAL directly (no CONTRACTORS, no
    # VALUES); the original English form comes after the Danish and German translations.
    notice(TED / "045279-2018.xml", key="ted:45279-2018", form_type="result",
           title="Cross-Cutting Activities — Human Capital",
           buyer_names=["Shift2Rail Joint Undertaking"], buyer_ids=[""], buyer_countries=["BE"],
           main_cpv="79000000", cpv_codes=["79000000"], classifications=[], procedure="neg-wo-call", lots=1,
           estimated=NONE, awarded=(D("200000.00"), "EUR"),
           winners=["Netherlands Organisation for Applied Scientific Research-TNO",
                    "University of Newcastle upon Tyne"],
           publication_date=date(2018, 2, 1), issue_date=date(2018, 1, 25), deadline=None, language="en",
           related=["ted:15630-2017"], previous=""),
    # F04, periodic indicative notice of a utility (NOTICE TYPE="PER_REDUCING_TIME_LIMITS"), two lots.
    notice(TED / "22-434184-001-EXP.xml", key="ted:421993-2022", form_type="planning",
           title="Contenimento Rischio COVID-19 - Avviso di Indizione della Procedura Negoziata",
           buyer_names=["Azienda Trasporti Messina S.p.A."], buyer_ids=["0000619870"], buyer_countries=["IT"],
           main_cpv="34121000", cpv_codes=["34121000"], classifications=[], procedure="", lots=2,
           estimated=(D("2695980.00"), "EUR"), awarded=NONE, winners=[], publication_date=date(2022, 8, 2),
           issue_date=date(2022, 7, 28), deadline=date(2022, 8, 12), language="it", related=[], previous=""),
    # F05, utilities contract notice, two lots; NATIONALID is written "N/A".
    notice(TED / "21-119240-001-EXP.xml", key="ted:119025-2021", form_type="competition",
           title="Airside and Landside Civil Works Framework",
           buyer_names=["DAA plc"], buyer_ids=["N/A"], buyer_countries=["IE"],
           main_cpv="45235100", cpv_codes=["45200000", "45221000", "45221200", "45221211", "45221240", "45221241",
                                           "45221247", "45235100"],
           classifications=[], procedure="neg-w-call", lots=2, estimated=(D("425000000.00"), "EUR"),
           awarded=NONE, winners=[], publication_date=date(2021, 3, 9), issue_date=date(2021, 3, 4),
           deadline=date(2021, 4, 22), language="en", related=[], previous=""),
    # F06, utilities award without a call (PT_AWARD_CONTRACT_WITHOUT_CALL), two lots won by one contractor.
    notice(TED / "008247-2021.xml", key="ted:8247-2021", form_type="result",
           title="Wachschutz PV-Parks Gottesgabe und Alttrebbin",
           buyer_names=["EnBW Energie Baden-Württemberg AG"], buyer_ids=[""], buyer_countries=["DE"],
           main_cpv="79713000", cpv_codes=["79713000"], classifications=[], procedure="neg-wo-call", lots=2,
           estimated=NONE, awarded=NONE, winners=["Wiking Sicherheit und Service GmbH"],
           publication_date=date(2021, 1, 8), issue_date=date(2021, 1, 4), deadline=None, language="de",
           related=[], previous=""),
    # F07, qualification system (TD_DOCUMENT_TYPE "Q"): eForms' qu-sy is of the competition family.
    notice(TED / "20-620029-001-EXP.xml", key="ted:599593-2020", form_type="competition",
           title="Qualifizierungssystem: Entschlackung AVA",
           buyer_names=["EnBW Energie Baden-Württemberg AG"], buyer_ids=[""], buyer_countries=["DE"],
           main_cpv="45251000", cpv_codes=["45251000"], classifications=[], procedure="", lots=1,
           estimated=NONE, awarded=NONE, winners=[], publication_date=date(2020, 12, 11),
           issue_date=date(2020, 12, 8), deadline=None, language="de", related=[], previous=""),
    # F08, notice on a buyer profile (TD_DOCUMENT_TYPE "B"): eForms' pin-buyer, planning. No PROCEDURE.
    notice(TED / "19-099886-001-EXP.xml", key="ted:97985-2019", form_type="planning",
           title="Sukcesywne dostawy artykułów żywnościowych",
           buyer_names=["Areszt Śledczy w Jeleniej Górze"], buyer_ids=[""], buyer_countries=["PL"],
           main_cpv="15100000", cpv_codes=["03100000", "03200000", "15100000", "15200000", "15300000", "15400000",
                                           "15500000", "15600000", "15800000", "15900000"],
           classifications=[], procedure="", lots=1, estimated=NONE, awarded=NONE, winners=[],
           publication_date=date(2019, 3, 1), issue_date=date(2019, 2, 27), deadline=None, language="pl",
           related=[], previous=""),
    # F13, results of a design contest: RESULTS/NO_AWARDED_PRIZE/PROCUREMENT_UNSUCCESSFUL.
    notice(TED / "19-111211-001-EXP.xml", key="ted:108473-2019", form_type="result",
           title="Liepājas pilsētas robežzīmju koncepcijas un labiekārtojuma izveide",
           buyer_names=["Liepājas pilsētas pašvaldība"], buyer_ids=["90000063185"], buyer_countries=["LV"],
           main_cpv="92312200", cpv_codes=["92312200"], classifications=[], procedure="open", lots=1,
           estimated=NONE, awarded=NONE, winners=[], publication_date=date(2019, 3, 7), issue_date=date(2019, 3, 5),
           deadline=None, language="lv", related=["ted:508614-2018"], previous=""),
    # F14, corrigendum: no PROCEDURE and no OBJECT_DESCR. The procedure is in CODIF_DATA/PR_PROC CODE="1" (Open
    # procedure); the deadline is the new one, CHANGES/CHANGE[WHERE/SECTION="IV.2.2)"]/NEW_VALUE/DATE, also
    # CODIF_DATA/DT_DATE_FOR_SUBMISSION 20230303 17:00.
    notice(TED / "23-119901-001-EXP.xml", key="ted:121869-2023", form_type="change",
           title="Empreitada EN341 - ACESSO AO TERMINAL FERROVIÁRIO DE ALFARELOS (EN342)",
           buyer_names=["Infraestruturas de Portugal, S. A."], buyer_ids=["503933813"], buyer_countries=["PT"],
           main_cpv="45221121", cpv_codes=["45221121"], classifications=[], procedure="open", lots=0,
           estimated=NONE, awarded=NONE, winners=[], publication_date=date(2023, 2, 27),
           issue_date=date(2023, 2, 22), deadline=date(2023, 3, 3), language="pt", related=[],
           previous="ted:267307-2022"),
    # F15 (VEAT) under DIRECTIVE_2014_24_EU, four lots, buyer in the UK (COUNTRY VALUE="UK"). II.1.7 says
    # 21 000 000 GBP although the four awards' VAL_TOTAL add up to 31 500 000: the notice's own total is kept.
    notice(TED / "22-023722-001-EXP.xml", key="ted:28132-2022", form_type="dir-awa-pre",
           title="ID 2342618 DfE TNI - Advertising and Marketing Services",
           buyer_names=["Tourism Northern Ireland"], buyer_ids=[""], buyer_countries=["GB"],
           main_cpv="79340000", cpv_codes=["79340000", "79341000", "79341200", "79341400"], classifications=[],
           procedure="neg-wo-call", lots=4, estimated=NONE, awarded=(D("21000000.00"), "GBP"),
           winners=["LOUD MOUTH MEDIA LTD", "MAMMOTH DESIGN CONSULTANTS LTD", "TRAMWAY INVESTMENT HOLDINGS LIMITED"],
           publication_date=date(2022, 1, 18), issue_date=date(2022, 1, 13), deadline=None, language="en",
           related=["ted:95930-2020"], previous=""),
    # F15 under DIRECTIVE_2014_25_EU; II.1.7 VAL_TOTAL 182000.00 (the award's own VAL_TOTAL is 179488.00).
    notice(TED / "21-158592-001-EXP.xml", key="ted:155727-2021", form_type="dir-awa-pre",
           title="Travaux de remplacement du groupe froid",
           buyer_names=["Établissement français du sang Île-de-France"], buyer_ids=["42882285201811"],
           buyer_countries=["FR"], main_cpv="45000000", cpv_codes=["45000000"], classifications=[],
           procedure="neg-wo-call", lots=1, estimated=NONE, awarded=(D("182000.00"), "EUR"),
           winners=["CPE Maintenance"], publication_date=date(2021, 3, 29), issue_date=date(2021, 3, 24),
           deadline=None, language="fr", related=[], previous=""),
    # F21, social services contract notice (NOTICE TYPE="CONTRACT", TD_DOCUMENT_TYPE "3").
    notice(TED / "19-090974-001-EXP.xml", key="ted:91489-2019", form_type="competition",
           title="Marché de service pour l'élaboration, la fabrication et la livraison de repas",
           buyer_names=["EPS Paul Guiraud"], buyer_ids=[""], buyer_countries=["FR"],
           main_cpv="55321000", cpv_codes=["55321000"], classifications=[], procedure="open", lots=1,
           estimated=NONE, awarded=NONE, winners=[], publication_date=date(2019, 2, 26), issue_date=date(2019, 2, 21),
           deadline=date(2019, 3, 22), language="fr", related=[], previous=""),
    # F22 used for a qualification system of a utility (NOTICE TYPE="QSU_ONLY", TD_DOCUMENT_TYPE "Q"). No PROCEDURE.
    notice(TED / "20-318547-001-EXP.xml", key="ted:309175-2020", form_type="competition",
           title="PON inclusione — avviso pubblico per l'accreditamento di enti promotori qualificati",
           buyer_names=["Comune di Acireale"], buyer_ids=[""], buyer_countries=["IT"],
           main_cpv="85310000", cpv_codes=["85310000"], classifications=[], procedure="", lots=1,
           estimated=NONE, awarded=NONE, winners=[], publication_date=date(2020, 7, 2), issue_date=date(2020, 6, 30),
           deadline=None, language="it", related=[], previous=""),
    # F25, concession award after a concession notice: PROCEDURE/PT_AWARD_CONTRACT_WITH_PRIOR_PUBLICATION, which
    # OP-TED maps to neg-w-call. II.1.7 is written in EUR, the award's VAL_TOTAL in GBP; the notice's total is kept.
    notice(TED / "21-205737-001-EXP.xml", key="ted:204820-2021", form_type="result",
           title="Uninterrupted Brighton Mainline Cellular Internet and Mobile Reception",
           buyer_names=["Network Rail Infrastructure Ltd"], buyer_ids=[""], buyer_countries=["GB"],
           main_cpv="45232300", cpv_codes=["32000000", "32412100", "32524000", "45232300", "64200000", "64227000"],
           classifications=[], procedure="neg-w-call", lots=1, estimated=NONE,
           awarded=(D("118114040.00"), "EUR"), winners=["Cellnex UK Ltd"], publication_date=date(2021, 4, 23),
           issue_date=date(2021, 4, 19), deadline=None, language="en", related=["ted:29577-2020"], previous=""),
    # The demo's F03 of a Norwegian municipality, four awards; its eForms conversion is below.
    notice(TED_XML / "20-157399-001-EXP.xml", key="ted:154292-2020", form_type="result",
           title="Winter Maintenance of Municipal Roads and Spaces, Kåfjord Kommune [Kåfjord Municipality]",
           buyer_names=["Kåfjord Kommune"], buyer_ids=["940 363 586"], buyer_countries=["NO"],
           main_cpv="90620000", cpv_codes=["90620000"], classifications=[], procedure="open", lots=1,
           estimated=NONE, awarded=(D("4500000.00"), "NOK"),
           winners=["Kurt Steinar Wiik", "Manndalen Maskin AS", "Myrvoll Maskin AS", "Traktor and Maskin"],
           publication_date=date(2020, 3, 31), issue_date=date(2020, 3, 28), deadline=None, language="en",
           related=["ted:267097-2019"], previous=""),
    # The demo's F24, a services concession notice: PROCEDURE holds only DATE_RECEIPT_TENDERS.
    notice(TED_XML / "21-119282-001-EXP.xml", key="ted:119337-2021", form_type="competition",
           title="Pre-qualification: Express Boat Bergen-Nordfjord/Sogn for the Period 2022-2024",
           buyer_names=["Skyss"], buyer_ids=["992 051 825"], buyer_countries=["NO"],
           main_cpv="60600000", cpv_codes=["60000000", "60600000", "63721300"], classifications=[], procedure="",
           lots=1, estimated=(D("596000000"), "NOK"), awarded=NONE, winners=[], publication_date=date(2021, 3, 9),
           issue_date=date(2021, 3, 4), deadline=date(2021, 4, 6), language="en", related=[], previous=""),
]

# eForms: key "ted:<number>" from efac:Publication/efbc:NoticePublicationID when it is a TED number, else
# cbc:ID ":" cbc:VersionID; form_type cbc:NoticeTypeCode/@listName; title cac:ProcurementProject/cbc:Name
# (Norwegian when there is one); buyers cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID ->
# efac:Organization/efac:Company (cac:PartyName/cbc:Name, cac:PartyLegalEntity/cbc:CompanyID as written,
# cac:PostalAddress/cac:Country/cbc:IdentificationCode, alpha-3 in eForms, as ISO alpha-2); CPV codes
# cac:MainCommodityClassification and cac:AdditionalCommodityClassification of the procedure and of every lot;
# procedure cac:TenderingProcess/cbc:ProcedureCode; lots cac:ProcurementProjectLot; estimated
# cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount (BT-27) of the procedure, else the lots' sum;
# awarded efac:NoticeResult/cbc:TotalAmount (BT-161), else the sum of the winning efac:LotTender's
# cac:LegalMonetaryTotal/cbc:PayableAmount (BT-720); winners efac:LotResult -> efac:LotTender ->
# efac:TenderingParty -> efac:Tenderer -> organization; publication_date efac:Publication/efbc:PublicationDate;
# issue_date cbc:IssueDate; deadline the earliest lot's cac:TenderSubmissionDeadlinePeriod/cbc:EndDate; language
# cbc:NoticeLanguageCode; related cac:TenderingProcess/cac:NoticeDocumentReference/cbc:ID of the lots (BT-125)
# and of the procedure (OPP-090), other than the notice's own publication; previous
# efac:Changes/efbc:ChangedNoticeIdentifier.
SDK = NOTICE_FIXTURES / "eforms-sdk"
EFORMS_NOTICES = [
    # No efac:Publication: identified by its own identifier.
    notice(DOFFIN / "ContractNotice_cn-standard_2024-107345.xml", key="870ff007-688a-4ad1-9ad7-28c2ae514b40:1",
           form_type="competition", title="Byggeledelse",
           buyer_names=["Kongsbergregionen"], buyer_ids=["995969653"], buyer_countries=["NO"],
           main_cpv="71500000", cpv_codes=["45220000", "71000000", "71300000", "71310000", "71500000", "71540000",
                                           "71541000", "71800000"],
           classifications=[], procedure="open", lots=1, estimated=NONE, awarded=NONE, winners=[],
           publication_date=None, issue_date=date(2024, 5, 16), deadline=date(2024, 6, 19), language="nb",
           related=[], previous=""),
    # The only LotResult is clos-nw (closed, no winner).
    notice(DOFFIN / "ContractAwardNotice_can-standard_2022-347651.xml", key="ted:50665-2022", form_type="result",
           title="Kulturbad på Flotmyr - Samspillsentreprise",
           buyer_names=["Haugesund kommune"], buyer_ids=["944073787"], buyer_countries=["NO"],
           main_cpv="45212000", cpv_codes=["43324100", "45000000", "45212000", "45212212", "71320000"],
           classifications=[], procedure="neg-w-call", lots=1, estimated=NONE, awarded=NONE, winners=[],
           publication_date=date(2022, 7, 13), issue_date=date(2022, 7, 13), deadline=None, language="nb",
           related=[], previous=""),
    # A modification: no cbc:ProcedureCode, no cbc:TotalAmount; the winning tender TEN-0001 is 2 000 000 NOK.
    notice(DOFFIN / "ContractAwardNotice_can-modif_2023-611830.xml", key="ted:326344-2023", form_type="cont-modif",
           title="Kommunenettverk for innføring av velferdsteknologi",
           buyer_names=["KS  (Kommunesektorens organisasjon)"], buyer_ids=["971 032 146"], buyer_countries=["NO"],
           main_cpv="73220000", cpv_codes=["73220000"], classifications=[], procedure="", lots=1, estimated=NONE,
           awarded=(D("2000000"), "NOK"), winners=["Sopra Steria AS"], publication_date=date(2023, 12, 18),
           issue_date=date(2023, 12, 18), deadline=None, language="nb", related=[], previous=""),
    # NoticePublicationID "n.a."; one part (PAR-0000) rather than a lot.
    notice(DOFFIN / "PriorInformationNotice_pin-only_2023-626911.xml", key="2023-626911:1", form_type="planning",
           title="Markedsdialog - Anskaffelse av vognskjul mm. Skjetlein VGS",
           buyer_names=["Trøndelag fylkeskommune"], buyer_ids=["817920632"], buyer_countries=["NO"],
           main_cpv="45000000", cpv_codes=["45000000", "45210000", "45213240"], classifications=[], procedure="",
           lots=1, estimated=(D("3500000.00"), "NOK"), awarded=NONE, winners=[], publication_date=date(2023, 4, 28),
           issue_date=date(2023, 4, 28), deadline=None, language="nb", related=[], previous=""),
    # Two buyers; BT-161 is 16 000 000 NOK (the one tender, 12 000 000); the lot's BT-125 is 633991-2023.
    notice(DOFFIN / "2024-113575.xml", key="eb49096c-83fe-4bbe-97e0-ec45d380b44b:1", form_type="dir-awa-pre",
           title="Intensjonskunngjøring Digital patologisystem, Helse Nord",
           buyer_names=["SYKEHUSINNKJØP HF", "Helse Nord RHF"], buyer_ids=["916879067", "883 658 752"],
           buyer_countries=["NO", "NO"], main_cpv="48814000",
           cpv_codes=["33124110", "48313100", "48328000", "48515000", "48814000", "48814400", "72212180"],
           classifications=[], procedure="neg-wo-call", lots=1, estimated=NONE, awarded=(D("16000000"), "NOK"),
           winners=["Sectra Norge AS"], publication_date=None, issue_date=date(2024, 9, 23), deadline=None,
           language="nb", related=["ted:633991-2023"], previous=""),
    # Two lots, two winning tenders (138 000 000 + 3 000 000 NOK); the procedure's NoticeDocumentReference is the
    # notice's own publication 2022/S 107-303653, not an earlier notice.
    notice(DOFFIN / "ContractAwardNotice_can-social_2022-927623.xml", key="ted:303653-2022", form_type="result",
           title="Rammeavtale vakt- og sikkerhetstjenester",
           buyer_names=["Politiets fellestjenester"], buyer_ids=["974 761 157"], buyer_countries=["NO"],
           main_cpv="79713000", cpv_codes=["79710000", "79713000"], classifications=[], procedure="open", lots=2,
           estimated=NONE, awarded=(D("141000000.00"), "NOK"), winners=["Avarn Security AS", "Securitas AS"],
           publication_date=date(2022, 10, 25), issue_date=date(2022, 10, 25), deadline=None, language="nb",
           related=[], previous=""),
    # A change notice: it keeps its own type (competition) and names the version it changes.
    notice(SDK / "change-cn_24_open_dates.xml", key="71397268-6c47-4f2f-8ab0-f41a26138f81:1",
           form_type="competition",
           title="Term Contract for a Planned Programme of In-service Inspection and Testing of Electrical Equipment",
           buyer_names=["Renfrewshire Council"], buyer_ids=["not available"], buyer_countries=["GB"],
           main_cpv="71630000", cpv_codes=["31600000", "50300000", "71314100", "71630000"], classifications=[],
           procedure="open", lots=1, estimated=(D("500000"), "EUR"), awarded=NONE, winners=[],
           publication_date=None, issue_date=date(2020, 4, 17), deadline=date(2020, 6, 12), language="en",
           related=[], previous="c4c415ee-ac08-4465-8fa6-57568cf69462-01"),
    # Public passenger transport (T01): procedure code comp-tend; the lot's main CPV differs from the procedure's.
    notice(SDK / "t01_PRT.xml", key="468ad654-621e-43f2-bc58-e774eb03926b:1", form_type="planning",
           title="Public road transport services",
           buyer_names=["Município de Águeda"], buyer_ids=["PartyLegalEntityCID1234"], buyer_countries=["PT"],
           main_cpv="60112000", cpv_codes=["60112000", "60130000"], classifications=[], procedure="comp-tend",
           lots=1, estimated=NONE, awarded=NONE, winners=[], publication_date=None, issue_date=date(2018, 6, 20),
           deadline=None, language="pt", related=[], previous=""),
    # DFØ's national-e E3 with two buyers; cbc:IssueDate is the template placeholder ${ISSUEDATE}.
    notice(NOTICE_FIXTURES / "eforms-sdk-nor" / "national-e" / "VALID-national-e3-multi-buyer-0e9f.xml",
           key="410e3b4e-47ed-43c7-b52c-7bdf73e2436c:1", form_type="competition", title="Lorem ipsum dolor sit amet",
           buyer_names=["Lorem Ipsum AS", "Lorem Ipsum Kommune"], buyer_ids=["999000001", "999000002"],
           buyer_countries=["NO", "NO"], main_cpv="45000000",
           cpv_codes=["45000000", "45210000", "45212000", "45212200", "45212210", "45212220"], classifications=[],
           procedure="open", lots=1, estimated=NONE, awarded=NONE, winners=[], publication_date=None,
           issue_date=None, deadline=date(2026, 9, 16), language="nb", related=[], previous=""),
    # OP-TED's conversion of the demo's 20-157399 (above). The earlier notice is at procedure level:
    # /*/cac:TenderingProcess/cac:NoticeDocumentReference/cbc:ID "00267097-2019" (OPP-090). The four
    # LotTenders have no PayableAmount; BT-161 is 4 500 000.00 NOK.
    notice(NOTICE_FIXTURES / "ted-converted" / "20-157399-001-EXP.xml", key="ted:154292-2020", form_type="result",
           title="Winter Maintenance of Municipal Roads and Spaces, Kåfjord Kommune [Kåfjord Municipality]",
           buyer_names=["Kåfjord Kommune"], buyer_ids=["940 363 586"], buyer_countries=["NO"],
           main_cpv="90620000", cpv_codes=["90620000"], classifications=[], procedure="open", lots=1,
           estimated=NONE, awarded=(D("4500000.00"), "NOK"),
           winners=["Kurt Steinar Wiik", "Manndalen Maskin AS", "Myrvoll Maskin AS", "Traktor and Maskin"],
           publication_date=date(2020, 3, 31), issue_date=date(2020, 3, 28), deadline=None, language="en",
           related=["ted:267097-2019"], previous=""),
    # OP-TED's conversion of the demo's F24 21-119282: no cbc:ProcedureCode, as in the original.
    notice(NOTICE_FIXTURES / "ted-converted" / "21-119282-001-EXP.xml", key="ted:119337-2021",
           form_type="competition",
           title="Pre-qualification: Express Boat Bergen-Nordfjord/Sogn for the Period 2022-2024",
           buyer_names=["Skyss"], buyer_ids=["992 051 825"], buyer_countries=["NO"],
           main_cpv="60600000", cpv_codes=["60000000", "60600000", "63721300"], classifications=[], procedure="",
           lots=1, estimated=(D("596000000"), "NOK"), awarded=NONE, winners=[], publication_date=date(2021, 3, 9),
           issue_date=date(2021, 3, 4), deadline=date(2021, 4, 6), language="en", related=[], previous=""),
]

# OCDS: key "ocds:<ocid>:<release id>"; form_type from what the release holds (contracts[].amendments: cont-modif;
# an award made or a contract: result; tender.status "planned": planning) and else its tag; title tender.title,
# in a release without a tender the first award's or contract's title; buyers `buyer` (1.1: the party it refers
# to; 1.0: the organization itself) and parties with the role buyer: name, identifier.id (additionalIdentifiers
# when there is no identifier), address.countryName or, OCDS 1.2, address.country, as ISO alpha-2; CPV codes every
# classification with scheme CPV (any case, eight digits) of the items of tender, awards and contracts, main the
# first; classifications the other (scheme, id) of those items; procedure tender.procurementMethod (open: open,
# selective: restricted, limited and direct: neg-wo-call); lots tender.lots; estimated tender.value; awarded the
# awards made (status active or none) and winners their suppliers; publication_date and issue_date the release's
# date (OCDS has one); deadline tender.tenderPeriod.endDate, else the earliest tender.lots[].tenderPeriod.endDate;
# language the release's; related relatedProcesses with scheme ocid and relationship planning, prior,
# unsuccessfulProcess or replacementProcess; previous tender.amendments[].amendsReleaseID as the key of that release.
OCDS = NOTICE_FIXTURES / "ocds"
BARNET = {"buyer_names": ["London Borough of Barnet"], "buyer_ids": ["E09000003"], "buyer_countries": ["GB"]}
CYCLE_LANES = "Planned cycle lane improvements"
OCDS_NOTICES = [
    # OCDS 1.0: the buyer is the whole organization; tender.procuringEntity the same; tenderPeriod has no endDate.
    notice(OCDS / "sample-data-1.0" / "ocds-213czf-000-00001-01-planning.json",
           key="ocds:ocds-213czf-000-00001:ocds-213czf-000-00001-01-planning", form_type="planning",
           title=CYCLE_LANES, **BARNET, main_cpv="45233130", cpv_codes=["45233130", "45233162"], classifications=[],
           procedure="open", lots=0, estimated=(D("1000000"), "GBP"), awarded=NONE, winners=[],
           publication_date=date(2009, 3, 15), issue_date=date(2009, 3, 15), deadline=None, language="en",
           related=[], previous=""),
    # OCDS 1.0 tenderAmendment: tender.amendment (1.0) does not say which release it amends.
    notice(OCDS / "sample-data-1.0" / "ocds-213czf-000-00001-03-tenderAmendment.json",
           key="ocds:ocds-213czf-000-00001:ocds-213czf-000-00001-03-tenderAmendment", form_type="change",
           title=CYCLE_LANES, **BARNET, main_cpv="45233130", cpv_codes=["45233130", "45233162"], classifications=[],
           procedure="open", lots=0, estimated=(D("1100000"), "GBP"), awarded=NONE, winners=[],
           publication_date=date(2010, 3, 20), issue_date=date(2010, 3, 20), deadline=date(2011, 4, 1),
           language="en", related=[], previous=""),
    # OCDS 1.0 award release without a tender: the award is "pending" (no winner, no value yet); its title and
    # its items' CPV (awards[0].items[0].classification 45233130, additionalClassifications "45233162-2") are the
    # release's only ones.
    notice(OCDS / "sample-data-1.0" / "ocds-213czf-000-00001-04-award.json",
           key="ocds:ocds-213czf-000-00001:ocds-213czf-000-00001-04-award", form_type="result",
           title="Award of contract to build new cycle lanes in the centre of town", **BARNET,
           main_cpv="45233130", cpv_codes=["45233130", "45233162"], classifications=[], procedure="", lots=0,
           estimated=NONE,
           awarded=NONE, winners=[], publication_date=date(2010, 5, 10), issue_date=date(2010, 5, 10), deadline=None,
           language="en", related=[], previous=""),
    # OCDS 1.0 contract release: the award is now active; CPV only in awards[].items and contracts[].items
    # (classification 45233130, additionalClassifications "45233162-2" in both).
    notice(OCDS / "sample-data-1.0" / "ocds-213czf-000-00001-05-contract.json",
           key="ocds:ocds-213czf-000-00001:ocds-213czf-000-00001-05-contract", form_type="result",
           title="Award of contract to build new cycle lanes in the centre of town", **BARNET,
           main_cpv="45233130", cpv_codes=["45233130", "45233162"], classifications=[], procedure="", lots=0,
           estimated=NONE,
           awarded=(D("11000000"), "GBP"), winners=["AnyCorp Cycle Provision"], publication_date=date(2010, 5, 10),
           issue_date=date(2010, 5, 10), deadline=None, language="en", related=[], previous=""),
    # OCDS 1.0 record package: the compiledRelease.
    notice(OCDS / "sample-data-1.0" / "record_ocds-213czf-000-00001.json",
           key="ocds:ocds-213czf-000-00001:ocds-213czf-000-00001-2011-01-10T09:30:00Z", form_type="result",
           title=CYCLE_LANES, **BARNET, main_cpv="45233130", cpv_codes=["45233130", "45233162"], classifications=[],
           procedure="open", lots=0, estimated=(D("1100000"), "GBP"), awarded=(D("11000000"), "GBP"),
           winners=["AnyCorp Cycle Provision"], publication_date=date(2011, 1, 10), issue_date=date(2011, 1, 10),
           deadline=date(2011, 4, 1), language="en", related=[], previous=""),
    # OCDS 1.1 tenderAmendment: tender.amendments[0].amendsReleaseID "ocds-213czf-000-00001-02-tender"; the
    # buyer is the party GB-LAC-E09000003; items[0].classification.id is written "45233130.0".
    notice(OCDS / "ocds-213czf-000-00001-03-tenderAmendment.json",
           key="ocds:ocds-213czf-000-00001:ocds-213czf-000-00001-03-tenderAmendment", form_type="change",
           title=CYCLE_LANES, **BARNET, main_cpv="45233130", cpv_codes=["45233130", "45233162"], classifications=[],
           procedure="open", lots=0, estimated=(D("1100000"), "GBP"), awarded=NONE, winners=[],
           publication_date=date(2010, 3, 20), issue_date=date(2010, 3, 20), deadline=date(2010, 4, 8),
           language="en", related=[], previous="ocds:ocds-213czf-000-00001:ocds-213czf-000-00001-02-tender"),
    # OCDS 1.1 implementation release without a tender; its only relatedProcesses (in contracts[0]) is a
    # subContract, another procurement.
    notice(OCDS / "ocds-213czf-000-00001-06-implementation.json",
           key="ocds:ocds-213czf-000-00001:ocds-213czf-000-00001-06-implementation", form_type="result",
           title="Award of contract to build new cycle lanes in the centre of town", **BARNET,
           main_cpv="45233130", cpv_codes=["45233130", "45233162"], classifications=[], procedure="", lots=0,
           estimated=NONE, awarded=(D("11000000"), "GBP"), winners=["AnyCorp Cycle Provision"],
           publication_date=date(2011, 1, 10), issue_date=date(2011, 1, 10), deadline=None, language="en",
           related=[], previous=""),
    # Mexico (Compranet), OCDS 1.1 record: the buyer party INAH-195 has no identifier and no address; the
    # procuring entity is another party. tender.value is {"amount": 0} without a currency. The two awards have
    # no status and both became contracts: 189654 + 37930.71 MXN.
    notice(OCDS / "ocdskit-realdata" / "record-package-1.json", key="ocds:ocds-07smqs-993235:993235",
           form_type="result", title="SERVICIO DE ASESORÍA EXTERNA DE SEGUROS PARA EL INAH",
           buyer_names=["Instituto Nacional de Antropología e Historia"], buyer_ids=[""], buyer_countries=[""],
           main_cpv="", cpv_codes=[], classifications=[], procedure="neg-wo-call", lots=0, estimated=(D("0"), ""),
           awarded=(D("227584.71"), "MXN"),
           winners=["GLOBAL ASSURANCE BROKERS, AGENTE DE SEGUROS Y DE FIANZAS SA DE C"],
           publication_date=date(2016, 2, 4), issue_date=date(2016, 2, 4), deadline=None, language="es",
           related=[], previous=""),
    # Paraguay (DNCP), OCDS 1.0 record: tender.value {"currency": "PYG", "amount": null}; no procurementMethod.
    notice(OCDS / "ocdskit-realdata" / "record-package_1.0.json",
           key="ocds:ocds-03ad3f-193399:193399-adquisicion-scanner", form_type="result",
           title="Adquisición de Scanner", buyer_names=["Dirección Nacional de Contrataciones Públicas (DNCP)"],
           buyer_ids=[""], buyer_countries=[""], main_cpv="", cpv_codes=[], classifications=[], procedure="",
           lots=0, estimated=(None, "PYG"), awarded=(D("135630400"), "PYG"), winners=["MASTER SOFT SRL"],
           publication_date=date(2018, 12, 17), issue_date=date(2018, 12, 17), deadline=None, language="es",
           related=[], previous=""),
    # Paraguay (DNCP), OCDS 1.0 contract release: no tender, no awards, no buyer; the contract's items classify
    # with "schema" instead of "scheme", so no classification has a scheme. The title is contracts[0].title.
    notice(OCDS / "ocdskit-realdata" / "release-package_1.0-2.json",
           key="ocds:ocds-03ad3f-246807:246807-11-setiembre-srl-4-contract", form_type="result",
           title="ADQUSICION DE GUANTES Y OTROS INSUMOS MEDICOS", buyer_names=[], buyer_ids=[], buyer_countries=[],
           main_cpv="", cpv_codes=[], classifications=[], procedure="", lots=0, estimated=NONE, awarded=NONE,
           winners=[], publication_date=date(2018, 12, 18), issue_date=date(2018, 12, 18), deadline=None,
           language="es", related=[], previous=""),
    # Doffin's 2024-107345 (above) as OCDS: the buyer's number is in additionalIdentifiers (scheme written
    # GB-COH), its country in address.country "NO"; the deadline is tender.lots[0].tenderPeriod.endDate.
    notice(OCDS / "ContractNotice_cn-standard_2024-107345_release_0.json",
           key="ocds:ocds-abcd1234-3b1204d2-05f5-422c-b1fa-64c5e52a331a:870ff007-688a-4ad1-9ad7-28c2ae514b40",
           form_type="competition", title="Byggeledelse",
           buyer_names=["Kongsbergregionen"], buyer_ids=["995969653"], buyer_countries=["NO"],
           main_cpv="71500000", cpv_codes=["45220000", "71000000", "71300000", "71310000", "71500000", "71540000",
                                           "71541000", "71800000"],
           classifications=[], procedure="open", lots=1, estimated=NONE, awarded=NONE, winners=[],
           publication_date=date(2024, 5, 16), issue_date=date(2024, 5, 16), deadline=date(2024, 6, 19),
           language="nb", related=[], previous=""),
    # Doffin's can-modif 2023-611830 as OCDS: tagged awardUpdate and contractUpdate, but no contract amendment:
    # an award (active) and its contract.
    notice(OCDS / "ContractAwardNotice_can-modif_2023-611830_release_0.json",
           key="ocds:ocds-abcd1234-e7642d64-e71b-44cd-a8cd-d0e24c604b68:2023-611830", form_type="result",
           title="Kommunenettverk for innføring av velferdsteknologi",
           buyer_names=["KS  (Kommunesektorens organisasjon)"], buyer_ids=["971 032 146"], buyer_countries=["NO"],
           main_cpv="73220000", cpv_codes=["73220000"], classifications=[], procedure="", lots=1, estimated=NONE,
           awarded=(D("2000000"), "NOK"), winners=["Sopra Steria AS"], publication_date=date(2023, 12, 18),
           issue_date=date(2023, 12, 18), deadline=None, language="nb", related=[], previous=""),
    # Doffin's pin-only 2023-626911 as OCDS: tagged "tender" but tender.status "planned"; one additional CPV
    # is written with scheme "cpv". The COFOG classification is the buyer's (parties[0].details), not the tender's.
    notice(OCDS / "PriorInformationNotice_pin-only_2023-626911_release_0.json",
           key="ocds:ocds-abcd1234-dd8a21df-bc2b-4324-8fb0-b2f4e471db2b:2023-626911", form_type="planning",
           title="Markedsdialog - Anskaffelse av vognskjul mm. Skjetlein VGS",
           buyer_names=["Trøndelag fylkeskommune"], buyer_ids=["817920632"], buyer_countries=["NO"],
           main_cpv="45000000", cpv_codes=["45000000", "45210000", "45213240"], classifications=[], procedure="",
           lots=0, estimated=(D("3500000.0"), "NOK"), awarded=NONE, winners=[], publication_date=date(2023, 4, 28),
           issue_date=date(2023, 4, 28), deadline=None, language="nb", related=[], previous=""),
]

NOTICES = TED_NOTICES + EFORMS_NOTICES + OCDS_NOTICES

def observed(parsed, field: str):
    if field == "title":
        return " ".join(parsed.title.split())
    if field == "buyer_names":
        return [buyer.name for buyer in parsed.buyers]
    if field == "buyer_ids":
        return [buyer.org_number for buyer in parsed.buyers]
    if field == "buyer_countries":
        return [buyer.country for buyer in parsed.buyers]
    if field in ("cpv_codes", "related"):
        return sorted(getattr(parsed, field))
    if field == "classifications":
        return sorted((item["scheme"], item["id"]) for item in parsed.classifications)
    if field == "lots":
        return len(parsed.lots)
    if field == "estimated":
        return (parsed.estimated_value, parsed.estimated_currency)
    if field == "awarded":
        return (parsed.awarded_value, parsed.awarded_currency)
    if field == "winners":
        return sorted(winner.name for winner in parsed.winners)
    return getattr(parsed, field)


def matches(field: str, expected, actual) -> bool:
    if field == "title":   # the start of the title, as written; no title is an empty one
        return actual.startswith(" ".join(expected.split())) if expected else actual == ""
    if field in ("cpv_codes", "classifications", "winners", "related"):
        return sorted(expected) == actual
    return expected == actual


def _parsed(item):
    [parsed] = parse(item["path"].read_bytes())
    return parsed


def test_the_facts_cover_thirty_notices_across_the_formats():
    assert len(TED_NOTICES) >= 8 and len(EFORMS_NOTICES) >= 10 and len(OCDS_NOTICES) >= 8
    assert len({item["id"] for item in NOTICES}) == len(NOTICES) >= 30


@pytest.mark.parametrize("item", NOTICES, ids=lambda item: item["id"])
def test_a_notice_gives_the_facts_read_from_it(item):
    parsed = _parsed(item)
    assert parsed.format == ("ted-xml" if item in TED_NOTICES else "eforms" if item in EFORMS_NOTICES else "ocds")
    mismatches = [f"{field}: the document says {item[field]!r}, the parser gives {observed(parsed, field)!r}"
                  for field in FIELDS if not matches(field, item[field], observed(parsed, field))]
    assert not mismatches, f"{item['path'].name}:\n  " + "\n  ".join(mismatches)
