"""How a supplier's solution becomes a search document (delbar/search/kinds.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delbar.search import Kind, register
from delbar.suppliers.models import Solution, solution_visibility

EMBEDDING_TEXT_LIMIT = 1500


def identifiers(solution: Solution) -> str:
    supplier = solution.organization
    values = [supplier.name, supplier.org_number or ""] + [cpv.code for cpv in solution.cpv_codes.all()]
    return " ".join(value for value in values if value)


def weighted_text(solution: Solution) -> dict[str, str]:
    def value(name):
        return identifiers(solution) if name == "search_identifiers" else getattr(solution, name)
    return {weight: "\n".join(value(name) for name in names) for weight, names in Solution.SEARCH_WEIGHTS.items()}


def embedding_text(solution: Solution) -> str:
    return f"{solution.title}. {solution.description}"[:EMBEDDING_TEXT_LIMIT]


def document(solution: Solution) -> dict:
    sectors = [sector.pk for sector in solution.sectors.all()]
    return {
        "external_id": "",
        "public": solution.active,
        "organization_id": solution.organization_id,
        "status": "",                   # solutions are offered or not (public); no status to filter by
        "title": solution.title,
        "summary": solution.description,
        "body": "",
        "date": solution.updated_at,
        "sector": sectors[0] if sectors else "",
        "sectors": " " + " ".join(sectors) + " " if sectors else "",
        "year": solution.updated_at.year if solution.updated_at else None,
        "language": solution.language,
    }


def visibility(user) -> Q:
    return solution_visibility(user, offered=Q(public=True))


SOLUTION_KIND = register(Kind(
    name="solution",
    model=Solution,
    label=_("Solutions"),
    document=document,
    weighted_text=weighted_text,
    embedding_text=embedding_text,
    visibility=visibility,
    queryset=lambda: Solution.objects.select_related("organization").prefetch_related("cpv_codes", "sectors"),
    url_name="solution_detail",
    filters=("sector", "year", "buyer"),
))
