from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from delbar.accounts.roles import roles_of
from delbar.cases import access, actions
from delbar.cases.forms import (
    STEP_NAMES,
    STEPS,
    BenefitFormSet,
    CaseForm,
    ContactFormSet,
    DocumentForm,
    LinkFormSet,
    ReturnForm,
    SubmitForm,
    rows,
    step_formsets,
)
from delbar.cases.models import Case, CaseDocument, Category, ContactPerson, Status
from delbar.diffusion import access as diffusion_access
from delbar.needs import access as need_access
from delbar.networks import access as network_access
from delbar.networks.forms import AddCaseForm
from delbar.networks.models import Network
from delbar.notices import trail as notice_trail
from delbar.orgs.models import CpvCode, Organization
from delbar.questions.forms import QuestionForm
from delbar.search import render_results, similar

RETURNED_SHOWN = 20
SIMILAR_CASES = 5


def case_list(request):
    return render_results(request, kinds=["case"], template="cases/case_list.html")


def case_detail(request, pk):
    case = access.get_case_for_user(request.user, pk)
    cited = list(case.notices.only(*notice_trail.TIMELINE_FIELDS))
    context = {
        "case": case,
        "category_explanation": Category(case.category).explanation if case.category in Category.values else "",
        "similar": similar(case, user=request.user, limit=SIMILAR_CASES),
        "allowed": access.allowed_actions(request.user, case),
        "return_form": ReturnForm(),
        "documents": case.documents.all(),
        "contacts": case.contacts.all(),
        "benefits": case.benefits.all(),
        "links": case.links.all(),
        # Every notice of the procurements the case cites: prior information, competition, award, changes.
        "notices": notice_trail.timeline(*cited),
        "cited_notices": {notice.pk for notice in cited},
        "reuses": case.reuses.published().select_related("lead_buyer"),
        "questions": case.questions.select_related("organization"),
        # A question is asked on behalf of an organization (questions/actions.py).
        "can_ask": case.is_published and bool(roles_of(request.user).member_org_ids),
        "can_answer": access.is_owner(request.user, case) or roles_of(request.user).is_curator,
        "can_start_need": case.is_published and need_access.can_create(request.user),
        "question_form": QuestionForm(),
        "adopters": case.adoptions.counted().count(),
        "can_declare": diffusion_access.declarable_organizations(request.user, case).exists(),
    }
    if "edit" in context["allowed"]:
        context["revisions"] = case.revisions.select_related("author")[:50]
    if "submit" in context["allowed"]:
        context["submit_form"] = SubmitForm(case=case)
    context.update(_network_context(request.user, case))
    return render(request, "cases/case_detail.html", context)


def _network_context(user, case) -> dict:
    """The networks whose collection the case is in by being offered or added (CaseNetwork), and, for a
    network's curators, a form to add a published case to the collections they curate."""
    networks = list(Network.objects.filter(organization__case_links__case=case).select_related("organization"))
    if not case.is_published or not user.is_authenticated:
        return {"case_networks": networks}
    curated = network_access.curated_networks(user)
    may_remove = {network.pk for network in networks if network_access.can_curate(user, network)}
    addable = curated.exclude(pk__in=[network.pk for network in networks])
    return {"case_networks": networks, "removable_networks": may_remove,
            "network_form": AddCaseForm(networks=addable, initial={"case": case.pk}) if addable.exists() else None}


def _editor_orgs(user) -> list[Organization]:
    """The buyers `user` may write cases for: editors' own; for admins, buyers they belong to. A network's
    editors curate it; they do not write cases for it."""
    roles = roles_of(user)
    if roles.is_admin:
        return list(Organization.objects.buyers().filter(pk__in=roles_of(user).member_org_ids).order_by("name"))
    return list(Organization.objects.buyers().filter(pk__in=roles.editor_org_ids).order_by("name"))


FORMSETS = {"benefits": (BenefitFormSet, ("kind", "description", "amount", "unit")),
            "links": (LinkFormSet, ("kind", "url", "title")),
            "contacts": (ContactFormSet, ("name", "role", "email", "phone"))}


def _step(request, *, default: str) -> str:
    """The step of the case form in play: a form posted without one holds every field (scripts, the
    one-page form), a page asked for without one opens at `default`."""
    step = request.POST.get("step", "all") if request.method == "POST" else request.GET.get("step", default)
    return step if step in (*STEP_NAMES, "all") else default


def _case_formsets(request, case, step: str):
    data = request.POST if request.method == "POST" else None
    return {name: FORMSETS[name][0](data, instance=case, prefix=name) for name in step_formsets(step)}


def _form_context(form, formsets, step: str, **extra) -> dict:
    every_form = [form, *(inner for formset in formsets.values() for inner in formset.forms)]
    position = STEP_NAMES.index(step) if step in STEP_NAMES else None
    steps = [{"name": name, "title": title, "number": number, "current": name == step}
             for number, (name, title, _fields, _formsets) in enumerate(STEPS, start=1)]
    return {"form": form, "formsets": formsets, "form_list": [f for f in every_form if f.errors], "step": step,
            "steps": steps, "step_number": None if position is None else position + 1,
            "next_step": STEP_NAMES[position + 1] if position is not None and position + 1 < len(STEP_NAMES) else None,
            **extra}


def _relations_from(form, formsets) -> dict:
    return {**form.case_relations(), **{name: rows(formset, FORMSETS[name][1]) for name, formset in formsets.items()}}


def _after_save(request, case):
    """Back to the step just saved, or on to the one the person asked for."""
    step = request.POST.get("next_step") or request.POST.get("step", "all")
    url = reverse("case_edit", args=[case.pk])
    return redirect(f"{url}?step={step}" if step in (*STEP_NAMES, "all") else url)


def notice_prefill(notice_id, orgs) -> dict:
    """A new case's fields from one of the organization's notices ("tell others how this went")."""
    from delbar.notices.forms import notice_reference
    from delbar.notices.models import Family, Notice
    from delbar.notices.search import CASE_PROCEDURES

    notice = Notice.objects.filter(pk=notice_id, organization__in=orgs).first() if str(notice_id).isdigit() else None
    if notice is None:
        return {}
    value = next((amount for amount, currency in ((notice.awarded_value, notice.awarded_currency),
                                                  (notice.estimated_value, notice.estimated_currency))
                  if amount is not None and currency in ("NOK", "")), None)
    initial = {"title": notice.title[:200], "summary": notice.description[:600], "need": notice.description,
               "year": notice.year, "lead_buyer": notice.organization_id,
               "cpv": ", ".join(CpvCode.objects.filter(code__in=notice.cpv_codes).values_list("code", flat=True)),
               "procedure": CASE_PROCEDURES.get(notice.procedure, ""), "notices": notice_reference(notice),
               "contract_value_nok": int(value) if value is not None else None, "language": notice.language or "nb"}
    if notice.family == Family.COMPETITION and notice.publication_date:
        initial["competition_date"] = notice.publication_date
    return {name: value for name, value in initial.items() if value not in (None, "")}


@login_required
def case_create(request):
    if not access.can_create(request.user):
        raise PermissionDenied(_("Only editors of a buyer organization can write cases."))
    orgs = _editor_orgs(request.user)
    if not orgs:
        raise PermissionDenied(_("You are not an editor in any buyer organization."))
    initial = notice_prefill(request.GET.get("notice"), orgs)
    case = Case(lead_buyer=orgs[0])
    # A new case starts with its first step only: the fields a draft needs. A notice's facts open every step.
    step = _step(request, default="all" if initial else "need")
    form = CaseForm(request.POST or None, instance=case, lead_buyer_choices=orgs, initial=initial, step=step)
    formsets = _case_formsets(request, case, step)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets.values()):
        lead_buyer = form.cleaned_data.get("lead_buyer", orgs[0])
        case = actions.create_case(actor=request.user, lead_buyer=lead_buyer, fields=form.case_fields(),
                                   relations=_relations_from(form, formsets))
        messages.success(request, _("The draft is saved. Go on with the next step, or submit it for review when "
                                    "it is done."))
        return _after_save(request, case)
    return render(request, "cases/case_form.html", _form_context(form, formsets, step, case=None))


@login_required
def case_edit(request, pk):
    case = access.get_case_for_user(request.user, pk, "edit")
    step = _step(request, default="need")
    form = CaseForm(request.POST or None, instance=case, lead_buyer_choices=_editor_orgs(request.user), step=step)
    formsets = _case_formsets(request, case, step)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for f in formsets.values()):
        changed = actions.update_case(case=case, actor=request.user, fields=form.case_fields(),
                                      relations=_relations_from(form, formsets),
                                      lead_buyer=form.cleaned_data.get("lead_buyer"))
        messages.success(request, _("Saved.") if changed else _("Nothing was changed."))
        return _after_save(request, case)
    allowed = access.allowed_actions(request.user, case)
    context = _form_context(form, formsets, step, case=case, document_form=DocumentForm(), allowed=allowed,
                            submit_form=SubmitForm(case=case) if "submit" in allowed else None)
    return render(request, "cases/case_form.html", context)


@login_required
def document_upload(request, pk):
    case = access.get_case_for_user(request.user, pk, "edit")
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        actions.attach_document(case=case, actor=request.user, upload=upload,
                                content_type=form.detected_type, kind=form.cleaned_data["kind"],
                                title=form.cleaned_data["title"])
        messages.success(request, _("The document is attached."))
        return redirect(reverse("case_edit", args=[case.pk]) + "?step=contacts")
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/document_form.html", {"form": form, "case": case}, status=status)


@login_required
@require_POST
def document_remove(request, pk, document_pk):
    case = access.get_case_for_user(request.user, pk, "edit")
    document = get_object_or_404(CaseDocument, pk=document_pk, case=case)
    actions.remove_document(document=document, actor=request.user)
    messages.success(request, _("The document is removed."))
    return redirect(reverse("case_edit", args=[case.pk]) + "?step=contacts")


@login_required
@require_POST
def contact_remove(request, pk, contact_pk):
    """Erases a contact person at once (their consent withdrawn): not hidden, deleted."""
    case = access.get_case_for_user(request.user, pk, "edit")
    contact = get_object_or_404(ContactPerson, pk=contact_pk, case=case)
    actions.remove_contact(contact=contact, actor=request.user)
    messages.success(request, _("The contact person is removed, and their details deleted."))
    return redirect(reverse("case_edit", args=[case.pk]) + "?step=contacts")


def document_download(request, pk, document_pk):
    case = access.get_case_for_user(request.user, pk, "download")
    document = get_object_or_404(CaseDocument, pk=document_pk, case=case)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)


def _transition_view(action_name: str, perform, success_message: str):
    @login_required
    @require_POST
    def view(request, pk):
        case = access.get_case_for_user(request.user, pk, action_name)
        try:
            perform(request, case)
        except actions.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success_message)
        return redirect(case.get_absolute_url() if access.can_view(request.user, case) else "my_organization")

    return view


@login_required
@require_POST
def case_submit(request, pk):
    """Submits a draft for review, offered to the networks ticked (their curators review it too)."""
    case = access.get_case_for_user(request.user, pk, "submit")
    form = SubmitForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, _("Choose networks from the list."))
        return redirect(case.get_absolute_url())
    networks = list(form.cleaned_data["networks"])
    try:
        actions.submit_to_networks(case=case, actor=request.user, networks=networks)
    except actions.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The case is submitted. A curator will review it.") if not networks else _(
            "The case is submitted to %(networks)s. Their curators or Delbar's will review it.")
            % {"networks": ", ".join(network.name for network in networks)})
    return redirect(case.get_absolute_url())


case_publish = _transition_view(
    "publish", lambda request, case: actions.publish_case(case=case, actor=request.user),
    _("The case is published."))
case_archive = _transition_view(
    "archive", lambda request, case: actions.archive_case(case=case, actor=request.user),
    _("The case is archived."))


@login_required
@require_POST
def case_return(request, pk):
    case = access.get_case_for_user(request.user, pk, "return")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write what the authors should change before returning the case."))
        return redirect(case.get_absolute_url())
    actions.return_case(case=case, actor=request.user, comment=form.cleaned_data["comment"])
    messages.success(request, _("The case is returned to its authors with your comment."))
    return redirect(_queue_of(request.user, case))


def _queue_of(user, case) -> str:
    """Where a reviewer goes on: Delbar's queue for its curators, else the queue of the reviewer's network
    that the case was submitted to."""
    if roles_of(user).is_curator:
        return reverse("review_queue")
    network = Network.objects.filter(organization_id__in=roles_of(user).network_org_ids,
                                     organization__case_links__case=case).first()
    return reverse("network_queue", args=[network.slug]) if network else reverse("my_organization")


@login_required
@require_POST
def case_delete(request, pk):
    case = access.get_case_for_user(request.user, pk, "delete")
    actions.delete_draft(case=case, actor=request.user)
    messages.success(request, _("The draft is deleted."))
    return redirect("my_organization")


@login_required
@require_POST
def case_reuse(request, pk):
    source = access.get_case_for_user(request.user, pk, "reuse")
    orgs = _editor_orgs(request.user)
    chosen = request.POST.get("organization")
    organization = next((org for org in orgs if str(org.pk) == chosen), orgs[0] if orgs else None)
    if organization is None:
        raise PermissionDenied(_("You are not an editor in any buyer organization."))
    draft = actions.reuse_case(source=source, actor=request.user, organization=organization)
    messages.success(request, _("A new draft based on “%(title)s” is ready. Write your own summary and adapt it.")
                     % {"title": source.title})
    return redirect("case_edit", pk=draft.pk)


@login_required
def review_queue(request):
    if not roles_of(request.user).is_curator:
        raise PermissionDenied(_("Only curators review submitted cases."))
    submitted = Case.objects.filter(status=Status.SUBMITTED).for_listing().order_by("submitted_at")
    # Returned submissions are drafts again, which only their authors see: the queue names them, with the
    # comment, so a curator can follow up without a page she may not open.
    returned = Case.objects.filter(status=Status.DRAFT).exclude(return_comment="").select_related("lead_buyer").only(
        "title", "return_comment", "updated_at", "lead_buyer__name").order_by("-updated_at")[:RETURNED_SHOWN]
    return render(request, "cases/review_queue.html", {"cases": submitted, "returned": returned})
