"""Issue 16's journey in headless Chromium: a network's own curator adds a case to her network and posts
news; a buyer announces a dialogue on her need; a supplier registers and gives written input with a
document; the organizer reads the input, has Delbar propose the meetings and forms a buyer group from
them; the network's embeddable list renders inside a frame on a page served from another origin.
Every page on the way passes axe-core with no serious or critical violations.

Forms are found by where they post, so the journey does not hang on the wording of a button; the
language is the default, bokmål."""

import datetime as dt
import http.server
import threading
from functools import partial

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from delbar.accounts.models import Membership, Role
from delbar.cases import actions as case_actions
from delbar.demo.loader import DEMO_DIR
from delbar.groups.models import BuyerGroup
from delbar.needs import actions as need_actions
from delbar.networks import actions as network_actions
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.suppliers import actions as supplier_actions
from tests.browsing import BROWSER_TEST_MARKS, assert_accessible, click_through, log_in
from tests.conftest import PASSWORD

pytestmark = BROWSER_TEST_MARKS

NEED = "Digitalt tilsyn om natten i hjemmetjenesten"


@pytest.fixture
def other_origin(tmp_path):
    """A web server on 127.0.0.1 (the live server answers on localhost: another origin) serving one page
    that frames whatever embed.html is written to point at."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _world(people, origin):
    """Agder's network with Bergen and Arendal as members and Nora as its own curator; Bergen and Arendal
    with the same need; a supplier whose solution answers it; a published Lyngdal case outside it."""
    alice, carol = people
    bergen = Organization.objects.get(municipality_number="4601")
    arendal = Organization.objects.get(municipality_number="4203")
    lyngdal = Organization.objects.get(municipality_number="4225")
    health = Sector.objects.get(pk="helse-omsorg")
    cpv = [CpvCode.objects.get(code="33196200")]  # devices for the disabled
    organization = Organization.objects.create(kind=Organization.Kind.NETWORK, name="Innkjøpsnettverket i Agder")
    network = network_actions.create_network(organization=organization, slug="agder", kind="region", actor=carol,
                                             description="Kommunene i Agder kjøper inn sammen.",
                                             embed_origins=origin)
    arne = User.objects.create_user("arne", "arne@example.no", PASSWORD)
    Membership.objects.create(user=arne, organization=arendal, role=Role.EDITOR)
    for editor, member in ((alice, bergen), (arne, arendal)):
        network_actions.decide_join(member=network_actions.request_join(network=network, actor=editor,
                                                                        organization=member),
                                    actor=carol, approve=True)
    nora = User.objects.create_user("nora", "nora@example.no", PASSWORD, first_name="Nora")
    Membership.objects.create(user=nora, organization=organization, role=Role.EDITOR)
    dave = User.objects.create_user("dave", "dave@example.no", PASSWORD)
    supplier = Organization.objects.create(kind="supplier", name="Nattro Sensor AS", org_number="974760673")
    Membership.objects.create(user=dave, role=Role.SUPPLIER, organization=supplier)
    supplier_actions.save_solution(actor=dave, organization=supplier, sectors=[health], cpv_codes=cpv, fields={
        "title": "Sensorer for nattilsyn i hjemmet",
        "description": "Sengesensorer og døralarmer varsler nattpatruljen når en bruker står opp eller faller, "
                       "slik at tilsynet om natten blir digitalt og færre blir vekket."})
    case = case_actions.create_case(actor=None, lead_buyer=lyngdal, fields={
        "title": "Lyngdal tok i bruk digitalt nattilsyn", "sector": health,
        "summary": "Lyngdal erstattet fysiske runder om natten med sensorer og fikk roligere netter."})
    case = case_actions.publish_case(case=case_actions.submit_case(case=case, actor=None), actor=carol)
    described = ("Hjemmetjenesten går mange fysiske runder om natten og vekker brukere. Vi vil ha digitalt "
                 "tilsyn om natten med sensorer som varsler ved fall og uro.")
    need = need_actions.create_need(actor=alice, organization=bergen, cpv_codes=cpv, fields={
        "title": NEED, "sector": health, "description": described})
    need_actions.create_need(actor=arne, organization=arendal, cpv_codes=cpv, fields={
        "title": "Nattilsyn med sensorer i hjemmetjenesten", "sector": health, "description": described})
    return network, case, need


@pytest.mark.long
def test_a_network_a_dialogue_matchmaking_and_an_embedded_list(browser, live_server, people, other_origin):
    folder, origin = other_origin
    network, case, need = _world(people, origin)

    # Nora curates Agder's network: she adds Lyngdal's case to its collection and posts news.
    curator = browser.new_context()
    page = log_in(curator, live_server, "nora")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    click_through(page, page.locator("form[action='/nettverk/collection/add/'] button[type=submit]"))
    page.goto(f"{live_server.url}/nettverk/agder/cases/")
    page.get_by_role("link", name="Lyngdal tok i bruk digitalt nattilsyn").wait_for()
    assert_accessible(page, "network-collection")
    page.goto(f"{live_server.url}/nettverk/agder/news/new/")
    page.locator("input[name=title]").fill("Dialogkonferanse om nattilsyn i januar")
    page.locator("textarea[name=body]").fill("Bergen inviterer leverandørene til dialog om digitalt nattilsyn.")
    assert_accessible(page, "network-news-form")
    click_through(page, page.locator("main form[method=post] button[type=submit]").last)
    page.goto(f"{live_server.url}/nettverk/agder/")
    page.get_by_text("Dialogkonferanse om nattilsyn i januar").first.wait_for()
    assert_accessible(page, "network-page-curator")

    # Alice announces a dialogue on Bergen's need, from the need's page.
    buyer = browser.new_context()
    page = log_in(buyer, live_server, "alice")
    page.goto(f"{live_server.url}{need.get_absolute_url()}")
    page.locator(f"a[href='/dialogues/new/?need={need.pk}']").click()
    starts = timezone.localtime() + dt.timedelta(days=30)
    page.locator("input[name=title]").fill("Dialogkonferanse: digitalt nattilsyn")
    page.locator("textarea[name=purpose]").fill("Vi vil vite hva markedet kan levere av digitalt nattilsyn.")
    page.locator("textarea[name=market_questions]").fill("Hvilke sensorer bruker dere?\nHva koster drift?")
    page.locator("input[name=starts_at]").fill(starts.strftime("%Y-%m-%dT09:00"))
    page.locator("input[name=ends_at]").fill(starts.strftime("%Y-%m-%dT12:00"))
    page.locator("input[name=registration_deadline]").fill((starts - dt.timedelta(days=7)).strftime("%Y-%m-%dT12:00"))
    page.locator("input[name=place]").fill("Bergen rådhus")
    page.locator(f"input[name=needs][value='{need.pk}']").check()
    assert_accessible(page, "dialogue-form")
    page.locator("main form[method=post] button[type=submit]").last.click()
    page.wait_for_url("**/dialogues/*/")
    dialogue_url = page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Dialogkonferanse: digitalt nattilsyn"
    assert_accessible(page, "dialogue-page-organizer")

    # Dave registers Nattro Sensor with two attendees and gives written input with a document.
    seller = browser.new_context()
    page = log_in(seller, live_server, "dave")
    page.goto(dialogue_url)
    page.locator("form[action$='/register/'] textarea[name=attendees]").fill("Dag Sensor, daglig leder\nEva Natt")
    click_through(page, page.locator("form[action$='/register/'] button[type=submit]"))
    page.locator("form[action$='/input/'] textarea[name=body]").fill("Vi leverer sengesensorer; drift koster lite.")
    page.locator("form[action$='/input/'] input[name=document]").set_input_files(
        str(DEMO_DIR / "kravspesifikasjon-eksempel.pdf"))
    page.locator("form[action$='/input/'] button[type=submit]").click()
    page.locator("a[href*='/input/documents/']").first.wait_for()
    assert_accessible(page, "dialogue-page-supplier")

    # Bob, of a buyer outside it all, reads the public page: no input, no attendee names.
    visitor = browser.new_context().new_page()
    visitor.goto(dialogue_url)
    public = visitor.locator("main").inner_text()
    assert "Vi leverer sengesensorer" not in public and "Dag Sensor" not in public
    assert visitor.locator("a[href*='/input/documents/']").count() == 0

    # Alice reads the input and the attendees, has the meetings proposed and forms a buyer group.
    page = buyer.new_page()
    page.goto(dialogue_url)
    organizer_view = page.locator("main").inner_text()
    assert "Vi leverer sengesensorer" in organizer_view and "Dag Sensor" in organizer_view
    page.goto(f"{dialogue_url}matchmaking/")
    page.locator("form[action$='/matchmaking/propose/'] button").click()
    table = page.locator("#table-heading + .table-wrap table")
    table.wait_for()
    assert "Arendal" in table.inner_text() and "Nattro Sensor AS" in table.inner_text()
    assert_accessible(page, "matchmaking")
    page.locator("form[action$='/matchmaking/group/'] button[type=submit]").first.click()
    page.wait_for_url("**/groups/*/")
    group = BuyerGroup.objects.get()
    assert {member.organization.name for member in group.members.all()} == {"Bergen", "Arendal"}
    assert group.need == need
    assert_accessible(page, "group-from-matchmaking")

    # Agder's website frames the network's list: it renders, from another origin, with the added case.
    (folder / "embed.html").write_text(
        f'<!doctype html><html lang="nb"><title>Agder</title><iframe title="Delbar" width="600" height="400" '
        f'src="{live_server.url}/nettverk/agder/embed/"></iframe></html>', encoding="utf-8")
    framed = browser.new_context().new_page()
    framed.goto(f"{origin}/embed.html")
    frame = framed.frame_locator("iframe")
    frame.get_by_role("link", name="Lyngdal tok i bruk digitalt nattilsyn").wait_for()
    link = frame.get_by_role("link", name="Lyngdal tok i bruk digitalt nattilsyn")
    assert link.get_attribute("target") == "_top"
    for context in (curator, buyer, seller):
        context.close()


def test_a_site_the_network_did_not_declare_cannot_frame_its_list(browser, live_server, people, other_origin):
    folder, origin = other_origin
    _world(people, "https://agder.example.no")  # the network declares another site, not this one
    (folder / "embed.html").write_text(
        f'<!doctype html><html lang="nb"><title>Annen side</title><iframe title="Delbar" '
        f'src="{live_server.url}/nettverk/agder/embed/"></iframe></html>', encoding="utf-8")
    page = browser.new_context().new_page()
    # Chromium says why it refused to show the frame; the page's load waits for the frame's answer.
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text) as refusal:
        page.goto(f"{origin}/embed.html")
    assert "https://agder.example.no" in refusal.value.text
    assert page.frame_locator("iframe").get_by_role("link").count() == 0
