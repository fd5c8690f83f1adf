"""Bringing notices into Delbar: one upsert per notice, keyed by the source's identity and version.

Each notice commits on its own, so a broken file costs only itself and an interrupted import loses
nothing it had finished: running it again finds those notices present and goes on. Search is written
in batches after the notices (embedding is the slow part); `index_missing()` at the start of every
import catches up on what an interrupted run had stored but not yet indexed.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import ftfy
from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from delbar import search
from delbar.needs.tasks import refresh_later
from delbar.notices import discovery, trail
from delbar.notices.models import Family, Notice, Source, TrailReference
from delbar.notices.sources import ParsedNotice, ParseError, country_code, parse
from delbar.orgs.models import County, Organization

# Files stored in one transaction (settings.NOTICE_IMPORT_BATCH, 256), and notices indexed in one search write.
# Importing 1,200 Doffin copies without embedding into SQLite (bench/bench_notices.py's import on a loaded
# 2-core machine): 157 notices/s with 64 a batch, 245/s with 256; every notice committed alone ran at 105/s on
# a quiet one. A batch also stops at STORE_BATCH_BYTES of files, so memory stays bounded whatever their sizes.
STORE_BATCH_BYTES = 64 * 1024 * 1024
INDEX_BATCH = 256
MAX_FILE_BYTES = 50 * 1024 * 1024
SUFFIXES = {".xml", ".json"}
CPV = re.compile(r"^(\d{8})(-\d)?$")
MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf€™œž]")


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    conflicting: int = 0          # a different document under a key already present: the first is kept
    superseded: int = 0
    merged: int = 0               # another reading of a stored notice (Doffin and TED; TED XML and eForms)
    with_problems: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)     # (file, reason)
    created_ids: list[int] = field(default_factory=list)
    on_skip: Callable[[str, str], None] | None = None   # told of each skip as it happens (the import command)

    def skip(self, name: str, reason: str) -> None:
        self.skipped.append((name, reason))
        if self.on_skip:
            self.on_skip(name, reason)

    def table(self) -> list[tuple[str, int]]:
        return [("new", self.created), ("already present", self.unchanged),
                ("merged into a notice read from another source", self.merged),
                ("superseded by a newer version", self.superseded), ("with problems recorded", self.with_problems),
                ("a different document under a stored identity", self.conflicting), ("skipped", len(self.skipped))]

    def __str__(self) -> str:
        return (f"{self.created} new notices, {self.unchanged} already present, {self.merged} merged into a notice "
                f"read from another source, {self.superseded} superseded by a "
                f"newer version, {self.with_problems} with problems recorded, {len(self.skipped)} skipped")


def notice_files(path: Path) -> list[Path]:
    """The file itself, or every .xml and .json file under a folder, in a stable order."""
    if path.is_file():
        return [path]
    return sorted(file for file in path.rglob("*") if file.suffix.lower() in SUFFIXES and file.is_file()
                  and not any(part.startswith(".") for part in file.relative_to(path).parts))


def import_path(path: Path, *, source: str = Source.FILE, report: ImportReport | None = None,
                progress=None) -> ImportReport:
    """Imports every notice file under `path`. Files are stored NOTICE_IMPORT_BATCH to a transaction (new notices
    together, the others each in its own savepoint; if the batch insert fails, one at a time, so one that
    fails is skipped alone), then their search entries are written: a run
    stopped half-way keeps every batch it committed, and the next run indexes what was stored but not
    indexed (`index_missing`) and finds the rest unchanged."""
    report = report or ImportReport()
    catch_up()
    batch: list[tuple[bytes, Path]] = []
    held = 0

    def store(batch) -> None:
        directory = buyer_directory()
        documents = []
        for data, file in batch:
            try:
                documents.append((data, str(file), parse(data)))
            except ParseError as error:
                report.skip(str(file), str(error))
        with transaction.atomic():
            pending = store_parsed(documents, source=source, report=report, directory=directory)
        if progress:
            for _data, file in batch:
                progress(file, report)
        index_notices(pending)

    for file in notice_files(path):
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                report.skip(str(file), f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
                continue
            batch.append((file.read_bytes(), file))
            held += len(batch[-1][0])
        except OSError as error:
            report.skip(str(file), f"cannot be read: {error.strerror or error}")
            continue
        if len(batch) >= settings.NOTICE_IMPORT_BATCH or held >= STORE_BATCH_BYTES:
            store(batch)
            batch, held = [], 0
    store(batch)
    return report


def import_document(data: bytes, *, source: str, source_file: str, report: ImportReport,
                    fetched_at=None, directory: "Directory | None" = None) -> list[int]:
    """Stores every notice in one document; returns the ids whose search entries must be written."""
    try:
        parsed_notices = parse(data)
    except ParseError as error:
        report.skip(source_file, str(error))
        return []
    return store_parsed([(data, source_file, parsed_notices)], source=source, report=report, directory=directory,
                        fetched_at=fetched_at)


def store_parsed(documents: list[tuple[bytes, str, list[ParsedNotice]]], *, source: str, report: ImportReport,
                 directory: "Directory | None" = None, fetched_at=None) -> list[int]:
    """Stores the parsed notices of these documents, in order; returns the ids whose search must be written.

    Notices that meet nothing stored — no notice with their key or identifier, none naming them as the
    notice it changes — and nothing earlier in the batch are inserted together (`_insert_new`): one query
    for their trails, one insert for the notices, one for their references. The rest (new versions, second
    readings, copies) go one at a time through `upsert`, after them, each in its own savepoint."""
    fetched_at = fetched_at or timezone.now()
    directory = directory or buyer_directory()
    items = [(parsed, parsed.raw or data, name) for data, name, notices in documents for parsed in notices]
    new, one_by_one = _partition(items)
    changed: list[int] = []
    if new:
        try:
            with transaction.atomic():
                changed += _insert_new(new, source=source, report=report, directory=directory, fetched_at=fetched_at)
        except (DatabaseError, ValueError):
            # One of them cannot be stored as it is (or another import stored one meanwhile): one at a time,
            # so only that one is skipped, with its reason.
            order = {id(item): number for number, item in enumerate(items)}
            one_by_one = sorted(new + one_by_one, key=lambda item: order[id(item)])
    for parsed, raw, name in one_by_one:
        changed += _store_one(parsed, raw=raw, source=source, source_file=name, report=report, directory=directory,
                              fetched_at=fetched_at)
    return changed


def _chunks(values: list, size: int = 2000):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _partition(items: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    """(notices that meet nothing stored or earlier in the batch, the others), each in document order."""
    keys = [parsed.key[:250] for parsed, _raw, _name in items]
    identifiers = list({parsed.notice_id[:200] for parsed, _raw, _name in items})
    met: set[str] = set()
    for chunk in _chunks(keys):
        met.update(f"key:{key}" for key in Notice.objects.filter(key__in=chunk).values_list("key", flat=True))
        met.update(f"key:{key}" for key in Notice.objects.filter(previous__in=chunk).values_list("previous", flat=True))
    for chunk in _chunks(identifiers):
        met.update(f"id:{identifier}" for identifier in
                   Notice.objects.filter(notice_id__in=chunk).values_list("notice_id", flat=True))
    named_as_previous = {parsed.previous_key[:250] for parsed, _raw, _name in items if parsed.previous_key}
    new, one_by_one = [], []
    for item in items:
        parsed = item[0]
        marks = {f"key:{parsed.key[:250]}", f"id:{parsed.notice_id[:200]}"}
        if marks & met or parsed.previous_key or parsed.key[:250] in named_as_previous:
            one_by_one.append(item)
        else:
            new.append(item)
        met |= marks
    return new, one_by_one


def _insert_new(items: list[tuple], *, source: str, report: ImportReport, directory, fetched_at) -> list[int]:
    notices, problems = [], []
    for parsed, raw, name in items:
        digest = parsed.content_digest or hashlib.sha256(raw).hexdigest()
        notices.append(build(parsed, raw=raw, digest=digest, source=source, source_file=name, fetched_at=fetched_at,
                             directory=directory))
        problems.append(bool(parsed.problems))
    joined = trail.join_many(notices)
    Notice.objects.bulk_create(notices, batch_size=500)
    if any(notice.pk is None for notice in notices):
        # Databases that cannot return ids from a bulk insert (SQLite before 3.35): read them back.
        ids = dict(Notice.objects.filter(key__in=[notice.key for notice in notices]).values_list("key", "pk"))
        for notice in notices:
            notice.pk = ids[notice.key]
    trail.record_many(notices, joined)
    report.created += len(notices)
    report.created_ids += [notice.pk for notice in notices]
    report.with_problems += sum(problems)
    return [notice.pk for notice in notices]


def _store_one(parsed: ParsedNotice, *, raw: bytes, source: str, source_file: str, report: ImportReport, directory,
               fetched_at) -> list[int]:
    try:
        outcome, ids = upsert(parsed, raw=raw, source=source, source_file=source_file, fetched_at=fetched_at,
                              directory=directory)
    except (DatabaseError, ValueError) as error:
        report.skip(source_file, f"notice {parsed.key[:80]!r} could not be stored: {error}")
        return []
    if outcome == "created":
        report.created += 1
        report.created_ids.append(ids[0])
        report.superseded += len(ids) - 1
        report.with_problems += bool(parsed.problems)
    elif outcome == "unchanged":
        report.unchanged += 1
    elif outcome == "merged":
        report.merged += 1
    else:
        report.conflicting += 1
        report.skip(source_file, f"a different document with the same identity ({parsed.key[:80]}) is already "
                                 "stored; a published version does not change, so the first one is kept")
    return ids


def upsert(parsed: ParsedNotice, *, raw: bytes, source: str, source_file: str, fetched_at,
           directory: "Directory | None" = None) -> tuple[str, list[int]]:
    """("created", [id, ids of versions it superseded…]), ("merged", [id]), ("unchanged", []) or
    ("conflicting", [])."""
    # The same notice is the same content however it is packaged or formatted. Notices stored before
    # content digests were kept under their bytes' digest, which is still recognised.
    digest = parsed.content_digest or hashlib.sha256(raw).hexdigest()
    existing = same_notice(parsed)
    if existing is not None:
        if {digest, hashlib.sha256(raw).hexdigest()} & existing.digests:
            return "unchanged", []
        if existing.key == parsed.key and existing.format == parsed.format:
            return "conflicting", []
        incoming = build(parsed, raw=raw, digest=digest, source=source, source_file=source_file,
                         fetched_at=fetched_at, directory=directory)
        with transaction.atomic():
            merge(existing, incoming)
            trail.link(existing)
            changed = link_versions(existing)
        return "merged", [existing.pk, *[pk for pk in changed if pk != existing.pk]]
    try:
        with transaction.atomic():
            notice = build(parsed, raw=raw, digest=digest, source=source, source_file=source_file,
                           fetched_at=fetched_at, directory=directory)
            joined = trail.join_many([notice])
            notice.save()
            trail.record_many([notice], joined)
            changed = link_versions(notice)
    except IntegrityError:
        # Another import stored the same key in the meantime.
        return "unchanged", []
    return "created", [notice.pk, *[pk for pk in changed if pk != notice.pk]]


def same_notice(parsed: ParsedNotice) -> Notice | None:
    """The stored notice this one is a copy or another reading of: the same key (a TED notice as TED XML and
    as eForms), or the same eForms notice and version from the same buyer published on Doffin and on TED.
    Two readings with different TED publication numbers are different notices: converted notices share one
    placeholder identifier."""
    # Two lookups, each on its own index (one OR of both made SQLite scan the table).
    found = Notice.objects.filter(key=parsed.key[:250]).defer("raw").first()
    if found is not None or parsed.format != "eforms" or not parsed.notice_id:
        return found
    candidates = Notice.objects.filter(notice_id=parsed.notice_id[:200], version=parsed.version[:100],
                                       format="eforms").defer("raw").order_by("pk")
    buyer = trail.buyer_key([_party(party) for party in parsed.buyers])
    for candidate in candidates:
        if parsed.publication_number and candidate.publication_number:
            continue
        if trail.buyer_key(candidate.buyers) == buyer:
            return candidate
    return None


# What a second reading of the same notice can add: each field taken from it when the stored reading has none,
# lists when it has more (more lots, more winners, more codes). Identity and provenance stay the first reading's.
MERGED = ("description", "language", "issue_date", "publication_date", "deadline", "notice_type", "family",
          "subtype", "procedure_id", "customization", "nature", "procedure", "main_cpv", "county_id")
MERGED_LISTS = ("buyers", "winners", "cpv_codes", "classifications", "nuts", "innovative_acquisition",
                "strategic_procurement", "lots")
MERGED_VALUES = (("estimated_value", "estimated_currency"), ("awarded_value", "awarded_currency"))


def merge(stored: Notice, incoming: Notice) -> None:
    """The richer reading wins field by field; the notice remembers each source it was read from."""
    if stored.organization_id is None and incoming.organization_id is not None:
        # The buyer Delbar knows decides the county, as when a notice is first stored.
        stored.organization_id, stored.county_id = incoming.organization_id, incoming.county_id
    for name in MERGED:
        if getattr(stored, name) in ("", None) and getattr(incoming, name) not in ("", None):
            setattr(stored, name, getattr(incoming, name))
    for name in MERGED_LISTS:
        if len(getattr(incoming, name)) > len(getattr(stored, name)):
            setattr(stored, name, getattr(incoming, name))
    for value, currency in MERGED_VALUES:
        if getattr(stored, value) is None and getattr(incoming, value) is not None:
            setattr(stored, value, getattr(incoming, value))
            setattr(stored, currency, getattr(incoming, currency))
    if incoming.titles and not stored.titles:   # the stored title is a stand-in ("notice 123-2024")
        stored.title = incoming.title
    stored.titles = incoming.titles | stored.titles
    stored.descriptions = incoming.descriptions | stored.descriptions
    stored.related = list(dict.fromkeys([*stored.related, *incoming.related]))
    finding = _assess(stored)
    stored.signal, stored.signal_score, stored.signal_reasons = finding.level, finding.score, finding.reasons
    stored.also_from = [*stored.also_from, {
        "source": incoming.source, "format": incoming.format, "key": incoming.key,
        "source_file": incoming.source_file, "digest": incoming.raw_sha256,
        "publication_number": incoming.publication_number}]
    stored.save()


def _assess(notice: Notice):
    return discovery.assess(
        procedure=notice.procedure, innovative_acquisition=notice.innovative_acquisition,
        strategic_procurement=notice.strategic_procurement, family=notice.family, cpv_codes=notice.cpv_codes,
        texts=[*notice.titles.values(), *notice.descriptions.values()])


def _readable(text: str) -> str:
    """Repairs UTF-8 read as Latin-1 ("ForhÃ¥ndskunngjÃ¸ring"), which some Doffin notices carry."""
    return ftfy.fix_text(text) if MOJIBAKE.search(text) else text


def build(parsed: ParsedNotice, *, raw: bytes, digest: str, source: str, source_file: str, fetched_at,
          directory: "Directory | None" = None) -> Notice:
    problems = list(parsed.problems)
    cpv_codes = []
    for code in parsed.cpv_codes:
        match = CPV.match(code)
        if match:
            cpv_codes.append(match[1])
        else:
            problems.append(f"CPV code {code[:20]!r} is not eight digits")
    cpv_codes = list(dict.fromkeys(cpv_codes))
    main_cpv = CPV.match(parsed.main_cpv)[1] if CPV.match(parsed.main_cpv) else (cpv_codes[0] if cpv_codes else "")
    organization_id, county = (directory or buyer_directory()).match(parsed.buyers) or (None, None)
    family = parsed.form_type if parsed.form_type in Family.values else ""
    parsed.titles = {language: _readable(text) for language, text in parsed.titles.items()}
    parsed.descriptions = {language: _readable(text) for language, text in parsed.descriptions.items()}
    title = parsed.title or f"{parsed.notice_type or 'notice'} {parsed.publication_number or parsed.notice_id}"
    notice = Notice(
        key=parsed.key[:250], format=parsed.format, notice_id=parsed.notice_id[:200], version=parsed.version[:100],
        publication_number=parsed.publication_number, procedure_id=parsed.procedure_id[:200],
        customization=parsed.customization[:200], notice_type=parsed.notice_type[:30], family=family,
        subtype=parsed.subtype[:10], language=parsed.language[:5], issue_date=parsed.issue_date,
        publication_date=parsed.publication_date or parsed.issue_date, deadline=parsed.deadline,
        title=title[:500], description=parsed.description, titles=parsed.titles, descriptions=parsed.descriptions,
        buyers=[_party(party) for party in parsed.buyers], winners=[_party(party) for party in parsed.winners],
        organization_id=organization_id, county_id=_county(county, parsed.nuts),
        main_cpv=main_cpv, cpv_codes=cpv_codes, classifications=parsed.classifications, nuts=parsed.nuts,
        nature=parsed.nature[:20],
        procedure=parsed.procedure[:20], innovative_acquisition=parsed.innovative_acquisition,
        strategic_procurement=parsed.strategic_procurement,
        estimated_value=parsed.estimated_value, estimated_currency=parsed.estimated_currency[:3],
        awarded_value=parsed.awarded_value, awarded_currency=parsed.awarded_currency[:3],
        lots=[{"id": lot.identifier, "title": lot.title, "cpv": lot.cpv_codes,
               "estimated_value": str(lot.estimated_value) if lot.estimated_value is not None else None,
               "currency": lot.currency} for lot in parsed.lots],
        previous=parsed.previous_key[:250], related=parsed.related, problems=problems,
        source=source, source_file=source_file[:500], fetched_at=fetched_at, raw=raw, raw_sha256=digest,
    )
    finding = _assess(notice)
    notice.signal, notice.signal_score, notice.signal_reasons = finding.level, finding.score, finding.reasons
    return notice


def _party(party) -> dict:
    stored = {"name": party.name[:300], "org_number": party.org_number[:40], "city": party.city[:100],
              "country": country_code(party.country)}
    if party.scheme:
        stored["scheme"] = party.scheme[:40]
    if party.other_identifiers:
        stored["other_identifiers"] = party.other_identifiers[:10]
    return stored


# "Kåfjord Kommune", "Bergen kommune — Innkjøp konsern": the municipality is the name before "kommune".
MUNICIPALITY_NAME = re.compile(r"^(.+?)\s+kommune\b", re.IGNORECASE)


@dataclass(frozen=True)
class Directory:
    """Delbar's buyer organizations as notices name them: by organisation number, and by lower-case name,
    official name and each part of a parallel name ("Kárášjohka – Karasjok"); each to (pk, county)."""
    numbers: dict[str, tuple[int, str | None]]
    names: dict[str, tuple[int, str | None]]

    def match(self, buyers) -> tuple[int, str | None] | None:
        """The first buyer Delbar knows: by organisation number, else by name ("X kommune" is X)."""
        for party in buyers:
            if len(party.org_digits) == 9 and party.org_digits in self.numbers:
                return self.numbers[party.org_digits]
        for party in buyers:
            name = " ".join(party.name.split()).lower()
            if not name:
                continue
            municipality = MUNICIPALITY_NAME.match(name)
            found = self.names.get(name) or (self.names.get(municipality[1])
                                             if municipality and "fylkeskommune" not in name else None)
            if found:
                return found
        return None


def buyer_directory() -> Directory:
    """The directory as the organizations are now: one query, read once for each batch of an import (and each
    harvested document), so a renamed or renumbered organization is matched by what it is now."""
    numbers: dict[str, tuple[int, str | None]] = {}
    names: dict[str, tuple[int, str | None]] = {}
    for pk, name, official, number, county, kind in Organization.objects.values_list(
            "pk", "name", "official_name", "org_number", "county_id", "kind").order_by("pk"):
        if number:
            numbers.setdefault(re.sub(r"\D", "", number), (pk, county))
        if kind == Organization.Kind.SUPPLIER:
            continue
        for value in {name, official, *re.split(r"\s+[–-]\s+", name)} - {""}:
            names.setdefault(value.strip().lower(), (pk, county))
    return Directory(numbers, names)


def _county(county: str | None, nuts: list[str]) -> str | None:
    if county:
        return county
    counties = _counties_by_nuts()
    return next((counties[code] for code in nuts if code in counties), None)


_COUNTIES_BY_NUTS: dict[str, str] = {}


def _counties_by_nuts() -> dict[str, str]:
    """The 15 counties by NUTS code: reference data that only a migration changes, read once it is there."""
    if not _COUNTIES_BY_NUTS:
        _COUNTIES_BY_NUTS.update(County.objects.values_list("nuts_code", "number"))
    return _COUNTIES_BY_NUTS


def _version_order(notice: Notice):
    version = int(notice.version) if notice.version.isdigit() else 0
    day = notice.publication_date or notice.issue_date
    return (version, day.toordinal() if day else 0, notice.pk)


def link_versions(notice: Notice) -> list[int]:
    """Makes the newest version of `notice`'s line current and the others superseded by it.

    A line is the versions of one eForms notice (same identifier, not published on TED: see
    ParsedNotice.key), the releases of one OCDS process, and whatever the notices' change references
    link (efac:Changes, TED's REF_NOTICE), in whichever order they arrive."""
    # A notice merged from another source answers to that reading's key too (Doffin's "<id>:1" on a TED row).
    line = Q(previous__in=[notice.key, *(other["key"] for other in notice.also_from if other.get("key"))])
    if notice.previous:
        # The changed notice under its own key, or a notice that was also read under that key. (Others hold the
        # same reference by naming it as the notice they change: they are other notices, not versions.)
        holders = Notice.objects.filter(pk__in=TrailReference.objects.filter(
            value=f"key:{notice.previous}").values("notice")).exclude(pk=notice.pk).only("pk", "also_from")
        aliased = [holder.pk for holder in holders
                   if any(other.get("key") == notice.previous for other in holder.also_from)]
        line |= Q(key=notice.previous) | Q(pk__in=aliased)
    if not notice.publication_number:
        line |= Q(notice_id=notice.notice_id, format=notice.format, publication_number="")
    # One query, and only the columns the order needs: a version's raw document can be megabytes.
    others = Notice.objects.filter(line).exclude(pk=notice.pk).only(
        "pk", "version", "publication_date", "issue_date", "superseded_by")
    versions = {notice.pk: notice} | {other.pk: other for other in others}
    if len(versions) == 1:
        return []
    newest = max(versions.values(), key=_version_order)
    changed = []
    for other in versions.values():
        wanted = None if other.pk == newest.pk else newest.pk
        if other.superseded_by_id != wanted:
            Notice.objects.filter(pk=other.pk).update(superseded_by=wanted)
            changed.append(other.pk)
    # Anything that pointed at a version that is now superseded follows to the newest.
    Notice.objects.filter(superseded_by__in=[pk for pk in versions if pk != newest.pk]).exclude(
        pk=newest.pk).update(superseded_by=newest.pk)
    return changed


def index_notices(ids: list[int]) -> None:
    """Writes search for these notices: current ones are indexed, superseded ones removed."""
    if not ids:
        return
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), INDEX_BATCH):
        chunk = ids[start:start + INDEX_BATCH]
        with transaction.atomic():
            current = list(Notice.objects.current().filter(pk__in=chunk).select_related("organization"))
            search.index_many(current, embed=False)   # by words at once; by meaning when the worker has embedded
            stale = set(chunk) - {notice.pk for notice in current}
            if stale:
                search.remove_ids("notice", list(stale))
            refresh_later("notice", chunk)


def catch_up() -> None:
    """What an interrupted import (or one before trails) left undone: trails to link, search to write."""
    trail.link_missing()
    index_missing()


def index_missing() -> int:
    """Catches search up with notices an interrupted import stored but did not index."""
    indexed = search.indexed("notice")
    missing = list(Notice.objects.current().exclude(pk__in=indexed).values_list("pk", flat=True))
    stale = search.orphans("notice")
    index_notices(missing + stale)
    return len(missing) + len(stale)
