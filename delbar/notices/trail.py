"""One procurement, one trail: the notices of one procedure — prior information, contract notice,
changes, award, modification — linked however the sources tie them together.

Each notice has references (`references()`): what identifies it (its key; its eForms identifier and
procedure identifier; its OCDS ocid) and what it names (the notice it changes, the earlier notices of
its procedure: TED XML's previous publication, eForms BT-125, OCDS relatedProcesses). Notices sharing a
reference share a trail, and so, step by step, does everything linked to them: the trail is the
connected group. It is worked out incrementally as each notice is stored (`link()`), in any order of
arrival, and the trail's value is the smallest of its members' own values, so the same notices always
make the same trail.

Procedure and notice identifiers count only together with the buyer: example and converted notices reuse
one placeholder identifier across unrelated buyers (ted-xml-data-converter writes the same
ContractFolderID into every conversion), and an ocid without a registered prefix ("10") is unique only
at its publisher. A TED publication number and a registered ocid are unique on their own.
"""

import hashlib
import re
from datetime import date

from django.db.models import Q

from delbar.notices.models import Notice, TrailReference

REGISTERED_OCID = re.compile(r"^ocds-[a-z0-9]{6}-.")


def buyer_key(buyers: list[dict]) -> str:
    """The first buyer, by organisation number when it has one, else by its name as written."""
    buyer = buyers[0] if buyers else {}
    return re.sub(r"\D", "", buyer.get("org_number", "")) or " ".join(buyer.get("name", "").casefold().split())


def _own_value(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _ocid(ocid: str, buyer: str) -> str | None:
    if REGISTERED_OCID.match(ocid):
        return f"ocid:{ocid}"
    return f"ocid:{ocid}@{buyer}" if buyer else None


def references(notice: Notice) -> set[str]:
    """Without a buyer, identifiers that count only with one are left out: notices naming no buyer would all
    share `procedure:<placeholder>@`."""
    buyer = buyer_key(notice.buyers)
    found = {f"key:{notice.key}", *(f"key:{other['key']}" for other in notice.also_from if other.get("key"))}
    if notice.previous:
        found.add(f"key:{notice.previous}")
    if notice.format == "ocds":
        found.add(_ocid(notice.notice_id, buyer))
    elif buyer:
        if notice.format == "eforms" and notice.notice_id:
            found.add(f"eforms:{notice.notice_id}@{buyer}")
        if notice.procedure_id:
            found.add(f"procedure:{notice.procedure_id}@{buyer}")
    for reference in notice.related:
        scheme, _, value = reference.partition(":")
        if scheme == "ted":
            found.add(f"key:ted:{value}")
        elif scheme == "eforms" and buyer:
            found.add(f"eforms:{value}@{buyer}")
        elif scheme == "ocid":
            found.add(_ocid(value, buyer))
    return found - {None}


def join_many(notices: list[Notice]) -> dict:
    """Sets the trails of new notices about to be stored: notices of the batch that share a reference, or a
    stored trail, are one trail, whose value is the smallest of theirs. Returns what `record_many` needs once
    they have ids."""
    values = [{value[:300] for value in references(notice)} for notice in notices]
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(one: str, other: str) -> None:
        parent[root(one)] = root(other)

    every = sorted(set().union(*values))
    for start in range(0, len(every), 2000):
        for value, trail in TrailReference.objects.filter(value__in=every[start:start + 2000]).exclude(
                notice__trail="").values_list("value", "notice__trail"):
            union(f"t:{trail}", f"v:{value}")
    for number, notice_values in enumerate(values):
        for value in notice_values:
            union(f"n:{number}", f"v:{value}")
    groups: dict[str, set[str]] = {}
    for node in list(parent):
        if node[0] in "nt":
            groups.setdefault(root(node), set()).add(node)
    relabel: dict[str, str] = {}
    for members in groups.values():
        own = {notices[int(node[2:])].trail or _own_value(notices[int(node[2:])].key)
               for node in members if node[0] == "n"}
        stored = {node[2:] for node in members if node[0] == "t"}
        chosen = min(own | stored)
        for node in members:
            if node[0] == "n":
                notices[int(node[2:])].trail = chosen
        relabel.update({old: chosen for old in stored - {chosen}})
    for number, notice in enumerate(notices):
        if not values[number]:
            notice.trail = notice.trail or _own_value(notice.key)
    return {"values": values, "relabel": relabel}


def record_many(notices: list[Notice], joined: dict) -> None:
    """Stores new notices' references and, where they joined several stored trails, makes those one."""
    TrailReference.objects.bulk_create([TrailReference(notice=notice, value=value)
                                        for notice, values in zip(notices, joined["values"], strict=True)
                                        for value in sorted(values)], batch_size=1000)
    by_target: dict[str, list[str]] = {}
    for old, new in joined["relabel"].items():
        by_target.setdefault(new, []).append(old)
    for new, olds in by_target.items():
        Notice.objects.filter(trail__in=olds).update(trail=new)


def link(notice: Notice) -> str:
    """Joins a stored notice (one stored before trails, or one a merge gave more references) to every trail
    its references touch; returns its trail."""
    values = {value[:300] for value in references(notice)}
    known = set(TrailReference.objects.filter(notice=notice).values_list("value", flat=True))
    TrailReference.objects.bulk_create([TrailReference(notice=notice, value=value) for value in sorted(values - known)])
    trails = set(Notice.objects.filter(trail_references__value__in=values).exclude(pk=notice.pk).exclude(trail="")
                 .values_list("trail", flat=True).distinct())
    trails.add(notice.trail or _own_value(notice.key))
    trail = min(trails)
    Notice.objects.filter(Q(trail__in=trails - {trail}) | Q(pk=notice.pk)).exclude(trail=trail).update(trail=trail)
    notice.trail = trail
    return trail


def link_missing() -> int:
    """Links notices stored before trails existed, or by an import that stopped before linking them."""
    missing = Notice.objects.filter(trail="").order_by("pk")
    count = 0
    for notice in missing.iterator(chunk_size=500):
        link(notice)
        count += 1
    return count


TIMELINE_LIMIT = 100   # steps shown; a procurement with more is shown by its first hundred notices
TIMELINE_FIELDS = ("pk", "title", "family", "publication_date", "issue_date", "superseded_by", "version", "notice_id",
                   "publication_number", "source", "format", "key", "trail", "source_file", "procedure_id")


def timeline(*notices: Notice) -> list[Notice]:
    """The notices of these notices' trails in the order they were published, earlier versions included."""
    trails = {notice.trail for notice in notices if notice.trail}
    unlinked = [notice for notice in notices if not notice.trail]
    linked = list(Notice.objects.filter(trail__in=trails).only(*TIMELINE_FIELDS).order_by(
        "publication_date", "pk")[:TIMELINE_LIMIT]) if trails else []
    return sorted([*linked, *unlinked], key=lambda notice: (
        (notice.publication_date or notice.issue_date or date.max).toordinal(), notice.pk))
