"""OCDS 1.1 release and record packages of Delbar's published cases, imported notices, the dialogues
that plan a procurement and the innovation competitions (challenges).

A case becomes one release of a Delbar process ("<prefix>-case-<id>"). A notice version becomes one
release of its procurement procedure, so a procedure's planning, competition and award notices line up
as the releases of one contracting process (`notice_ocid`). The package is written as a stream, a
release at a time, so 200,000 notices need no more memory than one. A record package holds every release
of a process together with its compiled release (ocdsmerge, with the standard's merge rules); it holds
only (ocid, pk) pairs for the whole export and builds 500 releases at a time.

A dialogue conference or market dialogue becomes a **planning** release when it plans a procurement
(`planning_dialogues`): it links the procurement's notice, or one of its public needs became a procurement
(its buyer marked it "in procurement" or "solved"). Its ocid is the notice's process, else the need's
("<prefix>-need-<id>"), so the engagement lines up with the procurement it prepared. Only what the
dialogue's public page shows goes out: the purpose, dates, the Doffin link, the published summary and,
afterwards, the participating organizations — never attendees, written input or unanswered questions.

A published challenge (not cancelled) is a contracting process of its own ("<prefix>-challenge-<id>") with
several releases (`challenge_releases`): a **planning** release (the problem, what success looks like, the
budget as the sum of the phases' and a milestone per phase), a **tender** release per phase (its call
period, budget, the weighted criteria, eligibility and the legal route) and, once a phase's result is
published, an **award** release with an award per application that went on (its amount, the lead and
consortium partners as suppliers). Only what the challenge's public page shows: never an application that
was not awarded, an applicant's name before or without an award, or a score.

What is written is what lib-cove-ocds, the Open Contracting Partnership's checker, accepts with no error
(tests/test_opendata.py runs it offline): nothing outside core OCDS 1.1, no empty string, list or object,
currencies from ISO 4217, languages in ISO 639-1, and an organisation identifier only under the scheme
the source gave or, for a Norwegian party, the Norwegian register's (org-id.guide's NO-BRC).
"""

import functools
import hashlib
import itertools
import json
import re
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from delbar.cases.models import Case
from delbar.challenges.models import Application, Challenge, Phase, Route
from delbar.dialogues.models import Dialogue
from delbar.needs.models import Need, NeedStatus, Visibility
from delbar.notices.models import Notice
from delbar.notices.sources import country_code, country_name, currency_code, language_code
from delbar.notices.trail import REGISTERED_OCID

OCDS_VERSION = "1.1"
CASE_METHODS = {"open": "open", "restricted": "selective", "competitive-dialogue": "selective",
                "negotiated-with-notice": "selective", "innovation-partnership": "selective",
                "pre-commercial": "selective", "simplified-below-threshold": "open"}
NOTICE_METHODS = {"open": "open", "restricted": "selective", "neg-w-call": "selective", "comp-dial": "selective",
                  "innovation": "selective", "neg-wo-call": "limited", "comp-tend": "open"}
NOTICE_TAGS = {"planning": "planning", "competition": "tender", "dir-awa-pre": "award", "result": "award",
               "cont-modif": "contractAmendment", "change": "tenderAmendment", "completion": "implementation",
               "consultation": "planning"}
CATEGORIES = {"supplies": "goods", "works": "works", "services": "services"}
# org-id.guide's code for Brønnøysundregistrene, whose nine-digit organisation numbers Delbar stores.
NORWEGIAN_REGISTER = "NO-BRC"
# An ocid that starts with a prefix the OCP registered ("ocds-213czf-") is its publisher's and unique.


def _datetime(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = timezone.make_aware(datetime.combine(value, time()), timezone.UTC)
    return value.astimezone(timezone.UTC).isoformat().replace("+00:00", "Z")


def _value(amount, currency: str) -> dict | None:
    currency = currency_code(currency)
    if amount is None or not currency:
        return None
    return {"amount": float(amount), "currency": currency}


def _prune(value):
    """The release without empty strings, lists and objects, which OCDS counts as errors or noise."""
    if isinstance(value, dict):
        value = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in value.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        value = [_prune(item) for item in value]
        return [item for item in value if item not in (None, "", [], {})]
    return value


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _party(*, name: str, roles: list[str], local_id: str, org_number: str = "", scheme: str = "", city: str = "",
           country: str = "", norwegian: bool = False, others: list[dict] | None = None) -> dict:
    """A party. Its identifier is the source's own (scheme and id as given), or the Norwegian register's for a
    nine-digit number of a party known to be Norwegian; a number alone says nothing of its register (a
    French SIREN has nine digits too). Without an identifier the id is local to the release."""
    digits = re.sub(r"\D", "", org_number or "")
    if scheme and org_number:
        identifier = {"scheme": scheme, "id": org_number.strip()}
    elif len(digits) == 9 and (norwegian or country == "NO"):
        identifier = {"scheme": NORWEGIAN_REGISTER, "id": digits}
    else:
        identifier = None
    party = {"id": f"{identifier['scheme']}-{identifier['id']}" if identifier else local_id, "name": name,
             "roles": roles, "address": {"locality": city, "countryName": country_name(country)}}
    if identifier:
        party["identifier"] = {**identifier, "legalName": name}
    # Other identifiers the source gave, as it gave them; one with a scheme only (an id alone names no register).
    additional = [{"scheme": other["scheme"], "id": other["id"]} for other in others or ()
                  if other.get("scheme") and other.get("id") and other != identifier]
    if additional:
        party["additionalIdentifiers"] = additional
    return party


def _merge(parties: list[dict]) -> list[dict]:
    """One party per id, roles combined (OCDS wants each party once)."""
    merged: dict[str, dict] = {}
    for party in parties:
        if party["id"] in merged:
            roles = merged[party["id"]]["roles"]
            roles += [role for role in party["roles"] if role not in roles]
        else:
            merged[party["id"]] = party
    return list(merged.values())


def _items(cpv_codes: list[str], names: dict[str, str]) -> list[dict]:
    return [{"id": str(number), "classification": {"scheme": "CPV", "id": code, "description": names.get(code, "")}}
            for number, code in enumerate(cpv_codes, start=1)]


def _organization(org, role: str) -> dict:
    """A party from Delbar's own register of Norwegian organizations."""
    return _party(name=org.name, org_number=org.org_number or "", roles=[role], local_id=f"delbar-{org.pk}",
                  norwegian=True)


def case_ocid(pk: int) -> str:
    return f"{settings.OCDS_PREFIX}-case-{pk}"


def case_release(case: Case, cpv_names: dict[str, str]) -> dict:
    buyer = _organization(case.lead_buyer, "buyer")
    parties = [buyer] + [_organization(org, "buyer") for org in case.partner_buyers.all()]
    suppliers = [_organization(org, "supplier") for org in case.suppliers.all()]
    cpv_codes = [cpv.code for cpv in case.cpv_codes.all()]
    tender = {"id": f"case-{case.pk}", "title": case.title, "description": case.summary, "status": "complete"}
    if case.procedure:
        tender["procurementMethod"] = CASE_METHODS.get(case.procedure)
        tender["procurementMethodDetails"] = str(case.get_procedure_display())
    if cpv_codes:
        tender["items"] = _items(cpv_codes, cpv_names)
    value = _value(case.contract_value_nok, "NOK")
    if value:
        tender["value"] = value
    release = {
        "ocid": case_ocid(case.pk), "id": f"case-{case.pk}-{_datetime(case.updated_at)}",
        "date": _datetime(case.published_at or case.updated_at), "tag": ["award" if suppliers else "tender"],
        "initiationType": "tender", "language": language_code(case.language) or "nb",
        "parties": _merge(parties + suppliers), "buyer": {"id": buyer["id"], "name": buyer["name"]}, "tender": tender,
    }
    if suppliers:
        award = {"id": f"case-{case.pk}-award", "status": "active",
                 "suppliers": [{"id": party["id"], "name": party["name"]} for party in suppliers]}
        if case.contract_date:
            award["date"] = _datetime(case.contract_date)
        if value:
            award["value"] = value
        release["awards"] = [award]
    return _prune(release)


def _notice_party(party: dict, role: str, number: int) -> dict:
    return _party(name=party.get("name", ""), org_number=party.get("org_number", ""), scheme=party.get("scheme", ""),
                  city=party.get("city", ""), country=country_code(party.get("country", "")), roles=[role],
                  local_id=f"{role}-{number}", others=party.get("other_identifiers"))


def notice_ocid(notice: Notice) -> str:
    """The contracting process a notice belongs to. An OCDS release keeps its publisher's ocid when that has
    a registered prefix. Otherwise the process is the notice's procurement trail (notices/trail.py: linked by
    procedure identifiers *with* the buyer, and by the references between notices): example and converted
    notices reuse one procedure identifier (or an ocid like "10") across unrelated buyers, which would make
    one process of 66 procurements. A notice not yet linked is a process of its own."""
    prefix = settings.OCDS_PREFIX
    if notice.format == "ocds" and REGISTERED_OCID.match(notice.notice_id):
        return notice.notice_id
    if notice.trail:
        return f"{prefix}-procurement-{notice.trail}"
    return f"{prefix}-notice-{_digest(notice.key)}"


def notice_release(notice: Notice, cpv_names: dict[str, str]) -> dict:
    procedure = notice.procedure_id or notice.notice_id or notice.key
    process = notice_ocid(notice)
    # A party with neither a name nor a number is nobody a reader can find: it is left out.
    known = [party for party in notice.buyers if party.get("name") or party.get("org_number")]
    buyers = [_notice_party(party, "buyer", number) for number, party in enumerate(known, 1)]
    known = [party for party in notice.winners if party.get("name") or party.get("org_number")]
    suppliers = [_notice_party(party, "supplier", number) for number, party in enumerate(known, 1)]
    tender = {"id": procedure, "title": notice.title}
    if notice.description:
        tender["description"] = notice.description
    if notice.procedure in NOTICE_METHODS:
        tender["procurementMethod"] = NOTICE_METHODS[notice.procedure]
    if notice.procedure:
        tender["procurementMethodDetails"] = notice.procedure
    if notice.nature in CATEGORIES:
        tender["mainProcurementCategory"] = CATEGORIES[notice.nature]
    # An item per classification: the CPV codes with their labels, then every other scheme as the source gave it.
    tender["items"] = _items(notice.cpv_codes, cpv_names) + [
        {"id": str(number), "classification": classification}
        for number, classification in enumerate(notice.classifications, start=len(notice.cpv_codes) + 1)]
    if value := _value(notice.estimated_value, notice.estimated_currency):
        tender["value"] = value
    if notice.deadline:
        tender["tenderPeriod"] = {"endDate": _datetime(notice.deadline)}
    release = {
        "ocid": process, "id": notice.key, "date": _datetime(notice.publication_date or notice.fetched_at),
        "tag": [NOTICE_TAGS.get(notice.family, "tender")], "initiationType": "tender",
        "parties": _merge(buyers + suppliers), "tender": tender,
    }
    release["language"] = language_code(notice.language)
    if buyers:
        release["buyer"] = {"id": buyers[0]["id"], "name": buyers[0]["name"]}
    if suppliers or notice.awarded_value is not None:
        award = {"id": f"{notice.key}-award", "status": "active" if notice.family == "result" else "pending",
                 "suppliers": [{"id": party["id"], "name": party["name"]} for party in suppliers]}
        if value := _value(notice.awarded_value, notice.awarded_currency):
            award["value"] = value
        release["awards"] = [award]
    return _prune(release)


# --- Dialogues: planning releases ---

# A need became a procurement when its buyer says so: it is being procured, or a procurement solved it.
PROCURED = (NeedStatus.IN_PROCUREMENT, NeedStatus.SOLVED)
DIALOGUE_KINDS = {"conference": "dialogueConference", "market": "marketDialogue", "meeting": "networkMeeting"}


def planning_dialogues():
    """The dialogues that plan a procurement: not cancelled, and either linking the procurement's notice
    (a prior information notice) or tied to a public need that became a procurement. A buyers-only need
    stays out of open data, and so does a buyer group (seen by its members only)."""
    procured = Need.objects.filter(visibility=Visibility.PUBLIC, status__in=PROCURED)
    tied = Dialogue.needs.through.objects.filter(need__in=procured).values("dialogue_id")
    return (Dialogue.objects.filter(cancelled_at__isnull=True).filter(Q(notice__isnull=False) | Q(pk__in=tied))
            .select_related("organizer", "notice")
            .prefetch_related("needs__organization", "registrations__organization").order_by("pk"))


def _procured_needs(dialogue: Dialogue) -> list:
    return sorted((need for need in dialogue.needs.all()
                   if need.visibility == Visibility.PUBLIC and need.status in PROCURED), key=lambda need: need.pk)


def need_ocid(pk: int) -> str:
    return f"{settings.OCDS_PREFIX}-need-{pk}"


def dialogue_ocid(dialogue: Dialogue) -> str:
    """The procurement the dialogue prepares: its notice's process, else the first of its needs that became
    a procurement. Dialogues on the same need are releases of one process."""
    if dialogue.notice_id:
        return notice_ocid(dialogue.notice)
    return need_ocid(_procured_needs(dialogue)[0].pk)


def dialogue_release(dialogue: Dialogue, cpv_names: dict[str, str] | None = None) -> dict:
    """A planning release: the dialogue as an engagement milestone, its purpose as the rationale, its page
    (with the summary once published) and Doffin notice as documents. The buyer is the buyer of the need
    it prepares; an organizer other than the buyer (a network, a group's lead) manages it."""
    needs = _procured_needs(dialogue) or sorted((need for need in dialogue.needs.all()
                                                 if need.visibility == Visibility.PUBLIC), key=lambda n: n.pk)
    organizer = dialogue.organizer
    buyer_org = needs[0].organization if needs else organizer
    buyer = _organization(buyer_org, "buyer")
    parties = [buyer]
    if organizer.pk != buyer_org.pk:
        parties.append(_organization(organizer, "buyer" if organizer.is_buyer else "procuringEntity"))
    done = dialogue.is_past
    published = dialogue.summary_published_at is not None and bool(dialogue.summary.strip())
    if done and published:
        # Afterwards the page names the participating organizations (never the people who came).
        parties += [_organization(registration.organization, "interestedParty")
                    for registration in dialogue.registrations.all() if registration.cancelled_at is None]
    site = settings.SITE_URL.rstrip("/")
    milestone = {"id": f"dialogue-{dialogue.pk}", "title": dialogue.title, "type": "engagement",
                 "code": DIALOGUE_KINDS.get(dialogue.kind), "description": dialogue.place,
                 "dueDate": _datetime(dialogue.starts_at), "status": "met" if done else "scheduled",
                 "dateMet": _datetime(dialogue.ends_at) if done else None,
                 "dateModified": _datetime(dialogue.updated_at)}
    documents = [{"id": f"dialogue-{dialogue.pk}", "documentType": "marketStudies", "title": dialogue.title,
                  "description": dialogue.summary if published else None,
                  "url": site + dialogue.get_absolute_url(), "datePublished": _datetime(dialogue.created_at),
                  "dateModified": _datetime(dialogue.summary_published_at or dialogue.updated_at),
                  "format": "text/html"}]
    if dialogue.notice_url:
        documents.append({"id": f"dialogue-{dialogue.pk}-notice", "documentType": "plannedProcurementNotice",
                          "title": dialogue.title, "url": dialogue.notice_url, "format": "text/html"})
    release = {
        "ocid": dialogue_ocid(dialogue), "id": f"dialogue-{dialogue.pk}-{_datetime(dialogue.updated_at)}",
        "date": _datetime(dialogue.updated_at), "tag": ["planning"], "initiationType": "tender",
        "parties": _merge(parties), "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "planning": {"rationale": dialogue.purpose, "milestones": [milestone], "documents": documents},
    }
    return _prune(release)


# --- Challenges: planning, a tender per phase, awards per decided phase ---

# How each legal route is procured, in OCDS terms: pre-commercial procurement and an innovation partnership
# choose among the suppliers who apply (selective); a design contest takes every entry (open).
CHALLENGE_METHODS = {Route.PRE_COMMERCIAL: "selective", Route.INNOVATION_PARTNERSHIP: "selective",
                     Route.DESIGN_CONTEST: "open"}
PHASE_TENDER_STATUS = {Phase.State.UPCOMING: "planned", Phase.State.OPEN: "active",
                       Phase.State.EVALUATION: "active", Phase.State.DECIDED: "complete"}


def published_challenges():
    """The challenges the OCDS exports hold: published and not cancelled (a draft never)."""
    return (Challenge.objects.published().select_related("owner", "group__lead")
            .prefetch_related("cpv_codes", "criteria", "phases", "group__members__organization").order_by("pk"))


def challenge_ocid(pk: int) -> str:
    return f"{settings.OCDS_PREFIX}-challenge-{pk}"


def _challenge_parties(challenge: Challenge) -> list[dict]:
    """The owner as buyer (a network running it manages it: procuringEntity) and, for a buyer group's
    challenge, the buyers taking part with it, as its case names them."""
    owner = challenge.owner
    parties = [_organization(owner, "buyer" if owner.is_buyer else "procuringEntity")]
    if challenge.group_id:
        group = challenge.group
        others = [group.lead, *(member.organization for member in group.members.all())]
        parties += [_organization(org, "buyer") for org in others if org.is_buyer and org.pk != owner.pk]
    return _merge(parties)


def _phase_tender_id(challenge: Challenge, phase: Phase) -> str:
    return f"challenge-{challenge.pk}-phase-{phase.number}"


def _challenge_release(challenge: Challenge, parties: list[dict], suffix: str, date_value, tag: str) -> dict:
    """The common part of a challenge's releases. Its buyer is the first party buying: the owner, or for a
    network's challenge its buyer group's buyers; a network's challenge without a group names none."""
    release = {"ocid": challenge_ocid(challenge.pk), "id": f"challenge-{challenge.pk}-{suffix}",
               "date": _datetime(date_value), "tag": [tag], "initiationType": "tender", "language": "nb",
               "parties": parties}
    buyer = next((party for party in parties if "buyer" in party["roles"]), None)
    if buyer is not None:
        release["buyer"] = {"id": buyer["id"], "name": buyer["name"]}
    return release


def _phase_title(challenge: Challenge, phase: Phase) -> str:
    return f"{challenge.title} – {phase.number}: {phase.get_kind_display()}"


def challenge_planning_release(challenge: Challenge, cpv_names: dict[str, str], phases: list[Phase]) -> dict:
    """The challenge as planned: the problem (tender.description), what success looks like (the rationale),
    the budget (the phases' together) and a milestone per phase, met once its result is published."""
    budgets = [phase.budget_nok for phase in phases if phase.budget_nok is not None]
    milestones = [{"id": f"phase-{phase.number}", "title": _phase_title(challenge, phase), "type": "assessment",
                   "code": phase.kind, "description": phase.description,
                   "dueDate": _datetime(phase.awards_by or phase.closes_at),
                   "status": "met" if phase.decided_at else "scheduled", "dateMet": _datetime(phase.decided_at)}
                  for phase in phases]
    planning = {"rationale": challenge.success, "milestones": milestones}
    if budgets:
        planning["budget"] = {"id": f"challenge-{challenge.pk}", "amount": _value(sum(budgets), "NOK"),
                              "description": "The sum of the phases' budgets."}
    if challenge.notice_url:
        planning["documents"] = [{"id": f"challenge-{challenge.pk}-notice", "documentType": "tenderNotice",
                                  "title": challenge.title, "url": challenge.notice_url, "format": "text/html"}]
    cpv_codes = [cpv.code for cpv in challenge.cpv_codes.all()]
    release = _challenge_release(challenge, _challenge_parties(challenge), "planning", challenge.published_at,
                                 "planning")
    release["planning"] = planning
    release["tender"] = {"id": f"challenge-{challenge.pk}", "title": challenge.title,
                         "description": challenge.problem, "status": "planned",
                         "items": _items(cpv_codes, cpv_names) if cpv_codes else None}
    return _prune(release)


def challenge_tender_release(challenge: Challenge, cpv_names: dict[str, str], phase: Phase, *, applicants: int,
                             awarded: int) -> dict:
    """One phase's call: its period, budget, the weighted criteria, who may apply, the route and how many have
    applied (never who). Dated when its call opened, or when the challenge was published if that was later (or
    the call is still to open), so a record's compiled release shows the latest phase's tender; every phase
    gives the same fields, so none is left over from the phase before."""
    state = phase.state()
    criteria = "; ".join(f"{criterion.name} ({criterion.weight} %)" for criterion in challenge.criteria.all())
    eligibility = challenge.eligibility
    if phase.invited_only:
        eligibility = "\n".join(filter(None, [eligibility, "Only the suppliers awarded in the phase before."]))
    status = PHASE_TENDER_STATUS[state]
    if state == Phase.State.DECIDED and not awarded:
        status = "unsuccessful"
    cpv_codes = [cpv.code for cpv in challenge.cpv_codes.all()]
    tender = {
        "id": _phase_tender_id(challenge, phase), "title": _phase_title(challenge, phase),
        "description": phase.description or challenge.problem, "status": status,
        "items": _items(cpv_codes, cpv_names) if cpv_codes else None,
        "value": _value(phase.budget_nok, "NOK"),
        "procurementMethod": CHALLENGE_METHODS.get(challenge.route),
        "procurementMethodDetails": str(challenge.get_route_display()),
        "procurementMethodRationale": str(challenge.route_explanation),
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria", "awardCriteriaDetails": criteria,
        "submissionMethod": ["electronicSubmission"],
        "submissionMethodDetails": settings.SITE_URL.rstrip("/") + challenge.get_absolute_url(),
        "eligibilityCriteria": eligibility,
        "tenderPeriod": {"startDate": _datetime(phase.opens_at), "endDate": _datetime(phase.closes_at)},
        # 0 stays (only None, "", [] and {} are pruned): nobody has applied is a fact.
        "numberOfTenderers": applicants,
    }
    opened = phase.opens_at if state != Phase.State.UPCOMING else challenge.published_at
    release = _challenge_release(challenge, _challenge_parties(challenge), f"phase-{phase.number}",
                                 max(challenge.published_at, opened), "tender")
    release["tender"] = tender
    return _prune(release)


def challenge_award_release(challenge: Challenge, phase: Phase, awarded: list[Application]) -> dict:
    """A published result: an award per application that went on, with its amount and its lead and partners
    as suppliers (the award's title names the phase). The applications not awarded are not named."""
    parties = _challenge_parties(challenge)
    awards = []
    for application in awarded:
        suppliers = [_organization(application.lead, "supplier"),
                     *(_organization(partner, "supplier") for partner in application.partners.all())]
        parties += suppliers
        awards.append({"id": f"challenge-{challenge.pk}-award-{application.pk}", "status": "active",
                       "date": _datetime(phase.notified_at), "value": _value(application.awarded_nok, "NOK"),
                       "title": _phase_title(challenge, phase),
                       "suppliers": [{"id": party["id"], "name": party["name"]} for party in suppliers]})
    release = _challenge_release(challenge, _merge(parties), f"phase-{phase.number}-awards", phase.notified_at,
                                 "award")
    release["awards"] = awards
    return _prune(release)


def challenge_releases(challenge: Challenge, cpv_names: dict[str, str]) -> list[dict]:
    """Every release of a challenge's process: planning, a tender per phase, the awards of each phase whose
    result is published."""
    phases = list(challenge.phases.all())
    applications = Application.objects.submitted().filter(phase__in=phases).order_by()
    applicants = dict(applications.values_list("phase").annotate(n=models.Count("pk")))
    found = [challenge_planning_release(challenge, cpv_names, phases)]
    for phase in phases:
        awarded = []
        if phase.notified_at is not None:
            awarded = list(phase.applications.awarded().select_related("lead").prefetch_related("partners")
                           .order_by("-awarded_nok", "lead__name"))
        found.append(challenge_tender_release(challenge, cpv_names, phase, applicants=applicants.get(phase.pk, 0),
                                              awarded=len(awarded)))
        if awarded:
            found.append(challenge_award_release(challenge, phase, awarded))
    return found


def _sources(cases, notices, dialogues, challenges=None) -> list[tuple]:
    """(queryset, release maker) of what is exported, in the order of _process_order's kinds; a queryset is
    None for none. A maker returns a release, or a list of them (a challenge's process)."""
    return [(cases, case_release), (notices, notice_release), (dialogues, dialogue_release),
            (challenges, challenge_releases)]


def releases(cases, notices, dialogues=None, challenges=None):
    """Every release, a case, notice, dialogue or challenge at a time (CPV labels read once per batch)."""
    from delbar.orgs.models import CpvCode
    for queryset, make in _sources(cases, notices, dialogues, challenges):
        if queryset is None:
            continue
        batch = []
        for item in queryset.iterator(chunk_size=500) if hasattr(queryset, "iterator") else queryset:
            batch.append(item)
            if len(batch) == 500:
                yield from _batch(batch, make, CpvCode)
                batch = []
        yield from _batch(batch, make, CpvCode)


def _cpv_of(item) -> set[str]:
    if isinstance(item, Notice):
        return set(item.cpv_codes)
    if isinstance(item, Dialogue):
        return set()
    return {cpv.code for cpv in item.cpv_codes.all()}


def _batch(items, make, cpv_model):
    codes = set()
    for item in items:
        codes |= _cpv_of(item)
    names = {cpv.code: cpv.name for cpv in cpv_model.objects.filter(code__in=codes)}
    for item in items:
        made = make(item, names)
        yield from made if isinstance(made, list) else [made]


def _header(path: str) -> dict:
    site = settings.SITE_URL.rstrip("/")
    return {"uri": f"{site}{path}", "version": OCDS_VERSION, "publishedDate": _datetime(timezone.now()),
            "publisher": {"name": "Delbar", "uri": site}, "license": settings.OCDS_LICENSE,
            "publicationPolicy": f"{site}/about/"}


def _stream(path: str, key: str, items):
    """A package as text, an item at a time. Yields nothing when there is no item: a package needs one."""
    first = True
    for item in items:
        if first:
            yield json.dumps(_header(path), ensure_ascii=False)[:-1] + f', "{key}": [\n'
            first = False
        else:
            yield ",\n"
        yield json.dumps(item, ensure_ascii=False)
    if not first:
        yield "\n]}\n"


def package_chunks(cases, notices, dialogues=None, challenges=None):
    """The release package as text, a release at a time."""
    return _stream("/open-data/ocds.json", "releases", releases(cases, notices, dialogues, challenges))


def _write(stream, chunks) -> int:
    """Writes a package's chunks; returns the number of releases or records (each begins with its ocid)."""
    count = 0
    for chunk in chunks:
        stream.write(chunk)
        count += chunk.startswith("{\"ocid\"")
    return count


def write_package(stream, cases, notices, dialogues=None, challenges=None) -> int:
    """Writes one release package; returns the number of releases."""
    return _write(stream, package_chunks(cases, notices, dialogues, challenges))


# --- Record packages: every release of a contracting process together, with its compiled release ---

RECORD_BATCH = 500  # releases built at a time (with their CPV labels), as for the release package
STAGES = {"planning": 0, "tender": 1}


@functools.cache
def release_schema() -> dict:
    """OCDS 1.1.5's release schema, shipped with Delbar (data/ATTRIBUTION.md): ocdsmerge's merge rules."""
    return json.loads((Path(__file__).parent / "data" / "release-schema.json").read_text())


def _process_order(cases, notices, dialogues=None, challenges=None) -> list[tuple[str, int, int]]:
    """(ocid, 0 for a case, 1 for a notice, 2 for a dialogue or 3 for a challenge, pk) of everything exported,
    sorted by ocid, so the releases of a record come together while only these tuples are held for the whole
    export."""
    order = [(case_ocid(pk), 0, pk) for pk in cases.values_list("pk", flat=True)]
    fields = ("pk", "format", "notice_id", "key", "trail")
    order += [(notice_ocid(notice), 1, notice.pk) for notice in notices.only(*fields).iterator(chunk_size=2000)]
    if dialogues is not None:
        order += [(dialogue_ocid(dialogue), 2, dialogue.pk) for dialogue in dialogues]
    if challenges is not None:
        order += [(challenge_ocid(pk), 3, pk) for pk in challenges.values_list("pk", flat=True)]
    order.sort()
    return order


def records(cases, notices, dialogues=None, challenges=None):
    """Every record: its releases in date order and the compiled release ocdsmerge makes of them."""
    from ocdsmerge import Merger

    merger = Merger(schema=release_schema())
    sources = _sources(cases, notices, dialogues, challenges)
    groups = itertools.groupby(_process_order(cases, notices, dialogues, challenges), key=lambda entry: entry[0])
    pending: list[tuple[str, list]] = []
    for ocid, entries in groups:
        pending.append((ocid, list(entries)))
        if sum(len(entries) for _ocid, entries in pending) >= RECORD_BATCH:
            yield from _records(pending, sources, merger)
            pending = []
    yield from _records(pending, sources, merger)


def _records(pending, sources, merger):
    from delbar.orgs.models import CpvCode

    pks = {kind: [] for kind in range(len(sources))}
    for _ocid, entries in pending:
        for _same, kind, pk in entries:
            pks[kind].append(pk)
    by_ocid: dict[str, list[dict]] = {}
    for kind, (queryset, make) in enumerate(sources):
        if not pks[kind]:
            continue
        for release in _batch(list(queryset.in_bulk(pks[kind]).values()), make, CpvCode):
            by_ocid.setdefault(release["ocid"], []).append(release)
    for ocid, _entries in pending:
        in_order = sorted(by_ocid[ocid], key=_release_order)
        yield {"ocid": ocid, "releases": in_order, "compiledRelease": _prune(merger.create_compiled_release(in_order))}


def _release_order(release: dict) -> tuple:
    """A record's releases by date; on the same date planning before tender before the rest (a challenge's
    planning and first call are published together), then by id."""
    return release.get("date", ""), STAGES.get(release["tag"][0], len(STAGES)), release["id"]


def record_chunks(cases, notices, dialogues=None, challenges=None):
    """The record package as text, a record at a time."""
    return _stream("/open-data/ocds-records.json", "records", records(cases, notices, dialogues, challenges))


def write_record_package(stream, cases, notices, dialogues=None, challenges=None) -> int:
    """Writes one record package; returns the number of records."""
    return _write(stream, record_chunks(cases, notices, dialogues, challenges))
