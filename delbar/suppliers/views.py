from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from delbar.accounts.roles import roles_of
from delbar.needs import access as need_access
from delbar.orgs.models import County, Organization, Sector
from delbar.search import render_results
from delbar.suppliers import actions
from delbar.suppliers.demand import demand, open_public_needs
from delbar.suppliers.forms import ProposalForm, SolutionForm
from delbar.suppliers.models import Solution


def solution_list(request):
    return render_results(request, kinds=["solution"], template="suppliers/solution_list.html")


def _get_solution(user, pk, *, edit: bool = False) -> Solution:
    try:
        solution = Solution.objects.visible_to(user).select_related("organization").get(pk=pk)
    except (Solution.DoesNotExist, ValueError, TypeError):
        raise Http404("No such solution.") from None
    own = solution.organization_id in roles_of(user).supplier_org_ids or roles_of(user).is_admin
    if edit and not own:
        raise PermissionDenied(_("Only the supplier edits its solutions."))
    return solution


def solution_detail(request, pk):
    solution = _get_solution(request.user, pk)
    return render(request, "suppliers/solution_detail.html", {
        "solution": solution, "cases": solution.cases.published().select_related("lead_buyer"),
        "cpv_codes": solution.cpv_codes.all(), "sectors": solution.sectors.all(),
        "can_edit": solution.organization_id in roles_of(request.user).supplier_org_ids})


def _supplier_org(user) -> Organization:
    ids = roles_of(user).supplier_org_ids
    if not ids:
        raise PermissionDenied(_("Only people in a supplier organization can do this."))
    return Organization.objects.filter(pk__in=ids).order_by("name").first()


def _save(request, solution):
    form = SolutionForm(request.POST or None, instance=solution)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = actions.save_solution(
            actor=request.user, organization=solution.organization if solution.pk else _supplier_org(request.user),
            solution=solution if solution.pk else None,
            fields={name: data[name] for name in ("title", "description", "language", "active")},
            cpv_codes=data["cpv"], sectors=data["sectors"], cases=data["cases"])
        messages.success(request, _("Saved."))
        return redirect("solution_detail", pk=saved.pk)
    return render(request, "suppliers/solution_form.html", {"form": form, "form_list": [form],
                                                          "solution": solution if solution.pk else None},
                  status=400 if request.method == "POST" else 200)


@login_required
def solution_create(request):
    organization = _supplier_org(request.user)
    return _save(request, Solution(organization=organization))


@login_required
def solution_edit(request, pk):
    return _save(request, _get_solution(request.user, pk, edit=True))


@login_required
@require_POST
@ratelimit(key="user", rate=lambda group, request: settings.DELBAR_MESSAGE_RATE, block=True)
def need_propose(request, pk):
    need = need_access.get_need_for_user(request.user, pk, "propose")
    form = ProposalForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("need_detail", pk=need.pk)
    try:
        actions.propose(need=need, actor=request.user, organization=_supplier_org(request.user),
                        body=form.cleaned_data["body"], solution=form.cleaned_data["solution"])
    except actions.SupplierError as error:
        messages.error(request, str(error))
        return redirect("need_detail", pk=need.pk)
    messages.success(request, _("Your proposal is sent. Only the buyer, its buyer group and curators see it."))
    return redirect("need_detail", pk=need.pk)


def demand_view(request):
    filters = {name: request.GET.get(name, "") for name in ("sector", "county", "division")}
    if filters["division"] and not (filters["division"].isdigit() and len(filters["division"]) == 2):
        filters["division"] = ""
    return render(request, "suppliers/demand.html", {
        "demand": demand(filters), "filters": filters,
        "needs": open_public_needs(filters).select_related("organization", "sector")[:50],
        "sectors": Sector.objects.all(), "counties": County.objects.all()})
