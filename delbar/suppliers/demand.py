"""Aggregated demand for suppliers: open, public needs counted by CPV division, sector and county.
Buyers-only needs are never counted here, so the view cannot reveal them, whoever looks."""

from django.db.models import Count
from django.db.models.functions import Substr

from delbar.needs.models import Need, NeedStatus, Visibility
from delbar.orgs.models import County, CpvCode, Sector


def open_public_needs(filters: dict | None = None):
    needs = Need.objects.filter(status=NeedStatus.OPEN, visibility=Visibility.PUBLIC)
    filters = filters or {}
    if filters.get("sector"):
        needs = needs.filter(sector_id=filters["sector"])
    if filters.get("county"):
        needs = needs.filter(organization__county_id=filters["county"])
    if filters.get("division"):
        needs = needs.filter(cpv_codes__code__startswith=filters["division"])
    return needs.distinct()


def demand(filters: dict | None = None) -> dict:
    """Counts of open public needs (and of the buyers behind them) per CPV division, sector and county."""
    needs = open_public_needs(filters)
    ids = needs.values("pk")
    through = Need.cpv_codes.through.objects.filter(need_id__in=ids)
    divisions = list(through.annotate(division=Substr("cpvcode_id", 1, 2)).values("division").annotate(
        needs=Count("need_id", distinct=True), buyers=Count("need__organization_id", distinct=True))
        .order_by("-needs", "division"))
    division_codes = CpvCode.objects.in_bulk([row["division"] + "000000" for row in divisions])
    for row in divisions:
        cpv = division_codes.get(row["division"] + "000000")
        row["label"] = cpv.name if cpv else row["division"]
    sectors = list(Need.objects.filter(pk__in=ids).exclude(sector=None).values("sector").annotate(
        needs=Count("pk"), buyers=Count("organization", distinct=True)).order_by("-needs", "sector"))
    sector_names = {slug: s.name for slug, s in Sector.objects.in_bulk([r["sector"] for r in sectors]).items()}
    for row in sectors:
        row["label"] = sector_names.get(row["sector"], row["sector"])
    counties = list(Need.objects.filter(pk__in=ids).exclude(organization__county=None).values(
        county=Substr("organization__county_id", 1, 2)).annotate(
        needs=Count("pk"), buyers=Count("organization", distinct=True)).order_by("-needs", "county"))
    county_names = {number: c.name for number, c in County.objects.in_bulk([r["county"] for r in counties]).items()}
    for row in counties:
        row["label"] = county_names.get(row["county"], row["county"])
    return {"total": needs.count(), "buyers": needs.values("organization").distinct().count(),
            "divisions": divisions, "sectors": sectors, "counties": counties}
