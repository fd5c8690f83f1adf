"""What search finds equals what the model lets a person see, for every role of the test cast and
every kind: the visibility rule is written once, on the model, and search uses it."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from delbar.cases.models import Case, Status
from delbar.challenges import actions as challenge_actions
from delbar.challenges.models import Challenge
from delbar.dialogues import actions as dialogue_actions
from delbar.dialogues.models import Dialogue
from delbar.needs import actions as need_actions
from delbar.needs.models import Need, Visibility
from delbar.orgs.models import Organization, Sector
from delbar.search.engine import search
from delbar.search.kinds import KINDS
from delbar.suppliers import actions as supplier_actions
from delbar.suppliers.models import Solution

MODELS = {"case": Case, "need": Need, "solution": Solution, "dialogue": Dialogue, "challenge": Challenge}


@pytest.fixture
def everything(cast, make_case, bergen, lyngdal):
    """Objects of every kind in every state that changes who may see them, in two buyers and a supplier."""
    for status in (Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED, Status.ARCHIVED):
        make_case(status, title=f"Bergens sak ({status})")
    from delbar.cases import actions as case_actions

    case_actions.create_case(actor=cast["bob"], lead_buyer=lyngdal, fields={
        "title": "Lyngdals utkast", "summary": "Et utkast.", "sector": Sector.objects.get(pk="samferdsel")})
    for organization, author in ((bergen, cast["alice"]), (lyngdal, cast["bob"])):
        for visibility in Visibility.values:
            need_actions.create_need(actor=author, organization=organization, match=False, fields={
                "title": f"{organization.name}: behov ({visibility})", "description": "Vi trenger noe nytt.",
                "visibility": visibility})
    supplier = Organization.objects.get(name="Dave Robotics AS")
    for active in (True, False):
        supplier_actions.save_solution(actor=cast["dave"], organization=supplier, fields={
            "title": f"Robot ({'tilbys' if active else 'trukket'})", "description": "En robot.", "active": active})
    starts = timezone.now() + dt.timedelta(days=10)
    for title in ("Dialogkonferanse om roboter", "Avlyst dialog om roboter"):
        dialogue = dialogue_actions.announce(actor=cast["alice"], organizer=bergen, fields={
            "title": title, "purpose": "Hva finnes av roboter?", "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=3), "registration_deadline": starts - dt.timedelta(days=1),
            "place": "Bergen rådhus"})
    dialogue_actions.cancel(dialogue=dialogue, actor=cast["alice"])
    for state in ("draft", "published", "cancelled"):
        challenge = challenge_actions.create(actor=cast["alice"], owner=bergen, fields={
            "title": f"Robotkonkurranse ({state})", "problem": "Roboter som inspiserer tunneler.",
            "success": "Halve inspeksjonstiden."})
        if state == "draft":
            continue
        challenge_actions.add_phase(challenge=challenge, actor=cast["alice"], fields={
            "opens_at": starts - dt.timedelta(days=9), "closes_at": starts})
        challenge_actions.set_criteria(challenge=challenge, actor=cast["alice"],
                                       rows=[{"name": "Nytte", "weight": 100}])
        challenge_actions.publish(challenge=challenge, actor=cast["alice"])
        if state == "cancelled":
            challenge_actions.cancel(challenge=challenge, actor=cast["alice"])


@pytest.mark.parametrize("role", ["anonymous", "alice", "bob", "dave", "carol", "admin"])
@pytest.mark.parametrize("kind", sorted(MODELS))
def test_search_finds_what_the_model_lets_each_role_see(everything, cast, role, kind):
    user = cast[role] or AnonymousUser()
    found = {hit.document.object_id for hit in search("", kinds=[kind], user=user).hits[0:1000]}
    allowed = set(MODELS[kind].objects.visible_to(user).values_list("pk", flat=True))
    assert found == allowed
    assert allowed  # every role sees something of every kind here, so equality is not of two empty sets


def test_every_searchable_kind_is_covered():
    assert set(KINDS) - {"notice"} == set(MODELS)  # notices are public records: everyone sees all of them


def test_a_withdrawn_solution_is_readable_by_its_supplier_only(everything, cast, api_client, client):
    from tests.conftest import client_for

    withdrawn = Solution.objects.get(active=False)
    url = f"/api/solutions/{withdrawn.pk}"
    assert api_client(cast["dave"]).get(url).status_code == 200
    assert api_client().get(url).status_code == 404
    assert api_client(cast["alice"]).get(url).status_code == 404
    assert client_for(cast["dave"]).get(withdrawn.get_absolute_url()).status_code == 200
    assert client.get(withdrawn.get_absolute_url()).status_code == 404
