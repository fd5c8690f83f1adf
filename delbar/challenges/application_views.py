"""Applying to a challenge, the applicants' own pages, and evaluating. Every view asks challenges/access.py
who may do what and changes things through challenges/actions.py only.

An application is read by its applicants' people, the owners and the appointed evaluators: to everyone
else every application URL answers 404, so another applicant never learns it exists. Those who may read it
but not do a thing get 403 with the reason. An application keeps its status "Submitted" on every page until
the phase's result is sent to every applicant at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delbar.accounts.roles import roles_of
from delbar.challenges import access, actions
from delbar.challenges.application_forms import ApplicationForm, DeclarationForm, ScoreForm
from delbar.challenges.models import SCORE_MAX, Application, Challenge, Evaluation, Evaluator, Phase
from delbar.suppliers.models import Solution

# --- Shared helpers -----------------------------------------------------------------------------------------


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def result_of(application: Application) -> dict:
    """The status as pages show it: "Submitted" until the phase's result is sent, then the result (and the
    amount awarded). A withdrawn application says so at once: only its own people and the owners see it."""
    status = Application.Status
    if application.status == status.WITHDRAWN:
        return {"label": status.WITHDRAWN.label, "color": "neutral", "amount": None, "decided": False}
    if application.phase.notified_at is None:
        return {"label": status.SUBMITTED.label, "color": "info", "amount": None, "decided": False}
    if application.status == status.AWARDED:
        return {"label": status.AWARDED.label, "color": "success", "amount": application.awarded_nok, "decided": True}
    return {"label": status.NOT_AWARDED.label, "color": "warning", "amount": None, "decided": True}


def _challenge(pk) -> Challenge:
    """The challenge an application URL names, whether or not it is still public: an applicant reads her own
    application after the challenge was cancelled. Who may read the application decides (access)."""
    try:
        return Challenge.objects.select_related("owner").get(pk=pk)
    except (Challenge.DoesNotExist, ValueError, TypeError):
        raise Http404("No such challenge.") from None


def _application(request, pk, application_pk) -> Application:
    """The application if the user may read it; 404 otherwise."""
    return access.get_application_for_user(request.user, _challenge(pk), application_pk)


def _closed_reason(phase: Phase) -> str | None:
    """Why `phase` takes no applications now, in the words actions.apply refuses with; None when it does."""
    challenge = phase.challenge
    if challenge.published_at is None or challenge.cancelled_at is not None or challenge.ended_at is not None:
        return _("The challenge is not open for applications.")
    state = phase.state()
    if state == Phase.State.UPCOMING:
        return _("Applications open on %(date)s.") % {"date": _when(phase.opens_at)}
    if state != Phase.State.OPEN:
        return _("Applications closed on %(date)s.") % {"date": _when(phase.closes_at)}
    return None


def _solutions(user, application: Application | None = None):
    """The solutions an application may name: those of the suppliers the user acts for (and the one it
    names already, should it be a partner's)."""
    chosen = Q(organization_id__in=roles_of(user).supplier_org_ids)
    if application is not None and application.solution_id:
        chosen |= Q(pk=application.solution_id)
    return Solution.objects.filter(chosen).select_related("organization").order_by("title")


def _refuse_change(user, application: Application) -> None:
    """403 with the reason when a reader of `application` may not change it (access.can_edit_application)."""
    if access.can_edit_application(user, application):
        return
    if application.lead_id not in roles_of(user).supplier_org_ids:
        raise PermissionDenied(_("Only the lead applicant's people change or withdraw the application."))
    if application.status == Application.Status.WITHDRAWN:
        raise PermissionDenied(_("The application is withdrawn."))
    reason = _closed_reason(application.phase) or ""
    raise PermissionDenied(_("The application can no longer change.") + " " + reason)


# --- Applying -----------------------------------------------------------------------------------------------

@login_required
def application_create(request, pk, phase_pk):
    challenge = access.get_challenge_for_user(request.user, pk)
    phase = get_object_or_404(Phase.objects.select_related("challenge"), pk=phase_pk, challenge=challenge)
    if not access.applicant_organizations(request.user):
        raise PermissionDenied(_("Applications are made by suppliers: log in as a person acting for a supplier "
                                 "registered in Delbar."))
    reason = _closed_reason(phase)
    if reason:
        raise PermissionDenied(reason)
    leads = access.eligible_leads(request.user, phase)
    if not leads:
        raise PermissionDenied(_("This phase is open only to those awarded in the phase before."))
    applied = {application.lead_id: application for application in Application.objects.filter(
        phase=phase, lead__in=leads).select_related("lead")}
    available = [lead for lead in leads if lead.pk not in applied]
    if not available:
        existing = next(iter(applied.values()))
        if existing.status == Application.Status.WITHDRAWN:
            messages.info(request, _("%(name)s withdrew its application to this phase, and applies to it once "
                                     "only.") % {"name": existing.lead.name})
        else:
            messages.info(request, _("%(name)s has applied to this phase already: change that application "
                                     "instead.") % {"name": existing.lead.name})
        return redirect(existing)
    form = ApplicationForm(request.POST or None, request.FILES or None, phase=phase, leads=available,
                           solutions=_solutions(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            application = actions.apply(phase=phase, actor=request.user, lead=form.cleaned_data["lead"],
                                        fields=form.application_fields(), partners=form.cleaned_data["partners"],
                                        documents=form.documents())
        except actions.AlreadyApplied as error:
            messages.info(request, str(error))
            return redirect(Application.objects.get(phase=phase, lead=form.cleaned_data["lead"]))
        except actions.ChallengeError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Your application is sent. You can change it until the deadline, %(date)s.")
                             % {"date": _when(phase.closes_at)})
            return redirect(application)
    return render(request, "challenges/application_form.html", {
        "form": form, "forms_with_errors": [form] if form.errors else [], "challenge": challenge, "phase": phase,
        "application": None, "applied": list(applied.values())},
        status=400 if request.method == "POST" else 200)


@login_required
def application_edit(request, pk, application_pk):
    application = _application(request, pk, application_pk)
    _refuse_change(request.user, application)
    phase = application.phase
    documents = list(application.documents.all())
    form = ApplicationForm(request.POST or None, request.FILES or None, instance=application, phase=phase,
                           solutions=_solutions(request.user, application), documents_held=len(documents))
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update_application(application=application, actor=request.user,
                                                 fields=form.application_fields(),
                                                 partners=form.cleaned_data["partners"], documents=form.documents())
        except actions.ChallengeError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
            return redirect(application)
    return render(request, "challenges/application_form.html", {
        "form": form, "forms_with_errors": [form] if form.errors else [], "challenge": phase.challenge,
        "phase": phase, "application": Application.objects.get(pk=application.pk), "documents": documents},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def application_withdraw(request, pk, application_pk):
    application = _application(request, pk, application_pk)
    _refuse_change(request.user, application)
    try:
        actions.withdraw(application=application, actor=request.user)
    except actions.ChallengeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect(application)


# --- The application's page and its documents ----------------------------------------------------------------

def _evaluations_shown(user, application: Application) -> dict | None:
    """The evaluators' work on `application` for those who may see it all (access.can_see_all_scores): the
    submitted scores side by side (a row per criterion, a column per evaluator), and where the others stand.
    None for everyone else."""
    if not access.can_see_all_scores(user, application):
        return None
    criteria = list(application.phase.challenge.criteria.all())
    evaluations = {evaluation.evaluator_id: evaluation for evaluation in Evaluation.objects.filter(
        application=application).prefetch_related("scores")}
    submitted, others = [], []
    for evaluator in Evaluator.objects.filter(challenge=application.phase.challenge).select_related(
            "user", "organization"):
        evaluation = evaluations.get(evaluator.pk)
        entry = {"evaluator": evaluator, "evaluation": evaluation}
        if evaluation is not None and evaluation.submitted_at is not None and not evaluation.has_conflict:
            scores = {score.criterion_id: score for score in evaluation.scores.all()}
            entry["scores"] = [(criterion, scores.get(criterion.pk)) for criterion in criteria]
            entry["weighted"] = evaluation.weighted_score()
            submitted.append(entry)
        else:
            entry["state"] = ("pending" if evaluation is None else "conflict" if evaluation.has_conflict
                              else "draft")
            others.append(entry)
    rows = [(criterion, [entry["scores"][index][1] for entry in submitted])
            for index, criterion in enumerate(criteria)]
    return {"submitted": submitted, "others": others, "rows": rows}


@login_required
def application_detail(request, pk, application_pk):
    application = _application(request, pk, application_pk)
    user = request.user
    challenge = application.phase.challenge
    return render(request, "challenges/application_detail.html", {
        "application": application, "challenge": challenge, "phase": application.phase,
        "partners": list(application.partners.order_by("name")),
        "documents": list(application.documents.all()),
        "result": result_of(application),
        "can_edit": access.can_edit_application(user, application),
        "is_owner": access.is_owner(user, challenge),
        "can_score": access.can_score(user, application),
        "evaluations": _evaluations_shown(user, application),
        "score_max": SCORE_MAX,
    })


def _document(request, pk, application_pk, document_pk):
    application = _application(request, pk, application_pk)
    document = application.documents.filter(pk=document_pk).first()
    if document is None:
        raise Http404("No such document.")
    return application, document


@login_required
def application_document_download(request, pk, application_pk, document_pk):
    _application_, document = _document(request, pk, application_pk, document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def application_document_remove(request, pk, application_pk, document_pk):
    application, document = _document(request, pk, application_pk, document_pk)
    _refuse_change(request.user, application)
    try:
        actions.remove_application_document(document=document, actor=request.user)
    except actions.ChallengeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The document is removed."))
    return redirect("application_edit", pk=application.phase.challenge_id, application_pk=application.pk)


# --- Evaluating ---------------------------------------------------------------------------------------------

def _evaluator_for(user, application: Application) -> Evaluator:
    """The user as an evaluator who may work on `application` now; 403 with the reason otherwise."""
    evaluator = access.evaluator_of(user, application.phase.challenge)
    if evaluator is None:
        raise PermissionDenied(_("Only the evaluators the owner appointed score applications."))
    phase = application.phase
    if phase.decided_at is not None:
        raise PermissionDenied(_("The phase is decided: scoring is closed."))
    if phase.state() != Phase.State.EVALUATION:
        raise PermissionDenied(_("Applications are scored after the deadline, %(date)s.") % {
            "date": _when(phase.closes_at)})
    if application.status == Application.Status.WITHDRAWN:
        raise PermissionDenied(_("The application is withdrawn."))
    return evaluator


@login_required
def application_evaluate(request, pk, application_pk):
    application = _application(request, pk, application_pk)
    user = request.user
    evaluator = _evaluator_for(user, application)
    evaluation = Evaluation.objects.filter(evaluator=evaluator, application=application).first()
    criteria = list(application.phase.challenge.criteria.all())
    declaration_form = score_form = None
    status = 200
    if evaluation is None:
        declaration_form = DeclarationForm(request.POST or None)
        if request.method == "POST":
            status = 400
            if declaration_form.is_valid():
                try:
                    evaluation = actions.declare(evaluator=evaluator, application=application, actor=user,
                                                 has_conflict=declaration_form.cleaned_data["has_conflict"],
                                                 note=declaration_form.cleaned_data["conflict_note"])
                except actions.ChallengeError as error:
                    field = error.field if error.field in declaration_form.fields else None
                    declaration_form.add_error(field, str(error))
                else:
                    messages.success(request, _("Your declaration is recorded. You do not score this application.")
                                     if evaluation.has_conflict else
                                     _("Your declaration is recorded. Score the application below."))
                    return redirect("application_evaluate", pk=application.phase.challenge_id,
                                    application_pk=application.pk)
    elif evaluation.has_conflict:
        if request.method == "POST":
            raise PermissionDenied(_("You declared a conflict of interest for this application and do not score "
                                     "it."))
    elif evaluation.submitted_at is None:
        score_form = ScoreForm(request.POST or None, criteria=criteria, evaluation=evaluation)
        if request.method == "POST":
            status = 400
            submit = request.POST.get("action") == "submit"
            if score_form.is_valid():
                try:
                    actions.score(evaluation=evaluation, actor=user, values=score_form.values(),
                                  comment=score_form.cleaned_data["comment"], submit=submit)
                except actions.ChallengeError as error:
                    field = error.field if error.field in score_form.fields else None
                    score_form.add_error(field, str(error))
                else:
                    messages.success(request, _("Your scores are submitted. The other evaluators' submitted scores "
                                                "are shown below.") if submit else _("Your scores are saved. "
                                                                                     "Submit them when you are done."))
                    return redirect("application_evaluate", pk=application.phase.challenge_id,
                                    application_pk=application.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("Your scores are submitted and can no longer change."))
    forms_with_errors = [form for form in (declaration_form, score_form) if form is not None and form.errors]
    return render(request, "challenges/evaluate.html", {
        "application": application, "challenge": application.phase.challenge, "phase": application.phase,
        "partners": list(application.partners.order_by("name")), "documents": list(application.documents.all()),
        "evaluation": evaluation, "declaration_form": declaration_form, "score_form": score_form,
        "forms_with_errors": forms_with_errors,
        "evaluations": _evaluations_shown(user, application), "score_max": SCORE_MAX,
        "is_owner": access.is_owner(user, application.phase.challenge),
    }, status=status)


# --- My challenges ------------------------------------------------------------------------------------------

def _own_applications(user) -> list[Application]:
    org_ids = roles_of(user).supplier_org_ids
    if not org_ids:
        return []
    applications = list(Application.objects.filter(Q(lead_id__in=org_ids) | Q(partners__in=org_ids)).distinct()
                        .select_related("phase__challenge", "lead").order_by("-submitted_at", "-id"))
    for application in applications:
        application.result = result_of(application)
    return applications


def _waiting_for_evaluator(user) -> list[dict]:
    """Per challenge the user evaluates: the applications being evaluated that wait for her declaration or
    her submitted scores."""
    if not user.is_authenticated:
        return []
    waiting = []
    for evaluator in Evaluator.objects.filter(user=user).select_related("challenge"):
        challenge = evaluator.challenge
        if challenge.cancelled_at is not None or challenge.ended_at is not None:
            continue
        done = Evaluation.objects.filter(evaluator=evaluator).filter(
            Q(submitted_at__isnull=False) | Q(has_conflict=True)).values("application_id")
        started = dict(Evaluation.objects.filter(evaluator=evaluator).values_list("application_id", "pk"))
        applications = []
        for application in Application.objects.submitted().filter(
                phase__challenge=challenge, phase__decided_at__isnull=True, phase__closes_at__lt=timezone.now(),
        ).exclude(pk__in=done).select_related("phase", "lead").order_by("phase__number", "submitted_at"):
            application.declared = application.pk in started
            applications.append(application)
        if applications:
            waiting.append({"challenge": challenge, "applications": applications})
    return waiting


def _owned_challenges(user) -> list[dict]:
    """The challenges the user runs for her own organizations or networks (drafts too), with what waits:
    applications not fully scored, results to agree, questions to answer."""
    roles = roles_of(user)
    challenges = Challenge.objects.filter(
        Q(owner_id__in=roles.editor_org_ids) | Q(network__organization_id__in=roles.network_org_ids)
    ).select_related("owner").annotate(
        unanswered=Count("questions", filter=Q(questions__answered_at__isnull=True), distinct=True),
        evaluator_count=Count("evaluators", distinct=True)).prefetch_related("phases")
    now = timezone.now()
    owned = []
    for challenge in challenges:
        evaluating = [phase for phase in challenge.phases.all()
                      if phase.decided_at is None and phase.closes_at < now]
        to_score = 0
        if evaluating:
            applications = Application.objects.submitted().filter(phase__in=evaluating).annotate(
                finished=Count("evaluations", filter=Q(evaluations__submitted_at__isnull=False)
                               | Q(evaluations__has_conflict=True)))
            to_score = sum(1 for application in applications
                           if challenge.evaluator_count == 0 or application.finished < challenge.evaluator_count)
        owned.append({"challenge": challenge, "to_score": to_score, "to_decide": evaluating,
                      "state": _challenge_state(challenge)})
    return owned


def _challenge_state(challenge: Challenge) -> str:
    if challenge.cancelled_at is not None:
        return _("Cancelled")
    if challenge.ended_at is not None:
        return _("Ended")
    if challenge.published_at is None:
        return _("Draft")
    return _("Published")


@login_required
def my_challenges(request):
    user = request.user
    return render(request, "challenges/my_challenges.html", {
        "is_supplier_person": bool(roles_of(user).supplier_org_ids),
        "applications": _own_applications(user),
        "waiting": _waiting_for_evaluator(user),
        "owned": _owned_challenges(user),
    })
