"""Submitting a case "to" a network: its editors tick the networks when they submit; each network's own
curators are told and review it in their queue, with the same publish and return as Delbar's curators, who
still see every submission in /cases/review/. A network's curator gets nothing on a case submitted to
another network only, nor on a case once it is a draft again, and an offer not renewed on a new submission
is withdrawn. The table the helpers follow is in cases/access.py and docs/networks.md."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from delbar.alerts.models import Notification
from delbar.audit.models import AuditEvent
from delbar.cases import access as case_access
from delbar.cases import actions as case_actions
from delbar.cases.models import Case, CaseNetwork, Status
from delbar.networks.collection import collection
from tests.conftest import bring_to, client_for
from tests.test_networks import build_world, make_network

READ = {"view", "download"}
REVIEW = READ | {"edit", "publish", "return"}


@pytest.fixture
def world(cast, bergen, lyngdal, make_case):
    world = build_world(cast, bergen, lyngdal, make_case)
    world["lup"], world["olav"] = make_network("LUP", "lup", admin=cast["admin"], curator_name="olav")
    return world


def submitted_to(world, make_case, *slugs, title="Sensorer i omsorgsboligene"):
    """Alice's draft, submitted through the case page to the networks named."""
    draft = make_case(Status.DRAFT, title=title)
    response = client_for(world["cast"]["alice"]).post(f"/cases/{draft.pk}/submit/", {"networks": list(slugs)})
    assert response.status_code == 302
    draft.refresh_from_db()
    return draft


def test_the_submit_form_offers_the_networks(world, make_case):
    draft = make_case(Status.DRAFT)
    client = client_for(world["cast"]["alice"])
    for path in (draft.get_absolute_url(), f"/cases/{draft.pk}/edit/"):
        page = client.get(path)
        assert set(page.context["submit_form"].fields["networks"].queryset) == {world["network"], world["lup"]}
        assert re.search(r'<input type="checkbox" name="networks"[^>]* value="agder"', page.content.decode()), path


def test_a_case_submitted_to_a_network_is_reviewed_by_its_own_curator(world, make_case):
    nora, case = world["nora"], submitted_to(world, make_case, "agder")
    assert case.status == Status.SUBMITTED
    link = CaseNetwork.objects.get(case=case)
    assert link.via == CaseNetwork.Via.SUBMISSION and link.network == world["network"].organization
    told = Notification.objects.get(user=nora, event__startswith=f"case-offered:{case.pk}:")
    assert told.url == "/nettverk/agder/queue/"
    assert not Notification.objects.filter(user=world["olav"], event__startswith="case-offered:").exists()
    client = client_for(nora)
    queue = client.get("/nettverk/agder/queue/")
    assert list(queue.context["cases"]) == [case]
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200 and page.context["allowed"] == REVIEW
    assert client.post(f"/cases/{case.pk}/publish/").status_code == 302
    case.refresh_from_db()
    assert case.status == Status.PUBLISHED and case in collection(world["network"])
    assert AuditEvent.objects.filter(action="case.publish", actor=nora).exists()
    # Published, it is everyone's to read and only its owners' and Delbar's curators' to change.
    assert case_access.allowed_actions(nora, case) == READ
    assert list(client.get("/nettverk/agder/queue/").context["cases"]) == []


def test_a_network_curator_returns_a_submission_and_loses_sight_of_the_draft(world, make_case):
    nora, case = world["nora"], submitted_to(world, make_case, "agder")
    client = client_for(nora)
    response = client.post(f"/cases/{case.pk}/return/", {"comment": "Legg til kontraktsverdien."})
    assert response.status_code == 302 and response["Location"] == "/nettverk/agder/queue/"
    case.refresh_from_db()
    assert case.status == Status.DRAFT and case.return_comment == "Legg til kontraktsverdien."
    assert client.get(case.get_absolute_url()).status_code == 404
    assert client_for(world["cast"]["carol"]).post(f"/cases/{case.pk}/return/", {"comment": "x"}).status_code == 404


def test_a_curator_of_another_network_gets_nothing(world, make_case, api_client):
    olav, case = world["olav"], submitted_to(world, make_case, "agder")
    client = client_for(olav)
    assert client.get(case.get_absolute_url()).status_code == 404
    for action in ("publish", "archive", "submit"):
        assert client.post(f"/cases/{case.pk}/{action}/").status_code == 404, action
    assert client.post(f"/cases/{case.pk}/return/", {"comment": "Nei."}).status_code == 404
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 404
    assert list(client.get("/nettverk/lup/queue/").context["cases"]) == []
    assert client.get("/nettverk/agder/queue/").status_code == 403
    api = api_client(olav)
    assert api.get(f"/api/cases/{case.pk}").status_code == 404
    assert api.post(f"/api/cases/{case.pk}/publish").status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case_access.allowed_actions(olav, case) == set()


def test_a_case_submitted_to_both_is_in_both_queues_and_the_national_one(world, make_case):
    case = submitted_to(world, make_case, "agder", "lup")
    assert list(client_for(world["nora"]).get("/nettverk/agder/queue/").context["cases"]) == [case]
    assert list(client_for(world["olav"]).get("/nettverk/lup/queue/").context["cases"]) == [case]
    assert case in client_for(world["cast"]["carol"]).get("/cases/review/").context["cases"]
    # Delbar's curators publish it: both networks have it in their collection.
    client_for(world["cast"]["carol"]).post(f"/cases/{case.pk}/publish/")
    case.refresh_from_db()
    assert case in collection(world["network"]) and case in collection(world["lup"])


def test_national_curators_see_every_submission_and_network_curators_not_the_national_queue(world, make_case):
    plain = submitted_to(world, make_case, title="Uten nettverk")
    offered = submitted_to(world, make_case, "lup", title="Til LUP")
    assert set(client_for(world["cast"]["carol"]).get("/cases/review/").context["cases"]) == {plain, offered}
    assert client_for(world["nora"]).get("/cases/review/").status_code == 403
    assert case_access.allowed_actions(world["nora"], plain) == set()


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.PUBLISHED, Status.ARCHIVED])
def test_a_network_curator_reviews_only_submitted_cases_of_her_network(world, make_case, cast, status):
    offered = submitted_to(world, make_case, "agder")
    if status == Status.DRAFT:
        offered = case_actions.return_case(case=offered, actor=world["nora"], comment="Mer om gevinster.")
    elif status != Status.SUBMITTED:
        offered = case_actions.publish_case(case=offered, actor=world["nora"])
        if status == Status.ARCHIVED:
            offered = case_actions.archive_case(case=offered, actor=cast["alice"])
    other = bring_to(make_case(Status.DRAFT, title="Ikke tilbudt"), status, cast)
    expected = {Status.DRAFT: set(), Status.SUBMITTED: REVIEW, Status.PUBLISHED: READ, Status.ARCHIVED: set()}
    assert offered.status == status == other.status
    assert case_access.allowed_actions(world["nora"], offered) == expected[status]
    assert case_access.allowed_actions(world["nora"], other) == (READ if status == Status.PUBLISHED else set())
    assert case_access.allowed_actions(world["olav"], offered) == (READ if status == Status.PUBLISHED else set())
    assert case_access.allowed_actions(AnonymousUser(), offered) == (READ if status == Status.PUBLISHED else set())


def test_submitting_again_without_a_network_withdraws_the_offer(world, make_case, cast):
    case = submitted_to(world, make_case, "agder")
    case_actions.return_case(case=case, actor=world["nora"], comment="Rett opp.")
    # The form ticks the network again by default; unticked, the new submission goes to Delbar's curators only.
    assert list(client_for(cast["alice"]).get(case.get_absolute_url()).context["submit_form"]["networks"].initial
                ) == [world["network"]]
    client_for(cast["alice"]).post(f"/cases/{case.pk}/submit/", {})
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and not CaseNetwork.objects.filter(case=case).exists()
    assert client_for(world["nora"]).get(case.get_absolute_url()).status_code == 404


def test_an_unknown_network_submits_nothing(world, make_case, cast):
    draft = make_case(Status.DRAFT)
    client = client_for(cast["alice"])
    client.cookies["django_language"] = "en"
    response = client.post(f"/cases/{draft.pk}/submit/", {"networks": ["nowhere"]}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not CaseNetwork.objects.exists()


def test_a_network_curator_edits_a_submission_without_changing_its_buyer(world, make_case, bergen):
    case = submitted_to(world, make_case, "agder")
    client = client_for(world["nora"])
    page = client.get(f"/cases/{case.pk}/edit/?step=need")
    assert page.status_code == 200 and "lead_buyer" not in page.context["form"].fields
    data = {"step": "need", "title": "Sensorer i omsorgsboligene (rettet)", "summary": case.summary,
            "sector": case.sector_id, "language": "nb"}
    assert client.post(f"/cases/{case.pk}/edit/", data).status_code == 302
    case.refresh_from_db()
    assert case.title.endswith("(rettet)") and case.lead_buyer == bergen


def test_a_networks_editors_write_no_cases_for_the_network(world):
    assert client_for(world["nora"]).get("/cases/new/").status_code == 403
    assert not Case.objects.filter(lead_buyer=world["network"].organization).exists()
