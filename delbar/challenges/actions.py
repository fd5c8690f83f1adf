"""Every change to a challenge goes through these functions: pages, API, commands and the demo alike. Each
is atomic and audited, tells the people concerned (`notify`) and keeps search current.

The rules are written once: `problems()` for a challenge's own fields, `phase_problems()` for a phase's
dates and budget, `criteria_problems()` for the weights. Forms show them beside the fields, the API answers
422 with them, and these actions refuse anything that breaks them (`ChallengeError`, with the field)."""

import datetime as dt
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from delbar import search
from delbar.accounts.people import members_of
from delbar.accounts.roles import roles_of
from delbar.alerts import notify
from delbar.audit import record
from delbar.cases import actions as case_actions
from delbar.cases.documents import safe_display_name
from delbar.cases.models import Case, Outcome, Procedure
from delbar.challenges.access import invited_ids, may_evaluate_for, owner_people
from delbar.challenges.models import (
    SCORE_MAX,
    Application,
    ApplicationDocument,
    Challenge,
    ChallengeQuestion,
    Criterion,
    Evaluation,
    Evaluator,
    Phase,
    Route,
    Score,
)
from delbar.orgs.models import Organization

# Far enough ahead for any real competition (SBIR phases run up to two years each); beyond it a date is a
# typing error.
MAX_AHEAD = dt.timedelta(days=5 * 366)
NOTICE_HOSTS = ("doffin.no", "ted.europa.eu")
EDITABLE_FIELDS = ("title", "problem", "success", "eligibility", "route", "sector", "notice", "notice_url")
PHASE_FIELDS = ("kind", "description", "budget_nok", "max_awards", "opens_at", "closes_at", "evaluation_until",
                "awards_by", "invited_only")
APPLICATION_FIELDS = ("title", "summary", "approach", "innovation", "team", "plan", "amount_nok", "solution")
REQUIRED_APPLICATION_FIELDS = ("title", "summary", "approach", "innovation", "team", "plan")
# How a route is recorded on the case a challenge becomes (cases.models.Procedure has no design contest:
# it is recorded without a procedure, and the route is named in the case's text).
CASE_PROCEDURE = {Route.PRE_COMMERCIAL: Procedure.PRE_COMMERCIAL,
                  Route.INNOVATION_PARTNERSHIP: Procedure.INNOVATION_PARTNERSHIP}


class ChallengeError(ValueError):
    """A change the rules do not allow; the message says why, for the user. `field` names the form field
    it is about, where there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ApplicationClosed(ChallengeError):
    """The phase is not open for applications (not yet, or past its deadline), or the challenge is not."""


class AlreadyApplied(ChallengeError):
    """The organization has applied to this phase already."""


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _nok(amount: int) -> str:
    return f"{amount:,}".replace(",", "\u00a0") + " kr"


def _refuse(found: dict) -> None:
    if found:
        field, message = next(iter(found.items()))
        raise ChallengeError(message, field)


def _is_notice_address(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == allowed or host.endswith("." + allowed) for allowed in NOTICE_HOSTS)


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


# --- The rules --------------------------------------------------------------------------------------------

def problems(values: dict) -> dict:
    """{field: why} for every rule a challenge's fields (as given) break."""
    found = {}
    if not (values.get("title") or "").strip():
        found["title"] = _("Give the challenge a title.")
    if not (values.get("problem") or "").strip():
        found["problem"] = _("Describe the problem in your own words.")
    if not (values.get("success") or "").strip():
        found["success"] = _("Say what success looks like, and how you will measure it.")
    if values.get("route") and values["route"] not in Route.values:
        found["route"] = _("Choose one of the legal routes.")
    if values.get("notice_url") and not _is_notice_address(values["notice_url"]):
        found["notice_url"] = _("Give the notice's address on Doffin (doffin.no) or TED (ted.europa.eu).")
    return found


def phase_problems(values: dict, *, previous: Phase | None = None, following: Phase | None = None,
                   applications: int = 0, now: dt.datetime | None = None) -> dict:
    """{field: why} for every rule a phase's values break. `previous`/`following`: its neighbours, whose
    dates it must fit between; `applications`: how many it holds already (its budget and count of awards
    must leave room for them)."""
    now = now or timezone.now()
    found = {}
    opens, closes = values.get("opens_at"), values.get("closes_at")
    evaluation_until, awards_by = values.get("evaluation_until"), values.get("awards_by")
    if opens is None:
        found["opens_at"] = _("Give the day the call opens.")
    elif opens > now + MAX_AHEAD:
        found["opens_at"] = _("A phase opens at most five years ahead.")
    if closes is None:
        found["closes_at"] = _("Give the application deadline.")
    elif opens is not None and closes <= opens:
        found["closes_at"] = _("Applications must close after the call opens.")
    if closes is not None and evaluation_until is not None and evaluation_until < timezone.localdate(closes):
        found["evaluation_until"] = _("Evaluation ends after applications close.")
    if awards_by is not None:
        if evaluation_until is not None and awards_by < evaluation_until:
            found["awards_by"] = _("Awards come after the evaluation.")
        elif closes is not None and awards_by < timezone.localdate(closes):
            found["awards_by"] = _("Awards come after applications close.")
    if previous is not None and opens is not None and opens < previous.closes_at:
        found["opens_at"] = _("A phase opens after the previous phase's applications close (%(date)s).") % {
            "date": _local(previous.closes_at)}
    if following is not None and closes is not None and closes > following.opens_at:
        found["closes_at"] = _("Applications must close before the next phase opens (%(date)s).") % {
            "date": _local(following.opens_at)}
    budget = values.get("budget_nok")
    if budget is not None and budget < 1:
        found["budget_nok"] = _("Give a budget above zero, or leave it blank.")
    max_awards = values.get("max_awards")
    if max_awards is not None and max_awards < 1:
        found["max_awards"] = _("At least one must be able to go on, or leave it blank.")
    if values.get("invited_only") and previous is None:
        found["invited_only"] = _("The first phase is open to every supplier: there is no earlier phase to "
                                  "invite from.")
    if values.get("kind") and values["kind"] not in Phase.Kind.values:
        found["kind"] = _("Choose a kind of phase.")
    return found


def criteria_problems(rows: list[dict]) -> dict:
    """{field: why} for a list of criteria ({name, description, weight}): at least one, each named, weights
    whole percentages adding up to 100."""
    if not rows:
        return {"criteria": _("Give at least one evaluation criterion.")}
    names = [(row.get("name") or "").strip() for row in rows]
    if not all(names):
        return {"criteria": _("Give every criterion a name.")}
    if len({name.casefold() for name in names}) < len(names):
        return {"criteria": _("Two criteria have the same name.")}
    weights = [row.get("weight") for row in rows]
    if any(not isinstance(weight, int) or not 1 <= weight <= 100 for weight in weights):
        return {"criteria": _("Give each criterion a weight from 1 to 100 %.")}
    if sum(weights) != 100:
        return {"criteria": _("The weights add up to %(sum)s %%; they must add up to 100 %%.") % {
            "sum": sum(weights)}}
    return {}


def publish_problems(challenge: Challenge) -> dict:
    """What stops a draft from being published."""
    found = problems({name: getattr(challenge, name) for name in EDITABLE_FIELDS})
    phases = list(challenge.phases.all())
    if not phases:
        found["phases"] = _("Add at least one phase with its dates before publishing.")
    elif phases[0].closes_at <= timezone.now():
        found["phases"] = _("The first phase's deadline has passed: move it before publishing.")
    rows = [{"name": c.name, "weight": c.weight} for c in challenge.criteria.all()]
    found.update(criteria_problems(rows))
    return found


# --- Creating and changing the challenge -------------------------------------------------------------------

@transaction.atomic
def create(*, actor, owner: Organization, fields: dict, need=None, group=None, network=None,
           cpv_codes=None) -> Challenge:
    """A draft challenge (seen by its owners only until `publish`). Whoever may create for `owner` is
    decided by access.owner_choices. From a need or a buyer group's need, its sector and CPV codes are
    taken unless given."""
    _refuse(problems(fields))
    source_need = need if need is not None else group.need if group is not None else None
    challenge = Challenge(owner=owner, need=source_need, group=group, network=network, created_by=_person(actor))
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable challenge field")
        setattr(challenge, name, value)
    if challenge.sector_id is None and source_need is not None:
        challenge.sector_id = source_need.sector_id
    challenge.save()
    if cpv_codes is None and source_need is not None:
        cpv_codes = source_need.cpv_codes.all()
    challenge.cpv_codes.set(cpv_codes or [])
    record(actor=actor, action="challenge.create", obj=challenge, title=challenge.title,
           need=source_need.pk if source_need else None, group=group.pk if group else None,
           network=network.pk if network else None)
    return challenge


def _locked(challenge: Challenge) -> Challenge:
    return Challenge.objects.select_for_update().get(pk=challenge.pk)


def _refuse_if_closed(challenge: Challenge) -> None:
    if challenge.cancelled_at is not None:
        raise ChallengeError(_("The challenge is cancelled."))
    if challenge.ended_at is not None:
        raise ChallengeError(_("The challenge has ended."))


def _reindex(challenge: Challenge) -> None:
    if challenge.published_at is not None and challenge.cancelled_at is None:
        search.index(challenge)
    else:
        search.remove(challenge)


@transaction.atomic
def update(*, challenge: Challenge, actor, fields: dict, cpv_codes=None) -> list[str]:
    """Applies the changes; returns the names of the fields that changed (empty: nothing was written)."""
    challenge = _locked(challenge)
    _refuse_if_closed(challenge)
    changed = [name for name, value in fields.items() if getattr(challenge, name) != value]
    if cpv_codes is not None and {c.pk for c in cpv_codes} != set(challenge.cpv_codes.values_list("pk", flat=True)):
        changed.append("cpv_codes")
    if not changed:
        return []
    values = {name: getattr(challenge, name) for name in EDITABLE_FIELDS} | fields
    _refuse(problems(values))
    for name in changed:
        if name != "cpv_codes":
            if name not in EDITABLE_FIELDS:
                raise ValueError(f"{name} is not an editable challenge field")
            setattr(challenge, name, fields[name])
    challenge.save()
    if "cpv_codes" in changed:
        challenge.cpv_codes.set(cpv_codes)
    record(actor=actor, action="challenge.update", obj=challenge, fields=changed)
    _reindex(challenge)
    return changed


@transaction.atomic
def set_criteria(*, challenge: Challenge, actor, rows: list[dict]) -> list[Criterion]:
    """Replaces the criteria ({name, description, weight}, in order). Refused once any application has been
    scored: the evaluators scored against the criteria as they were."""
    challenge = _locked(challenge)
    _refuse_if_closed(challenge)
    if Score.objects.filter(criterion__challenge=challenge).exists():
        raise ChallengeError(_("Applications have been scored against these criteria; they can no longer change."),
                             "criteria")
    _refuse(criteria_problems(rows))
    challenge.criteria.all().delete()
    criteria = Criterion.objects.bulk_create([
        Criterion(challenge=challenge, name=row["name"].strip(), description=(row.get("description") or "").strip(),
                  weight=row["weight"], position=position) for position, row in enumerate(rows)])
    record(actor=actor, action="challenge.criteria", obj=challenge,
           criteria=[[row["name"].strip(), row["weight"]] for row in rows])
    return criteria


def _neighbours(challenge: Challenge, number: int) -> tuple[Phase | None, Phase | None]:
    phases = challenge.phases.all()
    return (phases.filter(number__lt=number).order_by("-number").first(),
            phases.filter(number__gt=number).order_by("number").first())


@transaction.atomic
def add_phase(*, challenge: Challenge, actor, fields: dict) -> Phase:
    """Adds the next phase. A later phase is invited-only unless told otherwise (the awardees of the phase
    before go on, as in SBRI)."""
    challenge = _locked(challenge)
    _refuse_if_closed(challenge)
    last = challenge.phases.order_by("-number").first()
    number = last.number + 1 if last else 1
    values = {"invited_only": last is not None} | fields
    _refuse(phase_problems(values, previous=last))
    phase = Phase(challenge=challenge, number=number)
    for name, value in values.items():
        if name not in PHASE_FIELDS:
            raise ValueError(f"{name} is not a phase field")
        setattr(phase, name, value)
    phase.save()
    record(actor=actor, action="challenge.phase_add", obj=challenge, phase=number,
           opens=phase.opens_at.isoformat(), closes=phase.closes_at.isoformat(), budget=phase.budget_nok)
    return phase


@transaction.atomic
def update_phase(*, phase: Phase, actor, fields: dict) -> list[str]:
    """Changes a phase that is not decided. Once it holds applications, its deadline may move later but
    not earlier (an applicant may be counting on it), and its budget not below what is applied for."""
    phase = Phase.objects.select_for_update().select_related("challenge").get(pk=phase.pk)
    _refuse_if_closed(phase.challenge)
    if phase.decided_at is not None:
        raise ChallengeError(_("The phase is decided; it can no longer change."))
    changed = [name for name, value in fields.items() if getattr(phase, name) != value]
    if not changed:
        return []
    values = {name: getattr(phase, name) for name in PHASE_FIELDS} | fields
    previous, following = _neighbours(phase.challenge, phase.number)
    found = phase_problems(values, previous=previous, following=following)
    count = phase.applications.submitted().count()
    if count and values["closes_at"] < phase.closes_at:
        found.setdefault("closes_at", _("%(count)s applications are in: the deadline may move later, not earlier.")
                         % {"count": count})
    if count and "opens_at" in changed:
        found.setdefault("opens_at", _("Applications are in: the call has opened and its opening can no longer move."))
    _refuse(found)
    for name in changed:
        if name not in PHASE_FIELDS:
            raise ValueError(f"{name} is not a phase field")
        setattr(phase, name, fields[name])
    phase.save()
    record(actor=actor, action="challenge.phase_update", obj=phase.challenge, phase=phase.number, fields=changed)
    return changed


@transaction.atomic
def remove_phase(*, phase: Phase, actor) -> None:
    """Removes the last phase while nobody has applied to it."""
    challenge = _locked(phase.challenge)
    _refuse_if_closed(challenge)
    if phase.applications.exists():
        raise ChallengeError(_("Suppliers have applied to this phase; it cannot be removed."))
    if challenge.phases.filter(number__gt=phase.number).exists():
        raise ChallengeError(_("Remove the later phases first."))
    record(actor=actor, action="challenge.phase_remove", obj=challenge, phase=phase.number)
    phase.delete()


@transaction.atomic
def publish(*, challenge: Challenge, actor) -> Challenge:
    """Publishes a draft: it becomes readable by everyone, is found in search, and reaches the alerts of
    those who follow its sector, CPV codes or county."""
    challenge = _locked(challenge)
    _refuse_if_closed(challenge)
    if challenge.published_at is not None:
        raise ChallengeError(_("The challenge is published already."))
    _refuse(publish_problems(challenge))
    challenge.published_at = timezone.now()
    challenge.save(update_fields=["published_at", "updated_at"])
    record(actor=actor, action="challenge.publish", obj=challenge)
    search.index(challenge)
    return challenge


def _applicant_people(applications):
    """The people to tell about an application: who submitted it and the people of the lead and of its
    consortium partners (a supplier's people, whatever their role)."""
    people = {}
    for application in applications:
        for user in [application.submitted_by, *members_of(*application.applicant_ids())]:
            if user is not None:
                people[user.pk] = user
    return list(people.values())


@transaction.atomic
def cancel(*, challenge: Challenge, actor, note: str = "") -> Challenge:
    """Cancels the challenge: it leaves search, and everyone who applied is told."""
    challenge = _locked(challenge)
    _refuse_if_closed(challenge)
    challenge.cancelled_at = timezone.now()
    challenge.save(update_fields=["cancelled_at", "updated_at"])
    record(actor=actor, action="challenge.cancel", obj=challenge, note=note.strip())
    search.remove(challenge)
    applications = Application.objects.filter(phase__challenge=challenge).submitted().select_related("submitted_by")
    notify(_applicant_people(applications), event=f"challenge-cancelled:{challenge.pk}",
           title=_("Cancelled: %(title)s") % {"title": challenge.title}, url=challenge.get_absolute_url())
    return challenge


# --- Evaluators ---------------------------------------------------------------------------------------------

@transaction.atomic
def appoint_evaluator(*, challenge: Challenge, actor, user, organization: Organization) -> Evaluator:
    """Appoints `user`, acting for `organization`, to score the applications. Only people of the owner, the
    buyer group's members or the network's member buyers (access.evaluator_choices)."""
    challenge = _locked(challenge)
    _refuse_if_closed(challenge)
    if challenge.evaluators.filter(user=user).exists():
        raise ChallengeError(_("%(name)s is an evaluator already.") % {"name": user.get_full_name() or user.username},
                             "user")
    if not may_evaluate_for(challenge, user, organization):
        raise ChallengeError(_("Evaluators are appointed among the people of the buyers taking part."), "user")
    evaluator = Evaluator.objects.create(challenge=challenge, user=user, organization=organization,
                                         appointed_by=_person(actor))
    record(actor=actor, action="challenge.evaluator_appoint", obj=challenge, user=user.pk,
           organization=organization.pk)
    notify([user], event=f"challenge-evaluator:{evaluator.pk}",
           title=_("You are an evaluator for “%(title)s”") % {"title": challenge.title},
           url=challenge.get_absolute_url())
    return evaluator


@transaction.atomic
def remove_evaluator(*, evaluator: Evaluator, actor) -> None:
    """Removes an evaluator who has not submitted a scoring yet."""
    challenge = _locked(evaluator.challenge)
    if evaluator.evaluations.filter(submitted_at__isnull=False).exists():
        raise ChallengeError(_("This evaluator has submitted scores; they stay on the record."))
    record(actor=actor, action="challenge.evaluator_remove", obj=challenge, user=evaluator.user_id)
    evaluator.delete()


# --- Applications -------------------------------------------------------------------------------------------

def application_problems(values: dict, *, phase: Phase) -> dict:
    found = {}
    for name in REQUIRED_APPLICATION_FIELDS:
        if not (values.get(name) or "").strip():
            found[name] = _("Fill in this part of the application.")
    amount = values.get("amount_nok")
    if amount is None or amount < 1:
        found["amount_nok"] = _("Give the amount you apply for, in whole kroner.")
    elif phase.budget_nok is not None and amount > phase.budget_nok:
        found["amount_nok"] = _("The phase's whole budget is %(budget)s.") % {"budget": _nok(phase.budget_nok)}
    return found


def _check_open(phase: Phase) -> None:
    challenge = phase.challenge
    if challenge.published_at is None or challenge.cancelled_at is not None or challenge.ended_at is not None:
        raise ApplicationClosed(_("The challenge is not open for applications."))
    state = phase.state()
    if state == Phase.State.UPCOMING:
        raise ApplicationClosed(_("Applications open on %(date)s.") % {"date": _local(phase.opens_at)})
    if state != Phase.State.OPEN:
        raise ApplicationClosed(_("Applications closed on %(date)s.") % {"date": _local(phase.closes_at)})


def _check_partners(lead: Organization, partners) -> None:
    for partner in partners:
        if partner.kind != Organization.Kind.SUPPLIER:
            raise ChallengeError(_("%(name)s is not a supplier: consortium partners are suppliers.") % {
                "name": partner.name}, "partners")
        if partner.pk == lead.pk:
            raise ChallengeError(_("The lead applicant is not its own partner."), "partners")


def _store_documents(application: Application, documents) -> None:
    """`documents`: (upload, content type from cases.documents.inspect_upload, title), already inspected."""
    for upload, content_type, title in documents:
        document = ApplicationDocument(application=application, title=title or safe_display_name(upload.name),
                                       original_name=safe_display_name(upload.name), content_type=content_type,
                                       size=upload.size)
        document.file.save(document.original_name, upload, save=False)
        document.save()


@transaction.atomic
def apply(*, phase: Phase, actor, lead: Organization, fields: dict, partners=(), documents=()) -> Application:
    """A supplier's application to an open phase, with consortium partners and documents. Refused after the
    deadline, for a non-supplier, twice for one lead, and, in an invited-only phase, for a lead that was
    not awarded in the phase before. The owners are told an application came, never what it says."""
    phase = Phase.objects.select_for_update().select_related("challenge").get(pk=phase.pk)
    _check_open(phase)
    if lead.kind != Organization.Kind.SUPPLIER:
        raise ChallengeError(_("Applications are made by suppliers."), "lead")
    if phase.invited_only and lead.pk not in invited_ids(phase):
        raise ChallengeError(_("This phase is open only to those awarded in the phase before."), "lead")
    if Application.objects.filter(phase=phase, lead=lead).exists():
        raise AlreadyApplied(_("%(name)s has applied to this phase already: change that application instead.")
                             % {"name": lead.name}, "lead")
    partners = list(partners)
    _check_partners(lead, partners)
    _refuse(application_problems(fields, phase=phase))
    application = Application(phase=phase, lead=lead, submitted_by=_person(actor))
    for name, value in fields.items():
        if name not in APPLICATION_FIELDS:
            raise ValueError(f"{name} is not an application field")
        setattr(application, name, value.strip() if isinstance(value, str) else value)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:  # a second request for the same lead got in first
        raise AlreadyApplied(_("%(name)s has applied to this phase already.") % {"name": lead.name}, "lead") from None
    application.partners.set(partners)
    _store_documents(application, documents)
    record(actor=actor, action="challenge.apply", obj=phase.challenge, phase=phase.number,
           application=application.pk, lead=lead.pk, partners=sorted(p.pk for p in partners),
           documents=len(documents))
    notify(owner_people(phase.challenge), event=f"challenge-application:{application.pk}",
           title=_("New application to “%(title)s”, phase %(number)s") % {
               "title": phase.challenge.title, "number": phase.number},
           url=f"{phase.challenge.get_absolute_url()}applications/")
    return application


def _locked_application(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("phase__challenge").get(pk=application.pk)


@transaction.atomic
def update_application(*, application: Application, actor, fields: dict, partners=None, documents=()) -> list[str]:
    """Changes an application until the phase's deadline; returns what changed."""
    application = _locked_application(application)
    _check_open(application.phase)
    if application.status != Application.Status.SUBMITTED:
        raise ChallengeError(_("The application is withdrawn."))
    changed = [name for name, value in fields.items() if getattr(application, name) != value]
    if partners is not None:
        partners = list(partners)
        if {p.pk for p in partners} != set(application.partners.values_list("pk", flat=True)):
            _check_partners(application.lead, partners)
            changed.append("partners")
    if documents:
        changed.append("documents")
    if not changed:
        return []
    values = {name: getattr(application, name) for name in APPLICATION_FIELDS} | fields
    _refuse(application_problems(values, phase=application.phase))
    for name in changed:
        if name in APPLICATION_FIELDS:
            value = fields[name]
            setattr(application, name, value.strip() if isinstance(value, str) else value)
    application.save()
    if "partners" in changed:
        application.partners.set(partners)
    _store_documents(application, documents)
    record(actor=actor, action="challenge.application_update", obj=application.phase.challenge,
           application=application.pk, fields=changed)
    return changed


@transaction.atomic
def remove_application_document(*, document: ApplicationDocument, actor) -> None:
    application = _locked_application(document.application)
    _check_open(application.phase)
    record(actor=actor, action="challenge.application_document_remove", obj=application.phase.challenge,
           application=application.pk, title=document.title)
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def withdraw(*, application: Application, actor) -> Application:
    application = _locked_application(application)
    _check_open(application.phase)
    if application.status != Application.Status.SUBMITTED:
        raise ChallengeError(_("The application is withdrawn already."))
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    record(actor=actor, action="challenge.withdraw", obj=application.phase.challenge, application=application.pk)
    return application


# --- Evaluation ---------------------------------------------------------------------------------------------

def _check_evaluating(application: Application) -> None:
    if application.phase.state() != Phase.State.EVALUATION:
        if application.phase.decided_at is not None:
            raise ChallengeError(_("The phase is decided: scoring is closed."))
        raise ChallengeError(_("Applications are scored after the deadline, %(date)s.") % {
            "date": _local(application.phase.closes_at)})
    if application.status == Application.Status.WITHDRAWN:
        raise ChallengeError(_("The application is withdrawn."))


@transaction.atomic
def declare(*, evaluator: Evaluator, application: Application, actor, has_conflict: bool, note: str = "") -> Evaluation:
    """The evaluator's declaration of interests for one application, before she may score it. A declared
    conflict is final: she does not score that application."""
    application = _locked_application(application)
    if application.phase.challenge_id != evaluator.challenge_id:
        raise ChallengeError(_("The application is not in this challenge."))
    _check_evaluating(application)
    if Evaluation.objects.filter(evaluator=evaluator, application=application).exists():
        raise ChallengeError(_("You have declared your interests for this application already."))
    if has_conflict and not note.strip():
        raise ChallengeError(_("Say what the conflict is (for example: a former employer, a relative, shares)."),
                             "conflict_note")
    evaluation = Evaluation.objects.create(evaluator=evaluator, application=application, has_conflict=has_conflict,
                                           conflict_note=note.strip())
    record(actor=actor, action="challenge.declare", obj=application.phase.challenge, application=application.pk,
           evaluator=evaluator.pk, conflict=has_conflict)
    return evaluation


@transaction.atomic
def score(*, evaluation: Evaluation, actor, values: dict, comment: str = "", submit: bool = False) -> Evaluation:
    """Saves the evaluator's scores ({criterion id: (score, note)}) and, with `submit`, hands them in: every
    criterion must then be scored, and the scores can no longer change (she now sees the others')."""
    evaluation = Evaluation.objects.select_for_update().select_related(
        "application__phase__challenge", "evaluator").get(pk=evaluation.pk)
    application = evaluation.application
    _check_evaluating(application)
    if evaluation.has_conflict:
        raise ChallengeError(_("You declared a conflict of interest for this application and do not score it."))
    if evaluation.submitted_at is not None:
        raise ChallengeError(_("Your scores are submitted and can no longer change."))
    criteria = {criterion.pk: criterion for criterion in application.phase.challenge.criteria.all()}
    for criterion_id, (value, _note) in values.items():
        if criterion_id not in criteria:
            raise ChallengeError(_("That criterion is not in this challenge."), "scores")
        if value is not None and (not isinstance(value, int) or not 0 <= value <= SCORE_MAX):
            raise ChallengeError(_("Score each criterion from 0 to %(max)s.") % {"max": SCORE_MAX},
                                 f"score_{criterion_id}")
    for criterion_id, (value, note) in values.items():
        if value is None:
            Score.objects.filter(evaluation=evaluation, criterion_id=criterion_id).delete()
            continue
        Score.objects.update_or_create(evaluation=evaluation, criterion_id=criterion_id,
                                       defaults={"value": value, "note": (note or "").strip()})
    evaluation.comment = comment.strip()
    if submit:
        scored = set(evaluation.scores.values_list("criterion_id", flat=True))
        missing = [criteria[pk].name for pk in criteria if pk not in scored]
        if missing:
            raise ChallengeError(_("Score every criterion before submitting: %(missing)s.") % {
                "missing": ", ".join(missing)}, "scores")
        evaluation.submitted_at = timezone.now()
    evaluation.save()
    record(actor=actor, action="challenge.submit_scores" if submit else "challenge.score",
           obj=application.phase.challenge, application=application.pk, evaluator=evaluation.evaluator_id)
    return evaluation


def score_table(phase: Phase) -> list[dict]:
    """The owners' side-by-side view of a phase: per application (not withdrawn), each evaluator's weighted
    score (None: not submitted; "conflict": declared one) and the mean of the submitted ones, best first."""
    evaluators = list(phase.challenge.evaluators.select_related("user", "organization"))
    applications = phase.applications.submitted().select_related("lead").prefetch_related(
        "partners", "evaluations__scores", "evaluations__application__phase__challenge__criteria")
    rows = []
    for application in applications:
        by_evaluator = {evaluation.evaluator_id: evaluation for evaluation in application.evaluations.all()}
        cells, submitted = [], []
        for evaluator in evaluators:
            evaluation = by_evaluator.get(evaluator.pk)
            if evaluation is None:
                cells.append({"evaluator": evaluator, "state": "pending", "score": None, "evaluation": None})
            elif evaluation.has_conflict:
                cells.append({"evaluator": evaluator, "state": "conflict", "score": None, "evaluation": evaluation})
            elif evaluation.submitted_at is None:
                cells.append({"evaluator": evaluator, "state": "draft", "score": None, "evaluation": evaluation})
            else:
                value = evaluation.weighted_score()
                submitted.append(value)
                cells.append({"evaluator": evaluator, "state": "submitted", "score": value, "evaluation": evaluation})
        mean = sum(submitted) / len(submitted) if submitted else None
        rows.append({"application": application, "cells": cells, "mean": mean, "count": len(submitted)})
    rows.sort(key=lambda row: (row["mean"] is None, -(row["mean"] or 0), row["application"].pk))
    return rows


# --- Results ------------------------------------------------------------------------------------------------

@transaction.atomic
def award(*, phase: Phase, actor, awards: dict, justification: str) -> Phase:
    """Agrees the phase's result and tells every applicant at once: `awards` is {application id: amount in
    NOK} for those who go on; every other application is not awarded. Needs a written justification; the
    amounts must fit the phase's budget and the count its limit. Once agreed, the result is published (who
    went on, with what amount) and the awardees are invited to the next phase."""
    phase = Phase.objects.select_for_update().select_related("challenge").get(pk=phase.pk)
    challenge = phase.challenge
    _refuse_if_closed(challenge)
    if phase.decided_at is not None:
        raise ChallengeError(_("The phase's result is agreed and sent already."))
    if phase.state() != Phase.State.EVALUATION:
        raise ChallengeError(_("The result is agreed after applications close, %(date)s.") % {
            "date": _local(phase.closes_at)})
    if not justification.strip():
        raise ChallengeError(_("Write the justification of the result: it is sent to every applicant."),
                             "justification")
    applications = {application.pk: application for application in phase.applications.submitted()}
    for application_id, amount in awards.items():
        if application_id not in applications:
            raise ChallengeError(_("Only applications to this phase can be awarded."), "awards")
        if not isinstance(amount, int) or amount < 1:
            raise ChallengeError(_("Give each awarded application an amount above zero."), "awards")
    if phase.max_awards is not None and len(awards) > phase.max_awards:
        raise ChallengeError(_("At most %(count)s may go on from this phase.") % {"count": phase.max_awards}, "awards")
    if phase.budget_nok is not None and sum(awards.values()) > phase.budget_nok:
        raise ChallengeError(_("The amounts add up to %(sum)s, more than the phase's budget of %(budget)s.") % {
            "sum": _nok(sum(awards.values())), "budget": _nok(phase.budget_nok)}, "awards")
    for application in applications.values():
        if application.pk in awards:
            application.status, application.awarded_nok = Application.Status.AWARDED, awards[application.pk]
        else:
            application.status, application.awarded_nok = Application.Status.NOT_AWARDED, None
        application.save(update_fields=["status", "awarded_nok", "updated_at"])
    now = timezone.now()
    phase.justification = justification.strip()
    phase.decided_at = phase.notified_at = now
    phase.decided_by = _person(actor)
    phase.save(update_fields=["justification", "decided_at", "notified_at", "decided_by"])
    record(actor=actor, action="challenge.award", obj=challenge, phase=phase.number,
           awards={str(pk): amount for pk, amount in sorted(awards.items())})
    # Each applicant is told its own result only; the public result names who went on and the amounts.
    url = f"{challenge.get_absolute_url()}#phase-{phase.number}"
    following = challenge.phases.filter(number__gt=phase.number).order_by("number").first()
    for application in applications.values():
        people = _applicant_people([application])
        if application.status == Application.Status.AWARDED:
            title = _("“%(title)s”, phase %(number)s: your application is awarded %(amount)s") % {
                "title": challenge.title, "number": phase.number, "amount": _nok(application.awarded_nok)}
        else:
            title = _("“%(title)s”, phase %(number)s: your application is not awarded") % {
                "title": challenge.title, "number": phase.number}
        notify(people, event=f"challenge-result:{application.pk}", title=title, url=url)
        if application.status == Application.Status.AWARDED and following is not None and following.invited_only:
            notify(people, event=f"challenge-invited:{following.pk}:{application.lead_id}",
                   title=_("You are invited to phase %(number)s of “%(title)s”") % {
                       "number": following.number, "title": challenge.title}, url=url)
    _reindex(challenge)
    return phase


def results(challenge: Challenge) -> list[dict]:
    """The published timeline: each phase with its number of applicants and, once its result is sent, the
    awardees (lead and partners) and amounts. What anyone may read; never scores or applications."""
    timeline = []
    for phase in challenge.phases.all():
        submitted = phase.applications.submitted()
        entry = {"phase": phase, "state": phase.state(), "applicants": submitted.count(), "awards": [],
                 "awarded_total": 0}
        if phase.notified_at is not None:
            entry["awards"] = list(submitted.awarded().select_related("lead").prefetch_related("partners")
                                   .order_by("-awarded_nok", "lead__name"))
            entry["awarded_total"] = sum(a.awarded_nok or 0 for a in entry["awards"])
        timeline.append(entry)
    return timeline


# --- Questions --------------------------------------------------------------------------------------------

@transaction.atomic
def ask(*, challenge: Challenge, actor, body: str) -> ChallengeQuestion:
    if challenge.cancelled_at is not None:
        raise ChallengeError(_("The challenge is cancelled."))
    if not body.strip():
        raise ChallengeError(_("Write your question."), "body")
    question = ChallengeQuestion.objects.create(challenge=challenge, asked_by=actor, body=body.strip())
    record(actor=actor, action="challenge.question", obj=challenge, question=question.pk)
    notify(owner_people(challenge), event=f"challenge-question:{question.pk}",
           title=_("A question on “%(title)s”") % {"title": challenge.title},
           url=f"{challenge.get_absolute_url()}#question-{question.pk}")
    return question


@transaction.atomic
def answer(*, question: ChallengeQuestion, actor, body: str) -> ChallengeQuestion:
    """Answers in public, for every applicant; the asker is told the first time."""
    if not body.strip():
        raise ChallengeError(_("Write your answer."), "body")
    first = question.answered_at is None
    question.answer = body.strip()
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    challenge = Challenge.objects.get(pk=question.challenge_id)  # as it is now, not as the caller held it
    record(actor=actor, action="challenge.answer", obj=challenge, question=question.pk)
    _reindex(challenge)
    if first and question.asked_by_id:
        notify([question.asked_by], event=f"challenge-answer:{question.pk}",
               title=_("Your question on “%(title)s” is answered") % {"title": challenge.title},
               url=f"{challenge.get_absolute_url()}#question-{question.pk}")
    return question


# --- The end, and the case ----------------------------------------------------------------------------------

@transaction.atomic
def end(*, challenge: Challenge, actor, ended_in_contract: bool) -> Challenge:
    """Ends the challenge once every phase is decided; says whether a contract followed (the observatory
    counts it)."""
    challenge = _locked(challenge)
    _refuse_if_closed(challenge)
    if challenge.published_at is None:
        raise ChallengeError(_("A draft is not ended: publish it or leave it."))
    if challenge.phases.filter(decided_at__isnull=True).exists():
        raise ChallengeError(_("Agree the result of every phase before ending the challenge."))
    challenge.ended_at = timezone.now()
    challenge.ended_in_contract = bool(ended_in_contract)
    challenge.save(update_fields=["ended_at", "ended_in_contract", "updated_at"])
    record(actor=actor, action="challenge.end", obj=challenge, contract=challenge.ended_in_contract)
    _reindex(challenge)
    return challenge


def case_text(challenge: Challenge) -> dict:
    """The case's text, prefilled from the challenge: the need, the route and phases, and the results."""
    lines = []
    for entry in results(challenge):
        phase = entry["phase"]
        awardees = ", ".join(f"{a.lead.name} ({_nok(a.awarded_nok)})" for a in entry["awards"]) or "–"
        lines.append(_("Phase %(number)s, %(kind)s: %(applicants)s applications; went on: %(awardees)s.") % {
            "number": phase.number, "kind": phase.get_kind_display().lower(), "applicants": entry["applicants"],
            "awardees": awardees})
    criteria = "; ".join(f"{c.name} ({c.weight} %)" for c in challenge.criteria.all())
    route = challenge.get_route_display()
    return {
        "title": challenge.title,
        "summary": _("An innovation competition (%(route)s) in %(phases)s phases. %(success)s") % {
            "route": route.lower(), "phases": len(lines), "success": challenge.success.strip()},
        "need": challenge.problem,
        "requirements": _("What success looks like: %(success)s\nEvaluation criteria: %(criteria)s") % {
            "success": challenge.success.strip(), "criteria": criteria},
        "solution": "\n".join(lines),
    }


@transaction.atomic
def publish_case(*, challenge: Challenge, actor) -> Case:
    """Publishes a case from an ended challenge in one step: need, route, phases, results, buyers and the
    awarded suppliers prefilled, submitted to the curators (who publish it as any case). A Delbar curator
    publishes it at once. Once per challenge."""
    challenge = _locked(challenge)
    if challenge.ended_at is None:
        raise ChallengeError(_("The case is published when the challenge has ended."))
    if challenge.case_id is not None:
        raise ChallengeError(_("A case has been published from this challenge already."))
    if challenge.sector_id is None:
        raise ChallengeError(_("Give the challenge a sector first: every case has one."), "sector")
    # The suppliers of the solution: those awarded in the last phase (consortium partners included),
    # not those who went on from an earlier phase and lost later.
    last = challenge.phases.filter(decided_at__isnull=False).order_by("-number").first()
    awarded = Application.objects.filter(phase=last).awarded().prefetch_related("partners")
    supplier_ids = set().union(*(application.applicant_ids() for application in awarded))
    suppliers = Organization.objects.filter(pk__in=supplier_ids)
    partner_buyers = Organization.objects.filter(pk__in=challenge.buyer_ids() - {challenge.owner_id},
                                                 kind__in=Organization.BUYER_KINDS)
    phases = list(challenge.phases.all())
    fields = case_text(challenge) | {
        "sector": challenge.sector,
        "procedure": CASE_PROCEDURE.get(challenge.route, ""),
        "year": timezone.localdate(challenge.ended_at).year,
        "competition_date": timezone.localdate(phases[0].opens_at) if phases else None,
        "outcome": Outcome.SUCCESS if challenge.ended_in_contract else Outcome.PARTIAL,
    }
    if challenge.ended_in_contract:
        fields["contract_date"] = timezone.localdate(challenge.ended_at)
    relations = {"cpv_codes": list(challenge.cpv_codes.all()), "partner_buyers": list(partner_buyers),
                 "suppliers": list(suppliers)}
    if challenge.notice_id:
        relations["notices"] = [challenge.notice]
    case = case_actions.create_case(actor=actor, lead_buyer=_case_buyer(challenge), fields=fields,
                                    relations=relations)
    case = case_actions.submit_case(case=case, actor=actor)
    if roles_of(actor).is_curator:
        case = case_actions.publish_case(case=case, actor=actor)
    challenge.case = case
    challenge.save(update_fields=["case", "updated_at"])
    record(actor=actor, action="challenge.publish_case", obj=challenge, case=case.pk)
    return case


def _case_buyer(challenge: Challenge) -> Organization:
    """A case's lead buyer is a public buyer: a network's challenge is recorded under its buyer group's lead
    or the need's buyer, where there is one."""
    if challenge.owner.kind in Organization.BUYER_KINDS:
        return challenge.owner
    if challenge.group_id:
        return challenge.group.lead
    if challenge.need_id:
        return challenge.need.organization
    raise ChallengeError(_("A case needs a public buyer as its lead buyer; this challenge has none."))

