"""Notices on the site and in the API: the list with its facets, one notice with its reasons and
provenance, the curators' discovery queue, "start a case from this notice" for the buyer's editors,
cases citing notices, notices on organization pages, and notices among a need's matches."""

import json

import pytest

from delbar.audit.models import AuditEvent
from delbar.cases import actions as case_actions
from delbar.cases.models import Case
from delbar.needs import actions as need_actions
from delbar.needs.models import Match
from delbar.notices.importing import import_path
from delbar.notices.models import Notice, Review
from delbar.orgs.models import Organization
from delbar.search import embed_pending
from tests.conftest import client_for
from tests.notice_files import DEMO_NOTICES

pytestmark = pytest.mark.django_db


# A handful of real notices keeps these tests quick (every import embeds): the TED ones, and Doffin's
# pathology system, site supervision, e-scooter permits, network equipment dialogue, and dialogue conference.
DOFFIN_FILES = ["2024-113575.xml", "ContractNotice_cn-standard_2024-107345.xml",
                "ContractNotice_pin-cfc-social_2024-102423.xml", "PriorInformationNotice_pin-buyer_2023-100723.xml",
                "PriorInformationNotice_pin-rtl_2023-607152.xml"]


@pytest.fixture
def notices(db):
    import_path(DEMO_NOTICES / "ted")
    for name in DOFFIN_FILES:
        import_path(DEMO_NOTICES / "doffin" / name)
    embed_pending()   # what the worker does after an import (the test's transaction never commits)
    return Notice.objects


@pytest.fixture
def bergen_notice(notices):
    return notices.get(publication_number="119321-2021")      # "Bergen kommune — Innkjøp konsern" on TED


def results(client, url: str) -> str:
    """The result list of a search page, without the filter form (whose options name procedures too)."""
    return client.get(url).content.decode().partition('id="results"')[2]


def test_the_notice_list_and_its_filters(notices, client):
    page = client.get("/notices/").content.decode()
    # The filters are the facet panel: links with counts that add one filter each.
    assert 'href="?signal=strong"' in page and 'href="?family=' in page
    assert "Intensjonskunngjøring Digital patologisystem" in results(client, "/notices/")
    strong = results(client, "/notices/?signal=strong")
    assert "Invitasjon til dialogkonferanse" in strong and "Byggeledelse" not in strong
    kafjord = Organization.objects.get(name="Kåfjord")
    by_buyer = results(client, f"/notices/?buyer={kafjord.pk}")
    assert "Winter Maintenance" in by_buyer and "Byggeledelse" not in by_buyer
    assert "Markedsdialog" in results(client, "/notices/?q=markedsdialog")
    awarded_services = results(client, "/notices/?family=result&cpv=90")
    assert "Winter Maintenance" in awarded_services and "Markedsdialog" not in awarded_services
    response = client.get("/notices/?cpv=x")
    assert response.status_code == 400 and "CPV" in response.content.decode()


def test_notices_are_found_beside_cases(notices, client):
    page = client.get("/search/?q=elsparkesykler").content.decode()
    assert "Tillatelsesordning for el-sparkesykler" in page


def test_a_notice_page_says_why_it_was_discovered(notices, client):
    notice = notices.get(title__startswith="Invitasjon til dialogkonferanse")
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "dialogkonferanse" in page and f"/notices/{notice.pk}/document/" in page
    assert "Start a case from this notice" not in page and "Start en erfaring" not in page


def test_the_buyers_editors_may_start_a_case_from_its_notice(cast, bergen_notice):
    alice, bob = client_for(cast["alice"]), client_for(cast["bob"])
    start = f"/cases/new/?notice={bergen_notice.pk}"
    assert start in alice.get(bergen_notice.get_absolute_url()).content.decode()
    assert start not in bob.get(bergen_notice.get_absolute_url()).content.decode()
    form = alice.get(start).content.decode()
    assert "EEA 018-2021 Development Plan Slettebakken (NEW)" in form and "119321-2021" in form
    assert "Slettebakken" not in bob.get(start).content.decode()      # not Lyngdal's notice: nothing filled in
    response = alice.post("/cases/new/", {
        "title": "Utviklingsplan for Slettebakken", "summary": "Bergen bestilte en utviklingsplan.",
        "sector": "bygg-eiendom", "language": "nb", "notices": "119321-2021", **_empty_formsets()})
    assert response.status_code == 302
    case = Case.objects.get(title="Utviklingsplan for Slettebakken")
    assert list(case.notices.all()) == [bergen_notice]
    assert case.revisions.first().snapshot["notices"] == [bergen_notice.pk]
    case = case_actions.publish_case(case=case_actions.submit_case(case=case, actor=cast["alice"]),
                                     actor=cast["carol"])
    assert bergen_notice.get_absolute_url() in alice.get(case.get_absolute_url()).content.decode()
    assert case.get_absolute_url() in alice.get(bergen_notice.get_absolute_url()).content.decode()


def _empty_formsets() -> dict:
    return {f"{prefix}-{field}": 0 for prefix in ("benefits", "links", "contacts")
            for field in ("TOTAL_FORMS", "INITIAL_FORMS")}


def test_an_unknown_notice_on_a_case_is_a_form_error(cast, notices):
    response = client_for(cast["alice"]).post("/cases/new/", {
        "title": "Sak", "summary": "Kort.", "sector": "bygg-eiendom", "language": "nb",
        "notices": "870ff007-688a-4ad1-9ad7-28c2ae514b40, 999999-2099",
        **_empty_formsets()})
    assert response.status_code in (200, 400) and "999999-2099" in response.content.decode()
    assert not Case.objects.filter(title="Sak").exists()


def test_the_discovery_queue_is_for_curators(cast, notices):
    carol = client_for(cast["carol"])
    page = carol.get("/notices/discovered/").content.decode()
    strong = notices.filter(signal="strong")
    assert strong.exists() and all(notice.title in page for notice in strong)
    assert "Byggeledelse" not in page
    assert client_for(cast["alice"]).get("/notices/discovered/").status_code == 403
    assert client_for(None).get("/notices/discovered/").status_code == 302
    notice = strong.first()
    assert client_for(cast["alice"]).post(f"/notices/{notice.pk}/review/", {"review": "confirmed"}).status_code == 403
    carol.post(f"/notices/{notice.pk}/review/", {"review": "bogus"})
    notice.refresh_from_db()
    assert notice.review == Review.PENDING
    carol.post(f"/notices/{notice.pk}/review/", {"review": "confirmed", "next": "/notices/discovered/"})
    notice.refresh_from_db()
    assert notice.review == Review.CONFIRMED
    assert AuditEvent.objects.filter(action="notice.review").count() == 1
    assert notice.title not in carol.get("/notices/discovered/").content.decode()
    assert notice.title in carol.get("/notices/discovered/?review=confirmed").content.decode()


def test_organization_pages_list_their_notices(notices, client):
    kafjord = Organization.objects.get(name="Kåfjord")
    assert "Winter Maintenance of Municipal Roads" in client.get(kafjord.get_absolute_url()).content.decode()


def test_my_organization_invites_the_story_of_a_discovered_notice(cast, bergen_notice):
    alice = client_for(cast["alice"])
    invitation = f"/cases/new/?notice={bergen_notice.pk}"
    assert invitation not in alice.get("/my/").content.decode()          # no innovation signal
    Notice.objects.filter(pk=bergen_notice.pk).update(signal="strong")
    assert invitation in alice.get("/my/").content.decode()
    assert invitation not in client_for(cast["bob"]).get("/my/").content.decode()


def test_the_notice_api(notices, api_client):
    api = api_client(None)
    listing = api.get("/api/notices").json()
    assert listing["count"] == Notice.objects.current().count() == 10
    strong = api.get("/api/notices", {"signal": "strong"}).json()
    assert strong["count"] == Notice.objects.filter(signal="strong").count() > 0
    found = api.get("/api/notices", {"q": "elsparkesykler"}).json()["items"]
    assert found[0]["title"].startswith("Tillatelsesordning for el-sparkesykler")
    one = api.get(f"/api/notices/{strong['items'][0]['id']}").json()
    assert one["signal"] == "strong" and one["signal_reasons"] and one["signal_reasons"][0]["text"]
    assert one["current"] is True and one["document_url"].endswith("/document/")
    assert api.get("/api/notices/999999").status_code == 404
    assert api.get("/api/notices", {"cpv": "4"}).status_code == 422
    assert api.get("/api/notices", {"page": 99}).status_code == 422
    search = api.get("/api/search", {"kind": "notice", "procedure": "neg-wo-call"}).json()
    assert search["count"] == Notice.objects.filter(procedure="neg-wo-call").count() > 0


def test_a_need_is_matched_with_real_notices(cast, notices, bergen):
    need = need_actions.create_need(actor=cast["alice"], organization=bergen, fields={
        "title": "Styre utleie av elsparkesykler",
        "description": "Vi vil gi et begrenset antall utleieselskaper tillatelse til elsparkesykler i sentrum, "
                       "med krav til parkering og data."})
    matches = Match.objects.filter(need=need, kind="notice", current=True).order_by("-score")
    assert matches.exists()
    best = Notice.objects.get(pk=matches.first().object_id)
    assert best.title.startswith("Tillatelsesordning for el-sparkesykler")
    page = client_for(cast["alice"]).get(need.get_absolute_url()).content.decode()
    assert best.get_absolute_url() in page


def test_a_notice_shows_its_classifications_in_other_schemes(db, client, tmp_path):
    release = {"ocid": "ocds-abc123-roads", "id": "1", "date": "2024-05-02T00:00:00Z", "tag": ["tender"],
               "buyer": {"name": "Ciudad de México"}, "tender": {"id": "t", "title": "Mantenimiento vial", "items": [
                   {"id": "1", "classification": {"scheme": "UNSPSC", "id": "72141100", "description": "Road works"}}]}}
    (tmp_path / "roads.json").write_text(json.dumps(release))
    import_path(tmp_path / "roads.json")
    notice = Notice.objects.get(notice_id="ocds-abc123-roads")
    page = client.get(notice.get_absolute_url(), headers={"accept-language": "nb"}).content.decode()
    assert "Andre klassifiseringer" in page and "UNSPSC 72141100 Road works" in page
