"""Forming a buyer group and working in it. Each change is atomic, audited, and told to the members."""

from django.db import transaction
from django.utils.translation import gettext as _

from delbar.accounts.people import editors_of
from delbar.alerts import notify
from delbar.audit import record
from delbar.cases.documents import safe_display_name
from delbar.groups.models import BuyerGroup, GroupDocument, GroupMember, GroupMessage, Stage
from delbar.needs.models import Need, NeedStatus


class GroupError(ValueError):
    """A change the rules do not allow; the message says why, for the user."""


@transaction.atomic
def form_group(*, need: Need, actor, name: str, members: list, partner_needs: list[Need] = ()) -> BuyerGroup:
    """A group around `need`, led by its buyer, with `members` (organizations that joined the need) and
    the buyers of `partner_needs` (matching needs), each with its own need."""
    if need.status not in (NeedStatus.OPEN, NeedStatus.IN_PROCUREMENT):
        raise GroupError(_("A buyer group is formed around an open need."))
    others = {org.pk: org for org in members if org.pk != need.organization_id}
    for partner in partner_needs:
        others.setdefault(partner.organization_id, partner.organization)
    if not others:
        raise GroupError(_("Choose at least one other buyer for the group."))
    group = BuyerGroup.objects.create(name=name.strip() or need.title, need=need, lead=need.organization,
                                      created_by=actor)
    partner_by_org = {partner.organization_id: partner for partner in partner_needs}
    GroupMember.objects.create(group=group, organization=need.organization, need=need)
    for org_id, org in others.items():
        GroupMember.objects.create(group=group, organization=org, need=partner_by_org.get(org_id))
    record(actor=actor, action="group.form", obj=group, need=need.pk, members=sorted(others))
    notify(editors_of(*others), event=f"group-formed:{group.pk}",
           title=_("%(lead)s invited you into the buyer group “%(name)s”") % {"lead": need.organization.name,
                                                                           "name": group.name},
           url=group.get_absolute_url())
    return group


@transaction.atomic
def add_members(*, group: BuyerGroup, actor, organizations: list) -> list:
    """Adds buyers to a formed group (those who joined the need later); returns the ones added."""
    present = set(group.members.values_list("organization_id", flat=True))
    added = [org for org in organizations if org.pk not in present]
    if not added:
        raise GroupError(_("Choose at least one other buyer for the group."))
    for org in added:
        GroupMember.objects.create(group=group, organization=org)
    record(actor=actor, action="group.add_members", obj=group, members=[org.pk for org in added])
    notify(editors_of(*[org.pk for org in added]), event=f"group-formed:{group.pk}",
           title=_("%(lead)s invited you into the buyer group “%(name)s”") % {"lead": group.lead.name,
                                                                           "name": group.name},
           url=group.get_absolute_url())
    return added


@transaction.atomic
def post_message(*, group: BuyerGroup, actor, organization, body: str) -> GroupMessage:
    if not body.strip():
        raise GroupError(_("Write a message."))
    message = GroupMessage.objects.create(group=group, author=actor, organization=organization, body=body.strip())
    member_ids = [member.organization_id for member in group.members.all()]
    notify([user for user in editors_of(*member_ids) if user.pk != actor.pk], event=f"group-message:{message.pk}",
           title=_("New message in “%(name)s”") % {"name": group.name}, url=group.get_absolute_url())
    return message


@transaction.atomic
def set_stage(*, group: BuyerGroup, actor, stage: str) -> None:
    if stage not in Stage.values:
        raise GroupError(_("Unknown stage."))
    group.stage = stage
    group.save(update_fields=["stage"])
    record(actor=actor, action="group.stage", obj=group, stage=stage)


@transaction.atomic
def attach_document(*, group: BuyerGroup, actor, upload, content_type: str, title: str) -> GroupDocument:
    document = GroupDocument(group=group, title=title or safe_display_name(upload.name),
                             original_name=safe_display_name(upload.name), content_type=content_type,
                             size=upload.size, uploaded_by=actor)
    document.file.save(document.original_name, upload, save=False)
    document.save()
    record(actor=actor, action="group.document", obj=group, title=title)
    return document
