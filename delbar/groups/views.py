from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from delbar.accounts.roles import roles_of
from delbar.challenges import access as challenge_access
from delbar.dialogues import access as dialogue_access
from delbar.groups import access, actions, proposals
from delbar.groups.forms import AddMembersForm, FormGroupForm, GroupDocumentForm, MessageForm, StageForm
from delbar.groups.models import GroupDocument
from delbar.needs import access as need_access
from delbar.needs import presenting
from delbar.needs.models import Need, NeedStatus


def _partner_needs(need: Need, user) -> list[Need]:
    """Other buyers' open needs to invite: the pairs Delbar proposes, then the needs it matched with this
    one (that the person may see), closest first."""
    ids = [b if a == need.pk else a for a, b, _ in proposals.pairs([need.pk])]
    ids += [item.match.object_id for item in presenting.shown_matches(need, user, kind="need")
            if item.match.object_id not in ids]
    partners = Need.objects.filter(pk__in=ids, status=NeedStatus.OPEN).exclude(
        organization_id=need.organization_id).select_related("organization").in_bulk()
    return [partners[pk] for pk in ids if pk in partners]


@login_required
def group_create(request, pk):
    need = need_access.get_need_for_user(request.user, pk, "curate")
    form = FormGroupForm(request.POST or None, need=need, partner_needs=_partner_needs(need, request.user))
    if request.method == "POST" and form.is_valid():
        try:
            group = actions.form_group(need=need, actor=request.user, name=form.cleaned_data["name"],
                                       members=list(form.cleaned_data["members"]),
                                       partner_needs=list(form.cleaned_data["partner_needs"]))
        except actions.GroupError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The buyer group is formed. Its members are told."))
            return redirect("group_detail", pk=group.pk)
    return render(request, "groups/group_form.html", {"form": form, "form_list": [form], "need": need},
                  status=400 if request.method == "POST" else 200)


def _member_org(user, group):
    ids = roles_of(user).buyer_org_ids
    return next((member.organization for member in group.members.select_related("organization")
                 if member.organization_id in ids), None)


@login_required
def group_detail(request, pk):
    group = access.get_group_for_user(request.user, pk)
    return render(request, "groups/group_detail.html", {
        "group": group,
        "members": group.members.select_related("organization", "need"),
        "thread": group.messages.select_related("organization"),
        "documents": group.documents.all(),
        "message_form": MessageForm(),
        "stage_form": StageForm(initial={"stage": group.stage}),
        "document_form": GroupDocumentForm(),
        "add_form": AddMembersForm(group=group),
        "can_manage": access.can_manage(request.user, group),
        "is_member": access.is_member(request.user, group),
        "can_announce_dialogue": dialogue_access.can_announce(request.user, group=group),
        "can_create_challenge": challenge_access.can_create(request.user, group=group),
    })


@login_required
@require_POST
@ratelimit(key="user", rate=lambda group, request: settings.DELBAR_MESSAGE_RATE, block=True)
def group_message(request, pk):
    group = access.get_group_for_user(request.user, pk)
    organization = _member_org(request.user, group)
    if organization is None and not roles_of(request.user).is_curator:
        raise PermissionDenied(_("Only members and curators write in the group."))
    form = MessageForm(request.POST)
    if form.is_valid():
        actions.post_message(group=group, actor=request.user, organization=organization, body=form.cleaned_data["body"])
    else:
        messages.error(request, _("Write a message."))
    return redirect(f"{group.get_absolute_url()}#thread")


@login_required
@require_POST
def group_add_members(request, pk):
    group = access.get_group_for_user(request.user, pk, manage=True)
    form = AddMembersForm(request.POST, group=group)
    if form.is_valid():
        try:
            actions.add_members(group=group, actor=request.user, organizations=list(form.cleaned_data["members"]))
        except actions.GroupError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The buyers are added and told."))
    else:
        messages.error(request, _("Choose at least one other buyer for the group."))
    return redirect("group_detail", pk=group.pk)


@login_required
@require_POST
def group_stage(request, pk):
    group = access.get_group_for_user(request.user, pk, manage=True)
    form = StageForm(request.POST)
    if form.is_valid():
        actions.set_stage(group=group, actor=request.user, stage=form.cleaned_data["stage"])
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Unknown stage."))
    return redirect("group_detail", pk=group.pk)


@login_required
@require_POST
def group_document_upload(request, pk):
    group = access.get_group_for_user(request.user, pk)
    if _member_org(request.user, group) is None:
        raise PermissionDenied(_("Only members share documents in the group."))
    form = GroupDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        actions.attach_document(group=group, actor=request.user, upload=form.cleaned_data["file"],
                                content_type=form.detected_type, title=form.cleaned_data["title"])
        messages.success(request, _("The document is attached."))
    else:
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
    return redirect("group_detail", pk=group.pk)


@login_required
def group_document_download(request, pk, document_pk):
    group = access.get_group_for_user(request.user, pk)
    document = get_object_or_404(GroupDocument, pk=document_pk, group=group)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(handle, as_attachment=True, filename=document.original_name,
                        content_type=document.content_type)


@login_required
def group_proposals(request):
    if not roles_of(request.user).is_curator:
        raise PermissionDenied(_("Only curators see every proposed buyer group."))
    return render(request, "groups/proposals.html", {"clusters": proposals.clusters()})
