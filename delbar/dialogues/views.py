"""The dialogue pages. Every view asks dialogues/access.py who may do what; every change goes through
dialogues/actions.py. A refused change shows the dialogue's page again with the reason beside the form
(status 400), and changes nothing."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from delbar.accounts.roles import roles_of
from delbar.dialogues import access, actions, invitations, matchmaking
from delbar.dialogues.forms import (
    AddMeetingForm,
    AnswerForm,
    CancelForm,
    DialogueFilterForm,
    DialogueForm,
    GroupFromMeetingsForm,
    InputForm,
    MeetingChangeForm,
    QuestionForm,
    RegistrationForm,
    SummaryForm,
)
from delbar.dialogues.models import Dialogue, InputDocument, Meeting, Registration, WrittenInput
from delbar.groups import access as group_access
from delbar.needs import access as need_access
from delbar.networks.models import Network
from delbar.opendata.cells import safe_cell
from delbar.orgs.models import Organization

UPCOMING_SHOWN = 100     # more than any network holds at once; the past ones are paged
PAST_PER_PAGE = 20


# --- The list ----------------------------------------------------------------------------------------------

def dialogue_list(request):
    form = DialogueFilterForm(request.GET or None)
    dialogues = Dialogue.objects.select_related("organizer", "network__organization")
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        chosen = form.cleaned_data
        if chosen.get("kind"):
            dialogues = dialogues.filter(kind=chosen["kind"])
        if chosen.get("sector"):
            dialogues = dialogues.filter(needs__sector=chosen["sector"]).distinct()
        if chosen.get("county"):
            dialogues = dialogues.filter(organizer__county=chosen["county"])
    past = Paginator(dialogues.past(), PAST_PER_PAGE).get_page(request.GET.get("page"))
    parameters = request.GET.copy()
    parameters.pop("page", None)
    return render(request, "dialogues/dialogue_list.html", {
        "form": form, "form_list": [form], "upcoming": dialogues.upcoming()[:UPCOMING_SHOWN], "past": past,
        "query": parameters.urlencode(), "can_announce": access.can_announce(request.user)}, status=status)


# --- Announcing and changing -------------------------------------------------------------------------------

def _origin(request) -> dict:
    """What the dialogue is announced from: ?need=, ?group= or ?network= (404 for what the user may not see)."""
    user = request.user
    if request.GET.get("need"):
        return {"need": need_access.get_need_for_user(user, request.GET["need"])}
    if request.GET.get("group"):
        return {"group": group_access.get_group_for_user(user, request.GET["group"])}
    if request.GET.get("network"):
        network = Network.objects.select_related("organization").filter(slug=request.GET["network"][:60]).first()
        if network is None:
            raise Http404("No such network.")
        return {"network": network}
    return {}


@login_required
def dialogue_create(request):
    origin = _origin(request)
    organizers = access.organizer_choices(request.user, **origin)
    if not organizers:
        raise PermissionDenied(_("Only a buyer's editors, a buyer group's lead or a network's curators announce "
                                 "dialogues."))
    needs = access.need_choices(request.user, organizers=organizers, group=origin.get("group"),
                                network=origin.get("network"), include=[origin["need"]] if "need" in origin else ())
    initial = {"needs": [origin["need"].pk]} if "need" in origin else {}
    if "group" in origin:
        initial = {"needs": [origin["group"].need_id], "title": origin["group"].name}
    form = DialogueForm(request.POST or None, initial=initial, organizers=organizers, needs=needs,
                        own_needs_only=not ({"group", "network"} & set(origin)))
    if request.method == "POST" and form.is_valid():
        organizer = form.cleaned_data["organizer"]
        network = origin.get("network") or Network.objects.filter(organization=organizer).first()
        try:
            dialogue = actions.announce(actor=request.user, organizer=organizer, fields=form.dialogue_fields(),
                                        needs=list(form.cleaned_data["needs"]), group=origin.get("group"),
                                        network=network)
        except actions.DialogueError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("The dialogue is announced. Suppliers following its topics are told."))
            return redirect(dialogue)
    return render(request, "dialogues/dialogue_form.html", {
        "form": form, "form_list": [form], "dialogue": None, "origin": origin},
        status=400 if request.method == "POST" else 200)


@login_required
def dialogue_edit(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    if dialogue.cancelled_at is not None or dialogue.is_past:
        messages.error(request, _("The dialogue is over or cancelled, and can no longer be changed."))
        return redirect(dialogue)
    needs = access.need_choices(request.user, organizers=[dialogue.organizer], dialogue=dialogue)
    form = DialogueForm(request.POST or None, instance=dialogue, organizers=[dialogue.organizer], needs=needs,
                        own_needs_only=dialogue.group_id is None and dialogue.network_id is None)
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update(dialogue=dialogue, actor=request.user, fields=form.dialogue_fields(),
                                     needs=list(form.cleaned_data["needs"]))
        except actions.DialogueError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Saved. Registered participants get the changed invitation.")
                             if set(changed) & set(actions.CALENDAR_FIELDS) else
                             _("Saved.") if changed else _("Nothing was changed."))
            return redirect("dialogue_detail", pk=dialogue.pk)
    return render(request, "dialogues/dialogue_form.html", {
        "form": form, "form_list": [form], "dialogue": Dialogue.objects.get(pk=dialogue.pk), "origin": {}},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def dialogue_cancel(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            actions.cancel(dialogue=dialogue, actor=request.user, note=form.cleaned_data["note"])
        except actions.DialogueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The dialogue is cancelled. Registered participants are told."))
            return redirect(dialogue)
    return _render_detail(request, dialogue, status=400, cancel_form=form)


# --- The dialogue's page -----------------------------------------------------------------------------------

def _acting_org_ids(user) -> set[int]:
    roles = roles_of(user)
    return roles.editor_org_ids | roles.supplier_org_ids | roles.org_admin_org_ids


def _render_detail(request, dialogue: Dialogue, *, status: int = 200, **forms):
    """The dialogue's page; `forms` replace the page's empty forms with bound ones that carry errors."""
    user = request.user
    is_organizer = access.is_organizer(user, dialogue)
    acting = _acting_org_ids(user)
    roles = roles_of(user)
    active = list(dialogue.registrations.active().select_related("organization"))
    mine = [registration for registration in active if registration.organization_id in acting]
    needs = list(dialogue.needs.select_related("organization", "sector"))
    visible_needs = access.may_see_need_ids(user, needs)
    questions = list(dialogue.questions.all())
    open_for_changes = dialogue.cancelled_at is None and not dialogue.is_past
    context = {
        "dialogue": dialogue,
        "is_organizer": is_organizer,
        "needs": [need for need in needs if need.pk in visible_needs],
        "answered": [question for question in questions if question.answered_at],
        "own_questions": [question for question in questions
                          if not question.answered_at and user.is_authenticated and question.asked_by_id == user.pk],
        "places_taken": len(active),
        "places_left": None if dialogue.capacity is None else max(dialogue.capacity - len(active), 0),
        "show_online_link": bool(dialogue.online_url) and (is_organizer or bool(mine)),
        "my_registrations": mine,
        "group_visible": dialogue.group is not None and group_access.can_view(user, dialogue.group),
        "participants": [registration.organization for registration in active]
        if dialogue.summary_published_at else [],
    }
    if user.is_authenticated and dialogue.cancelled_at is None:
        context["question_form"] = forms.get("question_form") or QuestionForm()
    registrable = [org for org in access.registrable_organizations(user, dialogue)
                   if org.pk not in {registration.organization_id for registration in active}] \
        if user.is_authenticated else []
    if registrable and dialogue.registration_open:
        context["registration_form"] = forms.get("registration_form") or RegistrationForm(organizations=registrable)
    elif "registration_form" in forms:
        context["registration_form"] = forms["registration_form"]
    supplier_ids = roles.supplier_org_ids
    if supplier_ids:
        own_inputs = list(WrittenInput.objects.filter(dialogue=dialogue, organization_id__in=supplier_ids)
                          .select_related("organization").prefetch_related("documents"))
        context["own_inputs"] = own_inputs
        if open_for_changes or "input_form" in forms:
            organizations = list(Organization.objects.filter(pk__in=supplier_ids).order_by("name"))
            initial = {"body": own_inputs[0].body, "organization": own_inputs[0].organization_id} if own_inputs else {}
            context["input_form"] = forms.get("input_form") or InputForm(organizations=organizations,
                                                                          initial=initial)
    if is_organizer:
        context.update({
            "registrations": active,
            "cancelled_registrations": dialogue.registrations.exclude(cancelled_at=None).select_related(
                "organization"),
            "inputs": dialogue.inputs.select_related("organization").prefetch_related("documents"),
            "unanswered": [question for question in questions if not question.answered_at],
            "answer_form": AnswerForm(),
            "hidden_needs": len(needs) - len(context["needs"]),
        })
        if dialogue.cancelled_at is None and not dialogue.is_past:
            context["cancel_form"] = forms.get("cancel_form") or CancelForm()
        if dialogue.cancelled_at is None and dialogue.is_past:
            context["summary_form"] = forms.get("summary_form") or SummaryForm(initial={"summary": dialogue.summary})
    for name in ("answer_form", "summary_form", "cancel_form"):
        if name in forms:
            context[name] = forms[name]
    context["forms_with_errors"] = [form for form in forms.values() if form.errors]
    return render(request, "dialogues/dialogue_detail.html", context, status=status)


def dialogue_detail(request, pk):
    return _render_detail(request, access.get_dialogue_for_user(request.user, pk))


def dialogue_calendar(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk)
    private = access.is_organizer(request.user, dialogue) or dialogue.registrations.active().filter(
        organization_id__in=_acting_org_ids(request.user)).exists()
    response = HttpResponse(invitations.calendar(dialogue, private=private),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dialogue-{dialogue.pk}.ics"'
    return response


# --- Registering -------------------------------------------------------------------------------------------

@login_required
@require_POST
def dialogue_register(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "register")
    form = RegistrationForm(request.POST, organizations=access.registrable_organizations(request.user, dialogue))
    if form.is_valid():
        try:
            actions.register(dialogue=dialogue, actor=request.user, organization=form.cleaned_data["organization"],
                             attendees=form.cleaned_data["attendees"])
        except actions.DialogueError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
            status = 409 if isinstance(error, actions.AlreadyRegistered) else 400
        else:
            messages.success(request, _("You are registered. The invitation is in your e-mail, with a calendar "
                                        "entry."))
            return redirect(f"{dialogue.get_absolute_url()}#registration")
    else:
        status = 400
    return _render_detail(request, dialogue, status=status, registration_form=form)


@login_required
@require_POST
def registration_cancel(request, pk, registration_pk):
    dialogue = access.get_dialogue_for_user(request.user, pk)
    registration = get_object_or_404(Registration, pk=registration_pk, dialogue=dialogue,
                                     organization_id__in=_acting_org_ids(request.user))
    try:
        actions.cancel_registration(registration=registration, actor=request.user)
    except actions.DialogueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect(f"{dialogue.get_absolute_url()}#registration")


# --- Questions ---------------------------------------------------------------------------------------------

@login_required
@require_POST
@ratelimit(key="user", rate=lambda group, request: settings.DELBAR_QUESTION_RATE, block=True)
def dialogue_ask(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "ask")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question = actions.ask(dialogue=dialogue, actor=request.user, body=form.cleaned_data["body"])
        except actions.DialogueError as error:
            form.add_error("body", str(error))
        else:
            messages.success(request, _("Your question is posted. The organizers are told."))
            return redirect(f"{dialogue.get_absolute_url()}#question-{question.pk}")
    return _render_detail(request, dialogue, status=400, question_form=form)


@login_required
@require_POST
def dialogue_answer(request, pk, question_pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    question = get_object_or_404(dialogue.questions, pk=question_pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        actions.answer(question=question, actor=request.user, body=form.cleaned_data["body"])
        messages.success(request, _("Your answer is published on the dialogue's page."))
        return redirect(f"{dialogue.get_absolute_url()}#question-{question.pk}")
    return _render_detail(request, dialogue, status=400, answer_form=form)


# --- Written input -----------------------------------------------------------------------------------------

@login_required
@require_POST
def dialogue_input(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "input")
    form = InputForm(request.POST, request.FILES, organizations=access.input_organizations(request.user))
    if form.is_valid():
        try:
            actions.give_input(dialogue=dialogue, actor=request.user, organization=form.cleaned_data["organization"],
                               body=form.cleaned_data["body"], documents=form.documents())
        except actions.DialogueError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("Your input is saved. Only the organizers and your organization see it."))
            return redirect(f"{dialogue.get_absolute_url()}#input")
    return _render_detail(request, dialogue, status=400, input_form=form)


def _input_document(request, pk, document_pk, *, own: bool = False) -> InputDocument:
    """The document if the user may see it (organizers and the supplier's own people); 404 otherwise, so
    nobody else learns that input exists."""
    dialogue = access.get_dialogue_for_user(request.user, pk)
    document = InputDocument.objects.select_related("written_input__dialogue").filter(
        pk=document_pk, written_input__dialogue=dialogue).first()
    if document is None or not access.can_see_input(request.user, document.written_input):
        raise Http404("No such document.")
    if own and document.written_input.organization_id not in roles_of(request.user).supplier_org_ids:
        raise Http404("No such document.")
    return document


def input_document_download(request, pk, document_pk):
    document = _input_document(request, pk, document_pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)


@login_required
@require_POST
def input_document_remove(request, pk, document_pk):
    document = _input_document(request, pk, document_pk, own=True)
    try:
        actions.remove_input_document(document=document, actor=request.user)
    except actions.DialogueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The document is removed."))
    return redirect(f"{document.written_input.dialogue.get_absolute_url()}#input")


# --- Afterwards --------------------------------------------------------------------------------------------

@login_required
@require_POST
def dialogue_summary(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    form = SummaryForm(request.POST)
    if form.is_valid():
        try:
            actions.publish_summary(dialogue=dialogue, actor=request.user, summary=form.cleaned_data["summary"])
        except actions.DialogueError as error:
            form.add_error("summary", str(error))
        else:
            messages.success(request, _("The summary and the participating organizations are published."))
            return redirect(f"{dialogue.get_absolute_url()}#summary")
    return _render_detail(request, dialogue, status=400, summary_form=form)


# --- Matchmaking -------------------------------------------------------------------------------------------

def _table_organizations(dialogue: Dialogue) -> tuple:
    """Who may be put in a meeting by hand: the agenda's buyers and the registered organizations first, the
    registered ones and those already in the table second."""
    agenda = dialogue.needs.values("organization_id")
    registered = dialogue.registrations.active().values("organization_id")
    buyers = Organization.objects.filter(pk__in=agenda) | Organization.objects.buyers().filter(pk__in=registered)
    in_table = set(dialogue.meetings.values_list("first_id", flat=True)) | set(
        dialogue.meetings.values_list("second_id", flat=True))
    others = Organization.objects.filter(pk__in=registered) | Organization.objects.filter(pk__in=agenda) | \
        Organization.objects.filter(pk__in=in_table)
    return buyers.distinct().order_by("name"), others.distinct().order_by("name")


@login_required
def matchmaking_page(request, pk, *, add_form=None, group_form=None, status=200):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    rows = matchmaking.table(dialogue)
    needs = list(dialogue.needs.select_related("organization"))
    visible = access.may_see_need_ids(request.user, needs + [row.meeting.other_need for row in rows
                                                              if row.meeting.other_need])
    buyers, others = _table_organizations(dialogue)
    groups = []
    for need in needs:
        need_rows = [row for row in rows if row.meeting.kind == Meeting.Kind.BUYERS and row.meeting.need_id == need.pk
                     and not row.meeting.removed]
        if need_rows and need_access.can_curate(request.user, need):
            groups.append({"need": need, "rows": need_rows, "visible": need.pk in visible})
    return render(request, "dialogues/matchmaking.html", {
        "dialogue": dialogue, "rows": rows, "visible_needs": visible, "groups": groups,
        "add_form": add_form or AddMeetingForm(buyers=buyers, others=others),
        "group_form": group_form,
        "unsent": sum(1 for row in rows if not row.meeting.removed and not row.meeting.sent_at),
        "forms_with_errors": [form for form in (add_form, group_form) if form is not None and form.errors],
    }, status=status)


@login_required
@require_POST
def matchmaking_propose(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    before = dialogue.meetings.count()
    meetings = actions.propose_meetings(dialogue=dialogue, actor=request.user)
    messages.success(request, _("Delbar proposes %(count)s meetings (%(new)s new). Your changes are kept.") % {
        "count": len(meetings), "new": len(meetings) - before})
    return redirect("dialogue_matchmaking", pk=dialogue.pk)


@login_required
@require_POST
def meeting_change(request, pk, meeting_pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    meeting = get_object_or_404(Meeting, pk=meeting_pk, dialogue=dialogue)
    form = MeetingChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown change."))
    else:
        action = form.cleaned_data["action"]
        if action == "slot":
            actions.change_meeting(meeting=meeting, actor=request.user, slot=form.cleaned_data["slot"])
        else:
            actions.change_meeting(meeting=meeting, actor=request.user, removed=action == "remove")
        messages.success(request, _("Saved."))
    return redirect(f"{reverse('dialogue_matchmaking', args=[dialogue.pk])}#meeting-{meeting.pk}")


@login_required
@require_POST
def matchmaking_add(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    buyers, others = _table_organizations(dialogue)
    form = AddMeetingForm(request.POST, buyers=buyers, others=others)
    if form.is_valid():
        try:
            actions.add_meeting(dialogue=dialogue, actor=request.user, first=form.cleaned_data["first"],
                                second=form.cleaned_data["second"])
        except actions.DialogueError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, _("The meeting is added."))
            return redirect("dialogue_matchmaking", pk=dialogue.pk)
    return matchmaking_page(request, pk, add_form=form, status=400)


@login_required
@require_POST
def matchmaking_send(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    sent = actions.send_meetings(dialogue=dialogue, actor=request.user)
    messages.success(request, _("%(count)s meetings sent: both organizations' people are told.") % {"count": sent})
    return redirect("dialogue_matchmaking", pk=dialogue.pk)


@login_required
@require_POST
def matchmaking_group(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    form = GroupFromMeetingsForm(request.POST, dialogue=dialogue)
    if form.is_valid():
        meetings = list(form.cleaned_data["meetings"].select_related("need__organization", "other_need", "second"))
        need = meetings[0].need
        if need is None or not need_access.can_curate(request.user, need):
            raise PermissionDenied(_("The need's buyer forms a buyer group around it."))
        try:
            group = actions.form_group(dialogue=dialogue, actor=request.user, meetings=meetings,
                                       name=form.cleaned_data["name"])
        except actions.DialogueError as error:
            form.add_error("meetings", str(error))
        else:
            messages.success(request, _("The buyer group is formed. Its members are told."))
            return redirect(group)
    return matchmaking_page(request, pk, group_form=form, status=400)


@login_required
def matchmaking_csv(request, pk):
    dialogue = access.get_dialogue_for_user(request.user, pk, "organize")
    rows = matchmaking.table(dialogue)
    visible = access.may_see_need_ids(request.user, [need for row in rows for need in
                                                     (row.meeting.need, row.meeting.other_need) if need])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="matchmaking-{dialogue.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["kind", "buyer", "meets", "registered", "need", "other_need", "solution", "reason", "score",
                     "slot", "removed", "sent_at"])
    for row in rows:
        meeting = row.meeting

        def title(need):
            return need.title if need is not None and need.pk in visible else ""
        writer.writerow([safe_cell(value) for value in (
            meeting.kind, meeting.first.name, meeting.second.name, "yes" if row.registered else "no",
            title(meeting.need), title(meeting.other_need), meeting.solution.title if meeting.solution else "",
            meeting.reason, round(meeting.score, 4), meeting.slot, "yes" if meeting.removed else "no",
            meeting.sent_at.isoformat() if meeting.sent_at else "")])
    return response
