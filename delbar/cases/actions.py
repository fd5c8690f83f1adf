"""Every change to a case goes through these functions: the web pages, the API, the importer and
the demo call the same ones. Each is atomic and leaves a revision and an audit event behind."""

from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from delbar import search
from delbar.accounts.people import editors_of
from delbar.alerts import notify
from delbar.audit import record
from delbar.cases.documents import safe_display_name
from delbar.cases.models import (
    Benefit,
    Case,
    CaseDocument,
    CaseLink,
    CaseNetwork,
    CaseRevision,
    ContactPerson,
    Status,
)
from delbar.needs.tasks import refresh_later
from delbar.networks.access import network_curators
from delbar.networks.models import Network


class TransitionError(ValueError):
    """A status change that the workflow does not allow from the case's current status."""


# Scalar fields that `create_case` and `update_case` accept in `fields`.
EDITABLE_FIELDS = (
    "title", "summary", "need", "requirements", "solution", "category", "sector", "language",
    "procedure", "year", "needs_assessment_date", "competition_date", "contract_date",
    "implementation_date", "evaluation_date", "contract_value_nok", "outcome", "lessons",
    "what_went_wrong", *Case.ROGERS_FIELDS,
)
M2M_RELATIONS = ("other_sectors", "cpv_codes", "partner_buyers", "suppliers", "notices")
CHILD_RELATIONS = {
    "benefits": (Benefit, ("kind", "description", "amount", "unit")),
    "links": (CaseLink, ("kind", "url", "title")),
    "contacts": (ContactPerson, ("name", "role", "email", "phone", "consent_given_at")),
}


def snapshot(case: Case) -> dict:
    """The case as a revision stores it. Contact persons appear by count only: personal data must
    disappear when removed, and revisions are kept for good."""
    data = {name: _plain(getattr(case, name if name != "sector" else "sector_id")) for name in EDITABLE_FIELDS}
    data["status"] = case.status
    data["lead_buyer"] = case.lead_buyer_id
    data["other_sectors"] = sorted(case.other_sectors.values_list("pk", flat=True))
    data["cpv_codes"] = sorted(case.cpv_codes.values_list("pk", flat=True))
    data["partner_buyers"] = sorted(case.partner_buyers.values_list("pk", flat=True))
    data["suppliers"] = sorted(case.suppliers.values_list("pk", flat=True))
    data["notices"] = sorted(case.notices.values_list("pk", flat=True))
    data["benefits"] = [_benefit_row(b.kind, b.description, b.amount, b.unit) for b in case.benefits.all()]
    data["links"] = [_link_row(link.kind, link.url, link.title) for link in case.links.all()]
    data["contacts"] = case.contacts.count()
    data["documents"] = [[d.kind, d.title, d.original_name] for d in case.documents.all()]
    return data


def _plain(value):
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


def _benefit_row(kind, description, amount, unit) -> list:
    # The amount with two decimals, as the database stores it, so 95 from a file equals 95.00 read back.
    return [kind, description, None if amount is None else f"{Decimal(amount):.2f}", unit or ""]


def _link_row(kind, url, title) -> list:
    return [kind, url, title or ""]


def proposed_snapshot(previous: dict, *, fields: dict, relations: dict, lead_buyer, status: str) -> dict | None:
    """The snapshot a case would have after these changes, computed without writing, or None when
    that cannot be told (a related organization does not exist yet). Lets an importer skip lines
    that change nothing, which is most of them on a re-import."""
    proposed = dict(previous)
    for name, value in fields.items():
        proposed[name] = _plain(value.pk if name == "sector" else value)
    proposed["status"] = status
    proposed["lead_buyer"] = getattr(lead_buyer, "pk", None)
    for name in M2M_RELATIONS:
        if name in relations:
            if any(getattr(item, "pk", None) is None for item in relations[name]):
                return None
            proposed[name] = sorted(item.pk for item in relations[name])
    if "benefits" in relations:
        proposed["benefits"] = [_benefit_row(b["kind"], b["description"], b.get("amount"), b.get("unit"))
                                for b in relations["benefits"]]
    if "links" in relations:
        proposed["links"] = [_link_row(link["kind"], link["url"], link.get("title")) for link in relations["links"]]
    if proposed["lead_buyer"] is None:
        return None
    return proposed


def _revise(case: Case, actor, action: str, **audit_data) -> CaseRevision | None:
    """Writes a revision and an audit event if anything changed since the last revision."""
    current = snapshot(case)
    previous = case.revisions.first()
    if previous is not None:
        changed = sorted(key for key in current if previous.snapshot.get(key) != current[key])
        if not changed:
            return None
        number = previous.number + 1
    else:
        changed, number = sorted(current), 1
    revision = CaseRevision.objects.create(case=case, number=number, author=_user(actor),
                                           changed_fields=changed, snapshot=current)
    record(actor=actor, action=action, obj=case, revision=number, changed=changed, **audit_data)
    search.index(case)
    refresh_later("case", [case.pk])
    return revision


def _user(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _apply(case: Case, fields: dict, relations: dict) -> None:
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable case field")
        setattr(case, name, value)
    case.save()
    for name in M2M_RELATIONS:
        if name in relations:
            getattr(case, name).set(relations[name])
    for name, (model, allowed) in CHILD_RELATIONS.items():
        if name not in relations:
            continue
        getattr(case, name).all().delete()
        rows = []
        for item in relations[name]:
            values = {key: item.get(key) for key in allowed if item.get(key) is not None}
            if model is ContactPerson:
                values.setdefault("consent_given_at", timezone.now())
            rows.append(model(case=case, **values))
        model.objects.bulk_create(rows)


def record_change(*, case: Case, actor, action: str) -> bool:
    """Revises and audits a change saved elsewhere (Django's admin); False if nothing changed."""
    return _revise(case, actor, action) is not None


@transaction.atomic
def create_case(*, actor, lead_buyer, fields: dict, relations: dict | None = None,
                external_id: str | None = None, status: str = Status.DRAFT, published_at=None) -> Case:
    """A new case; drafts by default. Importers may create it in another status directly."""
    case = Case(lead_buyer=lead_buyer, created_by=_user(actor), external_id=external_id, status=status,
                published_at=published_at)
    if status == Status.PUBLISHED and published_at is None:
        case.published_at = timezone.now()
    _apply(case, fields, relations or {})
    _revise(case, actor, "case.create")
    return case


@transaction.atomic
def update_case(*, case: Case, actor, fields: dict, relations: dict | None = None,
                lead_buyer=None) -> bool:
    """Applies the changes; True if anything changed (an unchanged save leaves no trace)."""
    if lead_buyer is not None:
        case.lead_buyer = lead_buyer
    _apply(case, fields, relations or {})
    return _revise(case, actor, "case.update") is not None


def _transition(case: Case, actor, *, allowed_from: tuple, to: str, action: str, **audit_data) -> Case:
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status not in allowed_from:
            raise TransitionError(f"A {case.status} case cannot be {action.split('.')[-1]}.")
        case.status = to
        now = timezone.now()
        if to == Status.SUBMITTED:
            case.submitted_at = now
        if to == Status.PUBLISHED and case.published_at is None:
            case.published_at = now
        if to != Status.DRAFT:
            case.return_comment = ""
        if "comment" in audit_data:
            case.return_comment = audit_data["comment"]
        case.save()
        _revise(case, actor, action, **audit_data)
    return case


def submit_case(*, case: Case, actor) -> Case:
    return _transition(case, actor, allowed_from=(Status.DRAFT,), to=Status.SUBMITTED, action="case.submit")


@transaction.atomic
def publish_case(*, case: Case, actor) -> Case:
    """Publishes a submission (or an archived case again); its editors are told."""
    case = _transition(case, actor, allowed_from=(Status.SUBMITTED, Status.ARCHIVED), to=Status.PUBLISHED,
                       action="case.publish")
    notify(editors_of(case.lead_buyer_id), event=f"case-published:{case.pk}:{case.revisions.first().number}",
           title=_("Published: %(title)s") % {"title": case.title}, url=case.get_absolute_url())
    return case


def return_case(*, case: Case, actor, comment: str) -> Case:
    """A curator sends a submission back to its authors as a draft, saying what to change."""
    if not comment.strip():
        raise ValueError("A returned case needs a comment saying what to change.")
    with transaction.atomic():
        case = _transition(case, actor, allowed_from=(Status.SUBMITTED,), to=Status.DRAFT, action="case.return",
                           comment=comment.strip())
        notify(editors_of(case.lead_buyer_id), event=f"case-returned:{case.pk}:{case.revisions.first().number}",
               title=_("Returned with a comment from the curator: %(title)s") % {"title": case.title},
               url=case.get_absolute_url())
    return case


@transaction.atomic
def submit_to_networks(*, case: Case, actor, networks: list[Network]) -> Case:
    """Submits a draft for review and offers it to `networks`: their own curators then review it in their
    queue (cases/access.py), Delbar's curators in theirs. Offers of an earlier submission that are not
    chosen again are withdrawn. Each network's curators are told."""
    case = submit_case(case=case, actor=actor)
    chosen = {network.organization_id: network for network in networks}
    CaseNetwork.objects.filter(case=case, via=CaseNetwork.Via.SUBMISSION).exclude(network_id__in=chosen).delete()
    for org_id in chosen:
        CaseNetwork.objects.get_or_create(case=case, network_id=org_id, defaults={
            "via": CaseNetwork.Via.SUBMISSION, "added_by": _user(actor)})
    if chosen:
        record(actor=actor, action="case.offer", obj=case, networks=sorted(chosen))
    number = case.revisions.first().number
    for network in chosen.values():
        notify(network_curators(network), event=f"case-offered:{case.pk}:{network.pk}:{number}",
               title=_("Submitted to %(network)s: %(title)s") % {"network": network.name, "title": case.title},
               url=reverse("network_queue", args=[network.slug]))
    return case


@transaction.atomic
def add_to_network(*, case: Case, network: Network, actor) -> CaseNetwork:
    """Puts a case into a network's collection (its curators' choice)."""
    link, _created = CaseNetwork.objects.get_or_create(case=case, network_id=network.organization_id, defaults={
        "via": CaseNetwork.Via.CURATOR, "added_by": _user(actor)})
    record(actor=actor, action="case.network.add", obj=case, network=network.organization_id)
    return link


@transaction.atomic
def remove_from_network(*, case: Case, network: Network, actor) -> bool:
    """Takes a case offered to or added to a network out of it; False if it was not there."""
    removed, _counts = CaseNetwork.objects.filter(case=case, network_id=network.organization_id).delete()
    if removed:
        record(actor=actor, action="case.network.remove", obj=case, network=network.organization_id)
    return bool(removed)


def archive_case(*, case: Case, actor) -> Case:
    return _transition(case, actor, allowed_from=(Status.PUBLISHED,), to=Status.ARCHIVED, action="case.archive")


@transaction.atomic
def delete_draft(*, case: Case, actor) -> None:
    if case.status != Status.DRAFT:
        raise TransitionError("Only drafts can be deleted; archive a published case instead.")
    record(actor=actor, action="case.delete", obj=case, title=case.title)
    search.remove(case)
    refresh_later("case", [case.pk])
    for document in case.documents.all():
        document.file.delete(save=False)
    case.delete()


@transaction.atomic
def attach_document(*, case: Case, actor, upload, content_type: str, kind: str, title: str,
                    copied_from: CaseDocument | None = None, attribution: str = "") -> CaseDocument:
    """Stores an upload already checked by documents.inspect_upload."""
    document = CaseDocument(case=case, kind=kind, title=title or safe_display_name(upload.name),
                            original_name=safe_display_name(upload.name), content_type=content_type,
                            size=upload.size, uploaded_by=_user(actor), copied_from=copied_from,
                            attribution=attribution)
    document.file.save(document.original_name, upload, save=False)
    document.save()
    _revise(case, actor, "case.document.attach", document=document.original_name)
    return document


@transaction.atomic
def remove_document(*, document: CaseDocument, actor) -> None:
    case = document.case
    stored = document.file.name
    document.delete()
    # The file goes only once the database agrees it is gone.
    transaction.on_commit(lambda: document.file.storage.delete(stored))
    _revise(case, actor, "case.document.remove", document=document.original_name)


@transaction.atomic
def remove_contact(*, contact: ContactPerson, actor) -> None:
    """Deletes a contact person's personal data at their request; the audit keeps no name."""
    case = contact.case
    contact.delete()
    _revise(case, actor, "case.contact.remove")


@transaction.atomic
def reuse_case(*, source: Case, actor, organization) -> Case:
    """"Use as a starting point": a new draft for `organization` with the source's need, requirements
    and classification, and copies of its documents credited to the original."""
    fields = {name: getattr(source, name) for name in (
        "need", "requirements", "category", "procedure", "language")}
    fields["sector"] = source.sector
    fields["title"] = source.title
    fields["summary"] = ""
    draft = Case(lead_buyer=organization, created_by=_user(actor), based_on=source, status=Status.DRAFT)
    _apply(draft, fields, {
        "other_sectors": list(source.other_sectors.all()),
        "cpv_codes": list(source.cpv_codes.all()),
    })
    credit = f"{source.title} – {source.lead_buyer.name}"
    for original in source.documents.all():
        copy = CaseDocument(case=draft, kind=original.kind, title=original.title,
                            original_name=original.original_name, content_type=original.content_type,
                            size=original.size, uploaded_by=_user(actor), copied_from=original,
                            attribution=original.attribution or credit)
        with original.file.open("rb") as handle:
            copy.file.save(original.original_name, ContentFile(handle.read()), save=False)
        copy.save()
    _revise(draft, actor, "case.reuse", source=source.pk)
    return draft
