"""The observatory's innovation competitions (challenges): how many were published, in which years and
sectors, how many buyers and small municipalities took part, and how many ended in a contract.

Only published challenges count (not drafts, not cancelled ones), whoever asks. The buyers taking part are
those a published challenge names (Challenge.buyer_ids): its owner and, for a buyer group's challenge, the
group's lead and members — a challenge made public makes its group's buyers public too, as the case
published from it names them. Small municipalities are the observatory's own size class (under 5,000
inhabitants, observatory.SMALL).

`filters` is ObservatoryFilters' cleaned data: the years (of publication), sector, network, the owner's
county and size class (as a case's lead buyer's), and the procedure by the legal route it corresponds to
(a design contest corresponds to none of the case procedures). Every figure is built from `_taking_part`,
so the three agree with each other."""

from django.utils.translation import gettext_lazy as _

from delbar.challenges.actions import CASE_PROCEDURE
from delbar.challenges.models import Challenge
from delbar.diffusion.figures import Column, Figure
from delbar.diffusion.observatory import SMALL
from delbar.groups.models import GroupMember
from delbar.orgs.models import Organization, Sector

ROUTES_BY_PROCEDURE = {procedure: route for route, procedure in CASE_PROCEDURE.items()}


def challenges(filters: dict):
    """The published challenges (not cancelled) within the filters."""
    scope = Challenge.objects.published()
    if filters.get("network"):
        scope = scope.filter(network=filters["network"])
    if filters.get("sector"):
        scope = scope.filter(sector=filters["sector"])
    if filters.get("procedure"):
        scope = scope.filter(route=ROUTES_BY_PROCEDURE.get(filters["procedure"], "-"))
    if filters.get("county"):
        scope = scope.filter(owner__county=filters["county"])
    if filters.get("size_class"):
        scope = scope.filter(owner__size_class=filters["size_class"])
    if filters.get("since"):
        scope = scope.filter(published_at__year__gte=filters["since"])
    if filters.get("until"):
        scope = scope.filter(published_at__year__lte=filters["until"])
    return scope


def _taking_part(filters: dict) -> list[dict]:
    """Each challenge within the filters: its year of publication, sector, whether it ended (in a contract),
    and the buyers taking part, with which of them are small municipalities. Three queries, whatever the
    number of challenges."""
    rows = list(challenges(filters).values("pk", "published_at", "sector_id", "owner_id", "group_id",
                                           "group__lead_id", "ended_at", "ended_in_contract"))
    members: dict[int, set[int]] = {}
    for group_id, organization_id in GroupMember.objects.filter(
            group__in={row["group_id"] for row in rows if row["group_id"]}).values_list("group_id", "organization_id"):
        members.setdefault(group_id, set()).add(organization_id)
    found = []
    for row in rows:
        buyers = {row["owner_id"]}
        if row["group_id"]:
            buyers |= {row["group__lead_id"], *members.get(row["group_id"], ())}
        found.append({"year": row["published_at"].year, "sector": row["sector_id"] or "",
                      "ended": row["ended_at"] is not None, "contract": bool(row["ended_in_contract"]),
                      "buyers": buyers})
    everyone = set().union(*(row["buyers"] for row in found)) if found else set()
    kinds = dict(Organization.objects.filter(pk__in=everyone).values_list("pk", "kind"))
    small = set(Organization.objects.municipalities().filter(pk__in=everyone, size_class=SMALL)
                .values_list("pk", flat=True))
    for row in found:
        row["buyers"] = {pk for pk in row["buyers"] if kinds.get(pk) in Organization.BUYER_KINDS}
        row["municipalities"] = {pk for pk in row["buyers"] if kinds.get(pk) == Organization.Kind.MUNICIPALITY}
        row["small"] = row["buyers"] & small
    return found


def _totals(rows: list[dict]) -> dict:
    return {"published": len(rows), "ended": sum(row["ended"] for row in rows),
            "ended_in_contract": sum(row["contract"] for row in rows),
            "buyers": len(set().union(*(row["buyers"] for row in rows))) if rows else 0,
            "small_municipalities": len(set().union(*(row["small"] for row in rows))) if rows else 0}


TOTAL_COLUMNS = [("published", _("Challenges published"), "int"), ("ended", _("Ended"), "int"),
                 ("ended_in_contract", _("Ended in a contract"), "int"),
                 ("buyers", _("Buyers taking part"), "int"),
                 ("small_municipalities", _("Small municipalities taking part"), "int")]


def _total_columns() -> list[Column]:
    return [Column(key, label, kind) for key, label, kind in TOTAL_COLUMNS]


def _note() -> list:
    return [_("Published challenges only. Buyers taking part: the owner and, for a buyer group's challenge, the "
              "group's buyers; each counted once per row. Small municipalities: under 5,000 inhabitants.")]


def challenge_summary(filters: dict) -> Figure:
    """The key figures: how many were published and ended (in a contract), and who took part."""
    rows = _taking_part(filters)
    totals = _totals(rows)
    totals["municipalities"] = len(set().union(*(row["municipalities"] for row in rows))) if rows else 0
    totals["sectors"] = len({row["sector"] for row in rows if row["sector"]})
    labels = [*((key, label) for key, label, _kind in TOTAL_COLUMNS),
              ("municipalities", _("Municipalities taking part")), ("sectors", _("Sectors"))]
    return Figure("challenges", _("Innovation competitions"),
                  [Column("measure", _("Code"), "code"), Column("label", _("Measure")),
                   Column("value", _("Value"), "int")],
                  [{"measure": key, "label": str(label), "value": totals[key]} for key, label in labels], _note())


def challenges_by_year(filters: dict) -> Figure:
    """Per year of publication: how many, how many of them ended (in a contract), and who took part."""
    rows = _taking_part(filters)
    years = sorted({row["year"] for row in rows})
    table = [{"year": year, **_totals([row for row in rows if row["year"] == year])} for year in years]
    return Figure("challenges-by-year", _("Innovation competitions per year"),
                  [Column("year", _("Year"), "year"), *_total_columns()],
                  table, _note())


def challenges_by_sector(filters: dict) -> Figure:
    """Per sector, every sector in the observatory's order (and those without one, if any)."""
    rows = _taking_part(filters)
    groups = [(sector.slug, sector.name) for sector in Sector.objects.all()]
    if any(not row["sector"] for row in rows):
        groups.append(("", _("Not given")))
    table = [{"group": slug, "label": str(label), **_totals([row for row in rows if row["sector"] == slug])}
             for slug, label in groups]
    return Figure("challenges-by-sector", _("Innovation competitions by sector"),
                  [Column("group", _("Code"), "code"), Column("label", _("Sector")), *_total_columns()],
                  table, _note())
