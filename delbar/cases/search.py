"""How a case becomes a search document (delbar/search/kinds.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delbar.cases.models import Case, Category, Outcome, Procedure, Status, case_visibility
from delbar.search import Filter, Kind, register

# Enough of the summary for e5 (512 tokens at most); title + summary embedded best on the dev set.
EMBEDDING_TEXT_LIMIT = 1500


def identifiers(case: Case) -> str:
    """Names and numbers people search by: buyers, municipality numbers, org numbers, CPV codes."""
    values = []
    for org in [case.lead_buyer, *case.partner_buyers.all(), *case.suppliers.all()]:
        values += [org.name, org.org_number or "", org.municipality_number or ""]
    values += [cpv.code for cpv in case.cpv_codes.all()]
    return " ".join(value for value in values if value)


def answers(case: Case) -> str:
    """Answered questions: what others asked is how the next person will search."""
    return "\n".join(f"{question.body}\n{question.answer}" for question in case.questions.all() if question.answer)


def weighted_text(case: Case) -> dict[str, str]:
    computed = {"search_identifiers": identifiers, "search_answers": answers}

    def value(name):
        return computed[name](case) if name in computed else getattr(case, name)
    return {weight: "\n".join(value(name) for name in names) for weight, names in Case.SEARCH_WEIGHTS.items()}


def embedding_text(case: Case) -> str:
    return f"{case.title}. {case.summary}"[:EMBEDDING_TEXT_LIMIT]


def document(case: Case) -> dict:
    buyer = case.lead_buyer
    sectors = [case.sector_id, *(sector.pk for sector in case.other_sectors.all() if sector.pk != case.sector_id)]
    return {
        "external_id": case.external_id or "",
        "public": case.status == Status.PUBLISHED,
        "organization_id": case.lead_buyer_id,
        "status": case.status,
        "title": case.title,
        "summary": case.summary,
        "body": "\n".join(part for part in (case.need, case.solution) if part),
        "date": case.published_at or case.updated_at,
        "sector": case.sector_id or "",
        "sectors": " " + " ".join(sector for sector in sectors if sector) + " ",
        "county": buyer.county_id or "",
        "size_class": buyer.size_class,
        "procedure": case.procedure,
        "category": case.category,
        "outcome": case.outcome,
        "year": case.year,
        "language": case.language,
    }


def visibility(user) -> Q:
    return case_visibility(user, organization="organization_id")


CASE_KIND = register(Kind(
    name="case",
    model=Case,
    label=_("Cases"),
    document=document,
    weighted_text=weighted_text,
    embedding_text=embedding_text,
    visibility=visibility,
    queryset=lambda: Case.objects.select_related("lead_buyer").prefetch_related(
        "other_sectors", "partner_buyers", "suppliers", "cpv_codes", "questions"),
    url_name="case_detail",
    filters=("sector", "county", "size_class",
             Filter("procedure", _("Procedure"), lambda: list(Procedure.choices), _("All procedures")),
             Filter("category", _("Category"), lambda: list(Category.choices), _("Both categories")),
             Filter("outcome", _("Outcome"), lambda: list(Outcome.choices), _("All outcomes")),
             "year",
             Filter("status", _("Status"), lambda: list(Status.choices), _("Any status")),
             "buyer"),
))
