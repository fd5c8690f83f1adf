"""The API's shapes. They are the public contract: see docs/api.md for the stability promise."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import AnyHttpUrl, Field


class Error(Schema):
    detail: str | list | dict


class OrganizationRef(Schema):
    id: int
    name: str
    kind: str


class OrganizationOut(Schema):
    id: int
    kind: str
    name: str
    official_name: str
    org_number: str | None
    municipality_number: str | None
    county_number: str | None = Field(None, alias="county_id")
    population: int | None
    size_class: str
    nuts_code: str
    url: str = Field(alias="get_absolute_url")


class CountyOut(Schema):
    number: str
    name: str
    official_name: str
    nuts_code: str
    population: int


class SectorOut(Schema):
    slug: str
    name_nb: str
    name_en: str


class CpvOut(Schema):
    code: str
    name_nb: str
    name_en: str


class NutsOut(Schema):
    code: str
    level: int
    name: str
    current: bool


class BenefitSchema(Schema):
    kind: Literal["money", "time", "quality", "climate"]
    description: str = Field(max_length=300)
    amount: Decimal | None = None
    unit: str = Field("", max_length=40)


class LinkSchema(Schema):
    kind: Literal["notice", "web"] = "web"
    url: AnyHttpUrl
    title: str = Field("", max_length=200)


class ContactOut(Schema):
    name: str
    role: str
    email: str
    phone: str


class ContactIn(ContactOut):
    name: str = Field(max_length=200)
    role: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=30)
    consent: Literal[True] = Field(description="The person agreed to be shown on the published case.")


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    file_name: str
    content_type: str
    size: int
    attribution: str
    url: str


class CaseSummaryOut(Schema):
    id: int
    interchange_id: str
    title: str
    summary: str
    status: str
    sector: str
    category: str
    procedure: str
    outcome: str
    year: int | None
    lead_buyer: OrganizationRef
    published_at: datetime | None
    url: str


class CasePage(Schema):
    count: int
    items: list[CaseSummaryOut]


class CaseOut(CaseSummaryOut):
    need: str
    requirements: str
    solution: str
    other_sectors: list[str]
    cpv: list[str]
    language: str
    needs_assessment_date: date | None
    competition_date: date | None
    contract_date: date | None
    implementation_date: date | None
    evaluation_date: date | None
    contract_value_nok: int | None
    partner_buyers: list[OrganizationRef]
    suppliers: list[OrganizationRef]
    lessons: str
    what_went_wrong: str
    relative_advantage: str
    compatibility: str
    complexity: str
    trialability: str
    observability: str
    benefits: list[BenefitSchema]
    links: list[LinkSchema]
    contacts: list[ContactOut]
    documents: list[DocumentOut]
    based_on: int | None
    return_comment: str


Category = Literal["iia", "aai", ""]
Procedure = Literal["open", "restricted", "competitive-dialogue", "negotiated-with-notice",
                    "innovation-partnership", "pre-commercial", "simplified-below-threshold", ""]
Outcome = Literal["success", "partial", "failed", "ongoing", ""]


class CaseChange(Schema):
    """Fields of a case that a client may set; on PATCH every field is optional."""

    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, min_length=1)
    need: str | None = None
    requirements: str | None = None
    solution: str | None = None
    category: Category | None = None
    sector: str | None = Field(None, description="A sector slug from /api/reference/sectors")
    other_sectors: list[str] | None = None
    cpv: list[str] | None = Field(None, description="Eight-digit CPV codes")
    language: str | None = Field(None, max_length=5)
    procedure: Procedure | None = None
    year: int | None = Field(None, ge=1990, le=2100)
    needs_assessment_date: date | None = None
    competition_date: date | None = None
    contract_date: date | None = None
    implementation_date: date | None = None
    evaluation_date: date | None = None
    contract_value_nok: int | None = Field(None, ge=0)
    partner_buyers: list[int] | None = None
    suppliers: list[int] | None = None
    outcome: Outcome | None = None
    lessons: str | None = None
    what_went_wrong: str | None = None
    relative_advantage: str | None = None
    compatibility: str | None = None
    complexity: str | None = None
    trialability: str | None = None
    observability: str | None = None
    benefits: list[BenefitSchema] | None = None
    links: list[LinkSchema] | None = None
    contacts: list[ContactIn] | None = None


class CaseCreate(CaseChange):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1)
    sector: str
    lead_buyer: int | None = Field(None, description="Needed only when you edit for several organizations")


class ReturnIn(Schema):
    comment: str = Field(min_length=1)


class CaseFilters(Schema):
    q: str | None = None
    sector: str | None = None
    county: str | None = None
    size_class: Literal["small", "medium", "large"] | None = None
    procedure: Procedure | None = None
    category: Category | None = None
    outcome: Outcome | None = None
    year: int | None = None


class SearchFilters(Schema):
    q: str | None = Field(None, max_length=500, description="Words or a described need, in any language")
    kind: Literal["case", "need", "solution", "notice"] | None = Field(None, description="Only this kind of document")
    sector: str | None = None
    county: str | None = None
    size_class: Literal["small", "medium", "large"] | None = None
    procedure: str | None = Field(None, description="A case procedure, or a notice's eForms procedure type")
    category: Category | None = None
    outcome: Outcome | None = None
    year: int | None = None
    status: str | None = Field(None, description="A case's or need's status")
    family: str | None = Field(None, description="Notices: planning, competition, dir-awa-pre, result, …")
    signal: Literal["strong", "some"] | None = Field(None, description="Notices: the innovation signal")
    cpv: str | None = Field(None, pattern=r"^\d{2}$", description="A CPV division (two digits)")
    buyer: int | None = Field(None, description="The buyer organization's id")
    sort: Literal["relevance", "date"] | None = Field(None, description="Default: relevance with words, else date")


class SearchHitOut(Schema):
    id: str = Field(description="The import file's id where there is one, otherwise the object's id")
    kind: str
    object_id: int
    title: str
    url: str
    score: float | None = Field(description="Fused relevance; null without words")
    semantic_score: float | None = Field(description="Cosine similarity of query and document")
    lexical_score: float | None = Field(description="Full-text score relative to the best match (0–1)")
    snippet: str = Field(description="HTML: the best passage, matched words in <mark>, the rest escaped")
    date: datetime | None
    status: str
    sector: str
    county: str
    year: int | None
    outcome: str


class FacetValue(Schema):
    value: str
    count: int


class SearchPage(Schema):
    query: str
    count: int = Field(description="How many results in all (a query's results are its 200 best at most)")
    terms: list[str] = Field(description="The query's search terms: stemmed, compounds split")
    items: list[SearchHitOut]
    facets: dict[str, list[FacetValue]]


NeedStatusLiteral = Literal["open", "in-procurement", "solved", "withdrawn"]


class NeedSummaryOut(Schema):
    id: int
    interchange_id: str
    title: str
    description: str
    status: str
    visibility: str
    sector: str | None
    buyer: OrganizationRef
    open_for_joint_procurement: bool
    created_at: datetime
    url: str


class NeedOut(NeedSummaryOut):
    cpv: list[str]
    language: str
    wanted_by: date | None
    budget_min_nok: int | None
    budget_max_nok: int | None
    interested: list[OrganizationRef]
    based_on_case: int | None
    based_on_need: int | None


class NeedPage(Schema):
    count: int
    items: list[NeedSummaryOut]


class NeedFilters(Schema):
    q: str | None = Field(None, max_length=500, description="Words or a described need, in any language")
    sector: str | None = None
    county: str | None = None
    size_class: Literal["small", "medium", "large"] | None = None
    status: NeedStatusLiteral | None = None
    sort: Literal["relevance", "date"] | None = None


class NeedChange(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, min_length=1)
    sector: str | None = None
    cpv: list[str] | None = None
    language: str | None = Field(None, max_length=5)
    wanted_by: date | None = None
    budget_min_nok: int | None = Field(None, ge=0)
    budget_max_nok: int | None = Field(None, ge=0)
    open_for_joint_procurement: bool | None = None
    visibility: Literal["public", "buyers"] | None = None
    status: NeedStatusLiteral | None = None


class NeedCreate(NeedChange):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1)
    buyer: int | None = Field(None, description="The organization posting it; needed if you edit for several")


class MatchOut(Schema):
    id: int
    kind: str
    object_id: int
    external_id: str = Field(description="The import file's id where there is one, otherwise the object's id")
    title: str
    url: str
    score: float
    similarity: float | None
    state: Literal["suggested", "confirmed", "dismissed"]
    reasons: dict
    reasons_text: list[str]


class MatchDecision(Schema):
    state: Literal["suggested", "confirmed", "dismissed"]


class InterestIn(Schema):
    organization: int | None = Field(None, description="The buyer joining; needed if you edit for several")
    note: str = Field("", max_length=2000)


class InterestOut(Schema):
    need: int
    organization: OrganizationRef
    note: str
    created_at: datetime


class ProposalIn(Schema):
    body: str = Field(min_length=1, max_length=5000)
    solution: int | None = None


class ProposalOut(Schema):
    id: int
    need: int
    supplier: OrganizationRef
    solution: int | None
    body: str
    created_at: datetime


class SolutionOut(Schema):
    id: int
    title: str
    description: str
    supplier: OrganizationRef
    sectors: list[str]
    cpv: list[str]
    cases: list[int]
    active: bool
    url: str


class DemandRow(Schema):
    value: str
    label: str
    needs: int
    buyers: int


class DemandOut(Schema):
    total: int
    buyers: int
    divisions: list[DemandRow]
    sectors: list[DemandRow]
    counties: list[DemandRow]


class QuestionIn(Schema):
    body: str = Field(min_length=1, max_length=2000)


class AnswerIn(Schema):
    body: str = Field(min_length=1, max_length=5000)


class QuestionOut(Schema):
    id: int
    case: int
    body: str
    organization: str | None
    created_at: datetime
    answer: str
    answered_at: datetime | None


class PartyOut(Schema):
    name: str
    org_number: str
    city: str
    country: str


class SignalReasonOut(Schema):
    code: str = Field(description="procedure, bt776, strategic, pre-commercial, research, dialogue, functional, words")
    detail: str
    text: str = Field(description="The reason in words, in the request's language")


class NoticeSummaryOut(Schema):
    id: int
    key: str = Field(description="The stable identity of this version: TED number, or eForms identifier and version")
    notice_id: str
    version: str
    publication_number: str
    title: str
    family: str = Field(description="planning, competition, dir-awa-pre, result, cont-modif, change, …")
    notice_type: str
    procedure: str
    publication_date: date | None
    buyer: OrganizationRef | None = Field(description="The buyer as a Delbar organization, when known")
    buyers: list[PartyOut]
    main_cpv: str
    county: str | None
    signal: str = Field(description="strong, some, or empty")
    signal_score: int
    url: str


class NoticeOut(NoticeSummaryOut):
    description: str
    titles: dict[str, str]
    descriptions: dict[str, str]
    subtype: str
    language: str
    issue_date: date | None
    deadline: date | None
    cpv: list[str]
    nuts: list[str]
    nature: str
    innovative_acquisition: list[str]
    strategic_procurement: list[str]
    estimated_value: Decimal | None
    estimated_currency: str
    awarded_value: Decimal | None
    awarded_currency: str
    lots: list[dict]
    winners: list[PartyOut]
    signal_reasons: list[SignalReasonOut]
    review: str
    current: bool
    superseded_by: int | None
    previous: str
    problems: list[str]
    cases: list[int]
    source: str
    source_file: str
    fetched_at: datetime
    document_url: str


class NoticePage(Schema):
    count: int
    items: list[NoticeSummaryOut]


class NoticeFilters(Schema):
    q: str | None = Field(None, max_length=500, description="Words or a described need, in any language")
    family: str | None = None
    procedure: str | None = None
    cpv: str | None = Field(None, pattern=r"^\d{2}$", description="A CPV division (two digits)")
    county: str | None = None
    buyer: int | None = None
    signal: Literal["strong", "some"] | None = None
    year: int | None = None
    sort: Literal["relevance", "date"] | None = None


# --- diffusion: adoptions and the observatory's figures ---

class FigureColumn(Schema):
    key: str
    label: str
    kind: str = Field(description="text, int, year, share (0–1), days, date or number")


class FigureOut(Schema):
    figure: str
    title: str
    filters: dict
    columns: list[FigureColumn]
    rows: list[dict] = Field(description="One object per row, keyed by the columns' keys")
    notes: list[str]


class ObservatoryOut(Schema):
    filters: dict
    figures: dict[str, FigureOut]


class ObservatoryQuery(Schema):
    sector: str | None = Field(None, description="Sector slug")
    county: str | None = Field(None, description="County number (two digits)")
    size_class: str | None = Field(None, description="small, medium or large")
    procedure: str | None = None
    since: int | None = Field(None, description="From this year")
    until: int | None = Field(None, description="To this year")
    by: str | None = Field(None, description="Breakdown: sector, county, size_class or procedure")
    map: str | None = Field(None, description="Map metric: reached, cases, adoptions or needs")


class CaseDiffusionOut(Schema):
    case: int
    eligible_population: int
    figures: dict[str, FigureOut]


class AdoptionIn(Schema):
    organization: int | None = Field(None, description="The adopter; may be left out when you edit for one buyer")
    adopted_on: date
    route: str = Field("", description="same-supplier, own-procurement, joint-procurement or pilot")
    note: str = ""
    evidence_notice: int | None = None
    evidence_url: str = ""


class AdoptionOut(Schema):
    id: int
    case: int
    organization: OrganizationRef
    adopted_on: date
    route: str
    state: str
    note: str
    evidence_notice: int | None
    evidence_case: int | None
    evidence_url: str
    reasons: list[dict]
    score: float | None
