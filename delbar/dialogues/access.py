"""Who may do what with a dialogue. Pages, the API, calendars and e-mails ask here, nowhere else.

- view the dialogue, its answered questions and, afterwards, its summary and the participating
  organizations: everyone;
- announce one: a buyer's editors for its own needs, a buyer group's lead's editors, a network's curators
  (`organizer_choices`); the needs on its agenda are chosen among `need_choices`;
- organize (edit, answer questions, read registrations with attendees and written input, matchmaking,
  summary): the organizer's editors, a network dialogue's network curators, Delbar's curators and admins;
- register with attendees: people acting for a supplier or a buyer other than the organizer, while
  registration is open;
- give written input with documents: people acting for a supplier, until the dialogue ends; read by the
  organizers and the supplier's own people only;
- ask a question: anyone logged in; the organizers' people (`organizer_people`) are told.

Refusals: 404 where the user may not know a thing exists (another supplier's input), 403 otherwise.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from delbar.accounts.people import editors_of, members_of
from delbar.accounts.roles import roles_of
from delbar.dialogues.models import Dialogue, WrittenInput
from delbar.needs.models import Need, NeedStatus
from delbar.orgs.models import Organization


def is_organizer(user, dialogue: Dialogue) -> bool:
    roles = roles_of(user)
    if roles.is_curator or dialogue.organizer_id in roles.editor_org_ids:
        return True
    return dialogue.network_id is not None and dialogue.network.organization_id in roles.network_org_ids


def registrable_organizations(user, dialogue: Dialogue) -> list[Organization]:
    """The organizations `user` may register: those they act for as editor, supplier or administrator,
    the organizer excepted."""
    roles = roles_of(user)
    org_ids = (roles.editor_org_ids | roles.supplier_org_ids | roles.org_admin_org_ids) - {dialogue.organizer_id}
    return list(Organization.objects.filter(pk__in=org_ids).exclude(kind=Organization.Kind.NETWORK))


def input_organizations(user) -> list[Organization]:
    return list(Organization.objects.filter(pk__in=roles_of(user).supplier_org_ids))


def can_register(user, dialogue: Dialogue) -> bool:
    return user.is_authenticated and bool(registrable_organizations(user, dialogue))


def can_give_input(user, dialogue: Dialogue) -> bool:
    return user.is_authenticated and bool(roles_of(user).supplier_org_ids)


def can_see_input(user, written_input: WrittenInput) -> bool:
    return (is_organizer(user, written_input.dialogue)
            or written_input.organization_id in roles_of(user).supplier_org_ids)


CHECKS = {
    "view": lambda user, dialogue: True,
    "organize": is_organizer,
    "register": can_register,
    "input": can_give_input,
    "ask": lambda user, dialogue: user.is_authenticated,
}


def allowed_actions(user, dialogue: Dialogue) -> set[str]:
    return {name for name, check in CHECKS.items() if check(user, dialogue)}


def organizer_choices(user, *, need=None, group=None, network=None) -> list[Organization]:
    """Who `user` may announce a dialogue for. For a need: its buyer, if they edit for it. For a buyer
    group: its lead, if they edit for it. For a network: the network, if they curate it."""
    roles = roles_of(user)
    if network is not None:
        allowed = roles.is_curator or network.organization_id in roles.network_org_ids
        return [network.organization] if allowed else []
    if group is not None:
        return [group.lead] if group.lead_id in roles.editor_org_ids or roles.is_admin else []
    if need is not None:
        return [need.organization] if need.organization_id in roles.editor_org_ids or roles.is_admin else []
    return list(Organization.objects.filter(pk__in=roles.editor_org_ids).exclude(kind=Organization.Kind.SUPPLIER))


def can_announce(user, **origin) -> bool:
    return bool(organizer_choices(user, **origin))


def get_dialogue_for_user(user, pk, action: str = "view") -> Dialogue:
    try:
        dialogue = Dialogue.objects.select_related("organizer", "network__organization", "group").get(pk=pk)
    except (Dialogue.DoesNotExist, ValueError, TypeError):
        raise Http404("No such dialogue.") from None
    if not CHECKS[action](user, dialogue):
        raise PermissionDenied(_("Your role does not allow it for this dialogue."))
    return dialogue


def organizer_people(dialogue: Dialogue):
    """Who is told about questions and input: the people acting for the organizer (for a network, its
    curators as well as its editors)."""
    if dialogue.organizer.kind == Organization.Kind.NETWORK:
        return members_of(dialogue.organizer_id)
    return editors_of(dialogue.organizer_id)


def need_choices(user, *, organizers: list, group=None, network=None, dialogue: Dialogue | None = None,
                 include=()):
    """The needs `user` may put on the agenda: the organizers' own open needs; for a buyer group, its need
    and its members' needs; for a network, any open need of its members that `user` may see. The needs
    already on `dialogue`'s agenda, and those in `include` (the need it is announced from), stay choosable."""
    group = group if group is not None else dialogue.group if dialogue is not None else None
    network = network if network is not None else dialogue.network if dialogue is not None else None
    if network is not None:
        members = network.members.active().values("organization_id")
        needs = Need.objects.open().visible_to(user).filter(organization_id__in=members)
    elif group is not None:
        ids = [group.need_id, *group.members.exclude(need=None).values_list("need_id", flat=True)]
        needs = Need.objects.filter(pk__in=ids, status__in=(NeedStatus.OPEN, NeedStatus.IN_PROCUREMENT))
    else:
        needs = Need.objects.open().filter(organization__in=[org.pk for org in organizers])
    kept = [need.pk for need in include]
    if dialogue is not None and dialogue.pk:
        kept += list(dialogue.needs.values_list("pk", flat=True))
    if kept:
        needs = needs | Need.objects.filter(pk__in=kept)
    return needs.select_related("organization").distinct().order_by("organization__name", "title")


def may_see_need_ids(user, needs) -> set[int]:
    return set(Need.objects.visible_to(user).filter(pk__in=[need.pk for need in needs]).values_list("pk", flat=True))
