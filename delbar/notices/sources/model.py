"""What every source format is read into: one shape for eForms, TED XML and OCDS."""

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pycountry


class ParseError(ValueError):
    """The document is not a notice Delbar can read (not hostile-safe, not XML/JSON, no notice)."""


@dataclass
class Party:
    name: str
    org_number: str = ""        # as written in the notice ("974 761 114")
    city: str = ""
    country: str = ""           # ISO 3166-1 alpha-2 ("NO") when the source's country is recognised, else ""
    scheme: str = ""            # the identifier's scheme when the source names one (OCDS: "GB-COH", "NO-BRC")
    # Other identifiers the source gives, as {"scheme", "id"} (OCDS additionalIdentifiers: a VAT number, a
    # registry's other number).
    other_identifiers: list[dict] = field(default_factory=list)

    @property
    def org_digits(self) -> str:
        return re.sub(r"\D", "", self.org_number)


@dataclass
class Lot:
    identifier: str
    title: str = ""
    cpv_codes: list[str] = field(default_factory=list)
    estimated_value: Decimal | None = None
    currency: str = ""


@dataclass
class ParsedNotice:
    format: str                      # "eforms", "ted-xml", "ocds"
    notice_id: str                   # BT-701 (UUID or Doffin id), TED's NOTICE_UUID, the OCDS ocid
    version: str = "1"               # BT-757 without leading zeros; the OCDS release id
    publication_number: str = ""     # TED's "154292-2020" when the notice carries one
    procedure_id: str = ""           # BT-04, the OCDS ocid
    customization: str = ""          # eForms CustomizationID: SDK and Norwegian tailoring
    notice_type: str = ""            # BT-02: cn-standard, can-social, pin-only, veat, …
    form_type: str = ""              # BT-03: planning, competition, result, dir-awa-pre, cont-modif, …
    subtype: str = ""                # OPP-070: 1–40, E1–E6, and Norway's N/E subtypes
    language: str = ""               # the first official language, ISO 639-1 where known ("nb")
    issue_date: date | None = None
    publication_date: date | None = None
    deadline: date | None = None
    buyers: list[Party] = field(default_factory=list)
    winners: list[Party] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)        # language -> text, in document order
    descriptions: dict[str, str] = field(default_factory=dict)
    main_cpv: str = ""
    cpv_codes: list[str] = field(default_factory=list)          # every code, main first, no repeats
    # Classifications in any other scheme, as the source gives them: {"scheme", "id", "description"}
    # (OCDS publishers outside the EU classify by UNSPSC, GSIN, their own lists).
    classifications: list[dict] = field(default_factory=list)
    nuts: list[str] = field(default_factory=list)
    nature: str = ""                 # works, supplies, services
    procedure: str = ""              # eForms procurement-procedure-type: open, restricted, comp-dial, innovation, …
    innovative_acquisition: list[str] = field(default_factory=list)   # BT-776 codes
    strategic_procurement: list[str] = field(default_factory=list)    # BT-06 codes
    estimated_value: Decimal | None = None
    estimated_currency: str = ""
    awarded_value: Decimal | None = None
    awarded_currency: str = ""
    lots: list[Lot] = field(default_factory=list)
    previous: str = ""               # the notice this one changes: "<notice id>-<version>" (efac:Changes)
    # Earlier notices of the same procedure that this one names, as trail references (see `trail_references`):
    # "ted:154292-2020" (TED XML NOTICE_NUMBER_OJ, eForms BT-125 by publication number), "eforms:<notice id>"
    # (eForms BT-125 by identifier), "ocid:<ocid>" (OCDS relatedProcesses: planning, prior, replaced processes).
    related: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    raw: bytes = b""                 # this notice's own document when a file holds many (OCDS packages)
    # SHA-256 of the notice's content in a canonical form (XML without the whitespace between tags; JSON with
    # sorted keys and no spaces): the same notice minified, indented or repackaged has the same digest.
    content_digest: str = ""

    @property
    def previous_key(self) -> str:
        """`previous` as the key of the notice it changes (eForms writes "<identifier>-<version>")."""
        if not self.previous:
            return ""
        if self.previous.startswith("ted:") or self.format != "eforms":
            return self.previous
        identifier, _, version = self.previous.rpartition("-")
        if identifier and version.isdigit():
            return f"{identifier}:{version.lstrip('0') or '0'}"
        return f"{self.previous}:1"

    @property
    def key(self) -> str:
        """The stable identity of this version of the notice: one row per key in Delbar.

        eForms identifies a version by (notice identifier, version). A notice published on TED is
        identified by its TED publication number instead: the older TED XML has no eForms identity, and
        notices converted from it share one placeholder identifier, so the number is what tells them
        apart; it also makes a TED notice and its eForms conversion the same notice."""
        if self.publication_number:
            return f"ted:{self.publication_number}"
        if self.format == "ocds":
            return f"ocds:{self.notice_id}:{self.version}"
        return f"{self.notice_id}:{self.version}"

    # Norwegian first, as Delbar's interface: a notice in English and Norwegian is shown in Norwegian.
    @property
    def title(self) -> str:
        return in_language(self.titles, "nb", "nn", self.language)

    @property
    def description(self) -> str:
        return in_language(self.descriptions, "nb", "nn", self.language)


def in_language(texts: dict[str, str], *preferred: str) -> str:
    """The text in the first preferred language present, else Norwegian, else the first one."""
    for language in (*preferred, "nb", "nn"):
        if language in texts:
            return texts[language]
    return next(iter(texts.values()), "")


# Norwegian written without a målform ("no", "nor") is bokmål in Delbar, as on Doffin.
NORWEGIAN = {"no": "nb"}


@functools.lru_cache(maxsize=512)
def language_code(value: str | None) -> str:
    """An ISO 639-1 code from what notices write: 639-3 in capitals in eForms and TED ("NOB", "EST"), 639-1,
    or a BCP 47 tag ("en-GB"). "" when it is none of them ("engli")."""
    value = (value or "").strip().lower().split("-")[0].split("_")[0]
    if len(value) == 2:
        found = pycountry.languages.get(alpha_2=value)
    elif len(value) == 3:
        found = pycountry.languages.get(alpha_3=value) or pycountry.languages.get(bibliographic=value)
    else:
        found = None
    code = getattr(found, "alpha_2", "") if found else ""
    return NORWEGIAN.get(code, code)


# The EU's own country codes where they differ from ISO 3166-1 (the Interinstitutional Style Guide): TED XML
# writes COUNTRY VALUE="UK" and "EL".
EU_COUNTRY_CODES = {"UK": "GB", "EL": "GR"}


@functools.lru_cache(maxsize=512)
def country_code(value: str | None) -> str:
    """An ISO 3166-1 alpha-2 code from a code (eForms "NOR", TED "NO", and the EU's "UK" and "EL") or an English
    name ("Norway", "United Kingdom"); "" when it is none of them, rather than a guess. An alpha-2 code gives
    itself, so converting twice changes nothing."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.casefold() in ("norge", "noreg"):
        return "NO"
    if value.upper() in EU_COUNTRY_CODES:
        return EU_COUNTRY_CODES[value.upper()]
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return ""


def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code) if len(code or "") == 2 else None
    return found.name if found else ""


def currency_code(value: str | None) -> str:
    """An ISO 4217 code ("NOK"), or "" for anything else ("MNX", "kr")."""
    value = (value or "").strip().upper()
    return value if len(value) == 3 and pycountry.currencies.get(alpha_3=value) else ""


TED_NUMBER = re.compile(r"^0*(\d{1,8})-(\d{4})$")
OJ_NUMBER = re.compile(r"^(\d{4})/S \d{1,3}-0*(\d{1,8})$")


def ted_publication_number(value: str | None) -> str:
    """"154292-2020", "00154292-2020" and "2020/S 064-154292" all become "154292-2020"; others ""."""
    value = (value or "").strip()
    if match := TED_NUMBER.match(value):
        return f"{int(match[1])}-{match[2]}"
    if match := OJ_NUMBER.match(value):
        return f"{int(match[2])}-{match[1]}"
    return ""


def parse_date(value: str | None, what: str, problems: list[str]) -> date | None:
    """The date part of an xs:date or xs:dateTime ("2023-10-03+02:00"); a problem when malformed."""
    value = (value or "").strip()
    if not value:
        return None
    candidate = value[:10]
    if len(candidate) == 8 and candidate.isdigit():           # TED XML: 20200328
        candidate = f"{candidate[:4]}-{candidate[4:6]}-{candidate[6:]}"
    try:
        return date.fromisoformat(candidate)
    except ValueError:
        problems.append(f"{what} is not a date: {value[:40]!r}")
        return None


def parse_amount(value: str | None, what: str, problems: list[str]) -> Decimal | None:
    value = (value or "").strip().replace(" ", "")
    if not value:
        return None
    try:
        amount = Decimal(value)
    except ArithmeticError:
        problems.append(f"{what} is not a number: {value[:40]!r}")
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e15"):
        problems.append(f"{what} is out of range: {value[:40]!r}")
        return None
    return amount


def total_in_one_currency(values: list[tuple[Decimal | None, str]]) -> tuple[Decimal | None, str]:
    """The sum of (amount, currency) pairs: nothing when one amount is missing or the currencies differ."""
    if not values or any(amount is None for amount, _currency in values):
        return None, ""
    currencies = {currency for _amount, currency in values}
    return (sum(amount for amount, _currency in values), currencies.pop()) if len(currencies) == 1 else (None, "")


def unique(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))
