"""The demo's adoption history: illustrative, not real. Some demo cases are taken up by other
municipalities over the years after publication, through the same actions users trigger.

Who adopts is drawn with a fixed seed, weighted towards larger municipalities and the lead buyer's own
county (as diffusion tends to go), and when is drawn from a normal distribution after publication,
so curves come out S-shaped as Rogers describes. Small municipalities are reached less: that is what
the observatory is for.
"""

import datetime as dt
import random

from django.contrib.auth.models import User
from django.utils import timezone

from delbar.cases.models import Case
from delbar.diffusion import actions
from delbar.diffusion.models import Adoption, AdoptionRoute
from delbar.diffusion.proposals import propose_for
from delbar.orgs.models import Organization

# case id -> how many adopters
HISTORY = {
    "demo-011": 40, "demo-009": 30, "demo-008": 24, "demo-021": 20, "demo-010": 18, "demo-032": 15,
    "demo-031": 10, "demo-025": 9, "demo-023": 7, "demo-022": 6, "demo-017": 4, "demo-003": 3, "demo-015": 1,
}
SEED = 2026


def load_adoptions() -> int:
    """Declares (and mostly confirms) the demo's adoptions; returns how many were made."""
    rng = random.Random(SEED)
    curator = User.objects.filter(username="kari").first()
    municipalities = list(Organization.objects.municipalities().exclude(population=None)
                          .order_by("municipality_number"))
    today = timezone.localdate()
    made = 0
    for external_id, count in HISTORY.items():
        case = Case.objects.filter(external_id=external_id, status="published").select_related("lead_buyer").first()
        if case is None or Adoption.objects.filter(case=case).exists():
            continue
        own = actions.originators(case)
        pool = [org for org in municipalities if org.pk not in own]
        weights = [org.population ** 0.6 * (3 if org.county_id == case.lead_buyer.county_id else 1) for org in pool]
        chosen = []
        while len(chosen) < count:
            org = rng.choices(pool, weights)[0]
            if org not in chosen:
                chosen.append(org)
        published = case.published_at.date()
        span = (today - published).days
        for org in chosen:
            days = int(min(max(rng.gauss(span * 0.45, span * 0.2), 20), span - 1))
            adoption = actions.declare(case=case, actor=None, organization=org,
                                       adopted_on=published + dt.timedelta(days=days),
                                       route=rng.choice(AdoptionRoute.values),
                                       note="Demo: illustrativ adopsjon, ikke en ekte.")
            if rng.random() < 0.7:
                actions.confirm(adoption=adoption, actor=curator)
            made += 1
    for case in Case.objects.published():
        propose_for(case)
    return made
