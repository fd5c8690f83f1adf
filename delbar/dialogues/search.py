"""How a dialogue becomes a search document (delbar/search/kinds.py), so it is found in search and reaches
the subscriptions that follow its topic (alerts/news.py).

A dialogue is public while it is not cancelled (a cancelled one is removed from search). Only what the
public may read goes in: the needs on its agenda count with their words, sectors and CPV codes only when
they are public needs, so a buyers-only need never shows through a dialogue."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delbar.dialogues.models import Dialogue, dialogue_visibility
from delbar.needs.models import Visibility
from delbar.search import Kind, register

EMBEDDING_TEXT_LIMIT = 1500


def public_needs(dialogue: Dialogue) -> list:
    return [need for need in dialogue.needs.all() if need.visibility == Visibility.PUBLIC]


def identifiers(dialogue: Dialogue) -> str:
    organizer = dialogue.organizer
    values = [organizer.name, organizer.org_number or "", organizer.municipality_number or ""]
    values += [cpv.code for need in public_needs(dialogue) for cpv in need.cpv_codes.all()]
    return " ".join(value for value in values if value)


def answers(dialogue: Dialogue) -> str:
    return "\n".join(f"{question.body}\n{question.answer}" for question in dialogue.questions.all()
                     if question.answer)


def weighted_text(dialogue: Dialogue) -> dict[str, str]:
    needs = public_needs(dialogue)
    return {
        "A": dialogue.title,
        "B": identifiers(dialogue),
        "C": "\n".join([dialogue.purpose, dialogue.market_questions, *(need.title for need in needs)]),
        "D": "\n".join([dialogue.agenda, dialogue.summary if dialogue.summary_published_at else "",
                        answers(dialogue)]),
    }


def embedding_text(dialogue: Dialogue) -> str:
    return f"{dialogue.title}. {dialogue.purpose}"[:EMBEDDING_TEXT_LIMIT]


def document(dialogue: Dialogue) -> dict:
    organizer = dialogue.organizer
    needs = public_needs(dialogue)
    sectors = list(dict.fromkeys(need.sector_id for need in needs if need.sector_id))
    divisions = sorted({cpv.code[:2] for need in needs for cpv in need.cpv_codes.all()})
    return {
        "external_id": "",
        "public": dialogue.cancelled_at is None,
        "organization_id": dialogue.organizer_id,
        "status": "",
        "title": dialogue.title,
        "summary": dialogue.purpose,
        "body": dialogue.agenda,
        # When it was announced: that is when it is news (alerts/news.py), whenever it takes place.
        "date": dialogue.created_at,
        "sector": sectors[0] if sectors else "",
        "sectors": " " + " ".join(sectors) + " " if sectors else "",
        "county": organizer.county_id or "",
        "size_class": organizer.size_class,
        "cpv": " " + " ".join(divisions) + " " if divisions else "",
        "year": dialogue.starts_at.year,
        "language": "nb",
    }


def visibility(user) -> Q:
    return dialogue_visibility(user, active=Q(public=True))


DIALOGUE_KIND = register(Kind(
    name="dialogue",
    model=Dialogue,
    label=_("Dialogues"),
    document=document,
    weighted_text=weighted_text,
    embedding_text=embedding_text,
    visibility=visibility,
    queryset=lambda: Dialogue.objects.select_related("organizer").prefetch_related(
        "needs__cpv_codes", "questions"),
    url_name="dialogue_detail",
    filters=("sector", "county", "year", "buyer"),
))
