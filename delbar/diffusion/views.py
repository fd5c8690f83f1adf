"""Diffusion pages: the observatory, a case's diffusion, and declaring, confirming and answering
adoptions. Each figure's CSV and JSON come from the same function the page draws."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delbar.cases import access as case_access
from delbar.diffusion import access, actions, charts, maps, network, observatory, registry
from delbar.diffusion.casefigures import case_figures
from delbar.diffusion.figures import MAP_METRICS, Figure, ObservatoryFilters, filters_or_errors
from delbar.diffusion.forms import DeclareForm
from delbar.diffusion.models import Adoption, AdoptionState


def _download(figure, params: dict, fmt: str, filename: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(figure.as_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    return JsonResponse(figure.as_json(params), json_dumps_params={"ensure_ascii": False}, encoder=DjangoJSONEncoder)


def _bad_filters(errors: dict) -> HttpResponse:
    return JsonResponse({"detail": "Invalid filters.", "errors": errors}, status=400,
                        json_dumps_params={"ensure_ascii": False})


def _known_network(errors: dict) -> None:
    """A network that does not exist (or no longer does) is a page that does not exist: 404, where other
    bad filters are a form to correct (400)."""
    if "network" in errors:
        raise Http404("No such network.")


def observatory_page(request):
    form = ObservatoryFilters(request.GET or None)
    filters, errors = filters_or_errors(request.GET)
    _known_network(errors)
    curator = access.is_curator(request.user)
    context = {"form": form, "curator": curator}
    if filters is None:
        filters, _errors = filters_or_errors({})
        context["forms_with_errors"] = [form]
    found = registry.figures(registry.NAMES, filters, curator=curator)
    figures = {name.replace("-", "_"): figure for name, figure in found.items()}
    whole = figures["network"]
    figures["network"] = Figure(whole.slug, whole.title, whole.columns,
                                whole.rows[:25 if curator else network.SHOWN], whole.notes)
    spread_shown = figures["spread"].rows[:observatory.SPREAD_SHOWN]
    if curator:
        context["pending"] = (Adoption.objects.filter(state=AdoptionState.DECLARED, case__status="published")
                              .select_related("case", "organization").order_by("-created_at")[:50])
        context["proposed_count"] = Adoption.objects.proposed().count()
        context["unreached_size_chosen"] = bool(filters.get("size_class"))
    context.update(figures=figures, spread_shown=spread_shown, params=filters["params"], query=request.GET.urlencode(),
                   network=filters.get("network"),
                   charts=_observatory_charts(figures, filters), map_metric=filters["map"],
                   map_metric_label=dict(MAP_METRICS)[filters["map"]])
    return render(request, "diffusion/observatory.html", context, status=400 if errors else 200)


def _observatory_charts(figures: dict, filters: dict) -> dict:
    activity = figures["activity"]
    series = [(str(column.label), activity.column(column.key)) for column in activity.columns[1:]
              if any(value is not None for value in activity.column(column.key))]
    by_size = figures["reach_by_size"]
    share_series = [(str(_("Published a case")), by_size.column("published_share")),
                    (str(_("Adopted a case")), by_size.column("adopted_share")),
                    (str(_("Posted a need")), by_size.column("posted_share"))]
    share_series = [item for item in share_series if any(value is not None for value in item[1])]
    metric = filters["map"]
    values = {row["municipality_number"]: row[metric] for row in figures["map"].rows}
    reached = sum(1 for row in figures["map"].rows if row["reached"])
    return {
        "activity": charts.line_chart(
            "chart-activity", title=str(activity.title),
            description=_("Line chart of %(series)s per year; the table below holds the numbers.") % {
                "series": ", ".join(label for label, _values in series).lower()},
            x_values=activity.column("year"), series=series),
        "activity_legend": charts.legend([label for label, _values in series]),
        "reach": charts.bar_chart(
            "chart-reach", title=str(by_size.title),
            description=_("Bar chart: the share of municipalities of each size class that published a case, "
                          "adopted one or posted a need; the table below holds the numbers."),
            labels=by_size.column("label"), series=share_series),
        "reach_legend": charts.legend([label for label, _values in share_series]),
        "map": maps.choropleth(
            "map-municipalities", title=str(_("Map of municipalities: %(metric)s") % {
                "metric": dict(MAP_METRICS)[metric]}),
            description=_("%(reached)s of %(total)s municipalities shown have published a case, adopted one or "
                          "posted a need. The table of municipalities below holds every value.") % {
                "reached": reached, "total": len(figures["map"].rows)},
            values=values, value_label=str(dict(MAP_METRICS)[metric]), binary=metric == "reached"),
        "map_legend": ([(maps.BINARY_COLOURS[0], _("Not reached")), (maps.BINARY_COLOURS[1], _("Reached"))]
                       if metric == "reached" else maps.legend_items(maps.breaks(list(values.values())), "0")),
    }


def observatory_download(request, name: str, fmt: str):
    filters, errors = filters_or_errors(request.GET)
    _known_network(errors)
    if filters is None:
        return _bad_filters(errors)
    figure = registry.figure(name, filters, curator=access.is_curator(request.user))
    if figure is None:
        raise Http404("No such figure.")
    return _download(figure, filters["params"], fmt, f"delbar-{name}")


def _case_charts(case, figures: dict) -> dict:
    curve = figures["curve"]
    dates = [dt.date.fromisoformat(value) for value in curve.column("date")]
    markers = [(case.published_at.date(), str(_("Published in Delbar")))] if case.published_at else []
    adopters = figures["adopters"]
    highlight = {row["municipality_number"] for row in adopters.rows if row["municipality_number"]}
    values = {number: 1 for number in highlight}
    return {
        "curve": charts.line_chart(
            "chart-curve", title=str(curve.title),
            description=_("Step chart of the number of organizations that have taken the case up, over time, "
                          "with the publication date marked; the table below lists each adoption.") if dates else
            _("No one has declared taking this case up yet."),
            x_values=dates, series=[(str(_("Adopters so far")), curve.column("adopters"))], step=True, markers=markers),
        "map": maps.choropleth(
            "map-adopters", title=str(_("Where it has been taken up")),
            description=_("The case's own buyers and its adopters, %(n)s municipalities, are coloured; the table of "
                          "adopters lists them.") % {"n": len(highlight)},
            values=values, value_label=str(_("took it up:")), binary=True),
        "map_legend": [(maps.BINARY_COLOURS[0], _("Not taken up")), (maps.BINARY_COLOURS[1], _("Taken up"))],
    }


def case_diffusion(request, pk):
    case = case_access.get_case_for_user(request.user, pk)
    if not case.is_published:
        raise Http404("Diffusion is shown for published cases.")
    figures = case_figures(case)
    organizations = access.declarable_organizations(request.user, case)
    declared = set(Adoption.objects.filter(case=case, organization__in=organizations).exclude(
        state=AdoptionState.PROPOSED).values_list("organization_id", flat=True))
    organizations = organizations.exclude(pk__in=declared)
    adoptions = list(Adoption.objects.filter(case=case).select_related("organization", "evidence_notice",
                                                                        "evidence_case").order_by("adopted_on", "id"))
    visible = [adoption for adoption in adoptions if access.can_view(request.user, adoption)]
    context = {
        "case": case, "figures": figures, "charts": _case_charts(case, figures),
        "download_base": reverse("case_diffusion", args=[case.pk]),
        "form": DeclareForm(organizations=organizations) if organizations.exists() else None,
        "adoptions": [(adoption, {"confirm": access.can_confirm(request.user, adoption),
                                  "dismiss": access.can_dismiss(request.user, adoption),
                                  "accept": access.can_accept(request.user, adoption),
                                  "withdraw": access.can_withdraw(request.user, adoption)}) for adoption in visible],
    }
    return render(request, "diffusion/case_diffusion.html", context)


def case_diffusion_download(request, pk, name: str, fmt: str):
    case = case_access.get_case_for_user(request.user, pk)
    figures = case_figures(case) if case.is_published else {}
    if name not in figures:
        raise Http404("No such figure.")
    return _download(figures[name], {"case": case.pk}, fmt, f"delbar-case-{case.pk}-{name}")


@login_required
@require_POST
def adoption_declare(request, pk):
    case = case_access.get_case_for_user(request.user, pk)
    organizations = access.declarable_organizations(request.user, case)
    if not organizations.exists():
        raise PermissionDenied(_("You can declare adoptions for your own organization's editors only."))
    form = DeclareForm(request.POST, organizations=organizations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.declare(case=case, actor=request.user, organization=data["organization"],
                            adopted_on=data["adopted_on"], route=data["route"], note=data["note"],
                            evidence_notice=data["evidence_notice"], evidence_url=data["evidence_url"])
        except actions.AdoptionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you: %(org)s is now shown as having taken this up.") % {
                "org": data["organization"].name})
            return redirect("case_diffusion", case.pk)
    figures = case_figures(case)
    return render(request, "diffusion/case_diffusion.html", {
        "case": case, "figures": figures, "charts": _case_charts(case, figures), "form": form,
        "download_base": reverse("case_diffusion", args=[case.pk]),
        "forms_with_errors": [form], "adoptions": []}, status=400)


@login_required
@require_POST
def adoption_decide(request, pk, decision: str):
    adoption = access.get_adoption_for_user(request.user, pk)
    if not access.may_decide(request.user, adoption, decision):
        raise PermissionDenied(_("You cannot do that with this adoption."))
    try:
        actions.decide(adoption=adoption, actor=request.user, decision=decision)
    except actions.AdoptionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, {"confirm": _("The adoption is confirmed."),
                                   "dismiss": _("The adoption is dismissed."),
                                   "accept": _("Thank you: the adoption is declared."),
                                   "withdraw": _("Your declaration is withdrawn.")}[decision])
    next_url = request.POST.get("next", "")
    if next_url.startswith("/") and not next_url.startswith("//"):
        return redirect(next_url)
    return redirect("case_diffusion", adoption.case_id)
