from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delbar.accounts.roles import roles_of
from delbar.cases import access as case_access
from delbar.challenges import access as challenge_access
from delbar.challenges.models import Challenge
from delbar.dialogues import access as dialogue_access
from delbar.groups import access as group_access
from delbar.groups.models import BuyerGroup
from delbar.groups.proposals import pairs
from delbar.needs import access, actions, presenting
from delbar.needs.forms import DecisionForm, JoinForm, NeedForm
from delbar.needs.models import Need, NeedStatus
from delbar.orgs.models import Organization
from delbar.search import render_results
from delbar.suppliers.forms import ProposalForm


def need_list(request):
    return render_results(request, kinds=["need"], template="needs/need_list.html")


def _buyer_orgs(user) -> list[Organization]:
    """The buyers `user` may post needs for."""
    roles = roles_of(user)
    ids = roles.editor_org_ids & roles.buyer_org_ids
    if roles.is_admin and not ids:
        ids = roles.buyer_org_ids
    return list(Organization.objects.filter(pk__in=ids).order_by("name"))


def need_detail(request, pk):
    need = access.get_need_for_user(request.user, pk)
    allowed = access.allowed_actions(request.user, need)
    shown = presenting.shown_matches(need, request.user)
    context = {
        "need": need,
        "allowed": allowed,
        "can_decide": "edit" in allowed,
        "cpv_codes": need.cpv_codes.all(),
        "match_groups": presenting.grouped(shown),
        # Posted on the page, a need is matched in the background (needs/tasks.py): the section asks
        # again every few seconds until its matches are there.
        "matching_pending": need.matched_at is None and need.status == NeedStatus.OPEN,
        "interests": need.interests.select_related("organization"),
        # A buyer group is seen by its members' people and curators only (groups/access.py).
        "groups": [group for group in BuyerGroup.objects.filter(Q(need=need) | Q(members__need=need)).distinct()
                   .select_related("lead") if group_access.can_view(request.user, group)],
    }
    if "edit" in allowed:
        context["dismissed"] = presenting.shown_matches(need, request.user, dismissed=True)
    # The dialogues held on the need, upcoming first, and whether this person may announce one.
    dialogues = need.dialogues.active().select_related("organizer")
    context["upcoming_dialogues"] = dialogues.upcoming()
    context["past_dialogues"] = dialogues.past()
    context["can_announce_dialogue"] = dialogue_access.can_announce(request.user, need=need)
    # The innovation competitions that grew from it (directly or through a buyer group).
    context["challenges"] = Challenge.objects.visible_to(request.user).filter(need=need).select_related("owner")
    context["can_create_challenge"] = challenge_access.can_create(request.user, need=need)
    proposals = need.proposals.select_related("organization", "solution")
    if "proposals" in allowed:
        context["proposals"] = proposals
    elif roles_of(request.user).supplier_org_ids:
        context["proposals"] = proposals.filter(organization_id__in=roles_of(request.user).supplier_org_ids)
    if "curate" in allowed:
        partner_ids = [b if a == need.pk else a for a, b, _similarity in pairs([need.pk])]
        context["group_partners"] = Need.objects.filter(pk__in=partner_ids).select_related("organization")
    if "join" in allowed:
        joinable = [org for org in _buyer_orgs(request.user) if org.pk != need.organization_id]
        context["join_form"] = JoinForm(organizations=joinable)
    if "propose" in allowed:
        context["proposal_form"] = ProposalForm(user=request.user)
    if request.htmx and request.GET.get("part") == "matches":
        return render(request, "needs/need_detail.html#matches", context)
    return render(request, "needs/need_detail.html", context)


def _prefill(request) -> tuple[dict, dict]:
    """Initial values from ?from_case= or ?from_need= ("start a need from this"), and the origin."""
    initial, origin = {}, {}
    if request.GET.get("from_case"):
        case = case_access.get_case_for_user(request.user, request.GET["from_case"])
        initial = {"title": case.title, "description": case.need or case.summary, "sector": case.sector_id,
                   "cpv": list(case.cpv_codes.all()), "language": case.language}
        origin = {"based_on_case": case}
    elif request.GET.get("from_need"):
        source = access.get_need_for_user(request.user, request.GET["from_need"])
        initial = {"title": source.title, "description": source.description, "sector": source.sector_id,
                   "cpv": list(source.cpv_codes.all()), "language": source.language}
        origin = {"based_on_need": source}
    return initial, origin


@login_required
def need_create(request):
    if not access.can_create(request.user):
        raise PermissionDenied(_("Only editors of a public buyer can post needs."))
    orgs = _buyer_orgs(request.user)
    if not orgs:
        raise PermissionDenied(_("You are not an editor in any buyer organization."))
    initial, origin = _prefill(request)
    form = NeedForm(request.POST or None, initial=initial, instance=Need(organization=orgs[0]),
                    organization_choices=orgs)
    if request.method == "POST" and form.is_valid():
        need = actions.create_need(actor=request.user, organization=form.cleaned_data.get("organization", orgs[0]),
                                   fields=form.need_fields(), cpv_codes=form.cleaned_data["cpv"], match="later",
                                   **origin)
        messages.success(request, _("Your need is posted. Delbar is looking for what matches it below."))
        return redirect("need_detail", pk=need.pk)
    return render(request, "needs/need_form.html", {"form": form, "form_list": [form], "need": None, "origin": origin},
                  status=400 if request.method == "POST" else 200)


@login_required
def need_edit(request, pk):
    need = access.get_need_for_user(request.user, pk, "edit")
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        changed = actions.update_need(need=need, actor=request.user, fields=form.need_fields(),
                                      cpv_codes=form.cleaned_data["cpv"], match="later")
        messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
        return redirect("need_detail", pk=need.pk)
    return render(request, "needs/need_form.html", {"form": form, "form_list": [form], "need": need},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def need_join(request, pk):
    need = access.get_need_for_user(request.user, pk, "join")
    joinable = [org for org in _buyer_orgs(request.user) if org.pk != need.organization_id]
    form = JoinForm(request.POST, organizations=joinable)
    if form.is_valid():
        try:
            actions.join(need=need, actor=request.user, organization=form.cleaned_data["organization"],
                         note=form.cleaned_data["note"])
        except actions.NeedError as error:
            messages.error(request, str(error))
            return redirect("need_detail", pk=need.pk)
        messages.success(request, _("You have joined this need. The owner is told."))
    else:
        messages.error(request, _("Choose the organization you join for."))
    return redirect("need_detail", pk=need.pk)


@login_required
@require_POST
def match_decide(request, pk, match_pk):
    need = access.get_need_for_user(request.user, pk, "edit")
    match = get_object_or_404(need.matches, pk=match_pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown decision."))
    else:
        actions.decide(match=match, actor=request.user, state=form.cleaned_data["state"])
        messages.success(request, _("Thank you: your decision is kept and improves later matches."))
    return redirect(f"{need.get_absolute_url()}#matches")


@login_required
def my_needs(request):
    roles = roles_of(request.user)
    own = Need.objects.filter(organization_id__in=roles.editor_org_ids).select_related("organization")
    joined = Need.objects.filter(interests__organization_id__in=roles.buyer_org_ids).exclude(
        organization_id__in=roles.editor_org_ids).select_related("organization").distinct()
    return render(request, "needs/my_needs.html", {
        "own": own, "joined": joined, "can_create": access.can_create(request.user),
        "open_status": NeedStatus.OPEN})
