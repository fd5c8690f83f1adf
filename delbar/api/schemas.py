"""The API's shapes. They are the public contract: see docs/api.md for the stability promise."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, AnyHttpUrl, Field, UrlConstraints, model_validator

# --- Bounds. Every value the API takes in fits what the database holds, or the request is refused
# with 422 naming the field, before any query runs. One type for each rule; the fields use them. ---

# The largest integer both databases hold (PostgreSQL bigint, SQLite INTEGER): ids, pages, kroner.
MAX_INT = 2**63 - 1
# Case.year accepts these years (MinValueValidator/MaxValueValidator), and so do the search filters.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _without_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text and SQLite can: refused everywhere, the two databases agree.
    if "\x00" in value:
        raise ValueError("NUL characters (\\x00) are not allowed")
    return value


# Text, as long as the field allows (Field(max_length=…) beside it), without NUL characters.
Text = Annotated[str, AfterValidator(_without_nul), Field(json_schema_extra={"pattern": r"^[^\u0000]*$"})]
Id = Annotated[int, Field(ge=1, le=MAX_INT, description="An id: 1 to 2⁶³−1")]
PageNumber = Annotated[int, Field(ge=1, le=MAX_INT)]
Kroner = Annotated[int, Field(ge=0, le=MAX_INT)]  # PositiveBigIntegerField
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
# Benefit.amount: DecimalField(max_digits=14, decimal_places=2); finite (JSON parsers read 1e400 as inf).
Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2, allow_inf_nan=False,
                                   description="At most 12 digits before the decimal point and 2 after",
                                   json_schema_extra={"minimum": -999_999_999_999.99, "maximum": 999_999_999_999.99})]
# CaseLink.url is a URLField(max_length=500), counted as stored (an international name grows as punycode).
WebAddress = Annotated[AnyHttpUrl, UrlConstraints(max_length=500)]
Slug = Annotated[str, Field(max_length=50, pattern=r"^[-a-zA-Z0-9_]*$")]  # sector slugs (SlugField)
CountyNumber = Annotated[str, Field(pattern=r"^([0-9]{2})?$", description="Two digits, such as 46")]
CpvDivision = Annotated[str, Field(pattern=r"^[0-9]{2}$", description="A CPV division (two digits)")]
CpvCode = Annotated[str, Field(pattern=r"^[0-9]{8}(-[0-9])?$", description="Eight digits, with or without check digit")]
# The search form's MAX_QUERY_LENGTH.
Words = Annotated[Text, Field(max_length=500, description="Words or a described need, in any language")]
SizeClass = Literal["small", "medium", "large"]
# Lists in a body: far more than any real case has, few enough that one request stays one small query.
MAX_ITEMS = 200


class Body(Schema):
    """What a client sends: a JSON object. (ninja's Schema reads the attributes of anything, so without
    this a list or a number would pass as a change with no fields.)"""

    @model_validator(mode="wrap")
    @classmethod
    def _an_object(cls, value, handler):
        if not isinstance(value, dict):
            raise ValueError("Expected a JSON object.")
        return handler(value)


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
    name_nn: str


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
    description: str
    amount: Decimal | None = None
    unit: str = ""


class BenefitIn(Body):
    kind: Literal["money", "time", "quality", "climate"]
    description: Text = Field(max_length=300)
    amount: Amount | None = None
    unit: Text = Field("", max_length=40)


class LinkSchema(Schema):
    kind: Literal["notice", "web"] = "web"
    url: str
    title: str = ""


class LinkIn(Body):
    kind: Literal["notice", "web"] = "web"
    url: WebAddress
    title: Text = Field("", max_length=200)


class ContactOut(Schema):
    name: str
    role: str
    email: str
    phone: str


class ContactIn(Body):
    name: Text = Field(max_length=200)
    role: Text = Field("", max_length=200)
    email: Text = Field("", max_length=254)
    phone: Text = Field("", max_length=30)
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


class CaseChange(Body):
    """Fields of a case that a client may set; on PATCH every field is optional."""

    title: Text | None = Field(None, min_length=1, max_length=200)
    summary: Text | None = Field(None, min_length=1)
    need: Text | None = None
    requirements: Text | None = None
    solution: Text | None = None
    category: Category | None = None
    sector: Slug | None = Field(None, description="A sector slug from /api/reference/sectors")
    other_sectors: list[Slug] | None = Field(None, max_length=MAX_ITEMS)
    cpv: list[CpvCode] | None = Field(None, max_length=MAX_ITEMS, description="Eight-digit CPV codes")
    language: Text | None = Field(None, max_length=5)
    procedure: Procedure | None = None
    year: Year | None = None
    needs_assessment_date: date | None = None
    competition_date: date | None = None
    contract_date: date | None = None
    implementation_date: date | None = None
    evaluation_date: date | None = None
    contract_value_nok: Kroner | None = None
    partner_buyers: list[Id] | None = Field(None, max_length=MAX_ITEMS)
    suppliers: list[Id] | None = Field(None, max_length=MAX_ITEMS)
    outcome: Outcome | None = None
    lessons: Text | None = None
    what_went_wrong: Text | None = None
    relative_advantage: Text | None = None
    compatibility: Text | None = None
    complexity: Text | None = None
    trialability: Text | None = None
    observability: Text | None = None
    benefits: list[BenefitIn] | None = Field(None, max_length=MAX_ITEMS)
    links: list[LinkIn] | None = Field(None, max_length=MAX_ITEMS)
    contacts: list[ContactIn] | None = Field(None, max_length=MAX_ITEMS)


class CaseCreate(CaseChange):
    title: Text = Field(min_length=1, max_length=200)
    summary: Text = Field(min_length=1)
    sector: Slug
    lead_buyer: Id | None = Field(None, description="Needed only when you edit for several organizations")


class ReturnIn(Body):
    comment: Text = Field(min_length=1)


class CaseFilters(Schema):
    q: Words | None = None
    sector: Slug | None = None
    county: CountyNumber | None = None
    size_class: SizeClass | None = None
    procedure: Procedure | None = None
    category: Category | None = None
    outcome: Outcome | None = None
    year: Year | None = None


class SearchFilters(Schema):
    q: Words | None = None
    kind: Literal["case", "need", "solution", "notice"] | None = Field(None, description="Only this kind of document")
    sector: Slug | None = None
    county: CountyNumber | None = None
    size_class: SizeClass | None = None
    procedure: Slug | None = Field(None, description="A case procedure, or a notice's eForms procedure type")
    category: Category | None = None
    outcome: Outcome | None = None
    year: Year | None = None
    status: Slug | None = Field(None, description="A case's or need's status")
    family: Slug | None = Field(None, description="Notices: planning, competition, dir-awa-pre, result, …")
    signal: Literal["strong", "some"] | None = Field(None, description="Notices: the innovation signal")
    cpv: CpvDivision | None = None
    buyer: Id | None = Field(None, description="The buyer organization's id")
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
    count: int = Field(description="How many results in all: documents that clear the relevance floor "
                                   "(docs/search.md), the 200 best at most. 0 when nothing matches well.")
    terms: list[str] = Field(description="The query's search terms: stemmed, compounds split")
    suggestion: str | None = Field(None, description="The query with misspelt words corrected from the index's "
                                                     "vocabulary (“did you mean”), or null")
    items: list[SearchHitOut]
    nearest: list[SearchHitOut] = Field(description="When nothing clears the floor: the few nearest documents "
                                                    "below it, which are not results. Otherwise empty.")
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
    q: Words | None = None
    sector: Slug | None = None
    county: CountyNumber | None = None
    size_class: SizeClass | None = None
    status: NeedStatusLiteral | None = None
    sort: Literal["relevance", "date"] | None = None


class NeedChange(Body):
    title: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, min_length=1)
    sector: Slug | None = None
    cpv: list[CpvCode] | None = Field(None, max_length=MAX_ITEMS)
    language: Text | None = Field(None, max_length=5)
    wanted_by: date | None = None
    budget_min_nok: Kroner | None = None
    budget_max_nok: Kroner | None = None
    open_for_joint_procurement: bool | None = None
    visibility: Literal["public", "buyers"] | None = None
    status: NeedStatusLiteral | None = None


class NeedCreate(NeedChange):
    title: Text = Field(min_length=1, max_length=200)
    description: Text = Field(min_length=1)
    buyer: Id | None = Field(None, description="The organization posting it; needed if you edit for several")


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


class MatchDecision(Body):
    state: Literal["suggested", "confirmed", "dismissed"]


class InterestIn(Body):
    organization: Id | None = Field(None, description="The buyer joining; needed if you edit for several")
    note: Text = Field("", max_length=2000)


class InterestOut(Schema):
    need: int
    organization: OrganizationRef
    note: str
    created_at: datetime


class ProposalIn(Body):
    body: Text = Field(min_length=1, max_length=5000)
    solution: Id | None = None


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


class QuestionIn(Body):
    body: Text = Field(min_length=1, max_length=2000)


class AnswerIn(Body):
    body: Text = Field(min_length=1, max_length=5000)


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


class TrailStepOut(Schema):
    id: int
    key: str
    family: str = Field(description="The kind of notice: planning, competition, result, cont-modif, change, …")
    publication_date: date | None
    title: str
    current: bool = Field(description="False for a version a later one replaced.")
    url: str


class SourceReadingOut(Schema):
    source: str
    format: str
    key: str
    publication_number: str = ""


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
    trail: list[TrailStepOut] = Field(description="Every notice of the same procurement, in publication order, "
                                                  "this one included.")
    trail_id: str = Field(description="Shared by the notices of one procurement; part of the OCDS ocid.")
    also_from: list[SourceReadingOut] = Field(description="Other sources the same notice was read from and "
                                                          "merged in (Doffin and TED; TED XML and eForms).")
    classifications: list[dict]


class NoticePage(Schema):
    count: int
    items: list[NoticeSummaryOut]


class NoticeFilters(Schema):
    q: Words | None = None
    family: Slug | None = None
    procedure: Slug | None = None
    cpv: CpvDivision | None = None
    county: CountyNumber | None = None
    buyer: Id | None = None
    signal: Literal["strong", "some"] | None = None
    year: Year | None = None
    sort: Literal["relevance", "date"] | None = None


# --- diffusion: adoptions and the observatory's figures ---

class FigureColumn(Schema):
    key: str
    label: str
    kind: str = Field(description="text, int, year, share (0–1), days, date, number, or code (a value for "
                                  "programs, such as a size class or county number, beside its label)")


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
    sector: Slug | None = Field(None, description="Sector slug")
    county: CountyNumber | None = Field(None, description="County number (two digits)")
    size_class: SizeClass | None = Field(None, description="small, medium or large")
    procedure: Procedure | None = None
    since: Year | None = Field(None, description="From this year")
    until: Year | None = Field(None, description="To this year")
    by: Literal["sector", "county", "size_class", "procedure"] | None = Field(None, description="Breakdown")
    map: Literal["reached", "cases", "adoptions", "needs"] | None = Field(None, description="Map metric")


class CaseDiffusionOut(Schema):
    case: int
    eligible_population: int
    figures: dict[str, FigureOut]


class AdoptionIn(Body):
    organization: Id | None = Field(None, description="The adopter; may be left out when you edit for one buyer")
    adopted_on: date
    route: Literal["", "same-supplier", "own-procurement", "joint-procurement", "pilot"] = ""
    note: Text = ""
    evidence_notice: Id | None = None
    evidence_url: Text = Field("", max_length=500, description="An http(s) address")  # Adoption.evidence_url


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
