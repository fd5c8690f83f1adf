"""Every change in a network goes through these functions: the pages, the API, the demo and the tests call
the same ones. Each is atomic, audited, and tells whoever must know. Members-only news is told to the
members' people under a title that names the network only, so no e-mail carries its content."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from delbar.accounts.people import editors_of, members_of
from delbar.alerts import notify
from delbar.audit import record
from delbar.cases import actions as case_actions
from delbar.cases.documents import safe_display_name
from delbar.cases.models import Case, CaseNetwork
from delbar.networks.access import joinable_organizations, member_org_ids, network_curators
from delbar.networks.models import ORIGIN, Network, NetworkDocument, NetworkMember, NewsItem, Post
from delbar.orgs.models import Organization

# Fields of a network its curators change; the organization, slug and kind are Delbar's administrators'.
EDITABLE_FIELDS = ("description", "website", "embed_origins", "accepts_suppliers")
LOGO_SIZE = (512, 512)  # the largest a logo is shown (the network page draws it at most 12rem wide)
# Slugs that name pages of /nettverk/ itself, so no network may take them.
RESERVED_SLUGS = {"mine", "collection"}


class NetworkError(ValueError):
    """A change the rules do not allow; the message says why, for the user."""


def origin_problems(text: str) -> list[str]:
    """The lines of an embed_origins text that are not an https origin, each with the reason."""
    problems = []
    for line in (line.strip().rstrip("/") for line in text.splitlines()):
        if not line:
            continue
        try:
            ORIGIN(line)
        except ValidationError as error:
            problems.append(f"{line}: {' '.join(error.messages)}")
    return problems


@transaction.atomic
def create_network(*, organization: Organization, slug: str, kind: str, description: str, actor,
                   website: str = "", embed_origins: str = "", accepts_suppliers: bool = False) -> Network:
    """A network for an organization of kind "network" (Delbar's administrators, the demo, tests)."""
    if organization.kind != Organization.Kind.NETWORK:
        raise NetworkError(_("A network is made for an organization of the kind “network or programme”."))
    if slug in RESERVED_SLUGS:
        raise NetworkError(_("That short name is taken by a page of Delbar."))
    if origin_problems(embed_origins):
        raise NetworkError(" ".join(origin_problems(embed_origins)))
    network = Network.objects.create(organization=organization, slug=slug, kind=kind, description=description,
                                     website=website, embed_origins=embed_origins,
                                     accepts_suppliers=accepts_suppliers)
    record(actor=actor, action="network.create", obj=network, slug=slug)
    return network


def _logo_png(upload) -> ContentFile:
    """The uploaded image drawn again as a PNG of at most LOGO_SIZE: what is stored and served is only
    pixels, whatever else the file held (metadata, a second format hidden behind the first)."""
    upload.seek(0)
    with Image.open(upload) as image:
        image.load()
        picture = image.convert("RGBA")
    picture.thumbnail(LOGO_SIZE)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return ContentFile(out.getvalue(), name="logo.png")


@transaction.atomic
def update_network(*, network: Network, actor, fields: dict, logo=None, remove_logo: bool = False) -> list[str]:
    """Changes what the network's curators may change; returns the names of the fields that changed."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable by a network's curators: {sorted(unknown)}")
    if "embed_origins" in fields:
        problems = origin_problems(fields["embed_origins"])
        if problems:
            raise NetworkError(" ".join(problems))
        fields = {**fields, "embed_origins": "\n".join(
            line.strip().rstrip("/") for line in fields["embed_origins"].splitlines() if line.strip())}
    if "description" in fields and not fields["description"].strip():
        raise NetworkError(_("Write what the network is and whom it is for."))
    changed = [name for name, value in fields.items() if getattr(network, name) != value]
    for name in changed:
        setattr(network, name, fields[name])
    old_logo = network.logo.name if network.logo else ""
    if logo is not None:
        network.logo.save("logo.png", _logo_png(logo), save=False)
        changed.append("logo")
    elif remove_logo and old_logo:
        network.logo = ""
        changed.append("logo")
    if changed:
        network.save()
        record(actor=actor, action="network.update", obj=network, changed=changed)
    if old_logo and "logo" in changed:
        storage = network.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    return changed


# --- Members ---

@transaction.atomic
def request_join(*, network: Network, actor, organization: Organization) -> NetworkMember:
    """Asks, for `organization`, to join; the network's curators are told and decide."""
    if organization.pk not in {org.pk for org in joinable_organizations(actor, network)}:
        raise NetworkError(_("%(organization)s cannot ask to join this network.") % {"organization": organization.name})
    member = NetworkMember.objects.create(network=network, organization=organization, requested_by=actor)
    record(actor=actor, action="network.join_request", obj=network, organization=organization.pk)
    notify(network_curators(network), event=f"network-join:{member.pk}",
           title=_("%(organization)s asks to join %(network)s") % {"organization": organization.name,
                                                                  "network": network.name},
           url=reverse("network_members", args=[network.slug]))
    return member


@transaction.atomic
def decide_join(*, member: NetworkMember, actor, approve: bool) -> NetworkMember | None:
    """Approves a request (the organization becomes a member) or declines it (the request goes, so it may be
    asked again later). The requesting organization's editors and the requester are told."""
    member = NetworkMember.objects.select_for_update(of=("self",)).select_related(
        "network", "organization").get(pk=member.pk)
    member_pk = member.pk
    if member.status != NetworkMember.Status.PENDING:
        raise NetworkError(_("This request is already decided."))
    network, organization = member.network, member.organization
    people = list(editors_of(organization.pk)) + ([member.requested_by] if member.requested_by else [])
    if approve:
        member.status = NetworkMember.Status.ACTIVE
        member.decided_by, member.decided_at = actor, timezone.now()
        member.save()
        title = _("%(organization)s is now a member of %(network)s")
        outcome = member
    else:
        member.delete()
        title = _("%(network)s declined the request from %(organization)s")
        outcome = None
    record(actor=actor, action="network.join_approve" if approve else "network.join_decline", obj=network,
           organization=organization.pk)
    notify(people, event=f"network-join-decided:{member_pk}",
           title=title % {"organization": organization.name, "network": network.name},
           url=network.get_absolute_url())
    return outcome


@transaction.atomic
def leave(*, member: NetworkMember, actor) -> None:
    """The organization leaves the network (or withdraws its request); its cases stay in the collection
    only where they were offered to it."""
    network, organization_id = member.network, member.organization_id
    member.delete()
    record(actor=actor, action="network.leave", obj=network, organization=organization_id)


# --- News ---

def _clean_news(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise NetworkError(_("A news item needs a title and a text."))
    return title, body


@transaction.atomic
def post_news(*, network: Network, actor, title: str, body: str, members_only: bool = False) -> NewsItem:
    """Posts a news item. Members-only items are told to the members' people and the network's curators, by
    a title that does not carry the item's own; public items are told to nobody (the feed carries them)."""
    title, body = _clean_news(title, body)
    item = NewsItem.objects.create(network=network, title=title, body=body, members_only=members_only, author=actor)
    record(actor=actor, action="network.news", obj=network, item=item.pk, members_only=members_only)
    if members_only:
        people = {user for user in members_of(*member_org_ids(network))} | set(network_curators(network))
        notify([user for user in people if user.pk != getattr(actor, "pk", None)], event=f"network-news:{item.pk}",
               title=_("News for the members of %(network)s") % {"network": network.name},
               url=item.get_absolute_url())
    return item


@transaction.atomic
def edit_news(*, item: NewsItem, actor, title: str, body: str, members_only: bool) -> NewsItem:
    item.title, item.body = _clean_news(title, body)
    item.members_only = members_only
    item.save()
    record(actor=actor, action="network.news_edit", obj=item.network, item=item.pk, members_only=members_only)
    return item


@transaction.atomic
def delete_news(*, item: NewsItem, actor) -> None:
    record(actor=actor, action="network.news_delete", obj=item.network, item=item.pk)
    item.delete()


# --- The members' area ---

@transaction.atomic
def upload_document(*, network: Network, actor, upload, content_type: str, title: str = "") -> NetworkDocument:
    """Stores an upload already checked by cases.documents.inspect_upload."""
    document = NetworkDocument(network=network, title=title.strip() or safe_display_name(upload.name),
                               original_name=safe_display_name(upload.name), content_type=content_type,
                               size=upload.size, uploaded_by=actor)
    document.file.save(document.original_name, upload, save=False)
    document.save()
    record(actor=actor, action="network.document", obj=network, document=document.pk)
    return document


@transaction.atomic
def post_message(*, network: Network, actor, organization: Organization | None, body: str) -> Post:
    if not body.strip():
        raise NetworkError(_("Write a message."))
    post = Post.objects.create(network=network, author=actor, organization=organization, body=body.strip())
    record(actor=actor, action="network.post", obj=network, post=post.pk)
    return post


# --- The collection ---

@transaction.atomic
def add_case(*, network: Network, case: Case, actor) -> CaseNetwork:
    """Adds a published case to the collection."""
    if not case.is_published:
        raise NetworkError(_("Only a published case can be added to a collection."))
    if CaseNetwork.objects.filter(case=case, network_id=network.organization_id).exists():
        raise NetworkError(_("The case is already in the collection."))
    return case_actions.add_to_network(case=case, network=network, actor=actor)


@transaction.atomic
def remove_case(*, network: Network, case: Case, actor) -> None:
    """Takes a case added to (or offered to) the network out of it. A member's own published cases are in the
    collection because the member is, and cannot be taken out one by one."""
    if case_actions.remove_from_network(case=case, network=network, actor=actor):
        return
    if case.lead_buyer_id in member_org_ids(network):
        raise NetworkError(_("The case is in the collection because its buyer is a member; it cannot be taken "
                             "out on its own."))
    raise NetworkError(_("The case is not in the collection."))
