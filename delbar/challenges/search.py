"""How a challenge becomes a search document (delbar/search/kinds.py), so it is found in search and reaches
the subscriptions that follow its sector, CPV codes or county (alerts/news.py).

A challenge is public once published and while not cancelled. Only what the public may read goes in: the
problem, what success looks like, the criteria, answered questions and the published results, never an
application or a score."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from delbar.challenges.models import Challenge, challenge_visibility
from delbar.search import Kind, register

EMBEDDING_TEXT_LIMIT = 1500


def identifiers(challenge: Challenge) -> str:
    owner = challenge.owner
    values = [owner.name, owner.org_number or "", owner.municipality_number or ""]
    values += [cpv.code for cpv in challenge.cpv_codes.all()]
    return " ".join(value for value in values if value)


def answers(challenge: Challenge) -> str:
    return "\n".join(f"{question.body}\n{question.answer}" for question in challenge.questions.all()
                     if question.answer)


def weighted_text(challenge: Challenge) -> dict[str, str]:
    return {
        "A": challenge.title,
        "B": identifiers(challenge),
        "C": "\n".join([challenge.problem, challenge.success]),
        "D": "\n".join([challenge.eligibility, *(c.name for c in challenge.criteria.all()),
                        *(phase.description for phase in challenge.phases.all()), answers(challenge)]),
    }


def embedding_text(challenge: Challenge) -> str:
    return f"{challenge.title}. {challenge.problem}"[:EMBEDDING_TEXT_LIMIT]


def document(challenge: Challenge) -> dict:
    owner = challenge.owner
    divisions = sorted({cpv.code[:2] for cpv in challenge.cpv_codes.all()})
    sector = challenge.sector_id or ""
    phases = list(challenge.phases.all())
    return {
        "external_id": "",
        "public": challenge.published_at is not None and challenge.cancelled_at is None,
        "organization_id": challenge.owner_id,
        "status": "ended" if challenge.ended_at else "open",
        "title": challenge.title,
        "summary": challenge.problem,
        "body": challenge.success,
        # When it was published: that is when it is news (alerts/news.py).
        "date": challenge.published_at or challenge.created_at,
        "sector": sector,
        "sectors": f" {sector} " if sector else "",
        "county": owner.county_id or "",
        "size_class": owner.size_class,
        "cpv": " " + " ".join(divisions) + " " if divisions else "",
        "year": (phases[0].opens_at if phases else challenge.created_at).year,
        "language": "nb",
    }


def visibility(user) -> Q:
    return challenge_visibility(user, published=Q(public=True))


CHALLENGE_KIND = register(Kind(
    name="challenge",
    model=Challenge,
    label=_("Challenges"),
    document=document,
    weighted_text=weighted_text,
    embedding_text=embedding_text,
    visibility=visibility,
    queryset=lambda: Challenge.objects.select_related("owner").prefetch_related(
        "cpv_codes", "questions", "criteria", "phases"),
    url_name="challenge_detail",
    filters=("sector", "county", "year", "buyer"),
))
