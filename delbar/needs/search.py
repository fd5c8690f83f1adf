"""How a need becomes a search document (delbar/search/kinds.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delbar.needs.models import Need, NeedStatus, Visibility, need_visibility
from delbar.search import Filter, Kind, register

EMBEDDING_TEXT_LIMIT = 1500


def identifiers(need: Need) -> str:
    buyer = need.organization
    values = [buyer.name, buyer.org_number or "", buyer.municipality_number or ""]
    values += [cpv.code for cpv in need.cpv_codes.all()]
    return " ".join(value for value in values if value)


def weighted_text(need: Need) -> dict[str, str]:
    def value(name):
        return identifiers(need) if name == "search_identifiers" else getattr(need, name)
    return {weight: "\n".join(value(name) for name in names) for weight, names in Need.SEARCH_WEIGHTS.items()}


def embedding_text(need: Need) -> str:
    # A need is short and written as a problem: all of it is embedded, as search embeds a query.
    return f"{need.title}. {need.description}"[:EMBEDDING_TEXT_LIMIT]


def document(need: Need) -> dict:
    buyer = need.organization
    return {
        "external_id": need.external_id or "",
        "public": need.visibility == Visibility.PUBLIC,
        "organization_id": need.organization_id,
        "status": need.status,
        "title": need.title,
        "summary": need.description,
        "body": "",
        "date": need.created_at,
        "sector": need.sector_id or "",
        "sectors": f" {need.sector_id} " if need.sector_id else "",
        "county": buyer.county_id or "",
        "size_class": buyer.size_class,
        "year": need.created_at.year if need.created_at else None,
        "language": need.language,
    }


def visibility(user) -> Q:
    return need_visibility(user, public=Q(public=True), buyers_only=Q(public=False))


NEED_KIND = register(Kind(
    name="need",
    model=Need,
    label=_("Needs"),
    document=document,
    weighted_text=weighted_text,
    embedding_text=embedding_text,
    visibility=visibility,
    queryset=lambda: Need.objects.select_related("organization").prefetch_related("cpv_codes"),
    url_name="need_detail",
    filters=("sector", "county", "size_class", "year",
             Filter("status", _("Status"), lambda: list(NeedStatus.choices), _("Any status")), "buyer"),
))
