"""The challenge pages: the list, the public page, and the owners' pages for phases, criteria, evaluators,
applications and results. Every view asks challenges/access.py who may do what; every change goes through
challenges/actions.py. A refused change shows the page again with the reason beside the form (status
400) and changes nothing. The applicants' and evaluators' own pages are in application_views.py."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from delbar.accounts.roles import roles_of
from delbar.alerts.models import Notification
from delbar.cases import access as case_access
from delbar.cases.models import Status
from delbar.challenges import access, actions
from delbar.challenges.forms import (
    AnswerForm,
    AwardForm,
    CancelForm,
    ChallengeFilterForm,
    ChallengeForm,
    CriterionFormSet,
    EndForm,
    EvaluatorForm,
    PhaseForm,
    QuestionForm,
    criteria_rows,
    route_explanations,
)
from delbar.challenges.models import Application, Challenge, Evaluation, Phase
from delbar.groups import access as group_access
from delbar.needs import access as need_access
from delbar.networks.models import Network
from delbar.orgs.models import Organization

SHOWN = 100          # open and running challenges at once: more than run in the whole country in a year
ENDED_PER_PAGE = 20


def _error_to(form, error: actions.ChallengeError) -> None:
    """A refusal from the actions, beside its field where the form has it."""
    form.add_error(error.field if error.field in form.fields else None, str(error))


# --- The list ----------------------------------------------------------------------------------------------

def _open_phase(now):
    return Phase.objects.filter(challenge=OuterRef("pk"), opens_at__lte=now, closes_at__gte=now,
                                decided_at__isnull=True)


def _own_drafts(user):
    """The drafts `user` runs: those of the organizations they edit for and of the networks they curate (a
    Delbar curator may open every draft, but "your drafts" are their own)."""
    if not user.is_authenticated:
        return Challenge.objects.none()
    roles = roles_of(user)
    return Challenge.objects.filter(published_at__isnull=True, cancelled_at__isnull=True).filter(
        Q(owner_id__in=roles.editor_org_ids) | Q(network__organization_id__in=roles.network_org_ids)
        | Q(created_by=user)).select_related("owner")


def challenge_list(request):
    form = ChallengeFilterForm(request.GET or None)
    now = timezone.now()
    challenges = Challenge.objects.visible_to(request.user).select_related("owner", "sector").annotate(
        open_now=Exists(_open_phase(now)))
    status, state = 200, ""
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        chosen = form.cleaned_data
        state = chosen.get("state") or ""
        if chosen.get("route"):
            challenges = challenges.filter(route=chosen["route"])
        if chosen.get("sector"):
            challenges = challenges.filter(sector=chosen["sector"])
    sections = {
        "open": challenges.filter(ended_at__isnull=True, open_now=True),
        "running": challenges.filter(ended_at__isnull=True, open_now=False),
        "ended": challenges.filter(ended_at__isnull=False).order_by("-ended_at", "-id"),
    }
    ended = Paginator(sections["ended"] if state in ("", "ended") else Challenge.objects.none(),
                      ENDED_PER_PAGE).get_page(request.GET.get("page"))
    parameters = request.GET.copy()
    parameters.pop("page", None)
    return render(request, "challenges/challenge_list.html", {
        "form": form, "form_list": [form], "state": state,
        "open": sections["open"][:SHOWN] if state in ("", "open") else [],
        "running": sections["running"][:SHOWN] if state in ("", "running") else [],
        "ended": ended, "query": parameters.urlencode(),
        "drafts": _own_drafts(request.user), "can_create": access.can_create(request.user),
    }, status=status)


# --- Creating and changing ---------------------------------------------------------------------------------

def _origin(request) -> dict:
    """What the challenge is created from: ?need=, ?group= or ?network= (a slug or a number); 404 for what
    the user may not see."""
    user = request.user
    if request.GET.get("need"):
        return {"need": need_access.get_need_for_user(user, request.GET["need"])}
    if request.GET.get("group"):
        return {"group": group_access.get_group_for_user(user, request.GET["group"])}
    if request.GET.get("network"):
        reference = request.GET["network"][:60]
        lookup = Q(slug=reference) | Q(pk=int(reference)) if reference.isdigit() else Q(slug=reference)
        network = Network.objects.select_related("organization").filter(lookup).first()
        if network is None:
            raise Http404("No such network.")
        return {"network": network}
    return {}


def _prefill(origin: dict) -> dict:
    need = origin.get("need") or (origin["group"].need if "group" in origin else None)
    if need is None:
        return {}
    return {"title": origin["group"].name if "group" in origin else need.title, "problem": need.description,
            "sector": need.sector_id, "cpv": list(need.cpv_codes.all())}


@login_required
def challenge_create(request):
    origin = _origin(request)
    owners = access.owner_choices(request.user, **origin)
    if not owners:
        raise PermissionDenied(_("Only a buyer's editors, a buyer group's lead or a network's curators create "
                                 "challenges."))
    form = ChallengeForm(request.POST or None, initial=_prefill(origin), owners=owners)
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        network = origin.get("network") or Network.objects.filter(organization=owner).first()
        try:
            challenge = actions.create(actor=request.user, owner=owner, fields=form.challenge_fields(),
                                       need=origin.get("need"), group=origin.get("group"), network=network,
                                       cpv_codes=form.cleaned_data["cpv"])
        except actions.ChallengeError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("The draft is saved; only its owners see it. Add the phases and the "
                                        "criteria, then publish it."))
            return redirect(challenge)
    return render(request, "challenges/challenge_form.html", {
        "form": form, "form_list": [form], "challenge": None, "origin": origin, "routes": route_explanations()},
        status=400 if request.method == "POST" else 200)


def _closed_to_changes(request, challenge: Challenge):
    """A redirect with the reason where the challenge no longer changes; None where it does."""
    if challenge.is_cancelled or challenge.is_ended:
        messages.error(request, _("The challenge is cancelled or ended, and can no longer be changed."))
        return redirect(challenge)
    return None


@login_required
def challenge_edit(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    if refused := _closed_to_changes(request, challenge):
        return refused
    form = ChallengeForm(request.POST or None, instance=Challenge.objects.get(pk=challenge.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update(challenge=challenge, actor=request.user, fields=form.challenge_fields(),
                                     cpv_codes=form.cleaned_data["cpv"])
        except actions.ChallengeError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
            return redirect(challenge)
    return render(request, "challenges/challenge_form.html", {
        "form": form, "form_list": [form], "challenge": challenge, "origin": {}, "routes": route_explanations()},
        status=400 if request.method == "POST" else 200)


# --- The challenge's page ----------------------------------------------------------------------------------

def _own_org_ids(user) -> set[int]:
    return roles_of(user).supplier_org_ids if user.is_authenticated else set()


def _timeline(user, challenge: Challenge, *, is_owner: bool, is_evaluator: bool) -> list[dict]:
    """actions.results with, per phase, what this person may do or read: apply, their own applications,
    and the justification (for the owners, the evaluators and those who applied to the phase)."""
    timeline = actions.results(challenge)
    org_ids = _own_org_ids(user)
    own = list(Application.objects.filter(phase__challenge=challenge).filter(
        Q(lead_id__in=org_ids) | Q(partners__in=org_ids)).distinct().select_related("lead")) if org_ids else []
    for entry in timeline:
        phase = entry["phase"]
        entry["mine"] = [application for application in own if application.phase_id == phase.pk]
        applied_leads = {application.lead_id for application in entry["mine"]}
        entry["can_apply"] = access.can_apply(user, phase) and any(
            organization.pk not in applied_leads for organization in access.eligible_leads(user, phase))
        entry["show_justification"] = phase.notified_at is not None and bool(
            is_owner or is_evaluator or entry["mine"])
    return timeline


def _render_detail(request, challenge: Challenge, *, status: int = 200, **forms):
    """The challenge's page; `forms` replace the page's empty forms with bound ones that carry errors."""
    user = request.user
    is_owner = access.is_owner(user, challenge)
    is_evaluator = access.is_evaluator(user, challenge)
    questions = list(challenge.questions.all())
    open_to_changes = not challenge.is_cancelled and not challenge.is_ended
    need = challenge.need
    context = {
        "challenge": challenge,
        "is_owner": is_owner,
        "is_evaluator": is_evaluator,
        "timeline": _timeline(user, challenge, is_owner=is_owner, is_evaluator=is_evaluator),
        "criteria": list(challenge.criteria.all()),
        "cpv_codes": list(challenge.cpv_codes.all()),
        "need_visible": need is not None and need_access.can_view(user, need),
        "group_visible": challenge.group is not None and group_access.can_view(user, challenge.group),
        # Public, as the buyers of a joint procurement are in its notice (and in the challenge's OCDS).
        "buyers": Organization.objects.filter(pk__in=challenge.buyer_ids()).order_by("name"),
        "case_visible": challenge.case is not None and case_access.can_view(user, challenge.case),
        "answered": [question for question in questions if question.answered_at],
        "own_questions": [question for question in questions
                          if not question.answered_at and user.is_authenticated and question.asked_by_id == user.pk],
        "is_supplier": bool(_own_org_ids(user)),
    }
    if user.is_authenticated and not challenge.is_cancelled:
        context["question_form"] = forms.get("question_form") or QuestionForm()
    if is_owner:
        phases = [entry["phase"] for entry in context["timeline"]]
        context.update({
            "unanswered": [question for question in questions if not question.answered_at],
            "answer_form": forms.get("answer_form"),
            "answering": forms.get("answering"),
            "open_to_changes": open_to_changes,
        })
        if not challenge.is_published and not challenge.is_cancelled:
            context["show_publish"] = True
            context["publish_problems"] = list(actions.publish_problems(challenge).values())
        if open_to_changes:
            context["cancel_form"] = forms.get("cancel_form") or CancelForm()
        if challenge.is_published and open_to_changes and phases and all(p.decided_at for p in phases):
            context["end_form"] = forms.get("end_form") or EndForm()
        elif "end_form" in forms:
            context["end_form"] = forms["end_form"]
        context["can_publish_case"] = challenge.is_ended and challenge.case_id is None
    context["forms_with_errors"] = [form for name, form in forms.items() if name != "answering" and form.errors]
    return render(request, "challenges/challenge_detail.html", context, status=status)


def challenge_detail(request, pk):
    return _render_detail(request, access.get_challenge_for_user(request.user, pk))


@login_required
@require_POST
def challenge_publish(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    try:
        actions.publish(challenge=challenge, actor=request.user)
    except actions.ChallengeError as error:
        messages.error(request, str(error))
        return _render_detail(request, challenge, status=400)
    messages.success(request, _("The challenge is published: anyone can read it, and suppliers following its "
                                "topics are told."))
    return redirect(challenge)


@login_required
@require_POST
def challenge_cancel(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel(challenge=challenge, actor=request.user, note=form.cleaned_data["note"])
        except actions.ChallengeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The challenge is cancelled. Everyone who applied is told."))
            return redirect(challenge)
    return _render_detail(request, challenge, status=400, cancel_form=form)


@login_required
@require_POST
def challenge_end(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            actions.end(challenge=challenge, actor=request.user,
                        ended_in_contract=form.cleaned_data["ended_in_contract"])
        except actions.ChallengeError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("The challenge has ended. Publish a case from it so others can take it "
                                        "up."))
            return redirect(challenge)
    return _render_detail(request, challenge, status=400, end_form=form)


@login_required
@require_POST
def challenge_publish_case(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    try:
        case = actions.publish_case(challenge=challenge, actor=request.user)
    except actions.ChallengeError as error:
        messages.error(request, str(error))
        return _render_detail(request, challenge, status=400)
    messages.success(request, _("The case is published.") if case.status == Status.PUBLISHED else
                     _("The case is made from the challenge and sent to the curators, who publish it."))
    if case_access.can_view(request.user, case):
        return redirect(case)
    return redirect(challenge)


# --- Questions ---------------------------------------------------------------------------------------------

@login_required
@require_POST
@ratelimit(key="user", rate=lambda group, request: settings.DELBAR_QUESTION_RATE, block=True)
def challenge_ask(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "ask")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = actions.ask(challenge=challenge, actor=request.user, body=form.cleaned_data["body"])
        except actions.ChallengeError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Your question is posted. The owner answers it in public."))
            return redirect(f"{challenge.get_absolute_url()}#question-{question.pk}")
    return _render_detail(request, challenge, status=400, question_form=form)


@login_required
@require_POST
def challenge_answer(request, pk, question_pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    question = get_object_or_404(challenge.questions, pk=question_pk)
    form = AnswerForm(request.POST, auto_id=f"answer{question.pk}_%s")
    if form.is_valid():
        try:
            actions.answer(question=question, actor=request.user, body=form.cleaned_data["body"])
        except actions.ChallengeError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Your answer is published on the challenge's page."))
            return redirect(f"{challenge.get_absolute_url()}#question-{question.pk}")
    return _render_detail(request, challenge, status=400, answer_form=form, answering=question)


# --- Phases ------------------------------------------------------------------------------------------------

def _neighbours(phase: Phase) -> tuple[Phase | None, Phase | None]:
    phases = phase.challenge.phases.all()
    return (phases.filter(number__lt=phase.number).order_by("-number").first(),
            phases.filter(number__gt=phase.number).order_by("number").first())


@login_required
def challenge_phases(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    phases = list(challenge.phases.all())
    last = phases[-1] if phases else None
    form = None
    if not challenge.is_cancelled and not challenge.is_ended:
        form = PhaseForm(request.POST or None, previous=last, initial={"invited_only": last is not None})
    elif request.method == "POST":
        return _closed_to_changes(request, challenge)
    if request.method == "POST" and form.is_valid():
        try:
            phase = actions.add_phase(challenge=challenge, actor=request.user, fields=form.phase_fields())
        except actions.ChallengeError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("Phase %(number)s is added.") % {"number": phase.number})
            return redirect("challenge_phases", pk=challenge.pk)
    counts = {entry["phase"].pk: entry["applicants"] for entry in actions.results(challenge)}
    return render(request, "challenges/challenge_phases.html", {
        "challenge": challenge, "form": form,
        "phases": [{"phase": phase, "applicants": counts.get(phase.pk, 0), "state": phase.state(),
                    "state_label": Phase.State(phase.state()).label} for phase in phases],
        "form_list": [form] if form else [], "last": last},
        status=400 if request.method == "POST" else 200)


def _owned_phase(request, pk, phase_pk) -> Phase:
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    phase = get_object_or_404(Phase.objects.select_related("challenge"), pk=phase_pk, challenge=challenge)
    phase.challenge = challenge
    return phase


@login_required
def phase_edit(request, pk, phase_pk):
    phase = _owned_phase(request, pk, phase_pk)
    challenge = phase.challenge
    if refused := _closed_to_changes(request, challenge):
        return refused
    if phase.decided_at is not None:
        messages.error(request, _("The phase is decided; it can no longer change."))
        return redirect("challenge_phases", pk=challenge.pk)
    previous, following = _neighbours(phase)
    form = PhaseForm(request.POST or None, instance=Phase.objects.get(pk=phase.pk), previous=previous,
                     following=following)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update_phase(phase=phase, actor=request.user, fields=form.phase_fields())
        except actions.ChallengeError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
            return redirect("challenge_phases", pk=challenge.pk)
    return render(request, "challenges/phase_form.html", {
        "challenge": challenge, "phase": phase, "form": form, "form_list": [form],
        "applicants": phase.applications.submitted().count()},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def phase_remove(request, pk, phase_pk):
    phase = _owned_phase(request, pk, phase_pk)
    number = phase.number
    try:
        actions.remove_phase(phase=phase, actor=request.user)
    except actions.ChallengeError as error:
        messages.error(request, str(error))
        return redirect("challenge_phases", pk=pk)
    messages.success(request, _("Phase %(number)s is removed.") % {"number": number})
    return redirect("challenge_phases", pk=pk)


# --- Criteria ----------------------------------------------------------------------------------------------

@login_required
def challenge_criteria(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    criteria = list(challenge.criteria.all())
    initial = [{"name": c.name, "description": c.description, "weight": c.weight} for c in criteria]
    formset = CriterionFormSet(request.POST or None, initial=initial, prefix="criteria")
    error = None
    if request.method == "POST":
        if refused := _closed_to_changes(request, challenge):
            return refused
        entered_rows = None
        if formset.is_valid():
            entered_rows = criteria_rows(formset)
            try:
                actions.set_criteria(challenge=challenge, actor=request.user, rows=entered_rows)
            except actions.ChallengeError as refusal:
                error = str(refusal)
            else:
                messages.success(request, _("The criteria are saved."))
                return redirect("challenge_criteria", pk=challenge.pk)
        entered = sum(form.cleaned_data.get("weight") or 0 for form in formset.forms
                      if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE"))
        if entered_rows is not None:
            # Refused as a whole (the weights do not add up to 100): the rows as entered and an empty one, so
            # the owner can add the criterion that is missing instead of being held to the rows she sent.
            formset = CriterionFormSet(initial=entered_rows, prefix="criteria")
    else:
        entered = sum(c.weight for c in criteria)
    return render(request, "challenges/challenge_criteria.html", {
        "challenge": challenge, "formset": formset, "criteria": criteria, "weight_sum": entered, "error": error,
        "scored": challenge.criteria.filter(scores__isnull=False).exists(),
        "open_to_changes": not challenge.is_cancelled and not challenge.is_ended},
        status=400 if request.method == "POST" else 200)


# --- Evaluators --------------------------------------------------------------------------------------------

@login_required
def challenge_evaluators(request, pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    form = EvaluatorForm(request.POST or None, candidates=access.evaluator_choices(challenge))
    if request.method == "POST":
        if refused := _closed_to_changes(request, challenge):
            return refused
        if form.is_valid():
            user, organization = form.cleaned_data["person"]
            try:
                actions.appoint_evaluator(challenge=challenge, actor=request.user, user=user,
                                          organization=organization)
            except actions.ChallengeError as error:
                form.add_error("person", str(error))
            else:
                messages.success(request, _("%(name)s is appointed and told.") % {
                    "name": user.get_full_name() or user.username})
                return redirect("challenge_evaluators", pk=challenge.pk)
    evaluators = challenge.evaluators.select_related("user", "organization")
    submitted = set(Evaluation.objects.filter(evaluator__challenge=challenge, submitted_at__isnull=False)
                    .values_list("evaluator_id", flat=True))
    return render(request, "challenges/challenge_evaluators.html", {
        "challenge": challenge, "form": form, "form_list": [form], "submitted": submitted,
        "evaluators": evaluators, "open_to_changes": not challenge.is_cancelled and not challenge.is_ended},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def evaluator_remove(request, pk, evaluator_pk):
    challenge = access.get_challenge_for_user(request.user, pk, "own")
    evaluator = get_object_or_404(challenge.evaluators, pk=evaluator_pk)
    try:
        actions.remove_evaluator(evaluator=evaluator, actor=request.user)
    except actions.ChallengeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The evaluator is removed."))
    return redirect("challenge_evaluators", pk=challenge.pk)


# --- Applications and results (owners and evaluators) ------------------------------------------------------

EVALUATION_STATES = {
    "pending": _("Not declared yet"),
    "conflict": _("Conflict declared: you do not score it"),
    "draft": _("Scoring started"),
    "submitted": _("Scores submitted"),
}


def _evaluation_state(evaluation: Evaluation | None) -> str:
    if evaluation is None:
        return "pending"
    if evaluation.has_conflict:
        return "conflict"
    return "submitted" if evaluation.submitted_at else "draft"


@login_required
def challenge_applications(request, pk):
    """The owners and evaluators see every application, phase by phase; an applicant who comes here sees
    their own only; anyone else is refused."""
    user = request.user
    challenge = access.get_challenge_for_user(user, pk)
    is_owner = access.is_owner(user, challenge)
    evaluator = access.evaluator_of(user, challenge)
    applications = list(access.visible_applications(user, challenge).select_related("phase", "lead")
                        .prefetch_related("partners").order_by("phase__number", "submitted_at", "id"))
    if not is_owner and evaluator is None and not applications:
        raise PermissionDenied(_("Only the owner, the evaluators and the applicants see applications."))
    evaluations = {}
    if evaluator is not None:
        evaluations = {evaluation.application_id: evaluation for evaluation in evaluator.evaluations.all()}
    phases = []
    for phase in challenge.phases.all():
        rows = []
        for application in (a for a in applications if a.phase_id == phase.pk):
            state = _evaluation_state(evaluations.get(application.pk)) if evaluator is not None else None
            rows.append({"application": application, "evaluation_state": state,
                         "evaluation_label": EVALUATION_STATES.get(state, ""),
                         "can_score": evaluator is not None and application.status != Application.Status.WITHDRAWN
                         and phase.state() == Phase.State.EVALUATION and state != "conflict"})
        phases.append({"phase": phase, "rows": rows})
    return render(request, "challenges/challenge_applications.html", {
        "challenge": challenge, "phases": phases, "is_owner": is_owner, "is_evaluator": evaluator is not None,
        "all_shown": is_owner or evaluator is not None})


def _criterion_means(row: dict, criteria: list) -> list:
    """Per criterion, the mean of the submitted scores of one application (None where nobody scored it)."""
    means = []
    for criterion in criteria:
        values = [score.value for cell in row["cells"] if cell["state"] == "submitted"
                  for score in cell["evaluation"].scores.all() if score.criterion_id == criterion.pk]
        means.append(sum(values) / len(values) if values else None)
    return means


@login_required
def phase_results(request, pk, phase_pk):
    phase = _owned_phase(request, pk, phase_pk)
    challenge = phase.challenge
    table = actions.score_table(phase)
    criteria = list(challenge.criteria.all())
    for row in table:
        row["criterion_means"] = _criterion_means(row, criteria)
        # An owner who is also an evaluator scores alone first, like the others.
        row["withheld"] = not access.can_see_all_scores(request.user, row["application"])
        row["span"] = 1 + len(row["cells"]) + len(criteria)
    evaluators = list(challenge.evaluators.select_related("user", "organization"))
    form = None
    decidable = phase.decided_at is None and phase.state() == Phase.State.EVALUATION and \
        not challenge.is_cancelled and not challenge.is_ended
    if decidable:
        form = AwardForm(request.POST or None, applications=[row["application"] for row in table])
    elif request.method == "POST":
        messages.error(request, _("The result is agreed once, after applications close."))
        return redirect("phase_results", pk=challenge.pk, phase_pk=phase.pk)
    if request.method == "POST" and form.is_valid():
        try:
            actions.award(phase=phase, actor=request.user, awards=form.awards(),
                          justification=form.cleaned_data["justification"])
        except actions.ChallengeError as error:
            _error_to(form, error)
        else:
            messages.success(request, _("The result is agreed and every applicant is told at once. Who went on, "
                                        "and with what amount, is published."))
            return redirect("phase_results", pk=challenge.pk, phase_pk=phase.pk)
    decided = []
    if phase.decided_at is not None:
        applications = list(phase.applications.submitted().select_related("lead").order_by("status", "lead__name"))
        told = {}
        for notification in Notification.objects.filter(
                event__in=[f"challenge-result:{application.pk}" for application in applications]):
            told[notification.event] = told.get(notification.event, 0) + 1
        decided = [{"application": application, "told": told.get(f"challenge-result:{application.pk}", 0)}
                   for application in applications]
    return render(request, "challenges/phase_results.html", {
        "challenge": challenge, "phase": phase, "table": table, "criteria": criteria, "evaluators": evaluators,
        "form": form, "form_list": [form] if form else [], "decided": decided, "state": phase.state(),
        "applications_url": reverse("challenge_applications", args=[challenge.pk])},
        status=400 if request.method == "POST" else 200)
