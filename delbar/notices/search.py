"""How a notice becomes a search document (delbar/search/kinds.py). Only current versions are indexed:
a corrected notice is found once, as corrected."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delbar.notices.models import Family, Notice, ProcedureType, Signal
from delbar.orgs.models import CpvCode
from delbar.search import Filter, Kind, register

EMBEDDING_TEXT_LIMIT = 1500
DESCRIPTION_LIMIT = 20_000
# Notice procedure codes (eForms BT-105) as the case procedures they are, so one procedure facet serves both.
CASE_PROCEDURES = {"open": "open", "restricted": "restricted", "comp-dial": "competitive-dialogue",
                   "neg-w-call": "negotiated-with-notice", "innovation": "innovation-partnership"}


def procedures() -> list[tuple[str, str]]:
    """Notice procedures as search stores them: the case procedure where there is one."""
    return [(CASE_PROCEDURES.get(value, value), label) for value, label in ProcedureType.choices]


def division_labels(values: list[str]) -> dict[str, str]:
    return {code[:2]: f"{code[:2]} {cpv.name}" for code, cpv in
            CpvCode.objects.in_bulk([f"{value}000000" for value in values]).items()}


def identifiers(notice: Notice) -> str:
    values = [notice.publication_number, notice.notice_id]
    for buyer in notice.buyers:
        values += [buyer.get("name", ""), buyer.get("org_number", "").replace(" ", "")]
    values += [winner.get("name", "") for winner in notice.winners]
    values += notice.cpv_codes
    return " ".join(value for value in values if value)


def weighted_text(notice: Notice) -> dict[str, str]:
    other_titles = [title for title in notice.titles.values() if title != notice.title]
    return {"A": "\n".join([notice.title, *other_titles]),
            "B": "\n".join(notice.descriptions.values())[:DESCRIPTION_LIMIT],
            "C": identifiers(notice)}


def embedding_text(notice: Notice) -> str:
    return f"{notice.title}. {notice.description}"[:EMBEDDING_TEXT_LIMIT]


def document(notice: Notice) -> dict:
    organization = notice.organization
    day = notice.publication_date or notice.issue_date
    divisions = sorted({code[:2] for code in notice.cpv_codes if code[:2].isdigit()})
    return {
        "external_id": notice.key[:100],
        "public": True,
        "organization_id": notice.organization_id,
        "status": "",
        "title": notice.title[:300],
        "summary": notice.description[:2000],
        "body": "",
        "date": day and _midnight(day),
        "sector": "",
        "sectors": "",
        "county": notice.county_id or "",
        "size_class": organization.size_class if organization else "",
        "procedure": CASE_PROCEDURES.get(notice.procedure, notice.procedure),
        "category": "",
        "outcome": "",
        "year": day.year if day else None,
        "language": notice.language,
        "family": notice.family,
        "signal": notice.signal,
        "cpv": f" {' '.join(divisions)} " if divisions else "",
    }


def _midnight(day):
    from datetime import datetime, time

    from django.utils import timezone
    return timezone.make_aware(datetime.combine(day, time()))


NOTICE_KIND = register(Kind(
    name="notice",
    model=Notice,
    label=_("Notices"),
    document=document,
    weighted_text=weighted_text,
    embedding_text=embedding_text,
    visibility=lambda user: Q(),          # notices are public records
    queryset=lambda: Notice.objects.current().select_related("organization"),
    url_name="notice_detail",
    filters=(
        Filter("family", _("Kind of notice"), lambda: list(Family.choices), _("All kinds of notice")),
        Filter("procedure", _("Procedure"), procedures, _("All procedures")),
        Filter("cpv", _("CPV division"), labels=division_labels, field=lambda: forms.RegexField(
            label=_("CPV division"), required=False, regex=r"^\d{2}$",
            error_messages={"invalid": _("Give a CPV division as two digits, such as 45.")})),
        "county", "buyer",
        Filter("signal", _("Innovation signal"), lambda: [(value, label) for value, label in Signal.choices if value],
               _("Any signal")),
        "year"),
))
