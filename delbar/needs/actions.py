"""Every change to a need goes through these functions: pages, API, importer and demo alike. Each is
atomic, leaves an audit event, keeps search current and recomputes the need's matches."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delbar import search
from delbar.audit import record
from delbar.needs.models import Match, MatchState, Need, NeedInterest, NeedStatus
from delbar.needs.tasks import match_later, refresh_later, rematch

EDITABLE_FIELDS = ("title", "description", "sector", "language", "wanted_by", "budget_min_nok", "budget_max_nok",
                   "open_for_joint_procurement", "visibility", "status")


class NeedError(ValueError):
    """A change the rules do not allow; the message says why, for the user."""


@transaction.atomic
def create_need(*, actor, organization, fields: dict, cpv_codes=(), external_id: str | None = None,
                based_on_case=None, based_on_need=None, match: bool | str = True) -> Need:
    """Posts a need. `match`: True computes its matches now, "later" in the background once this
    commits (the page shows at once), False not at all (an import matches after it commits)."""
    need = Need(organization=organization, created_by=actor if actor and actor.is_authenticated else None,
                external_id=external_id, based_on_case=based_on_case, based_on_need=based_on_need)
    for name, value in fields.items():
        setattr(need, name, value)
    _check(need)
    need.save()
    need.cpv_codes.set(cpv_codes)
    record(actor=actor, action="need.create", obj=need, title=need.title)
    _match_then_index(need, match)
    return need


def _match_then_index(need: Need, match: bool | str) -> None:
    """Matching searches first; indexing comes last because it takes the search clock's row lock until
    the transaction commits (search/indexing.py), and that lock would otherwise be held through every
    search of the matching, making each new need a global write lock for its whole duration."""
    if match == "later":
        need.matched_at = None
        Need.objects.filter(pk=need.pk).update(matched_at=None)
        match_later(need)
    elif match:
        rematch(need)
    search.index(need)
    refresh_later("need", [need.pk])


@transaction.atomic
def update_need(*, need: Need, actor, fields: dict, cpv_codes=None, match: bool | str = True) -> list[str]:
    """Applies the changes; returns the names of the fields that changed (empty: nothing was written)."""
    changed = [name for name, value in fields.items() if getattr(need, name) != value]
    for name in changed:
        setattr(need, name, fields[name])
    if cpv_codes is not None:
        new_codes = sorted(cpv.pk for cpv in cpv_codes)
        if new_codes != sorted(need.cpv_codes.values_list("pk", flat=True)):
            need.cpv_codes.set(cpv_codes)
            changed.append("cpv_codes")
    if not changed:
        return []
    _check(need)
    need.save()
    record(actor=actor, action="need.update", obj=need, fields=changed)
    _match_then_index(need, match)
    return changed


@transaction.atomic
def delete_need(*, need: Need, actor) -> None:
    """Removes a need and everything hanging on it (its matches, interests, proposals) for good."""
    record(actor=actor, action="need.delete", obj=need, title=need.title)
    search.remove(need)
    refresh_later("need", [need.pk])
    Match.objects.filter(kind="need", object_id=need.pk).delete()
    need.delete()


def set_status(*, need: Need, actor, status: str) -> list[str]:
    if status not in NeedStatus.values:
        raise NeedError(_("Unknown status."))
    return update_need(need=need, actor=actor, fields={"status": status})


def _check(need: Need) -> None:
    if not need.title.strip() or not need.description.strip():
        raise NeedError(_("A need needs a title and a description."))
    if (need.budget_min_nok is not None and need.budget_max_nok is not None
            and need.budget_min_nok > need.budget_max_nok):
        raise NeedError(_("The budget's lower end is above its upper end."))


@transaction.atomic
def join(*, need: Need, actor, organization, note: str = "") -> NeedInterest:
    """"We have this need too": `organization` joins `need` as interested."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status != NeedStatus.OPEN:
        raise NeedError(_("This need is no longer open."))
    if organization.pk == need.organization_id:
        raise NeedError(_("This is your own organization's need."))
    if NeedInterest.objects.filter(need=need, organization=organization).exists():
        raise NeedError(_("%(organization)s has already joined this need.") % {"organization": organization.name})
    interest = NeedInterest.objects.create(need=need, organization=organization, user=actor, note=note.strip())
    record(actor=actor, action="need.join", obj=need, organization=organization.pk)
    from delbar.accounts.people import editors_of
    from delbar.alerts import notify
    notify(editors_of(need.organization_id), event=f"need-interest:{interest.pk}",
           title=_("%(organization)s has this need too: %(need)s") % {
               "organization": organization.name, "need": need.title},
           url=need.get_absolute_url())
    return interest


@transaction.atomic
def decide(*, match: Match, actor, state: str) -> Match:
    """The owner confirms or dismisses a match (or takes the decision back); kept as feedback."""
    if state not in MatchState.values:
        raise NeedError(_("Unknown decision."))
    match.state = state
    match.decided_by = actor if state != MatchState.SUGGESTED else None
    match.decided_at = timezone.now() if state != MatchState.SUGGESTED else None
    match.save(update_fields=["state", "decided_by", "decided_at"])
    record(actor=actor, action=f"match.{state}", obj=match.need, kind=match.kind, object_id=match.object_id)
    return match
