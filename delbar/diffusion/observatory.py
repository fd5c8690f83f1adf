"""The observatory's figures: where innovation is published, posted, signalled and taken up, and where
it does not reach. Every number is aggregated in the database; Python only arranges the grouped rows.

`filters` is ObservatoryFilters' cleaned data. A filter narrows each series it applies to; a series
it cannot apply to (needs have no procedure, notices no sector, neither is in a network's collection) is
left out rather than shown unfiltered.

The observatory is public and counts only what everyone may see: a need its buyer showed to public
buyers and curators only is never counted, for curators neither (`needs` below is the one place
needs are read), so each figure is the same whoever asks; curators get more figures, not other numbers.
"""

import datetime as dt
import statistics

from django.db.models import CharField, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Cast, Coalesce, ExtractYear, RowNumber, Substr
from django.utils.translation import gettext_lazy as _

from delbar.cases.models import Case, Procedure
from delbar.diffusion.figures import Column, Figure
from delbar.diffusion.models import Adoption
from delbar.needs.models import Need, Visibility
from delbar.networks.collection import collection
from delbar.networks.models import Network
from delbar.notices.models import Notice, Signal
from delbar.notices.search import CASE_PROCEDURES
from delbar.orgs.models import County, Organization, Sector

SMALL = Organization.SizeClass.SMALL
NOTICE_PROCEDURES = {}
for _notice_code, _case_code in CASE_PROCEDURES.items():
    NOTICE_PROCEDURES.setdefault(_case_code, []).append(_notice_code)
SPREAD_SHOWN = 20


# --- the four series, each narrowed by the filters that apply to it --------------------------------

def network_case_ids(network: Network):
    """The network's collection as a subquery of case ids: the very set its own pages show, so the
    network's pages and its figures never disagree."""
    return collection(network).values("pk")


def cases(filters: dict, *, by_buyer: bool = True):
    scope = Case.objects.published()
    if filters.get("network"):
        scope = scope.filter(pk__in=network_case_ids(filters["network"]))
    if filters.get("sector"):
        scope = scope.filter(sector=filters["sector"])
    if filters.get("procedure"):
        scope = scope.filter(procedure=filters["procedure"])
    if by_buyer and filters.get("county"):
        scope = scope.filter(lead_buyer__county=filters["county"])
    if by_buyer and filters.get("size_class"):
        scope = scope.filter(lead_buyer__size_class=filters["size_class"])
    return _years(scope, "published_at", filters)


def needs(filters: dict, *, by_buyer: bool = True):
    """Public needs only: a buyers-only need is never counted, whoever looks (docs/permissions.md). Needs
    have no procedure and are in no network's collection: those filters leave the series out."""
    if filters.get("procedure") or filters.get("network"):
        return None
    scope = Need.objects.filter(visibility=Visibility.PUBLIC)
    if filters.get("sector"):
        scope = scope.filter(sector=filters["sector"])
    if by_buyer and filters.get("county"):
        scope = scope.filter(organization__county=filters["county"])
    if by_buyer and filters.get("size_class"):
        scope = scope.filter(organization__size_class=filters["size_class"])
    return _years(scope, "created_at", filters)


def notices(filters: dict):
    """Current notices with an innovation signal; none has a sector or is in a network's collection."""
    if filters.get("sector") or filters.get("network"):
        return None
    scope = Notice.objects.current().filter(signal__in=[Signal.STRONG, Signal.SOME])   # an index, not a scan
    if filters.get("procedure"):
        scope = scope.filter(procedure__in=NOTICE_PROCEDURES.get(filters["procedure"], ["-"]))
    if filters.get("county"):
        scope = scope.filter(county=filters["county"])
    if filters.get("size_class"):
        scope = scope.filter(organization__size_class=filters["size_class"])
    return _years(scope, "publication_date", filters)


def adoptions(filters: dict, *, by_adopter: bool = True):
    scope = Adoption.objects.counted()
    if filters.get("network"):
        # Adoptions of the network's cases, by whoever adopted them: where its collection spread.
        scope = scope.filter(case__in=network_case_ids(filters["network"]))
    if filters.get("sector"):
        scope = scope.filter(case__sector=filters["sector"])
    if filters.get("procedure"):
        scope = scope.filter(case__procedure=filters["procedure"])
    if by_adopter and (filters.get("county") or filters.get("size_class")):
        scope = scope.filter(organization__in=_organizations(county=filters.get("county"),
                                                             size_class=filters.get("size_class")))
    return _years(scope, "adopted_on", filters)


def _organizations(*, county=None, size_class=None):
    """Organization ids as a subquery: adoptions filtered by `organization__in` use their organization
    index, where a join on the organization's columns visits all 50,000."""
    scope = Organization.objects.all()
    if county:
        scope = scope.filter(county=county)
    if size_class:
        scope = scope.filter(size_class=size_class)
    return scope.values("pk")


def _years(scope, field: str, filters: dict):
    if filters.get("since"):
        scope = scope.filter(**{f"{field}__year__gte": filters["since"]})
    if filters.get("until"):
        scope = scope.filter(**{f"{field}__year__lte": filters["until"]})
    return scope


def _count_by(scope, expression) -> dict:
    if scope is None:
        return {}
    return dict(scope.annotate(group=expression).values("group").annotate(n=Count("pk")).order_by()
                .values_list("group", "n"))


def _year(field: str):
    """The year of a date column as text: native string functions on both databases, where SQLite's
    ExtractYear calls a Python function per row (4× slower on 50,000 adoptions)."""
    return Substr(Cast(field, CharField()), 1, 4)


SERIES = [("cases", _("Cases published")), ("needs", _("Needs posted")),
          ("notices", _("Notices with an innovation signal")), ("adoptions", _("Adoptions"))]


def _series_scopes(filters: dict) -> dict:
    return {"cases": cases(filters), "needs": needs(filters), "notices": notices(filters),
            "adoptions": adoptions(filters)}


def _series_columns() -> list[Column]:
    return [Column(key, label, "int") for key, label in SERIES]


def _left_out(scopes: dict) -> list:
    return [_("%(series)s: not filtered by this choice, so left out.") % {"series": label}
            for key, label in SERIES if scopes[key] is None]


# --- figures ------------------------------------------------------------------------------------------

def activity(filters: dict) -> Figure:
    """Each series per year."""
    scopes = _series_scopes(filters)
    # Dates by their text; the two time stamps by ExtractYear, which knows the time zone.
    year_of = {"cases": ExtractYear("published_at"), "needs": ExtractYear("created_at"),
               "notices": _year("publication_date"), "adoptions": _year("adopted_on")}
    counts = {key: {int(year): n for year, n in _count_by(scope, year_of[key]).items() if year}
              for key, scope in scopes.items()}
    years = sorted({year for values in counts.values() for year in values if year is not None})
    rows = [{"year": year, **{key: (counts[key].get(year, 0) if scopes[key] is not None else None)
                              for key in scopes}} for year in range(years[0], years[-1] + 1)] if years else []
    return Figure("activity", _("Activity per year"), [Column("year", _("Year"), "year"), *_series_columns()],
                  rows, _left_out(scopes))


def _breakdown_groups(by: str, scopes: dict) -> dict:
    fields = {
        "sector": {"cases": "sector_id", "needs": "sector_id", "notices": None, "adoptions": "case__sector_id"},
        "county": {"cases": "lead_buyer__county_id", "needs": "organization__county_id", "notices": "county_id",
                   "adoptions": "organization__county_id"},
        "size_class": {"cases": "lead_buyer__size_class", "needs": "organization__size_class",
                       "notices": "organization__size_class", "adoptions": "organization__size_class"},
        "procedure": {"cases": "procedure", "needs": None, "notices": "procedure", "adoptions": "case__procedure"},
    }[by]
    counts = {}
    for key, scope in scopes.items():
        if scope is None or fields[key] is None:
            counts[key] = None
            continue
        # Grouped by an expression, not the column: otherwise SQLite walks the column's own index through
        # all 200,000 notices to skip the sort, instead of the signal index's 20,000.
        grouped = _count_by(scope, Coalesce(F(fields[key]), Value(""), output_field=CharField()))
        if key == "notices" and by == "procedure":
            merged = {}
            for code, n in grouped.items():
                merged[CASE_PROCEDURES.get(code, "")] = merged.get(CASE_PROCEDURES.get(code, ""), 0) + n
            grouped = merged
        counts[key] = grouped
    return counts


def _labels(by: str) -> list[tuple[str, str]]:
    if by == "sector":
        return [(sector.slug, sector.name) for sector in Sector.objects.all()]
    if by == "county":
        return [(county.number, county.name) for county in County.objects.all()]
    if by == "size_class":
        return list(Organization.SizeClass.choices)
    return list(Procedure.choices)


def breakdown(filters: dict) -> Figure:
    """Each series by sector, county, size class or procedure (`by`)."""
    by = filters.get("by") or "sector"
    scopes = _series_scopes(filters)
    counts = _breakdown_groups(by, scopes)
    rows = [{"group": value, "label": str(label),
             **{key: (values.get(value, 0) if values is not None else None) for key, values in counts.items()}}
            for value, label in _labels(by)]
    others = {key: (sum(n for value, n in values.items() if value in ("", None)) if values is not None else None)
              for key, values in counts.items()}
    if any(others.values()):
        rows.append({"group": "", "label": str(_("Not given")), **others})
    title = _("By %(dimension)s") % {"dimension": dict(_breakdown_names())[by]}
    return Figure("breakdown", title, [Column("group", _("Code"), "code"), Column("label", _("Group")),
                                                    *_series_columns()],
                  rows, _left_out(scopes))


def _breakdown_names():
    return [("sector", _("sector")), ("county", _("county")), ("size_class", _("size class")),
            ("procedure", _("procedure"))]


def _municipality_flags(filters: dict) -> dict:
    """Exists() per municipality: led a published case, adopted one, posted a need."""
    case_scope = cases(filters, by_buyer=False)
    need_scope = needs(filters, by_buyer=False)
    return {
        "published": Exists(case_scope.filter(lead_buyer=OuterRef("pk"))),
        "adopted": Exists(adoptions(filters, by_adopter=False).filter(organization=OuterRef("pk"))),
        "posted": Exists(need_scope.filter(organization=OuterRef("pk"))) if need_scope is not None else None,
    }


def municipalities(filters: dict):
    scope = Organization.objects.municipalities()
    if filters.get("county"):
        scope = scope.filter(county=filters["county"])
    if filters.get("size_class"):
        scope = scope.filter(size_class=filters["size_class"])
    return scope


def _reach(filters: dict, group: str, labels: list[tuple[str, str]], slug: str, title) -> Figure:
    flags = _municipality_flags(filters)
    present = [flag for flag in flags.values() if flag is not None]
    reached = present[0]
    for flag in present[1:]:
        reached = reached | flag
    aggregates = {"municipalities": Count("pk"), "reached": Count("pk", filter=Q(reached))}
    aggregates.update({name: Count("pk", filter=Q(flag)) for name, flag in flags.items() if flag is not None})
    grouped = {row[group]: row for row in municipalities(filters).values(group).annotate(**aggregates).order_by()}
    rows = []
    for value, label in labels:
        row = grouped.get(value)
        if row is None:
            continue
        total = row["municipalities"]
        out = {"group": value, "label": str(label), "municipalities": total}
        for name in ("published", "adopted", "posted", "reached"):
            count = row.get(name)
            out[name] = count
            out[f"{name}_share"] = round(count / total, 4) if count is not None and total else None
        rows.append(out)
    columns = [Column("group", _("Code"), "code"), Column("label", _("Group")),
               Column("municipalities", _("Municipalities"), "int")]
    for name, label in (("published", _("Published a case")), ("adopted", _("Adopted a case")),
                        ("posted", _("Posted a need")), ("reached", _("Any of these"))):
        columns += [Column(name, label, "int"), Column(f"{name}_share", _("Share"), "share")]
    notes = []
    if flags["posted"] is None:
        notes.append(_("Needs have no procedure, so “posted a need” is left out.") if filters.get("procedure") else
                     _("Needs are in no network's collection, so “posted a need” is left out."))
    return Figure(slug, title, columns, rows, notes)


def reach_by_size(filters: dict) -> Figure:
    return _reach(filters, "size_class", list(Organization.SizeClass.choices), "reach-by-size",
                  _("Share of municipalities reached, by size class"))


def reach_by_county(filters: dict) -> Figure:
    labels = [(county.number, county.name) for county in County.objects.all()]
    return _reach(filters, "county_id", labels, "reach-by-county", _("Share of municipalities reached, by county"))


def _count_for_org(scope, field: str = "organization"):
    if scope is None:
        return Value(None, output_field=IntegerField())
    counted = scope.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def municipality_map(filters: dict) -> Figure:
    """One row per municipality: what it has done, for the choropleth."""
    case_scope = cases(filters, by_buyer=False)
    need_scope = needs(filters, by_buyer=False)
    # (Organization has relations called cases' buyers, adoptions and needs: the counts get other names.)
    rows = list(municipalities(filters).annotate(
        n_cases=_count_for_org(case_scope, "lead_buyer"),
        n_adoptions=_count_for_org(adoptions(filters, by_adopter=False)),
        n_needs=_count_for_org(need_scope),
    ).values("pk", "municipality_number", "name", "county_id", "size_class", "population", "n_cases", "n_adoptions",
             "n_needs").order_by("municipality_number"))
    counties = dict(County.objects.values_list("number", "name"))
    sizes = dict(Organization.SizeClass.choices)
    for row in rows:
        row["id"] = row.pop("pk")
        row["county"] = row.pop("county_id")
        for name in ("cases", "adoptions", "needs"):
            row[name] = row.pop(f"n_{name}")
        row["reached"] = int(bool(row["cases"] or row["adoptions"] or row["needs"]))
        row["reached_label"] = str(_("yes") if row["reached"] else _("no"))
        row["county_name"] = counties.get(row["county"], "")
        row["size_class_label"] = str(sizes.get(row["size_class"], ""))
    columns = [Column("municipality_number", _("Number")), Column("name", _("Municipality")),
               Column("county", _("County number"), "code"), Column("county_name", _("County")),
               Column("size_class", _("Size class code"), "code"), Column("size_class_label", _("Size class")),
               Column("population", _("Population"), "int"), Column("cases", _("Cases led"), "int"),
               Column("adoptions", _("Adoptions"), "int"), Column("needs", _("Needs posted"), "int"),
               Column("reached", _("Reached (1 = yes)"), "code"), Column("reached_label", _("Reached"))]
    return Figure("map", _("Municipalities"), columns, rows)


def spread(filters: dict) -> Figure:
    """Published cases by how far they spread: adopters, small municipalities among them, and the days
    from publication to the first and the fifth adoption."""
    case_rows = list(cases(filters).values_list("pk", "title", "lead_buyer__name", "published_at"))
    # Every counted adoption: those of cases outside the filters are simply not looked up below.
    counted = Adoption.objects.counted()
    totals = dict(counted.values("case").annotate(n=Count("pk")).order_by().values_list("case", "n"))
    # Adopters among the small municipalities' ids: a third of the time of joining every adoption to its
    # organization (bench/bench_observatory.py).
    small = dict(counted.filter(organization__in=_organizations(size_class=SMALL)).values("case").annotate(
        n=Count("pk")).order_by().values_list("case", "n"))
    # The first and the fifth adoption of every case in one pass: number each case's adoptions by date.
    numbered = counted.annotate(number=Window(RowNumber(), partition_by=F("case"),
                                              order_by=[F("adopted_on").asc(), F("pk").asc()]))
    moments = {(case, number): day for case, number, day in numbered.filter(number__in=[1, 5]).values_list(
        "case", "number", "adopted_on")}
    rows = []
    for pk, title, buyer, published_at in case_rows:
        published = published_at.date()
        first, fifth = moments.get((pk, 1)), moments.get((pk, 5))
        rows.append({"id": pk, "title": title, "buyer": buyer, "published": published.isoformat(),
                     "adopters": totals.get(pk, 0), "small_municipalities": small.get(pk, 0),
                     "days_to_first": (first - published).days if first else None,
                     "days_to_fifth": (fifth - published).days if fifth else None})
    # Most adopted first; among equals the newest, then by number (the order is stable for tests and links).
    rows.sort(key=lambda row: (-row["adopters"], -dt.date.fromisoformat(row["published"]).toordinal(), row["id"]))
    columns = [Column("id", _("Case number"), "int"), Column("title", _("Case")), Column("buyer", _("Lead buyer")),
               Column("published", _("Published"), "date"), Column("adopters", _("Adopters"), "int"),
               Column("small_municipalities", _("Small municipalities among them"), "int"),
               Column("days_to_first", _("Days to the first adoption"), "days"),
               Column("days_to_fifth", _("Days to the fifth adoption"), "days")]
    return Figure("spread", _("Which cases spread, and how fast"), columns, rows)


def speed(filters: dict, spread_figure: Figure | None = None) -> Figure:
    """Summary of `spread`: how many cases reached one and five adopters, and the median days."""
    spread_figure = spread_figure or spread(filters)
    first = [days for days in spread_figure.column("days_to_first") if days is not None]
    fifth = [days for days in spread_figure.column("days_to_fifth") if days is not None]
    rows = [
        {"measure": "cases", "label": str(_("Published cases")), "value": len(spread_figure.rows)},
        {"measure": "cases_adopted", "label": str(_("Cases with at least one adoption")), "value": len(first)},
        {"measure": "median_days_to_first", "label": str(_("Median days from publication to the first adoption")),
         "value": statistics.median(first) if first else None},
        {"measure": "cases_adopted_five", "label": str(_("Cases with at least five adoptions")), "value": len(fifth)},
        {"measure": "median_days_to_fifth", "label": str(_("Median days from publication to the fifth adoption")),
         "value": statistics.median(fifth) if fifth else None},
    ]
    return Figure("speed", _("How fast cases spread"),
                  [Column("measure", _("Code"), "code"), Column("label", _("Measure")),
                   Column("value", _("Value"), "number")],
                  rows)


def unreached(filters: dict) -> Figure:
    """Municipalities (small ones unless another size is chosen) that have not published, adopted or
    posted anything within the filters: whom to call."""
    flags = _municipality_flags(filters)
    scope = municipalities({**filters, "size_class": filters.get("size_class") or SMALL})
    for flag in flags.values():
        if flag is not None:
            scope = scope.exclude(flag)
    rows = [{"id": row["pk"], "municipality_number": row["municipality_number"], "name": row["name"],
             "county": row["county__name"], "population": row["population"]}
            for row in scope.order_by("county_id", "name").values("pk", "municipality_number", "name", "county__name",
                                                                  "population")]
    columns = [Column("municipality_number", _("Number")), Column("name", _("Municipality")),
               Column("county", _("County")), Column("population", _("Population"), "int")]
    return Figure("unreached", _("Municipalities not reached"), columns, rows)
