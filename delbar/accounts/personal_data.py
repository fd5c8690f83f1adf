"""What Delbar holds about one person: `export_personal_data(user)` gathers it for "Download my data",
`erase_user(*, user, actor)` removes it for "Delete my account", and the two `prune_*` functions keep
the retention periods of docs/privacy.md true (`delbar prune_personal_data`).

Contributions stay: cases, needs, solutions, questions, answers, group messages and proposals belong to
the organizations they were written for, so they are kept with their author link emptied (every such
foreign key is SET_NULL, and the pages name organizations, never people). So do dialogues and what was
written at them — registrations, questions, answers, suppliers' written input — and networks' news,
discussion posts and requests to join: each is an organization's. So do innovation competitions: the
challenges, the suppliers' applications, the evaluators' declarations and scores (the decision stays on the
record), the results agreed and the questions and answers, all with the person's link emptied (an
evaluator's appointment too: `Evaluator.user` is SET_NULL). A registration's attendee list names
other people as well; the person's own name is taken out of it at once, the others' names go with the
whole list ATTENDEE_DAYS after the dialogue (`prune_attendee_lists`). What names the person goes:
the account and everything hanging on it, case contacts with their address, and their name and e-mail
addresses wherever Delbar copied them as text — contributions, revisions' snapshots, audit data,
others' notifications — with the search documents built from that text.

The User row is deleted, not anonymised: nothing needs it once the links are emptied, and a blanked
row kept on would still tie all the person's contributions together (pseudonymous data is personal
data). An ID-porten log-in afterwards starts a new, unrelated account.
"""

import json
import re
from dataclasses import dataclass, field
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from delbar import search as search_index
from delbar.accounts.models import ApiToken, ExternalIdentity, Membership, Role
from delbar.accounts.people import org_admins_of
from delbar.alerts.models import AlertSettings, Notification, Subscription
from delbar.audit import record
from delbar.audit.models import AuditEvent
from delbar.cases import actions as case_actions
from delbar.cases.models import Case, CaseDocument, CaseRevision, ContactPerson
from delbar.challenges.models import (
    Application,
    ApplicationDocument,
    Challenge,
    ChallengeQuestion,
    Criterion,
    Evaluation,
    Evaluator,
    Phase,
    Score,
)
from delbar.dialogues.models import Dialogue, DialogueQuestion, InputDocument, Meeting, Registration, WrittenInput
from delbar.diffusion.models import Adoption
from delbar.groups.models import BuyerGroup, GroupDocument, GroupMessage
from delbar.needs import actions as need_actions
from delbar.needs.models import Match, Need, NeedInterest
from delbar.networks.models import Network, NetworkDocument, NetworkMember, NewsItem, Post
from delbar.orgs.models import Organization
from delbar.questions.models import Question
from delbar.suppliers import actions as supplier_actions
from delbar.suppliers.models import Proposal, Solution

EXPORT_FORMAT = "delbar-personal-data/1"
# What replaces a name or an address in text that is kept. Bokmål, as the texts around it mostly are.
ERASED = "[slettet]"
# Audit data keys that name a person (accounts/actions.py and the admin write them).
PERSONAL_AUDIT_KEYS = ("user", "username", "email")
# How long after a dialogue its attendee lists are kept: the organizers send the matchmaking table and
# the summary and follow up with those who came in the weeks after; three months covers that, and the
# published participant list names organizations only.
ATTENDEE_DAYS = 90


def addresses_of(user) -> set[str]:
    """Every e-mail address the person has given Delbar, lower-cased."""
    addresses = {user.email} | set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    return {address.strip().lower() for address in addresses if address and address.strip()}


def organizations_left_without_administrator(user) -> list[Organization]:
    """The organizations whose only active administrator `user` is."""
    administered = user.memberships.active().filter(role=Role.ORG_ADMIN).values_list("organization_id", flat=True)
    return [organization for organization in Organization.objects.filter(pk__in=administered).order_by("name")
            if not org_admins_of(organization.pk).exclude(pk=user.pk).exists()]


# --- "Download my data" ---

def _ref(obj, label: str = "title") -> dict | None:
    return None if obj is None else {"id": obj.pk, label: getattr(obj, label)}


def _audit_data_for(data: dict, user, addresses: set[str]) -> dict:
    """An audit event's data as shown to `user`: who else it names is not theirs to download."""
    data = dict(data)
    if "user" in data and data["user"] != user.pk:
        data.pop("user")
        data.pop("username", None)
    if "email" in data and str(data["email"]).lower() not in addresses:
        data.pop("email")
    return data


def export_personal_data(user) -> dict:
    """Everything Delbar holds about `user`, as JSON-ready values (datetimes left to the encoder).
    Secrets are never in it: no password or token hash, no authenticator secret, no unsubscribe key."""
    addresses = addresses_of(user)
    alert_settings = AlertSettings.objects.filter(user=user).first()
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "account": {
            "id": user.pk, "username": user.get_username(), "first_name": user.first_name,
            "last_name": user.last_name, "email": user.email, "date_joined": user.date_joined,
            "last_login": user.last_login, "is_active": user.is_active, "has_password": user.has_usable_password(),
        },
        "email_addresses": [{"email": a.email, "verified": a.verified, "primary": a.primary}
                            for a in EmailAddress.objects.filter(user=user).order_by("pk")],
        "authenticators": [{"type": a.type, "created_at": a.created_at, "last_used_at": a.last_used_at}
                           for a in Authenticator.objects.filter(user=user).order_by("pk")],
        "memberships": [{"organization": _ref(m.organization, "name"), "role": m.role, "status": m.status,
                         "source": m.source, "created_at": m.created_at, "decided_at": m.decided_at}
                        for m in user.memberships.select_related("organization").order_by("pk")],
        "identities": [{"issuer": i.issuer, "subject": i.subject, "created_at": i.created_at,
                        "last_login_at": i.last_login_at}
                       for i in ExternalIdentity.objects.filter(user=user).order_by("pk")],
        "api_tokens": [{"name": t.name, "hint": t.hint, "scope": t.scope, "created_at": t.created_at,
                        "expires_at": t.expires_at, "last_used_at": t.last_used_at}
                       for t in ApiToken.objects.filter(user=user).order_by("pk")],
        "alert_settings": None if alert_settings is None else {
            "frequency": alert_settings.frequency, "last_digest_at": alert_settings.last_digest_at},
        "subscriptions": [{"topic": s.topic, "value": s.value, "created_at": s.created_at}
                          for s in Subscription.objects.filter(user=user).order_by("pk")],
        # As the person saw them in Delbar.
        "notifications": [{"title": n.title, "url": n.url, "created_at": n.created_at, "read_at": n.read_at,
                           "emailed_at": n.emailed_at}
                          for n in Notification.objects.filter(user=user).order_by("pk")],
        "cases_created": [{"id": c.pk, "title": c.title, "organization": _ref(c.lead_buyer, "name"),
                           "status": c.status, "created_at": c.created_at}
                          for c in Case.objects.filter(created_by=user).select_related("lead_buyer").order_by("pk")],
        "case_revisions": [{"case": _ref(r.case), "number": r.number, "created_at": r.created_at,
                            "changed_fields": r.changed_fields}
                           for r in CaseRevision.objects.filter(author=user).select_related("case").order_by("pk")],
        "case_documents_uploaded": [
            {"case": _ref(d.case), "title": d.title, "uploaded_at": d.uploaded_at}
            for d in CaseDocument.objects.filter(uploaded_by=user).select_related("case").order_by("pk")],
        "contact_person_entries": [
            {"case": _ref(c.case), "name": c.name, "role": c.role, "email": c.email, "phone": c.phone,
             "consent_given_at": c.consent_given_at}
            for c in _contacts_with(addresses).select_related("case").order_by("pk")],
        "questions_asked": [
            {"id": q.pk, "case": _ref(q.case), "organization": _ref(q.organization, "name"), "body": q.body,
             "created_at": q.created_at, "answered": q.is_answered}
            for q in Question.objects.filter(author=user).select_related("case", "organization").order_by("pk")],
        # Only the answer: the question it answers is someone else's.
        "answers_written": [
            {"question": q.pk, "case": _ref(q.case), "answer": q.answer, "answered_at": q.answered_at}
            for q in Question.objects.filter(answered_by=user).select_related("case").order_by("pk")],
        "needs_created": [{"id": n.pk, "title": n.title, "organization": _ref(n.organization, "name"),
                           "created_at": n.created_at}
                          for n in Need.objects.filter(created_by=user).select_related("organization").order_by("pk")],
        "need_interests": [
            {"need": _ref(i.need), "organization": _ref(i.organization, "name"), "note": i.note,
             "created_at": i.created_at}
            for i in NeedInterest.objects.filter(user=user).select_related("need", "organization").order_by("pk")],
        "match_decisions": [{"need": _ref(m.need), "kind": m.kind, "object_id": m.object_id, "state": m.state,
                             "decided_at": m.decided_at}
                            for m in Match.objects.filter(decided_by=user).select_related("need").order_by("pk")],
        "buyer_groups_created": [{"id": g.pk, "name": g.name, "created_at": g.created_at}
                                 for g in BuyerGroup.objects.filter(created_by=user).order_by("pk")],
        "group_messages": [
            {"group": _ref(m.group, "name"), "organization": _ref(m.organization, "name"), "body": m.body,
             "created_at": m.created_at}
            for m in GroupMessage.objects.filter(author=user).select_related("group", "organization").order_by("pk")],
        "group_documents_uploaded": [
            {"group": _ref(d.group, "name"), "title": d.title, "uploaded_at": d.uploaded_at}
            for d in GroupDocument.objects.filter(uploaded_by=user).select_related("group").order_by("pk")],
        "solutions_created": [{"id": s.pk, "title": s.title, "organization": _ref(s.organization, "name")}
                              for s in Solution.objects.filter(created_by=user).select_related("organization")
                              .order_by("pk")],
        "proposals": [
            {"need": _ref(p.need), "organization": _ref(p.organization, "name"), "body": p.body,
             "created_at": p.created_at}
            for p in Proposal.objects.filter(author=user).select_related("need", "organization").order_by("pk")],
        **_dialogue_data(user),
        **_network_data(user),
        **_challenge_data(user),
        "adoptions": [
            {"case": _ref(a.case), "organization": _ref(a.organization, "name"), "state": a.state,
             "declared_by_you": a.declared_by_id == user.pk, "confirmed_by_you": a.confirmed_by_id == user.pk}
            for a in Adoption.objects.filter(Q(declared_by=user) | Q(confirmed_by=user))
            .select_related("case", "organization").order_by("pk")],
        "audit_events": [
            {"created_at": e.created_at, "action": e.action, "object_type": e.object_type, "object_id": e.object_id,
             "data": _audit_data_for(e.data, user, addresses)}
            for e in AuditEvent.objects.filter(actor=user).order_by("created_at", "pk")],
    }


def _dialogue_data(user) -> dict:
    """What the person did at dialogues: each with the dialogue it belongs to, as they wrote it."""
    return {
        "dialogues_created": [
            {"id": d.pk, "title": d.title, "organizer": _ref(d.organizer, "name"), "starts_at": d.starts_at,
             "created_at": d.created_at}
            for d in Dialogue.objects.filter(created_by=user).select_related("organizer").order_by("pk")],
        # With the attendees they listed: the registration names them as the person wrote it.
        "dialogue_registrations": [
            {"dialogue": _ref(r.dialogue), "organization": _ref(r.organization, "name"), "attendees": r.attendees,
             "created_at": r.created_at, "cancelled_at": r.cancelled_at}
            for r in Registration.objects.filter(registered_by=user).select_related("dialogue", "organization")
            .order_by("pk")],
        "dialogue_questions_asked": [
            {"id": q.pk, "dialogue": _ref(q.dialogue), "body": q.body, "created_at": q.created_at,
             "answered": q.answered_at is not None}
            for q in DialogueQuestion.objects.filter(asked_by=user).select_related("dialogue").order_by("pk")],
        # Only the answer: the question it answers is someone else's.
        "dialogue_answers_written": [
            {"question": q.pk, "dialogue": _ref(q.dialogue), "answer": q.answer, "answered_at": q.answered_at}
            for q in DialogueQuestion.objects.filter(answered_by=user).select_related("dialogue").order_by("pk")],
        "dialogue_written_input": [
            {"dialogue": _ref(i.dialogue), "organization": _ref(i.organization, "name"), "body": i.body,
             "submitted_at": i.submitted_at, "updated_at": i.updated_at,
             "documents": [document.title for document in i.documents.all()]}
            for i in WrittenInput.objects.filter(submitted_by=user).select_related("dialogue", "organization")
            .prefetch_related("documents").order_by("pk")],
    }


def _network_data(user) -> dict:
    """What the person did in networks: news, discussion posts, documents, requests to join and decisions."""
    return {
        "network_news": [
            {"network": _ref(n.network.organization, "name"), "title": n.title, "body": n.body,
             "members_only": n.members_only, "published_at": n.published_at}
            for n in NewsItem.objects.filter(author=user).select_related("network__organization").order_by("pk")],
        "network_posts": [
            {"network": _ref(p.network.organization, "name"), "organization": _ref(p.organization, "name"),
             "body": p.body, "created_at": p.created_at}
            for p in Post.objects.filter(author=user).select_related("network__organization", "organization")
            .order_by("pk")],
        "network_documents_uploaded": [
            {"network": _ref(d.network.organization, "name"), "title": d.title, "uploaded_at": d.uploaded_at}
            for d in NetworkDocument.objects.filter(uploaded_by=user).select_related("network__organization")
            .order_by("pk")],
        "network_join_requests": [
            {"network": _ref(m.network.organization, "name"), "organization": _ref(m.organization, "name"),
             "status": m.status, "requested_at": m.requested_at, "decided_at": m.decided_at}
            for m in NetworkMember.objects.filter(requested_by=user)
            .select_related("network__organization", "organization").order_by("pk")],
        "network_join_decisions": [
            {"network": _ref(m.network.organization, "name"), "organization": _ref(m.organization, "name"),
             "status": m.status, "decided_at": m.decided_at}
            for m in NetworkMember.objects.filter(decided_by=user)
            .select_related("network__organization", "organization").order_by("pk")],
    }


def _challenge_state(challenge: Challenge) -> str:
    if challenge.cancelled_at is not None:
        return "cancelled"
    if challenge.ended_at is not None:
        return "ended"
    return "published" if challenge.published_at is not None else "draft"


def _challenge_data(user) -> dict:
    """What the person did in innovation competitions: the challenges they created, the applications they
    submitted for their supplier (their own, never another applicant's), their appointments as evaluator
    with the declarations and scores they gave, the results they agreed, and their questions and answers."""
    return {
        "challenges_created": [
            {"id": c.pk, "title": c.title, "owner": _ref(c.owner, "name"), "state": _challenge_state(c),
             "created_at": c.created_at}
            for c in Challenge.objects.filter(created_by=user).select_related("owner").order_by("pk")],
        "challenge_applications_submitted": [
            {"id": a.pk, "challenge": _ref(a.phase.challenge), "phase": a.phase.number,
             "lead": _ref(a.lead, "name"), "partners": [_ref(p, "name") for p in a.partners.all()], "title": a.title,
             "status": a.status, "amount_nok": a.amount_nok, "awarded_nok": a.awarded_nok,
             "submitted_at": a.submitted_at, "updated_at": a.updated_at,
             "documents": [document.title for document in a.documents.all()]}
            for a in Application.objects.filter(submitted_by=user).select_related("phase__challenge", "lead")
            .prefetch_related("partners", "documents").order_by("pk")],
        "challenge_evaluator_appointments": [
            {"challenge": _ref(e.challenge), "organization": _ref(e.organization, "name"),
             "appointed_at": e.appointed_at}
            for e in Evaluator.objects.filter(user=user).select_related("challenge", "organization").order_by("pk")],
        # The person's own declarations and scores, on the applications they evaluated.
        "challenge_evaluations": [
            {"challenge": _ref(e.application.phase.challenge), "phase": e.application.phase.number,
             "application": _ref(e.application), "has_conflict": e.has_conflict, "conflict_note": e.conflict_note,
             "declared_at": e.declared_at, "comment": e.comment, "submitted_at": e.submitted_at,
             "scores": [{"criterion": s.criterion.name, "value": s.value, "note": s.note} for s in e.scores.all()]}
            for e in Evaluation.objects.filter(evaluator__user=user)
            .select_related("application__phase__challenge").prefetch_related("scores__criterion").order_by("pk")],
        # Whom they appointed is the other person's data: only where and for which organization.
        "challenge_evaluators_appointed": [
            {"challenge": _ref(e.challenge), "organization": _ref(e.organization, "name"),
             "appointed_at": e.appointed_at}
            for e in Evaluator.objects.filter(appointed_by=user).select_related("challenge", "organization")
            .order_by("pk")],
        "challenge_results_agreed": [
            {"challenge": _ref(p.challenge), "phase": p.number, "justification": p.justification,
             "decided_at": p.decided_at}
            for p in Phase.objects.filter(decided_by=user).select_related("challenge").order_by("pk")],
        "challenge_questions_asked": [
            {"id": q.pk, "challenge": _ref(q.challenge), "body": q.body, "created_at": q.created_at,
             "answered": q.answered_at is not None}
            for q in ChallengeQuestion.objects.filter(asked_by=user).select_related("challenge").order_by("pk")],
        # Only the answer: the question it answers is someone else's.
        "challenge_answers_written": [
            {"question": q.pk, "challenge": _ref(q.challenge), "answer": q.answer, "answered_at": q.answered_at}
            for q in ChallengeQuestion.objects.filter(answered_by=user).select_related("challenge").order_by("pk")],
    }


def _any_address(field_name: str, addresses: set[str]) -> Q:
    match = Q(pk__in=[])
    for address in addresses:
        match |= Q(**{f"{field_name}__iexact": address})
    return match


def _contacts_with(addresses: set[str]):
    return ContactPerson.objects.filter(_any_address("email", addresses))


# --- "Delete my account" ---

@dataclass
class _Traces:
    """What names the person in text: their addresses and their full name (and the names of case
    contacts with their address). Usernames are looked for only where Delbar writes them (audit data)."""

    addresses: set[str]
    names: set[str]
    pattern: re.Pattern | None = field(init=False)

    def __post_init__(self):
        # A name is looked for only as two words or more: a first name alone would hit other people.
        needles = [re.escape(address) for address in self.addresses]
        needles += [r"\s+".join(map(re.escape, name.split())) for name in self.names if len(name.split()) > 1]
        needles.sort(key=len, reverse=True)
        self.pattern = re.compile(rf"(?<!\w)(?:{'|'.join(needles)})(?!\w)", re.IGNORECASE) if needles else None

    def scrub(self, text: str) -> str:
        return self.pattern.sub(ERASED, text) if self.pattern and text else text

    def scrub_json(self, value):
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub_json(item) for key, item in value.items()}
        return value

    def _variants(self, *, json_escaped: bool) -> set[str]:
        # The database narrows the candidates, Python decides. SQLite folds only ASCII case and keeps JSON
        # with \u escapes, so the usual spellings are each asked for.
        variants = set()
        for needle in self.addresses | {name for name in self.names if len(name.split()) > 1}:
            for spelling in {needle, needle.lower(), needle.title(), needle.upper()}:
                variants.add(spelling)
                if json_escaped:
                    variants.add(json.dumps(spelling)[1:-1])
        return variants

    def in_text(self, *field_names: str) -> Q:
        match = Q(pk__in=[])
        for variant in self._variants(json_escaped=False):
            for name in field_names:
                match |= Q(**{f"{name}__icontains": variant})
        return match

    def in_json(self, field_name: str) -> Q:
        match = Q(pk__in=[])
        for variant in self._variants(json_escaped=True):
            match |= Q(**{f"{field_name}__icontains": variant})
        return match


def _text_fields(model, names) -> list[str]:
    return [name for name in names if isinstance(model._meta.get_field(name), (models.CharField, models.TextField))
            and not model._meta.get_field(name).choices]


def _scrubbed(obj, names: list[str], traces: _Traces) -> dict:
    """The fields of `obj` that change when scrubbed, with their new values."""
    changed = {}
    for name in names:
        value = getattr(obj, name)
        if value and traces.scrub(value) != value:
            changed[name] = traces.scrub(value)
    return changed


def _scrub_contributions(traces: _Traces, actor) -> None:
    """Takes the person's name and addresses out of kept texts. Cases, needs and solutions change through
    their actions, so the change is revised, audited and reindexed like any other."""
    case_fields = _text_fields(Case, case_actions.EDITABLE_FIELDS)
    for case in Case.objects.filter(traces.in_text(*case_fields, "return_comment")):
        changed = _scrubbed(case, case_fields, traces)
        if changed:
            case_actions.update_case(case=case, actor=actor, fields=changed)
        comment = _scrubbed(case, ["return_comment"], traces)
        if comment:
            Case.objects.filter(pk=case.pk).update(**comment)
    need_fields = ["title", "description"]
    for need in Need.objects.filter(traces.in_text(*need_fields)):
        changed = _scrubbed(need, need_fields, traces)
        if changed:
            # Without a new matching: a name taken out of a text does not change what the need is about.
            need_actions.update_need(need=need, actor=actor, fields=changed, match=False)
    for solution in Solution.objects.filter(traces.in_text("title", "description")):
        changed = _scrubbed(solution, ["title", "description"], traces)
        if changed:
            supplier_actions.save_solution(
                actor=actor, organization=solution.organization, solution=solution, fields=changed,
                cpv_codes=list(solution.cpv_codes.all()), sectors=list(solution.sectors.all()),
                cases=list(solution.cases.all()))
    reindex = set()
    for model, names in ((Question, ["body", "answer"]), (GroupMessage, ["body"]), (Proposal, ["body"]),
                         (NeedInterest, ["note"])):
        for obj in model.objects.filter(traces.in_text(*names)):
            changed = _scrubbed(obj, names, traces)
            if changed:
                model.objects.filter(pk=obj.pk).update(**changed)
                if model is Question:
                    reindex.add(obj.case_id)
    # Answered questions are part of their case's search document.
    for case in Case.objects.filter(pk__in=reindex):
        search_index.index(case)
    _scrub_dialogues_and_networks(traces)


# Kept texts of dialogues and networks that may name a person, and the object whose page (and search
# document, where it is searchable) shows each.
DIALOGUE_AND_NETWORK_TEXTS = [
    (Dialogue, ["title", "purpose", "agenda", "market_questions", "place", "summary"], None),
    (Registration, ["attendees"], "dialogue"),
    (DialogueQuestion, ["body", "answer"], "dialogue"),
    (WrittenInput, ["body"], "dialogue"),
    (InputDocument, ["title"], "written_input__dialogue"),
    (Meeting, ["reason", "slot"], "dialogue"),
    (Network, ["description"], None),
    (NewsItem, ["title", "body"], "network"),
    (Post, ["body"], "network"),
    (NetworkDocument, ["title"], "network"),
]
# The same for innovation competitions: the challenge's own texts, its answered questions and phase texts
# are on its page and in its search document; applications, evaluations and scores are in neither.
CHALLENGE_TEXTS = [
    (Challenge, ["title", "problem", "success", "eligibility"], None),
    (Phase, ["description", "justification"], "challenge"),
    (Criterion, ["name", "description"], "challenge"),
    (ChallengeQuestion, ["body", "answer"], "challenge"),
    (Application, ["title", "summary", "approach", "innovation", "team", "plan"], None),
    (ApplicationDocument, ["title"], None),
    (Evaluation, ["conflict_note", "comment"], None),
    (Score, ["note"], None),
]


def _scrub_dialogues_and_networks(traces: _Traces) -> None:
    """The person's name and addresses out of what was written at dialogues, in networks and in innovation
    competitions, their own name out of attendee lists among it. Written for organizations, the texts stay
    (module docstring)."""
    shown_on = set()
    for model, names, page in DIALOGUE_AND_NETWORK_TEXTS + CHALLENGE_TEXTS:
        for obj in model.objects.filter(traces.in_text(*names)):
            changed = _scrubbed(obj, names, traces)
            if changed:
                model.objects.filter(pk=obj.pk).update(**changed)
                shown_on.add(obj)
                if page:
                    for step in page.split("__"):
                        obj = getattr(obj, step)
                    shown_on.add(obj)
    searchable = tuple(kind.model for kind in search_index.KINDS.values())
    for obj in shown_on:
        if isinstance(obj, Challenge) and (obj.published_at is None or obj.cancelled_at is not None):
            continue  # a draft or cancelled challenge is not in search (challenges/actions.py)
        if isinstance(obj, searchable):
            obj.refresh_from_db()
            search_index.index(obj)


def _scrub_revisions(traces: _Traces) -> None:
    for revision in CaseRevision.objects.filter(traces.in_json("snapshot")):
        snapshot = traces.scrub_json(revision.snapshot)
        if snapshot != revision.snapshot:
            revision.snapshot = snapshot
            revision.save(update_fields=["snapshot"])


def _scrub_audit(user, traces: _Traces) -> None:
    """Keeps every event; takes the person out of it: no actor, no name, username or address in its data."""
    events = AuditEvent.objects.filter(
        Q(actor=user) | Q(data__user=user.pk) | Q(data__username=user.get_username()) | traces.in_json("data"))
    for event in events:
        data = dict(event.data)
        if data.get("user") == user.pk or data.get("username") == user.get_username():
            data.pop("user", None)
            data["username"] = ERASED
        if str(data.get("email", "")).lower() in traces.addresses:
            data["email"] = ERASED
        event.data = traces.scrub_json(data)
        event.actor = None
        event.save(update_fields=["data", "actor"])


def _scrub_notifications(user, traces: _Traces) -> None:
    """Others' notifications about the person: their requests to join (which name them by full name or,
    lacking one, by username) go; their name or address in any other title is erased."""
    requests = [f"membership-request:{pk}" for pk in Membership.objects.filter(user=user).values_list("pk", flat=True)]
    Notification.objects.filter(event__in=requests).delete()
    for notification in Notification.objects.exclude(user=user).filter(traces.in_text("title")):
        title = traces.scrub(notification.title)
        if title != notification.title:
            Notification.objects.filter(pk=notification.pk).update(title=title)


def _drop_queued_tasks(traces: _Traces) -> None:
    """Work not yet done that would reach the person (an e-mail to their address) is not done."""
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(traces.in_json("args_kwargs"))
    for task in queued:
        if traces.scrub_json(task.args_kwargs) != task.args_kwargs:
            task.delete()


def _end_sessions(user) -> None:
    """Ends every session of `user`, on every device. Sessions kept in the database are read one by one
    (Django does not index them by user); cookie or cache sessions end anyway once the user is gone."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    for session in store.get_model_class().objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store(session_key=session.session_key).delete()


@transaction.atomic
def erase_user(*, user, actor) -> list[Organization]:
    """Deletes `user` and erases what names them; keeps their contributions under their organizations.
    Returns the organizations now without an administrator (their requests go to Delbar's)."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    actor = None if actor is None or actor.pk == user.pk else actor
    addresses = addresses_of(user)
    contacts = list(_contacts_with(addresses).select_related("case"))
    traces = _Traces(addresses=addresses,
                     names={user.get_full_name().strip()} | {contact.name.strip() for contact in contacts})
    orphaned = organizations_left_without_administrator(user)
    organizations = sorted(user.memberships.values_list("organization_id", flat=True))

    for contact in contacts:
        case_actions.remove_contact(contact=contact, actor=actor)
    for organization in Organization.objects.filter(_any_address("procurement_contact", addresses)):
        Organization.objects.filter(pk=organization.pk).update(procurement_contact="")
        record(actor=actor, action="organization.contact", obj=organization, email="")
    _scrub_contributions(traces, actor)
    _scrub_revisions(traces)
    _scrub_audit(user, traces)
    _scrub_notifications(user, traces)
    _drop_queued_tasks(traces)
    _end_sessions(user)
    record(actor=actor, action="user.erase", obj=user, organizations=organizations,
           without_administrator=[organization.pk for organization in orphaned])
    # Memberships, identities, tokens, e-mail addresses, authenticators, alert settings, subscriptions
    # and notifications cascade; authored rows and audit events keep their place with the link emptied.
    user.delete()
    return orphaned


# --- Retention (delbar prune_personal_data) ---

def prune_attendee_lists(*, ended_before) -> int:
    """Empties the attendee lists of registrations for dialogues that ended before `ended_before`: they name
    people, and once the organizers have followed up nobody needs them. The registration (which organization
    came) stays, as the published participant list does."""
    with transaction.atomic():
        return (Registration.objects.filter(dialogue__ends_at__lt=ended_before).exclude(attendees="")
                .update(attendees=""))


def prune_audit_events(*, before) -> int:
    """Takes the person out of audit events older than `before`: no actor, no personal keys in the data,
    no user as the object. The event itself (what happened to which object, when) is kept."""
    user_type = get_user_model()._meta.model_name
    events = AuditEvent.objects.filter(created_at__lt=before).filter(
        Q(actor__isnull=False) | Q(data__has_any_keys=PERSONAL_AUDIT_KEYS)
        | (Q(object_type=user_type) & ~Q(object_id="")))
    pruned = 0
    with transaction.atomic():
        for event in events.select_for_update():
            event.actor = None
            event.data = {key: value for key, value in event.data.items() if key not in PERSONAL_AUDIT_KEYS}
            if event.object_type == user_type:
                event.object_id = ""
            event.save(update_fields=["actor", "data", "object_id"])
            pruned += 1
    return pruned


def unverified_accounts(*, joined_before):
    """Local sign-ups that never verified an address and never logged in. ID-porten accounts have no
    address to verify and are never among them."""
    return (get_user_model().objects
            .filter(date_joined__lt=joined_before, last_login__isnull=True, is_staff=False, is_superuser=False,
                    emailaddress__isnull=False, identities__isnull=True)
            .exclude(emailaddress__verified=True).distinct())
