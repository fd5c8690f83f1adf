"""`delbar demo` holds one finished innovation competition (two phases, applicants, declarations and scores,
awards, a contract and the case published from it) and one open for applications (sven's Nordlys has
applied, one question answered and one not), both found in search — and a second run changes none of it."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from delbar.cases.models import Status
from delbar.challenges import access, actions
from delbar.challenges.models import Application, Challenge, Phase, Route
from delbar.diffusion.models import Adoption
from delbar.search import search


def _rows() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()
            if model._meta.app_label in ("challenges", "cases", "needs", "groups", "diffusion", "audit", "alerts")}


@pytest.mark.long
def test_the_demo_holds_a_finished_and_an_open_challenge_and_loads_twice_the_same(db):
    call_command("demo", stdout=io.StringIO())
    now = timezone.now()
    ingrid, per, sven, agnes = (User.objects.get(username=name) for name in ("ingrid", "per", "sven", "agnes"))
    assert Challenge.objects.published().count() == 2

    # The finished one: Lyngdal's buyer group with Bergen, pre-commercial, two phases in the past.
    finished = Challenge.objects.get(ended_at__isnull=False)
    assert finished.owner.name == "Lyngdal" and finished.route == Route.PRE_COMMERCIAL
    assert {member.organization.name for member in finished.group.members.all()} == {"Lyngdal", "Bergen"}
    assert finished.ended_in_contract is True and finished.ended_at < now and finished.sector_id == "helse-omsorg"
    assert [(c.weight) for c in finished.criteria.all()] == [40, 35, 25]
    first, second = finished.phases.all()
    assert (first.kind, second.kind, second.invited_only) == ("feasibility", "prototype", True)
    assert first.closes_at < second.opens_at < second.closes_at < finished.ended_at
    assert all(phase.state() == Phase.State.DECIDED and phase.justification for phase in (first, second))
    assert {e.user.username for e in finished.evaluators.all()} == {"ingrid", "per"}

    # Phase 1: three applicants, one a consortium, sven submitted Nordlys'; two went on within the budget.
    applications = first.applications.select_related("lead")
    assert applications.count() == 3
    assert applications.get(lead__name="Nordlys Velferdsteknologi AS").submitted_by == sven
    consortium = applications.get(lead__name="Sensorhuset Agder AS")
    assert [p.name for p in consortium.partners.all()] == ["Omsorgsdata AS"]
    assert applications.filter(submitted_by=None).count() == 2
    awarded = applications.awarded()
    assert {a.lead.name for a in awarded} == {"Nordlys Velferdsteknologi AS", "Sensorhuset Agder AS"}
    assert sum(a.awarded_nok for a in awarded) <= first.budget_nok
    assert applications.get(lead__name="Trygghetsteknikk Sør AS").status == Application.Status.NOT_AWARDED
    # Per declared a conflict on one application; every other evaluation is scored and submitted.
    conflicts = [row for row in actions.score_table(first) for cell in row["cells"] if cell["state"] == "conflict"]
    assert [(row["application"].lead.name, cell["evaluator"].user) for row in conflicts
            for cell in row["cells"] if cell["state"] == "conflict"] == [("Trygghetsteknikk Sør AS", per)]
    for phase in (first, second):
        for row in actions.score_table(phase):
            assert {cell["state"] for cell in row["cells"]} <= {"submitted", "conflict"}
            assert row["mean"] is not None
        assert not access.can_score(ingrid, phase.applications.first())  # decided: scoring is closed
    # Phase 2: the two awardees applied, one won.
    assert {a.lead.name for a in second.applications.all()} == {a.lead.name for a in awarded}
    assert [(a.lead.name, a.awarded_nok) for a in second.applications.awarded()] == [
        ("Nordlys Velferdsteknologi AS", 3_400_000)]

    # The case published from it, linked both ways, with its buyers and the supplier; Karasjok took it up.
    case = finished.case
    assert case.status == Status.PUBLISHED and case.lead_buyer.name == "Lyngdal"
    assert list(case.challenges.all()) == [finished]
    assert [o.name for o in case.partner_buyers.all()] == ["Bergen"]
    # Every supplier paid in a phase is on the case (the consortium's lead for its feasibility study).
    # The suppliers of the solution: phase 2's awardee, not phase 1's who lost phase 2.
    assert {o.name for o in case.suppliers.all()} == {"Nordlys Velferdsteknologi AS"}
    assert case.procedure == "pre-commercial" and "Nordlys Velferdsteknologi AS" in case.solution
    assert Adoption.objects.filter(case=case, organization__municipality_number="5610").exists()

    # The open one: the Agder network's, phase 1 open for weeks, phase 2 later, evaluators appointed.
    open_now = Challenge.objects.get(ended_at__isnull=True)
    assert open_now.owner.name == "Innkjøpsnettverket i Agder" and open_now.network.slug == "agder"
    first_open, second_open = open_now.phases.all()
    assert first_open.state() == Phase.State.OPEN and first_open.closes_at - now > dt.timedelta(days=21)
    assert second_open.state() == Phase.State.UPCOMING and second_open.opens_at > first_open.closes_at
    assert open_now.total_weight() == 100
    assert {e.user for e in open_now.evaluators.all()} == {agnes, ingrid}
    # Sven's Nordlys applied with a document, and he reaches his application (another applicant would not).
    mine = first_open.applications.get(submitted_by=sven)
    assert mine.lead.name == "Nordlys Velferdsteknologi AS" and mine.documents.count() == 1
    assert mine.documents.get().size > 0 and mine.solution is not None
    assert access.can_see_application(sven, mine) and access.can_edit_application(sven, mine)
    assert access.visible_applications(sven, open_now).count() == 1
    assert first_open.applications.count() == 2
    assert open_now.questions.filter(answered_at__isnull=False).count() == 1
    assert open_now.questions.filter(answered_at__isnull=True).count() == 1

    # Both are found by search (the finished one by its title, the open one by its problem).
    found = [hit.document.object_id for hit in search("nattilsyn", kinds=["challenge"]).shown()]
    assert finished.pk in found
    found = [hit.document.object_id for hit in search("legemiddelhåndteringen", kinds=["challenge"]).shown()]
    assert open_now.pk in found

    before = _rows()
    call_command("demo", stdout=io.StringIO())
    assert _rows() == before
