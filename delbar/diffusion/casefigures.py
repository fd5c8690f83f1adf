"""One case's diffusion: who took it up and when, the cumulative curve, Rogers' adopter categories and
the sizes and regions reached.

Rogers' categories are placed by rank among all who took the case up (its own buyers first), relative
to the eligible population — the municipalities and counties, the buyers Delbar is for: the first
2.5 % of that population are innovators, up to 16 % early adopters, up to 50 % the early majority,
up to 84 % the late majority, the rest laggards. With 371 eligible buyers (357 municipalities and 15
counties, Oslo being both) the first 9 are innovators.
"""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from delbar.cases.models import Case
from delbar.diffusion.figures import Column, Figure
from delbar.diffusion.models import Adoption, AdoptionRoute, AdoptionState, origin_date
from delbar.orgs.models import Organization

# Upper bounds of each category as a share of the eligible population, in thousandths (exact integers).
CATEGORIES = [("innovators", _("Innovators"), 25), ("early-adopters", _("Early adopters"), 160),
              ("early-majority", _("Early majority"), 500), ("late-majority", _("Late majority"), 840),
              ("laggards", _("Laggards"), 1000)]
ELIGIBLE_KINDS = (Organization.Kind.MUNICIPALITY, Organization.Kind.COUNTY)


def eligible_population() -> int:
    return Organization.objects.filter(kind__in=ELIGIBLE_KINDS).count()


def category(rank: int, population: int) -> str:
    """Rogers' category of the `rank`-th taker (1 = first) among `population` eligible buyers."""
    for slug, _label, bound in CATEGORIES:
        if rank * 1000 <= bound * population:
            return slug
    return "laggards"


@dataclass
class CaseDiffusion:
    case: Case
    population: int
    takers: list[dict]

    @property
    def adopters(self) -> list[dict]:
        return [taker for taker in self.takers if not taker["originator"]]


def diffusion_of(case: Case) -> CaseDiffusion:
    population = eligible_population()
    start = origin_date(case)
    own = [case.lead_buyer, *case.partner_buyers.select_related("county").order_by("name")]
    takers = [{"organization": org, "date": start, "originator": True, "state": "", "route": "", "adoption": None}
              for org in own]
    counted = (Adoption.objects.counted().filter(case=case)
               .select_related("organization", "organization__county", "evidence_notice").order_by("adopted_on", "id"))
    takers += [{"organization": adoption.organization, "date": adoption.adopted_on, "originator": False,
                "state": adoption.state, "route": adoption.route, "adoption": adoption} for adoption in counted]
    published = case.published_at.date() if case.published_at else None
    for rank, taker in enumerate(takers, start=1):
        taker["rank"] = rank
        taker["category"] = category(rank, population) if population else ""
        taker["days_after_publication"] = ((taker["date"] - published).days
                                           if published and taker["date"] and not taker["originator"] else None)
    return CaseDiffusion(case, population, takers)


def _org_columns(org) -> dict:
    return {"organization_id": org.pk, "organization": org.name, "kind": org.kind,
            "municipality_number": org.municipality_number or "", "county": org.county.name if org.county else "",
            "size_class": org.size_class, "size_class_label": org.get_size_class_display()}


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


def adopters_figure(diffusion: CaseDiffusion) -> Figure:
    labels = {slug: label for slug, label, _bound in CATEGORIES}
    rows = [{"rank": taker["rank"], **_org_columns(taker["organization"]),
             "date": taker["date"].isoformat() if taker["date"] else None,
             "days_after_publication": taker["days_after_publication"],
             "category": taker["category"], "category_label": str(labels.get(taker["category"], "")),
             "originator": taker["originator"], "state": taker["state"], "route": taker["route"],
             "state_label": _label(AdoptionState, taker["state"]), "route_label": _label(AdoptionRoute, taker["route"])}
            for taker in diffusion.takers]
    columns = [Column("rank", _("Rank"), "int"), Column("organization", _("Organization")),
               Column("municipality_number", _("Municipality number")), Column("county", _("County")),
               Column("size_class", _("Size class code"), "code"), Column("size_class_label", _("Size class")),
               Column("date", _("Taken up"), "date"),
               Column("days_after_publication", _("Days after publication"), "days"),
               Column("category", _("Category code"), "code"), Column("category_label", _("Category")),
               Column("originator", _("The case's own buyer")), Column("state", _("State code"), "code"),
               Column("state_label", _("State")), Column("route", _("How, code"), "code"),
               Column("route_label", _("How"))]
    return Figure("adopters", _("Who took it up, in order"), columns, rows,
                  [_("Eligible population: %(n)s municipalities and counties.") % {"n": diffusion.population}])


def curve_figure(diffusion: CaseDiffusion) -> Figure:
    rows = [{"date": taker["date"].isoformat(), "adopters": total, "organization": taker["organization"].name}
            for total, taker in enumerate(diffusion.adopters, start=1)]
    columns = [Column("date", _("Date"), "date"), Column("adopters", _("Adopters so far"), "int"),
               Column("organization", _("Organization"))]
    case = diffusion.case
    notes = []
    if case.published_at:
        notes.append(_("Published in Delbar on %(date)s.") % {"date": case.published_at.date().isoformat()})
    return Figure("curve", _("Adoptions over time"), columns, rows, notes)


def categories_figure(diffusion: CaseDiffusion) -> Figure:
    counts = {slug: 0 for slug, _label, _bound in CATEGORIES}
    for taker in diffusion.takers:
        if taker["category"]:
            counts[taker["category"]] += 1
    previous, rows = 0, []
    for slug, label, bound in CATEGORIES:
        rows.append({"category": slug, "label": str(label), "from_rank": previous + 1,
                     "to_rank": bound * diffusion.population // 1000, "takers": counts[slug]})
        previous = bound * diffusion.population // 1000
    columns = [Column("category", _("Code"), "code"), Column("label", _("Category")),
               Column("from_rank", _("From rank"), "int"), Column("to_rank", _("To rank"), "int"),
               Column("takers", _("Organizations"), "int")]
    return Figure("categories", _("Adopter categories (Rogers)"), columns, rows)


def sizes_figure(diffusion: CaseDiffusion) -> Figure:
    eligible = dict(Organization.objects.municipalities().values("size_class").annotate(n=Count("pk"))
                    .order_by().values_list("size_class", "n"))
    rows = []
    for slug, label in Organization.SizeClass.choices:
        reached = sum(1 for taker in diffusion.adopters
                      if taker["organization"].kind == Organization.Kind.MUNICIPALITY
                      and taker["organization"].size_class == slug)
        total = eligible.get(slug, 0)
        rows.append({"size_class": slug, "label": str(label), "adopters": reached, "municipalities": total,
                     "share": round(reached / total, 4) if total else None})
    columns = [Column("size_class", _("Code"), "code"), Column("label", _("Size class")),
               Column("adopters", _("Adopting municipalities"), "int"),
               Column("municipalities", _("Municipalities of this size"), "int"), Column("share", _("Share"), "share")]
    return Figure("sizes", _("Municipality sizes reached"), columns, rows)


def regions_figure(diffusion: CaseDiffusion) -> Figure:
    counts: dict[str, int] = {}
    for taker in diffusion.adopters:
        county = taker["organization"].county
        name = county.name if county else str(_("No county"))
        counts[name] = counts.get(name, 0) + 1
    rows = [{"county": name, "adopters": n} for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return Figure("regions", _("Counties reached"),
                  [Column("county", _("County")), Column("adopters", _("Adopters"), "int")], rows)


def case_figures(case: Case) -> dict[str, Figure]:
    diffusion = diffusion_of(case)
    figures = [curve_figure(diffusion), adopters_figure(diffusion), categories_figure(diffusion),
               sizes_figure(diffusion), regions_figure(diffusion)]
    return {figure.slug: figure for figure in figures}
