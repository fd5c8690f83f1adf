"""Adoptions: declaring, confirming, dismissing and withdrawing them on the pages and through the API,
who may do which, Delbar's proposals from later notices, and the observatory's downloads and API
giving the same numbers as its page."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from delbar.audit.models import AuditEvent
from delbar.cases import actions as case_actions
from delbar.cases.models import Case
from delbar.diffusion import actions, proposals
from delbar.diffusion.models import Adoption, AdoptionState
from delbar.notices.models import Notice
from delbar.orgs.models import Organization
from delbar.search import indexing
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def robot(make_case):
    case = make_case("published", year=2020)
    Case.objects.filter(pk=case.pk).update(published_at=dt.datetime(2021, 1, 15, 12, tzinfo=dt.UTC))
    case.refresh_from_db()
    return case


def declare_form(organization, **extra):
    return {"organization": organization.pk, "adopted_on": "2023-05-01", "route": "own-procurement",
            "note": "Vi brukte kravspesifikasjonen.", **extra}


def test_an_editor_declares_and_the_owner_confirms(cast, robot, lyngdal):
    bob = client_for(cast["bob"])
    page = bob.get(f"/cases/{robot.pk}/diffusion/").content.decode()
    assert 'name="adopted_on"' in page
    response = bob.post(f"/cases/{robot.pk}/adoptions/", declare_form(lyngdal))
    assert response.status_code == 302
    adoption = Adoption.objects.get(case=robot, organization=lyngdal)
    assert (adoption.state, adoption.route, adoption.adopted_on) == ("declared", "own-procurement", dt.date(2023, 5, 1))
    assert AuditEvent.objects.filter(action="adoption.declare", object_id=str(robot.pk)).exists()
    # The case's owner hears of it and confirms; Bob may not confirm his own declaration.
    assert cast["alice"].notifications.filter(event=f"adoption:{adoption.pk}").exists()
    assert bob.post(f"/adoptions/{adoption.pk}/confirm/").status_code == 403
    assert client_for(cast["alice"]).post(f"/adoptions/{adoption.pk}/confirm/").status_code == 302
    adoption.refresh_from_db()
    assert adoption.state == "confirmed" and adoption.confirmed_by == cast["alice"]
    detail = client_for(None).get(f"/cases/{robot.pk}/").content.decode()
    assert "1 annen virksomhet" in detail or "1 other organization" in detail
    public = client_for(None).get(f"/cases/{robot.pk}/diffusion/").content.decode()
    assert "Lyngdal" in public.partition('id="table-adopters"')[2].partition("</table>")[0]
    assert 'id="chart-curve"' in public and 'id="map-adopters"' in public


def test_declarations_that_are_refused(cast, robot, lyngdal, bergen):
    bob = client_for(cast["bob"])
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = bob.post(f"/cases/{robot.pk}/adoptions/", declare_form(lyngdal, adopted_on=future))
    assert response.status_code == 400 and "fremtiden" in response.content.decode()
    response = bob.post(f"/cases/{robot.pk}/adoptions/", declare_form(lyngdal, adopted_on="2019-06-01"))
    assert response.status_code == 400 and "2020-01-01" in response.content.decode()
    response = bob.post(f"/cases/{robot.pk}/adoptions/", declare_form(lyngdal, adopted_on="not a date"))
    assert response.status_code == 400
    # Bob cannot speak for Bergen, and Bergen (the case's own buyer) cannot adopt its own case.
    response = bob.post(f"/cases/{robot.pk}/adoptions/", declare_form(bergen))
    assert response.status_code == 400
    assert client_for(cast["alice"]).post(f"/cases/{robot.pk}/adoptions/", declare_form(bergen)).status_code == 403
    assert client_for(cast["dave"]).post(f"/cases/{robot.pk}/adoptions/", declare_form(lyngdal)).status_code == 403
    assert client_for(None).post(f"/cases/{robot.pk}/adoptions/", declare_form(lyngdal)).status_code == 302
    assert not Adoption.objects.exists()
    bob.post(f"/cases/{robot.pk}/adoptions/", declare_form(lyngdal))
    again = bob.post(f"/cases/{robot.pk}/adoptions/", declare_form(lyngdal))
    assert again.status_code == 400 and Adoption.objects.count() == 1
    with pytest.raises(actions.AdoptionError):
        actions.declare(case=robot, actor=None, organization=Organization.objects.get(name="Dave Robotics AS"),
                        adopted_on=dt.date(2022, 1, 1))


def test_drafts_have_no_diffusion(cast, make_case, lyngdal):
    draft = make_case("draft")
    assert client_for(cast["alice"]).get(f"/cases/{draft.pk}/diffusion/").status_code == 404
    with pytest.raises(actions.AdoptionError):
        actions.declare(case=draft, actor=None, organization=lyngdal, adopted_on=dt.date(2022, 1, 1))


def test_a_curator_dismisses_and_the_adopter_withdraws(cast, robot, lyngdal):
    adoption = actions.declare(case=robot, actor=cast["bob"], organization=lyngdal, adopted_on=dt.date(2022, 1, 1))
    bob = client_for(cast["bob"])
    assert bob.post(f"/adoptions/{adoption.pk}/withdraw/").status_code == 302
    assert not Adoption.objects.exists()
    adoption = actions.declare(case=robot, actor=cast["bob"], organization=lyngdal, adopted_on=dt.date(2022, 1, 1))
    assert client_for(cast["carol"]).post(f"/adoptions/{adoption.pk}/dismiss/").status_code == 302
    adoption.refresh_from_db()
    assert adoption.state == "dismissed" and not Adoption.objects.counted().exists()
    # A dismissed adoption is seen by no one but curators and the adopter.
    assert client_for(None).post(f"/adoptions/{adoption.pk}/confirm/").status_code == 302     # log in first
    assert client_for(cast["dave"]).post(f"/adoptions/{adoption.pk}/confirm/").status_code == 404
    assert client_for(cast["alice"]).get("/adoptions/1/nonsense/").status_code == 404


def test_proposals_are_answered_by_the_adopter(cast, robot, lyngdal):
    proposal = actions.propose(case=robot, organization=lyngdal, adopted_on=dt.date(2022, 3, 1),
                               reasons=[{"code": "similar-text", "detail": "0.93"}], score=0.93)
    assert cast["bob"].notifications.filter(event=f"adoption-proposal:{proposal.pk}").exists()
    assert "Robot som inspiserer" in client_for(cast["bob"]).get("/my/").content.decode()
    assert client_for(cast["alice"]).post(f"/adoptions/{proposal.pk}/accept/").status_code == 404
    public = client_for(None).get(f"/cases/{robot.pk}/diffusion/").content.decode()
    assert "Lyngdal" not in public.partition('id="table-adopters"')[2].partition("</table>")[0]
    assert client_for(cast["bob"]).post(f"/adoptions/{proposal.pk}/accept/", {"next": "/my/"}).url == "/my/"
    proposal.refresh_from_db()
    assert proposal.state == "declared" and proposal.declared_by == cast["bob"]
    # A pair that has any adoption is never proposed again, dismissed or not.
    assert actions.propose(case=robot, organization=lyngdal, adopted_on=dt.date(2022, 3, 1), reasons=[],
                           score=1) is None


def _notice(key, organization, day, title, description):
    notice = Notice.objects.create(key=key, format="eforms", notice_id=key, version="1", title=title,
                                   description=description, organization=organization, publication_date=day,
                                   fetched_at=timezone.now(), raw=b"<x/>", raw_sha256="0" * 64)
    indexing.index(notice)
    return notice


def test_delbar_proposes_adoptions_from_later_notices_of_other_buyers(cast, make_case, bergen, lyngdal):
    case = make_case("published", year=2020, title="Robot som inspiserer drikkevannstunneler",
                     summary="Bergen kjøpte en fjernstyrt robot som inspiserer drikkevannstunneler mens de er i drift.")
    same = ("Inspeksjonsrobot for drikkevannstunneler",
            "Lyngdal kommune skal kjøpe en fjernstyrt robot som inspiserer drikkevannstunneler mens de er i drift.")
    later = _notice("later", lyngdal, dt.date(2023, 4, 1), *same)
    _notice("earlier", Organization.objects.get(municipality_number="1151"), dt.date(2019, 4, 1), *same)
    _notice("own", bergen, dt.date(2023, 4, 1), *same)
    _notice("other", Organization.objects.get(municipality_number="4213"), dt.date(2023, 4, 1),
            "Brøyting og strøing av kommunale veier", "Vintervedlikehold av veier i tre år.")
    found = proposals.find(case)
    assert [item.organization_id for item in found] == [lyngdal.pk]
    assert found[0].notice == later and found[0].adopted_on == dt.date(2023, 4, 1)
    assert found[0].reasons[0]["code"] == "similar-text" and float(found[0].reasons[0]["detail"]) >= 0.91
    assert proposals.propose_for(case) == 1 and proposals.propose_for(case) == 0
    adoption = Adoption.objects.get()
    assert adoption.state == AdoptionState.PROPOSED and adoption.evidence_notice == later


def test_a_reusing_case_is_proposed_as_an_adoption(cast, make_case, lyngdal):
    original = make_case("published", year=2020)
    reuse = case_actions.reuse_case(source=original, actor=cast["bob"], organization=lyngdal)
    case_actions.update_case(case=reuse, actor=cast["bob"], fields={"year": 2023})
    case_actions.submit_case(case=reuse, actor=cast["bob"])
    case_actions.publish_case(case=reuse, actor=cast["carol"])
    found = proposals.find(original)
    assert found and found[0].organization_id == lyngdal.pk and found[0].reasons[0]["code"] == "reuses-case"


def test_the_declare_api(cast, robot, lyngdal, api_client):
    bob = api_client(cast["bob"])
    response = bob.post(f"/api/cases/{robot.pk}/adoptions", {"adopted_on": "2022-04-01", "route": "pilot"},
                        content_type="application/json")
    assert response.status_code == 201 and response.json()["organization"]["id"] == lyngdal.pk
    adoption_id = response.json()["id"]
    assert bob.post(f"/api/adoptions/{adoption_id}/confirm").status_code == 403
    confirmed = api_client(cast["carol"]).post(f"/api/adoptions/{adoption_id}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["state"] == "confirmed"
    listed = api_client().get(f"/api/cases/{robot.pk}/adoptions").json()
    assert [item["id"] for item in listed] == [adoption_id]
    assert bob.post(f"/api/cases/{robot.pk}/adoptions", {"adopted_on": "2022-04-01"},
                    content_type="application/json").status_code == 422        # already declared
    assert api_client(cast["alice"]).post(f"/api/cases/{robot.pk}/adoptions", {"adopted_on": "2022-04-01"},
                                          content_type="application/json").status_code == 403
    assert bob.post(f"/api/cases/{robot.pk}/adoptions", {"adopted_on": "yesterday"},
                    content_type="application/json").status_code == 422
    assert api_client().post(f"/api/cases/{robot.pk}/adoptions", {"adopted_on": "2022-04-01"},
                             content_type="application/json").status_code == 401
    assert bob.post(f"/api/adoptions/{adoption_id}/withdraw").status_code == 204
    assert not Adoption.objects.exists()


@pytest.fixture
def adopted(cast, robot, lyngdal):
    for number, day in (("1151", dt.date(2021, 3, 1)), ("4225", dt.date(2022, 5, 1)), ("3903", dt.date(2023, 1, 2))):
        actions.declare(case=robot, actor=None, organization=Organization.objects.get(municipality_number=number),
                        adopted_on=day)
    return robot


@pytest.mark.parametrize("name", ["activity", "breakdown", "reach-by-size", "reach-by-county", "map", "spread",
                                  "speed", "network"])
def test_every_observatory_figure_is_the_same_on_the_page_in_csv_json_and_the_api(adopted, api_client, name):
    query = "size_class=small&by=county"
    from_api = api_client().get(f"/api/observatory/{name}?{query}").json()
    from_json = client_for(None).get(f"/observatory/{name}.json?{query}").json()
    assert from_api == from_json
    rows = list(csv.DictReader(io.StringIO(client_for(None).get(f"/observatory/{name}.csv?{query}").content.decode())))
    assert len(rows) == len(from_api["rows"])
    assert [list(row) for row in rows[:1]] == [[column["key"] for column in from_api["columns"]]][:len(rows[:1])]
    for row, expected in zip(rows, from_api["rows"], strict=True):
        assert row == {key: "" if value is None else str(value) for key, value in expected.items()}
    assert from_api["filters"]["size_class"] == "small"


def test_the_observatory_page_shows_the_figures(adopted, cast):
    page = client_for(None).get("/observatory/?map=adoptions").content.decode()
    for chart in ('id="chart-activity"', 'id="chart-reach"', 'id="map-municipalities"', 'id="table-map"',
                  'id="table-spread"', 'id="table-network"', "© Kartverket"):
        assert chart in page
    assert 'id="table-unreached"' not in page
    curator_page = client_for(cast["carol"]).get("/observatory/").content.decode()
    assert 'id="table-unreached"' in curator_page and "Utsira" not in curator_page.partition(
        'id="table-unreached"')[2].partition("</table>")[0]
    assert client_for(None).get("/observatory/unreached.csv").status_code == 404
    assert client_for(cast["carol"]).get("/observatory/unreached.csv").status_code == 200


@pytest.mark.parametrize("query", ["since=abc", "county=99", "since=2025&until=2020", "size_class=huge",
                                   "by=colour", "map=x"])
def test_bad_filters_get_a_clear_error(query, api_client):
    page = client_for(None).get(f"/observatory/?{query}")
    assert page.status_code == 400 and "error-summary" in page.content.decode()
    download = client_for(None).get(f"/observatory/activity.csv?{query}")
    assert download.status_code == 400 and download.json()["errors"]
    assert api_client().get(f"/api/observatory?{query}").status_code == 422


def test_unknown_figures_are_404(api_client, robot):
    assert client_for(None).get("/observatory/nothing.csv").status_code == 404
    assert client_for(None).get("/observatory/activity.xml").status_code == 404
    assert api_client().get("/api/observatory/nothing").status_code == 404
    assert client_for(None).get(f"/cases/{robot.pk}/diffusion/nothing.csv").status_code == 404


def test_case_diffusion_api_matches_its_downloads(adopted, api_client):
    data = api_client().get(f"/api/cases/{adopted.pk}/diffusion").json()
    assert data["eligible_population"] == 371
    assert [row["adopters"] for row in data["figures"]["curve"]["rows"]] == [1, 2, 3]
    download = client_for(None).get(f"/cases/{adopted.pk}/diffusion/adopters.json").json()
    assert download == data["figures"]["adopters"]
    assert api_client().get("/api/cases/999999/diffusion").status_code == 404
