"""Who may do what with a challenge. Pages, the API, exports, search and e-mails ask here, nowhere else.

- view a published challenge, its phases, criteria, answered questions and published results: everyone;
  a draft: its owners only (404 to everyone else);
- create one: a buyer's editors from its need, a buyer group's lead's editors, a network's curators
  (`owner_choices`, the same rule as for announcing a dialogue);
- own (edit, phases, criteria, appoint evaluators, see every application and every score side by side,
  agree and send the results, end it, publish its case): the owner's editors, a network challenge's
  network curators, Delbar's curators and admins;
- apply: people acting for a supplier, to a phase open for applications (for an invited-only phase, as
  lead of one of the previous phase's awardees); edit and withdraw until the phase closes;
- read an application (and its documents): the owners, the appointed evaluators and the applicants' own
  people (lead and consortium partners) — never another applicant (404: nobody learns it exists);
- evaluate: the appointed evaluators; an evaluator with a declared conflict cannot score that
  application; an evaluator sees the other evaluators' scores only once her own is submitted;
- ask a question: anyone logged in; answered by the owners, once, in public.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from delbar.accounts.models import Membership, Role
from delbar.accounts.people import editors_of, members_of
from delbar.accounts.roles import roles_of
from delbar.challenges.models import Application, Challenge, Evaluation, Evaluator, Phase
from delbar.dialogues.access import organizer_choices
from delbar.orgs.models import Organization


def is_owner(user, challenge: Challenge) -> bool:
    roles = roles_of(user)
    if roles.is_curator or challenge.owner_id in roles.editor_org_ids:
        return True
    return challenge.network_id is not None and challenge.network.organization_id in roles.network_org_ids


def can_view(user, challenge: Challenge) -> bool:
    return (challenge.is_published and not challenge.is_cancelled) or is_owner(user, challenge)


def evaluator_of(user, challenge: Challenge) -> Evaluator | None:
    if not user.is_authenticated:
        return None
    return challenge.evaluators.filter(user=user).first()


def is_evaluator(user, challenge: Challenge) -> bool:
    return evaluator_of(user, challenge) is not None


def applicant_organizations(user) -> list[Organization]:
    """The suppliers `user` may apply for (as lead) and see applications of."""
    return list(Organization.objects.filter(pk__in=roles_of(user).supplier_org_ids))


def can_apply(user, phase: Phase) -> bool:
    """May `user` apply to `phase` now for at least one organization?"""
    return bool(user.is_authenticated and phase.challenge.is_published and not phase.challenge.is_cancelled
                and phase.is_open and eligible_leads(user, phase))


def eligible_leads(user, phase: Phase) -> list[Organization]:
    """The suppliers `user` acts for that may lead an application to `phase` (invited-only: those awarded
    in the previous phase, as lead or partner)."""
    organizations = applicant_organizations(user)
    if phase.invited_only:
        invited = invited_ids(phase)
        organizations = [organization for organization in organizations if organization.pk in invited]
    return organizations


def invited_ids(phase: Phase) -> set[int]:
    """The organizations invited to an invited-only phase: the previous phase's awardees, partners included."""
    previous = phase.previous()
    if previous is None:
        return set()
    ids = set()
    for application in previous.applications.awarded().prefetch_related("partners"):
        ids |= application.applicant_ids()
    return ids


def is_applicant(user, application: Application) -> bool:
    return bool(application.applicant_ids() & roles_of(user).supplier_org_ids)


def can_see_application(user, application: Application) -> bool:
    challenge = application.phase.challenge
    return is_owner(user, challenge) or is_evaluator(user, challenge) or is_applicant(user, application)


def can_edit_application(user, application: Application) -> bool:
    """The lead's people, while the phase is open and the application not withdrawn."""
    return (application.lead_id in roles_of(user).supplier_org_ids and application.phase.is_open
            and application.status == Application.Status.SUBMITTED)


def can_score(user, application: Application) -> bool:
    """An appointed evaluator, once applications have closed and before the result is agreed, who has not
    declared a conflict for this application."""
    evaluator = evaluator_of(user, application.phase.challenge)
    if evaluator is None or application.phase.state() != Phase.State.EVALUATION:
        return False
    if application.status == Application.Status.WITHDRAWN:
        return False
    evaluation = Evaluation.objects.filter(evaluator=evaluator, application=application).first()
    return evaluation is None or not evaluation.has_conflict


def can_see_all_scores(user, application: Application) -> bool:
    """Each evaluator scores alone first, owner or not: until the phase is decided, an evaluator sees the
    others' scores of an application only once her own is submitted. Then the owners see them all side by
    side; an evaluator who declared a conflict is walled off from that application's scores (unless she
    owns the challenge, and must agree its result)."""
    challenge = application.phase.challenge
    owner = is_owner(user, challenge)
    evaluator = evaluator_of(user, challenge)
    if evaluator is None:
        return owner
    own = Evaluation.objects.filter(evaluator=evaluator, application=application).first()
    if application.phase.decided_at is None and (own is None or (own.submitted_at is None and not own.has_conflict)):
        return False
    if own is not None and own.has_conflict:
        return owner
    return owner or (own is not None and own.submitted_at is not None)


CHECKS = {
    "view": can_view,
    "own": is_owner,
    "evaluate": is_evaluator,
    "ask": lambda user, challenge: user.is_authenticated and can_view(user, challenge),
}


def allowed_actions(user, challenge: Challenge) -> set[str]:
    return {name for name, check in CHECKS.items() if check(user, challenge)}


def owner_choices(user, *, need=None, group=None, network=None) -> list[Organization]:
    """Who `user` may create a challenge for: the same rule as for announcing a dialogue (a need's buyer,
    a buyer group's lead, a network)."""
    return organizer_choices(user, need=need, group=group, network=network)


def can_create(user, **origin) -> bool:
    return bool(owner_choices(user, **origin))


def get_challenge_for_user(user, pk, action: str = "view") -> Challenge:
    """The challenge, or 404 where `user` may not see it, 403 where they see it but may not `action`."""
    try:
        challenge = Challenge.objects.select_related("owner", "network__organization", "group", "need").get(pk=pk)
    except (Challenge.DoesNotExist, ValueError, TypeError):
        raise Http404("No such challenge.") from None
    if not can_view(user, challenge):
        raise Http404("No such challenge.")
    if not CHECKS[action](user, challenge):
        raise PermissionDenied(_("Your role does not allow it for this challenge."))
    return challenge


def get_application_for_user(user, challenge: Challenge, pk) -> Application:
    """An application of `challenge` that `user` may read; 404 otherwise (another applicant never learns
    it exists)."""
    try:
        application = Application.objects.select_related("phase__challenge", "lead").get(
            pk=pk, phase__challenge=challenge)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("No such application.") from None
    if not can_see_application(user, application):
        raise Http404("No such application.")
    return application


def visible_applications(user, challenge: Challenge):
    """The applications of `challenge` that `user` may read (for lists, the API and exports)."""
    applications = Application.objects.filter(phase__challenge=challenge)
    if is_owner(user, challenge) or is_evaluator(user, challenge):
        return applications
    org_ids = roles_of(user).supplier_org_ids
    if not org_ids:
        return applications.none()
    return applications.filter(Q(lead_id__in=org_ids) | Q(partners__in=org_ids)).distinct()


def owner_people(challenge: Challenge):
    """Who is told about questions and applications: the people acting for the owner (for a network, its
    curators as well as its editors)."""
    if challenge.owner.kind == Organization.Kind.NETWORK:
        return members_of(challenge.owner_id)
    return editors_of(challenge.owner_id)


def evaluator_choices(challenge: Challenge) -> list[tuple]:
    """Whom the owner may appoint, as (person, the organization she would act for): the editors and
    administrators of the owner (a network's own curators, for a network's challenge), of a buyer group's
    members and of a network's member buyers (a supplier's people never), one row per such organization,
    those appointed already left out."""
    taking_part = challenge.buyer_ids()
    if challenge.network_id:
        taking_part |= set(challenge.network.members.active().values_list("organization_id", flat=True))
    appointed = challenge.evaluators.exclude(user=None).values("user_id")
    memberships = Membership.objects.active().filter(
        Q(organization__kind__in=Organization.BUYER_KINDS) | Q(organization_id=challenge.owner_id),
        user__is_active=True, role__in=[Role.EDITOR, Role.ORG_ADMIN], organization_id__in=taking_part,
    ).exclude(user_id__in=appointed).select_related("user", "organization").order_by(
        "organization__name", "user__first_name", "user__username")
    return [(membership.user, membership.organization) for membership in memberships]


def may_evaluate_for(challenge: Challenge, user, organization: Organization) -> bool:
    return any(person.pk == user.pk and org.pk == organization.pk for person, org in evaluator_choices(challenge))
