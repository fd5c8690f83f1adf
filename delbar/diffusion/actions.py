"""Declaring, confirming and dismissing adoptions. Each change is atomic, audited and told to those
who act next: a declaration to the case's owners, a proposal to the adopter's editors."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from delbar.accounts.people import editors_of
from delbar.alerts import notify
from delbar.audit import record
from delbar.cases.models import Case, Status
from delbar.diffusion.models import Adoption, AdoptionRoute, AdoptionState, origin_date


class AdoptionError(ValueError):
    """An adoption the rules do not allow; the message says why, for the user."""


def originators(case: Case) -> set[int]:
    """The case's own buyers: they made it, so they cannot adopt it."""
    return {case.lead_buyer_id, *case.partner_buyers.values_list("pk", flat=True)}


def _check(case: Case, organization, adopted_on: dt.date, route: str) -> None:
    if case.status != Status.PUBLISHED:
        raise AdoptionError(_("Adoptions are declared on published cases."))
    if not organization.is_buyer:
        raise AdoptionError(_("Only public buyers adopt a case; suppliers offer solutions."))
    if organization.pk in originators(case):
        raise AdoptionError(_("%(org)s is one of the case's own buyers.") % {"org": organization.name})
    if adopted_on > timezone.localdate():
        raise AdoptionError(_("The date of taking it up cannot be in the future."))
    start = origin_date(case)
    if start and adopted_on < start:
        raise AdoptionError(_("The date is before the case itself began (%(date)s).") % {"date": start.isoformat()})
    if route and route not in AdoptionRoute.values:
        raise AdoptionError(_("Choose how you took it up."))


@transaction.atomic
def declare(*, case: Case, actor, organization, adopted_on: dt.date, route: str = "", note: str = "",
            evidence_notice=None, evidence_url: str = "") -> Adoption:
    """`organization` says it has taken up `case`. A proposal for the same pair becomes the
    declaration; a second declaration is refused."""
    _check(case, organization, adopted_on, route)
    adoption = Adoption.objects.select_for_update().filter(case=case, organization=organization).first()
    if adoption is not None and adoption.state in (AdoptionState.DECLARED, AdoptionState.CONFIRMED):
        raise AdoptionError(_("%(org)s has already declared this adoption.") % {"org": organization.name})
    if adoption is None:
        adoption = Adoption(case=case, organization=organization)
    adoption.adopted_on = adopted_on
    adoption.route = route
    adoption.note = note.strip()
    adoption.evidence_notice = evidence_notice or adoption.evidence_notice
    adoption.evidence_url = evidence_url.strip()
    adoption.state = AdoptionState.DECLARED
    adoption.declared_by = actor
    adoption.save()
    record(actor=actor, action="adoption.declare", obj=case, adoption=adoption.pk, organization=organization.pk)
    notify(editors_of(case.lead_buyer_id), event=f"adoption:{adoption.pk}",
           title=_("%(org)s has taken up “%(case)s”") % {"org": organization.name, "case": case.title},
           url=adoption.get_absolute_url())
    return adoption


@transaction.atomic
def confirm(*, adoption: Adoption, actor) -> Adoption:
    """The case's owner or a curator confirms a declaration."""
    if adoption.state != AdoptionState.DECLARED:
        raise AdoptionError(_("Only a declared adoption can be confirmed."))
    adoption.state = AdoptionState.CONFIRMED
    adoption.confirmed_by = actor
    adoption.confirmed_at = timezone.now()
    adoption.save(update_fields=["state", "confirmed_by", "confirmed_at", "updated_at"])
    record(actor=actor, action="adoption.confirm", obj=adoption.case, adoption=adoption.pk)
    return adoption


@transaction.atomic
def dismiss(*, adoption: Adoption, actor) -> Adoption:
    """The adopter says a proposal is wrong, or the owner or a curator rejects a declaration. Kept, so
    the pair is never proposed again; it counts nowhere."""
    if adoption.state == AdoptionState.DISMISSED:
        raise AdoptionError(_("This adoption is already dismissed."))
    previous = adoption.state
    adoption.state = AdoptionState.DISMISSED
    adoption.save(update_fields=["state", "updated_at"])
    record(actor=actor, action="adoption.dismiss", obj=adoption.case, adoption=adoption.pk, previous=previous)
    return adoption


@transaction.atomic
def withdraw(*, adoption: Adoption, actor) -> None:
    """The adopter takes its declaration back (a mistake): the record goes."""
    if adoption.state not in (AdoptionState.DECLARED, AdoptionState.CONFIRMED):
        raise AdoptionError(_("Only a declared adoption can be withdrawn."))
    record(actor=actor, action="adoption.withdraw", obj=adoption.case, adoption=adoption.pk,
           organization=adoption.organization_id)
    adoption.delete()


@transaction.atomic
def propose(*, case: Case, organization, adopted_on: dt.date, reasons: list[dict], score: float,
            evidence_notice=None, evidence_case=None) -> Adoption | None:
    """Delbar's proposal that `organization` took up `case`. Nothing is proposed for a pair that has any
    adoption already: declared, confirmed, proposed or dismissed."""
    if Adoption.objects.filter(case=case, organization=organization).exists():
        return None
    adoption = Adoption.objects.create(
        case=case, organization=organization, adopted_on=adopted_on, state=AdoptionState.PROPOSED,
        reasons=reasons, score=round(score, 4), evidence_notice=evidence_notice, evidence_case=evidence_case,
        route=AdoptionRoute.SAME_SUPPLIER if any(r["code"] == "same-supplier" for r in reasons) else "")
    record(actor=None, action="adoption.propose", obj=case, adoption=adoption.pk, organization=organization.pk)
    notify(editors_of(organization.pk), event=f"adoption-proposal:{adoption.pk}",
           title=_("Have you taken up “%(case)s”?") % {"case": case.title}, url=adoption.get_absolute_url())
    return adoption


def decide(*, adoption: Adoption, actor, decision: str) -> Adoption | None:
    """One answer to an adoption, as the pages and the API name them: confirm, dismiss, accept (a
    proposal becomes the adopter's declaration) or withdraw (the record goes: None)."""
    if decision == "confirm":
        return confirm(adoption=adoption, actor=actor)
    if decision == "dismiss":
        return dismiss(adoption=adoption, actor=actor)
    if decision == "accept":
        return declare(case=adoption.case, actor=actor, organization=adoption.organization,
                       adopted_on=adoption.adopted_on, route=adoption.route)
    withdraw(adoption=adoption, actor=actor)
    return None
