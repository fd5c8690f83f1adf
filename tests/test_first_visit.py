"""What a first-time visitor and each role meet: results before filters, chosen filters as chips, words
instead of codes, no dead ends after a review, the work each role has waiting, honest signals."""

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.apps import apps

from delbar.alerts.models import Notification
from delbar.cases import actions as case_actions
from delbar.groups.models import BuyerGroup
from delbar.needs import actions as need_actions
from delbar.needs.models import Match, NeedInterest
from delbar.notices.importing import import_path
from delbar.notices.models import Notice
from delbar.orgs.models import Sector
from tests.conftest import client_for

NB = {"accept-language": "nb"}


def visible_text(page: str) -> str:
    """What a person reads: the page without its markup, scripts and attribute values."""
    page = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


def coded_values() -> dict[str, str]:
    """Every code in Delbar's code lists that has a label of its own ("early-adopters" → "Tidlige
    brukere"), as it would show if a page printed the code instead of the label."""
    from delbar.diffusion.casefigures import CATEGORIES

    codes = {slug: str(label) for slug, label, _bound in CATEGORIES}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)+|[a-z]{3,}", value) \
                        and str(label).lower() != value:
                    codes[value] = str(label)
    return codes


def published(cast, buyer, title, summary, **fields):
    case = case_actions.create_case(actor=None, lead_buyer=buyer, fields={
        "title": title, "summary": summary, "sector": Sector.objects.get(pk="helse-omsorg"), **fields})
    return case_actions.publish_case(case=case_actions.submit_case(case=case, actor=None), actor=cast["carol"])


@pytest.fixture
def alarms(cast, bergen, lyngdal):
    return [published(cast, bergen, "Digitale trygghetsalarmer", "Trygghetsalarmer over mobilnettet for "
                      "hjemmeboende, koblet til responssenteret.", outcome="success", category="iia"),
            published(cast, lyngdal, "Trygghetsalarmer med GPS", "Alarmer med posisjon for personer med demens.",
                      outcome="partial")]


def test_results_come_before_the_filters_and_chosen_filters_are_chips(alarms, client):
    page = client.get("/search/?q=trygghetsalarmer&outcome=success", headers=NB).content.decode()
    # One place for the filters: no select boxes for them, only the panel of links with counts.
    assert 'name="outcome"' in page and '<select name="outcome"' not in page
    assert page.index('class="results-summary"') < page.index('class="filter-panel"') < page.index(
        'class="results-list"')
    chips = re.search(r'<ul class="chips".*?</ul>', page, re.S).group(0)
    assert "Resultat: Vellykket" in visible_text(chips)
    assert 'href="?q=trygghetsalarmer"' in chips          # the chip removes exactly its filter
    assert "Digitale" in page and "med GPS" not in page
    # The kind of result is a row of links with counts, on the page that searches everything.
    tabs = re.search(r'<nav class="kind-tabs".*?</nav>', client.get("/search/?q=trygghetsalarmer").content.decode(),
                     re.S).group(0)
    assert "Alt (2)" in re.sub(r"\s+", " ", visible_text(tabs)) and "Erfaringer (2)" in re.sub(
        r"\s+", " ", visible_text(tabs))


def test_a_value_no_kind_offers_is_not_a_facet(cast, alarms, client):
    from delbar.suppliers.actions import save_solution

    save_solution(actor=cast["dave"], organization=cast["dave"].memberships.get().organization,
                  fields={"title": "Trygghetsalarm-plattform", "description": "Trygghetsalarmer som tjeneste."})
    page = visible_text(client.get("/search/?q=trygghetsalarmer", headers=NB).content.decode())
    assert "active" not in page.split() and "inactive" not in page.split()


def test_pages_show_labels_not_codes(cast, alarms, lyngdal):
    from delbar.diffusion import actions as diffusion_actions

    case = alarms[0]
    diffusion_actions.declare(case=case, actor=cast["bob"], organization=lyngdal, adopted_on=dt.date.today(),
                              route="joint-procurement")
    codes = coded_values()
    assert {"early-adopters", "joint-procurement", "declared", "small", "iia"} <= set(codes)
    pages = ["/", "/search/?q=trygghetsalarmer", "/cases/", case.get_absolute_url(), f"/cases/{case.pk}/diffusion/",
             "/observatory/", "/notices/", "/needs/"]
    for person in ("anonymous", "bob", "carol"):
        client = client_for(cast[person])
        for path in pages:
            text = visible_text(client.get(path, headers=NB).content.decode())
            shown = [code for code in codes if re.search(rf"(?<![\w/=.-]){re.escape(code)}(?![\w/-])", text)]
            assert shown == [], (person, path, shown)


def test_the_case_category_is_explained_where_it_is_shown(alarms, client):
    page = client.get(alarms[0].get_absolute_url(), headers=NB).content.decode()
    assert "Innovasjon i anskaffelser (IIA)" in page and "av det markedet allerede kan tilby" in page


def test_editors_are_told_when_their_case_is_published_or_returned(cast, bergen):
    case = case_actions.create_case(actor=cast["alice"], lead_buyer=bergen, fields={
        "title": "Robot", "summary": "S.", "sector": Sector.objects.get(pk="helse-omsorg")})
    case_actions.return_case(case=case_actions.submit_case(case=case, actor=cast["alice"]), actor=cast["carol"],
                             comment="Skriv hva det kostet.")
    returned = Notification.objects.get(user=cast["alice"], event__startswith="case-returned:")
    assert "Robot" in returned.title and returned.url == case.get_absolute_url()
    case_actions.publish_case(case=case_actions.submit_case(case=case, actor=cast["alice"]), actor=cast["carol"])
    assert Notification.objects.filter(user=cast["alice"], event__startswith="case-published:").count() == 1
    assert not Notification.objects.filter(user=cast["bob"]).exists()   # Lyngdal's editor: not his case


def test_a_curator_follows_what_she_returned_in_her_queue(cast, bergen):
    case = case_actions.create_case(actor=cast["alice"], lead_buyer=bergen, fields={
        "title": "Droner", "summary": "S.", "sector": Sector.objects.get(pk="helse-omsorg")})
    case = case_actions.submit_case(case=case, actor=cast["alice"])
    carol = client_for(cast["carol"])
    response = carol.post(f"/cases/{case.pk}/return/", {"comment": "Mangler resultatene."}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "Sendt tilbake, venter på forfatterne" in page
    assert "Droner" in page and "Mangler resultatene." in page
    assert f'href="/cases/{case.pk}/"' not in page      # a draft again: no link she may not follow


def test_each_role_finds_its_work_on_my_organization(cast, bergen, lyngdal, alarms):
    from delbar.groups.actions import form_group
    from delbar.suppliers.actions import save_solution

    need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, fields={
        "title": "Trygghetsalarmer", "description": "Vi trenger digitale trygghetsalarmer."})
    NeedInterest.objects.create(need=need, organization=bergen)
    form_group(need=need, actor=cast["bob"], name="Alarmgruppa", members=[bergen])
    case_actions.submit_case(case=case_actions.create_case(actor=cast["alice"], lead_buyer=bergen, fields={
        "title": "Til vurdering", "summary": "S.", "sector": Sector.objects.get(pk="helse-omsorg")}),
        actor=cast["alice"])
    supplier = cast["dave"].memberships.get().organization
    save_solution(actor=cast["dave"], organization=supplier, fields={"title": "Alarmsentral", "description": "D."})

    alice = client_for(cast["alice"]).get("/my/", headers=NB).content.decode()
    assert "Alarmgruppa" in alice                                      # a member's groups
    bob = client_for(cast["bob"]).get("/my/", headers=NB).content.decode()
    assert "Alarmgruppa" in bob and "Trygghetsalarmer" in bob          # the lead's groups and open needs
    carol = visible_text(client_for(cast["carol"]).get("/my/", headers=NB).content.decode())
    assert "Venter på deg" in carol and "1 erfaring sendt til vurdering" in carol
    dave = client_for(cast["dave"]).get("/my/", headers=NB).content.decode()
    assert "Alarmsentral" in dave and 'href="/demand/"' in dave
    assert 'href="/demand/"' in client_for(cast["dave"]).get("/cases/").content.decode()   # in the menu
    assert 'href="/demand/"' not in client_for(cast["bob"]).get("/cases/").content.decode()


def test_a_buyer_group_can_be_formed_with_the_needs_delbar_matched(cast, bergen, lyngdal, alarms,
                                                                   django_capture_on_commit_callbacks):
    mine = need_actions.create_need(actor=cast["bob"], organization=lyngdal, fields={
        "title": "Digitale trygghetsalarmer", "description": "Vi skal bytte analoge trygghetsalarmer til digitale.",
        "open_for_joint_procurement": False})
    with django_capture_on_commit_callbacks(execute=True):   # the refresh of the needs near it
        theirs = need_actions.create_need(actor=cast["alice"], organization=bergen, fields={
            "title": "Trygghetsalarmer over mobilnett", "description": "Vi skal bytte til digitale trygghetsalarmer."})
    mine.refresh_from_db()
    assert Match.objects.filter(need=mine, kind="need", object_id=theirs.pk).exists()
    bob = client_for(cast["bob"])
    form = bob.get(f"/needs/{mine.pk}/group/", headers=NB).content.decode()
    assert f'value="{theirs.pk}"' in form and "Bergen" in form    # nobody joined, yet someone to invite
    response = bob.post(f"/needs/{mine.pk}/group/", {"name": "Alarmer", "partner_needs": [theirs.pk]})
    group = BuyerGroup.objects.get()
    assert response.url == f"/groups/{group.pk}/"
    assert {member.organization_id for member in group.members.all()} == {lyngdal.pk, bergen.pk}


def test_a_note_to_the_owner_is_seen_by_the_owner_only(cast, bergen, lyngdal):
    need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, fields={
        "title": "Trygghetsalarmer", "description": "Vi trenger digitale trygghetsalarmer."})
    client_for(cast["alice"]).post(f"/needs/{need.pk}/join/", {"organization": bergen.pk, "note": "Ring Kari i Bergen"})
    assert "Ring Kari i Bergen" in client_for(cast["bob"]).get(need.get_absolute_url()).content.decode()
    for person in ("anonymous", "alice", "carol", "dave"):
        page = client_for(cast[person]).get(need.get_absolute_url()).content.decode()
        assert "Ring Kari i Bergen" not in page, person
    form = client_for(cast["alice"]).get(need.get_absolute_url(), headers=NB).content.decode()
    assert "Bare eieren av behovet ser den" in form


DEMO_NOTICES = Path(__file__).resolve().parent.parent / "delbar" / "demo" / "notices"


def test_an_automatic_signal_is_a_suggestion_and_a_notice_links_to_its_source(db, client):
    import_path(DEMO_NOTICES / "doffin" / "2024-110489.xml")
    Notice.objects.update(signal="strong", review="pending")
    notice = Notice.objects.get()
    page = client.get(notice.get_absolute_url(), headers=NB).content.decode()
    assert "Foreslått av Delbar: Sterkt innovasjonssignal" in page
    assert "ingen kurator har sjekket det ennå" in page and 'data-color="success"' not in page
    assert 'href="https://doffin.no/notices/2024-110489"' in page
    Notice.objects.filter(pk=notice.pk).update(review="confirmed")
    confirmed = client.get(notice.get_absolute_url(), headers=NB).content.decode()
    assert "Foreslått av Delbar" not in confirmed and "Bekreftet som innovativ" in confirmed


def test_every_notice_in_the_demo_links_to_doffin_or_ted(db):
    import_path(DEMO_NOTICES)
    notices = list(Notice.objects.all())
    assert len(notices) > 50
    assert [notice.pk for notice in notices if not notice.source_url] == []
