"""Headless Chromium (Debian's, driven by Playwright) against a live server.

An editor writes and submits a case, a curator publishes it, an anonymous visitor finds it in the
list and opens it; every page on the way passes axe-core with no serious or critical violations.
"""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from delbar.accounts.models import Membership, Role
from delbar.orgs.models import Organization
from tests.browsing import BROWSER_TEST_MARKS, assert_accessible, axe_violations, click_through, log_in
from tests.conftest import PASSWORD, REPO
from tests.oidc_provider import oidc_provider_fixture  # noqa: F401

pytestmark = BROWSER_TEST_MARKS


def test_write_submit_publish_find(browser, live_server, people):
    editor = browser.new_context()
    page = log_in(editor, live_server, "alice")
    assert_accessible(page, "my-organization")
    click_through(page, page.get_by_role("link", name="Skriv en ny erfaring"))
    assert_accessible(page, "case-form")
    click_through(page, page.get_by_role("button", name="Lagre utkast"))  # empty: server-side messages
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page, "case-form-errors")
    page.locator("#id_title").fill("Undervannsrobot for drikkevannstunneler")
    page.get_by_label("Sammendrag").fill("Bergen inspiserer tunnelmagasinene uten å tømme dem.")
    page.get_by_label("Hovedsektor").select_option("vann-avlop-avfall")
    page.get_by_label("CPV-koder").fill("35125000")
    page.get_by_role("button", name="Lagre utkast").click()
    page.get_by_text("Utkastet er lagret").wait_for()
    page.get_by_role("button", name="Send til vurdering").click()
    page.get_by_text("Erfaringen er sendt inn").wait_for()
    assert_accessible(page, "case-submitted")

    curator = browser.new_context()
    page = log_in(curator, live_server, "carol")
    click_through(page, page.get_by_role("link", name="Til vurdering").first)
    assert_accessible(page, "review-queue")
    page.get_by_role("link", name="Undervannsrobot for drikkevannstunneler").click()
    page.get_by_role("button", name="Publiser").click()
    page.get_by_text("Erfaringen er publisert").wait_for()

    visitor = browser.new_context()
    page = visitor.new_page()
    page.goto(f"{live_server.url}/")
    assert_accessible(page, "home")
    click_through(page, page.get_by_role("link", name="Erfaringer", exact=True).first)
    page.get_by_label("Søkeord").fill("undervannsrobot")
    click_through(page, page.locator("form.search-bar").get_by_role("button", name="Søk"))
    assert_accessible(page, "case-list")
    page.get_by_role("link", name="Undervannsrobot for drikkevannstunneler").click()
    page.wait_for_url(re.compile(r".*/cases/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Undervannsrobot for drikkevannstunneler"
    expect(page.get_by_text("35125000")).to_be_visible()
    assert_accessible(page, "case-page")
    for context in (editor, curator, visitor):
        context.close()


def test_list_updates_as_you_type_and_works_in_english_and_nynorsk(browser, live_server, people):
    from delbar.cases import actions
    from delbar.orgs.models import Sector

    alice, carol = people
    for title in ("Elektrisk ferje", "Digitalt nattilsyn"):
        case = actions.create_case(actor=alice, lead_buyer=Organization.objects.get(municipality_number="4601"),
                                   fields={"title": title, "summary": "Demo.", "sector": Sector.objects.first()})
        actions.publish_case(case=actions.submit_case(case=case, actor=alice), actor=carol)
    page = browser.new_page()
    page.goto(f"{live_server.url}/cases/")
    page.get_by_label("Søkeord").press_sequentially("ferje", delay=30)
    # Newest first before typing; best match first after.
    page.wait_for_function("() => document.querySelector('#results article h3').innerText.includes('ferje')")
    assert "<mark>ferje</mark>" in page.inner_html("#results article h3")
    assert "q=ferje" in page.url  # htmx pushed the URL: the view can be bookmarked
    click_through(page, page.get_by_role("button", name="English"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page, "case-list-en")
    click_through(page, page.get_by_role("button", name="Nynorsk"))
    assert page.locator("html").get_attribute("lang") == "nn"
    expect(page.get_by_role("heading", name="Erfaringar", exact=True)).to_be_visible()
    assert_accessible(page, "case-list-nn")
    page.close()


def test_search_from_any_page_in_another_language(browser, live_server, people):
    from delbar.cases import actions
    from delbar.orgs.models import Sector

    alice, carol = people
    bergen = Organization.objects.get(municipality_number="4601")
    for title, summary, sector in (
            ("Medisinrobot for hjemmeboende", "Automatiske medisindispensere deler ut legemidler hjemme.",
             "helse-omsorg"),
            ("Elektrisk ferje", "En batterielektrisk ferje erstattet dieselferja.", "samferdsel")):
        case = actions.create_case(actor=alice, lead_buyer=bergen, fields={
            "title": title, "summary": summary, "sector": Sector.objects.get(pk=sector)})
        actions.publish_case(case=actions.submit_case(case=case, actor=alice), actor=carol)
    page = browser.new_page()
    page.goto(f"{live_server.url}/about/")
    page.get_by_role("searchbox", name="Søk i Delbar").fill("robot that hands out medicines at home")
    page.get_by_role("searchbox", name="Søk i Delbar").press("Enter")
    page.wait_for_url("**/search/?q=*")
    first = page.locator("#results article h3").first
    assert first.inner_text() == "Medisinrobot for hjemmeboende"
    assert_accessible(page, "search-results")
    page.get_by_role("navigation", name="Sektor").get_by_role("link", name="Helse og omsorg").click()
    page.wait_for_url("**sector=helse-omsorg*")
    assert "Elektrisk ferje" not in page.inner_text("#results")
    page.goto(f"{live_server.url}/search/?q=ferje&year=1999")
    expect(page.get_by_role("link", name="uten «År»")).to_be_visible()
    assert_accessible(page, "search-no-results")
    page.close()


def test_post_a_need_buy_together_and_answer_as_a_supplier(browser, live_server, people):
    """Issue 4's journey: Lyngdal posts a need and meets Kristiansand's case and Arendal's need, forms a
    buyer group with Arendal; a supplier sees the demand and answers with a proposal."""
    from delbar.cases import actions
    from delbar.needs import actions as need_actions
    from delbar.orgs.models import CpvCode, Sector

    alice, carol = people
    water = Sector.objects.get(pk="vann-avlop-avfall")
    kristiansand = Organization.objects.get(municipality_number="4204")
    case = actions.create_case(actor=None, lead_buyer=kristiansand, relations={
        "cpv_codes": [CpvCode.objects.get(code="38431000")]}, fields={
        "title": "Lekkasjedeteksjon med akustiske sensorer", "sector": water,
        "summary": "Kristiansand satte lyttesensorer på vannledningsnettet og finner lekkasjer før de blir brudd. "
                   "Vanntapet falt med en firedel."})
    actions.publish_case(case=actions.submit_case(case=case, actor=None), actor=carol)
    need_actions.create_need(actor=None, organization=Organization.objects.get(municipality_number="4203"), fields={
        "title": "Tidlig varsel om lekkasjer på vannledningene", "sector": water,
        "description": "Gamle vannledninger lekker og gir brudd. Vi vil finne lekkasjene tidlig med sensorer."},
        cpv_codes=[CpvCode.objects.get(code="38431000")])
    bob = User.objects.create_user("bob", "bob@example.no", PASSWORD)
    lyngdal = Organization.objects.get(municipality_number="4225")
    Membership.objects.create(user=bob, role=Role.EDITOR, organization=lyngdal)
    dave = User.objects.create_user("dave", "dave@example.no", PASSWORD)
    supplier = Organization.objects.create(kind="supplier", name="Vannvakt AS", org_number="974760673")
    Membership.objects.create(user=dave, role=Role.SUPPLIER, organization=supplier)

    buyer = browser.new_context()
    page = log_in(buyer, live_server, "bob")
    click_through(page, page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Behov"))
    assert_accessible(page, "need-list")
    page.get_by_role("link", name="Meld et behov").click()
    click_through(page, page.get_by_role("button", name="Meld behovet"))  # empty: the server says what is missing
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page, "need-form-errors")
    page.get_by_label("Tittel").fill("Finne vannlekkasjer før det blir brudd")
    page.get_by_label("Behovet").fill("Vi mister mye drikkevann i lekkasjer og finner dem først når ledningen "
                                      "ryker. Vi vil oppdage lekkasjene tidlig, helst med sensorer.")
    page.get_by_label("Sektor").select_option("vann-avlop-avfall")
    page.get_by_label("CPV-koder").fill("38431000")
    page.get_by_role("button", name="Meld behovet").click()
    page.get_by_text("Behovet er meldt").wait_for()
    matches = page.locator("#matches")
    expect(matches.get_by_role("link", name="Lekkasjedeteksjon med akustiske sensorer")).to_be_visible()
    expect(matches.get_by_role("link", name="Tidlig varsel om lekkasjer på vannledningene")).to_be_visible()
    assert "samme CPV-kode 38431000 – " in matches.inner_text()
    assert "lik i mening (" not in matches.inner_text()  # reasons in words, never a raw score
    assert_accessible(page, "need-page")
    page.get_by_role("link", name="Dann en innkjøpsgruppe").first.click()
    page.get_by_label("Navn på gruppen").fill("Lekkasjesøk i Agder")
    page.get_by_label("Arendal: Tidlig varsel om lekkasjer på vannledningene").check()
    assert_accessible(page, "group-form")
    page.get_by_role("button", name="Dann gruppen").click()
    page.get_by_text("Innkjøpsgruppen er dannet").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Lekkasjesøk i Agder"
    assert "Arendal" in page.locator("#members-heading + ul").inner_text()
    page.get_by_label("Melding").fill("Skal vi invitere til felles markedsdialog?")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Skal vi invitere til felles markedsdialog?").wait_for()
    assert_accessible(page, "group-page")

    seller = browser.new_context()
    page = log_in(seller, live_server, "dave")
    page.goto(f"{live_server.url}/demand/")
    table = page.get_by_role("table").first
    # Two open needs from two buyers in CPV division 38.
    assert table.get_by_role("row").nth(1).inner_text().split("\t")[1:] == ["2", "2"]
    assert_accessible(page, "demand")
    page.get_by_role("link", name="Finne vannlekkasjer før det blir brudd").click()
    page.get_by_label("Deres forslag").fill("Vi kan sette opp 40 lyttesensorer som pilot.")
    page.get_by_role("button", name="Send forslaget").click()
    page.get_by_text("Forslaget er sendt").wait_for()
    assert_accessible(page, "need-page-supplier")

    page = buyer.new_page()
    page.goto(f"{live_server.url}/notifications/")
    expect(page.get_by_role("link", name="Nytt forslag fra Vannvakt AS").first).to_be_visible()
    assert_accessible(page, "notifications")
    page.goto(f"{live_server.url}/alerts/")
    assert_accessible(page, "alerts")
    for context in (buyer, seller):
        context.close()


def test_discover_a_notice_and_start_a_case_from_it(browser, live_server, people):
    """Issue 5's journey: notices are imported; an anonymous visitor filters the notices by innovation
    signal and opens one; the curator confirms it in the discovery queue; Bergen's editor starts a case
    from Bergen's own notice, filled in, and the draft cites it."""
    from delbar.cases.models import Case
    from delbar.notices.importing import import_path
    from delbar.notices.models import Notice, Review
    from tests.notice_files import DEMO_NOTICES

    alice, carol = people
    import_path(DEMO_NOTICES / "ted")
    import_path(DEMO_NOTICES / "doffin" / "PriorInformationNotice_pin-rtl_2023-607152.xml")
    conference = Notice.objects.get(title__startswith="Invitasjon til dialogkonferanse")
    bergen_notice = Notice.objects.get(publication_number="119321-2021")

    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/notices/")
    assert_accessible(visitor, "notice-list")
    # The filters are one panel of links with counts; a chosen one becomes a chip that removes it.
    signals = visitor.get_by_role("navigation", name="Innovasjonssignal")
    signals.get_by_role("link", name="Sterkt innovasjonssignal").click()
    visitor.wait_for_url("**signal=strong**")
    chip = visitor.get_by_role("list", name="Valgte filtre").get_by_role("link").first
    assert " ".join(chip.inner_text().split()) == "Fjern filter: Innovasjonssignal: Sterkt innovasjonssignal ✕"
    visitor.get_by_role("link", name=conference.title).click()
    visitor.wait_for_url(f"**{conference.get_absolute_url()}")  # content() during the navigation is empty
    assert "dialogkonferanse" in visitor.content()
    assert_accessible(visitor, "notice-detail")

    curator = log_in(browser.new_context(), live_server, "carol")
    curator.goto(f"{live_server.url}/notices/discovered/")
    assert_accessible(curator, "discovery-queue")
    row = curator.get_by_role("row").filter(has_text=conference.title)
    # The review answers with the same page: only its new load says the review is done.
    click_through(curator, row.get_by_role("button", name=re.compile(r"^Innovativ\b")))
    conference.refresh_from_db()
    assert conference.review == Review.CONFIRMED

    editor = log_in(browser.new_context(), live_server, "alice")
    editor.goto(f"{live_server.url}{bergen_notice.get_absolute_url()}")
    assert_accessible(editor, "notice-own")
    click_through(editor, editor.get_by_role("link", name="Start en erfaring fra denne kunngjøringen"))
    assert editor.get_by_label("Tittel").input_value().startswith("EEA 018-2021 Development Plan")
    assert editor.get_by_label("Kunngjøringer").input_value() == "119321-2021"
    editor.get_by_label("Hovedsektor").select_option("bygg-eiendom")
    editor.get_by_role("button", name="Lagre utkast").click()
    editor.wait_for_url("**/edit/?step=all")
    case = Case.objects.get(title__startswith="EEA 018-2021")
    assert list(case.notices.all()) == [bergen_notice]


def test_declare_confirm_and_see_diffusion_in_the_observatory(browser, live_server, people, api_client):
    """Issue 6's journey: Lyngdal's editor declares that Lyngdal took up Bergen's published case; Bergen's
    editor confirms it; a visitor sees the curve and the map on the case, then the observatory, whose
    charts and map render and whose data tables hold what the API returns; filters are GET parameters."""
    import datetime as dt

    from delbar.cases import actions as case_actions
    from delbar.diffusion import actions as diffusion_actions
    from delbar.diffusion.models import Adoption
    from delbar.orgs.models import Sector

    alice, carol = people
    lyngdal = Organization.objects.get(municipality_number="4225")
    bob = User.objects.create_user("bob", "bob@example.no", PASSWORD)
    Membership.objects.create(user=bob, organization=lyngdal, role=Role.EDITOR)
    case = case_actions.create_case(actor=alice, lead_buyer=Organization.objects.get(municipality_number="4601"),
                                    fields={"title": "Robot som inspiserer drikkevannstunneler", "year": 2020,
                                            "summary": "Bergen kjøpte en robot.",
                                            "sector": Sector.objects.get(pk="vann-avlop-avfall")})
    case_actions.submit_case(case=case, actor=alice)
    case = case_actions.publish_case(case=case, actor=carol)
    for number, day in (("1151", dt.date(2021, 3, 1)), ("3903", dt.date(2022, 6, 1))):
        diffusion_actions.declare(case=case, actor=None, organization=Organization.objects.get(
            municipality_number=number), adopted_on=day)

    editor = log_in(browser.new_context(), live_server, "bob")
    editor.goto(f"{live_server.url}{case.get_absolute_url()}")
    click_through(editor, editor.get_by_role("link", name="Hvem, hvor og hvor raskt"))
    editor.get_by_text("Vi har tatt dette i bruk").click()
    form = editor.locator("form[action$='/adoptions/']")
    form.wait_for()
    # The radio first: a click right after filling a date field can land on Chromium's date picker.
    route = form.get_by_label("Egen anskaffelse med erfaringens dokumenter")
    route.check()
    assert route.is_checked()
    day = form.get_by_label("Tatt i bruk dato")
    day.fill("2023-04-01")
    assert day.input_value() == "2023-04-01"
    # Sent from the keyboard (a pointer click right after a date field can land on Chromium's date picker),
    # and the page it leads to loaded before it is read.
    with editor.expect_navigation():
        form.get_by_role("button", name="Erklær adopsjonen").press("Enter")
    main = editor.locator("main").inner_text()
    assert "Lyngdal vises nå som en som har tatt dette i bruk" in main, main[:600]
    assert_accessible(editor, "case-diffusion-declared")
    adoption = Adoption.objects.get(organization=lyngdal)
    assert (adoption.state, adoption.route) == ("declared", "own-procurement")

    owner = log_in(browser.new_context(), live_server, "alice")
    owner.goto(f"{live_server.url}/cases/{case.pk}/diffusion/")
    owner.get_by_role("button", name=re.compile(r"^Bekreft\b.*Lyngdal")).click()
    owner.get_by_text("Adopsjonen er bekreftet").wait_for()
    adoption.refresh_from_db()
    assert adoption.state == "confirmed"

    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/cases/{case.pk}/diffusion/")
    assert visitor.locator("#chart-curve polyline").count() == 1
    assert visitor.locator("#map-adopters path").count() == 357
    curve = visitor.locator("#table-curve tbody tr")
    assert [curve.nth(i).locator("td").first.inner_text() for i in range(3)] == ["1", "2", "3"]
    assert_accessible(visitor, "case-diffusion")

    visitor.goto(f"{live_server.url}/observatory/")
    assert visitor.locator("#chart-activity polyline").count() >= 2
    assert visitor.locator("#chart-reach rect").count() >= 1
    assert visitor.locator("#map-municipalities path").count() == 357
    assert visitor.locator("#map-municipalities path[fill='#2171b5']").count() == 4     # Bergen and three adopters
    api = api_client()
    # The tables that say what the charts show open from their own buttons.
    for summary in ("#activity-table > summary", "#reach-tables > summary"):
        visitor.locator(summary).click()
    for table, name in (("#table-activity", "activity"), ("#table-reach-by-size", "reach-by-size")):
        figure = api.get(f"/api/observatory/{name}").json()
        rows = figure["rows"]
        cells = visitor.locator(f"{table} tbody tr")
        assert cells.count() == len(rows)
        # The table a person reads leads with the first column that is not a code (a label, a year).
        key = next(column["key"] for column in figure["columns"] if column["kind"] != "code")
        first_column = [cells.nth(i).locator("th").inner_text() for i in range(cells.count())]
        assert first_column == [str(row[key]) for row in rows]
    map_rows = {row["municipality_number"]: row for row in api.get("/api/observatory/map").json()["rows"]}
    reached_in_table = visitor.locator("#table-map tbody tr").filter(
        has=visitor.locator("td:last-child", has_text="ja"))
    assert reached_in_table.count() == sum(row["reached"] for row in map_rows.values()) == 4
    assert_accessible(visitor, "observatory")
    # The table of every municipality opens from its own button and scrolls by keyboard: a focusable region.
    visitor.locator("#map-table > summary").click()
    visitor.locator("#table-map").locator("xpath=..").focus()
    assert visitor.evaluate("document.activeElement.getAttribute('role')") == "region"

    visitor.locator("#observatory-filters > summary").click()     # the report first; the filters fold
    filters = visitor.get_by_role("form", name="Filtrer observatoriet")
    filters.get_by_label("Kommunestørrelse").select_option("small")
    filters.get_by_role("button", name="Vis").click()
    visitor.wait_for_url("**size_class=small**")
    assert visitor.locator("#table-map tbody tr").count() == 174
    assert visitor.locator("#map-municipalities path[fill='#2171b5']").count() == 1      # Utsira
    curator = log_in(browser.new_context(), live_server, "carol")
    curator.goto(f"{live_server.url}/observatory/?size_class=small")
    assert curator.locator("#table-unreached tbody tr").count() == 173
    assert_accessible(curator, "observatory-curator")


LYNGDAL_ORG_NUMBER = "922421498"


def test_a_lyngdal_employee_logs_in_with_ansattporten_is_approved_and_publishes(
        browser, live_server, people, oidc_provider, settings):
    """The way in for a public employee: Ansattporten for Lyngdal, Lyngdal's administrator approves, the new
    editor writes and submits a case, a curator publishes it."""
    lyngdal = Organization.objects.get(municipality_number="4225")
    lyngdal.org_number = LYNGDAL_ORG_NUMBER
    lyngdal.save(update_fields=["org_number"])
    administrator = User.objects.create_user("bob", "bob@example.no", PASSWORD, first_name="Bob", last_name="Lyngdal")
    Membership.objects.create(user=administrator, organization=lyngdal, role=Role.ORG_ADMIN)
    client_id, secret = oidc_provider.client("ansattporten")
    settings.OIDC_PROVIDERS = {"ansattporten": {
        "label": "Ansattporten", "issuer": oidc_provider.ansattporten_issuer, "acr": "idporten-loa-substantial",
        "accepted_acr": ["idporten-loa-high", "idporten-loa-substantial"], "client_id": client_id,
        "client_secret": secret}}

    employee = browser.new_context()
    page = employee.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page, "login")
    page.get_by_role("link", name="Logg inn for virksomheten din (Ansattporten)").click()
    page.locator(f'button[name=login][value="nora:{LYNGDAL_ORG_NUMBER}"]').click()
    page.wait_for_url("**/my/")
    page.get_by_text("Du har bedt om å få handle for Lyngdal").wait_for()
    page.goto(f"{live_server.url}/cases/new/")
    assert page.get_by_role("heading", level=1).inner_text() == "Ikke tillatt"

    admin_page = log_in(browser.new_context(), live_server, "bob")
    admin_page.goto(f"{live_server.url}/organizations/{lyngdal.pk}/members/")
    assert_accessible(admin_page, "members-pending")
    admin_page.locator("section[aria-labelledby=pending-heading]").get_by_role("button", name="Godkjenn").click()
    admin_page.get_by_text("Forespørselen er godkjent").wait_for()
    assert_accessible(admin_page, "members-approved")

    page.goto(f"{live_server.url}/cases/new/")
    page.locator("#id_title").fill("Digitalt tilsyn på natt i omsorgsboliger")
    page.get_by_label("Sammendrag").fill("Lyngdal prøver sensorer i stedet for nattlige runder.")
    page.get_by_label("Hovedsektor").select_option("helse-omsorg")
    page.get_by_role("button", name="Lagre utkast").click()
    page.get_by_text("Utkastet er lagret").wait_for()
    page.get_by_role("button", name="Send til vurdering").click()
    page.get_by_text("Erfaringen er sendt inn").wait_for()

    curator = log_in(browser.new_context(), live_server, "carol")
    curator.get_by_role("link", name="Til vurdering").first.click()
    curator.get_by_role("link", name="Digitalt tilsyn på natt i omsorgsboliger").click()
    curator.get_by_role("button", name="Publiser").click()
    curator.get_by_text("Erfaringen er publisert").wait_for()
    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/cases/?q=tilsyn")
    visitor.get_by_role("link", name="Digitalt tilsyn på natt i omsorgsboliger").click()
    visitor.wait_for_url(re.compile(r".*/cases/\d+/$"))  # the case page, not the list being left
    assert "Lyngdal" in visitor.locator("main").inner_text()


@pytest.mark.long
def test_main_pages_fit_phones_and_show_results_first(browser, live_server, people):
    """At 320, 375 and 1280 px, as a visitor, an editor, a curator and a supplier, on every main page and
    each role's own: no page scrolls sideways, the first result of a search is on the first screen, the
    menu folds on phones, and axe-core finds nothing serious at 375 and 1280 px."""
    from delbar.cases import actions
    from delbar.needs.actions import create_need
    from delbar.notices.importing import import_path
    from delbar.orgs.models import Sector

    alice, carol = people
    bergen = Organization.objects.get(municipality_number="4601")
    for title in ("Digitale trygghetsalarmer for hjemmeboende", "Trygghetsalarmer med GPS for personer med demens"):
        case = actions.create_case(actor=alice, lead_buyer=bergen, fields={
            "title": title, "summary": "Alarmene går over mobilnettet til responssenteret i kommunen.",
            "sector": Sector.objects.get(pk="helse-omsorg"), "outcome": "success", "category": "iia"})
        case = actions.publish_case(case=actions.submit_case(case=case, actor=alice), actor=carol)
    need = create_need(actor=alice, organization=bergen, fields={
        "title": "Trygghetsalarmer", "description": "Vi skal bytte analoge trygghetsalarmer til digitale."})
    import_path(REPO / "delbar" / "demo" / "notices" / "doffin" / "2024-110489.xml")
    pages = ["/", "/search/?q=trygghetsalarmer", "/cases/", case.get_absolute_url(), f"/cases/{case.pk}/diffusion/",
             "/needs/", need.get_absolute_url(), "/notices/", "/solutions/", "/observatory/", "/organizations/",
             "/about/"]
    supplier = Organization.objects.create(kind="supplier", name="Vannvakt AS", org_number="974760673")
    dave = User.objects.create_user("dave", "dave@example.no", PASSWORD)
    Membership.objects.create(user=dave, role=Role.SUPPLIER, organization=supplier)
    # Each role also sees the pages where its own work is.
    roles = {"visitor": (None, []), "editor": ("alice", ["/my/", "/cases/new/"]),
             "curator": ("carol", ["/my/", "/cases/review/", "/notices/discovered/"]),
             "supplier": ("dave", ["/my/", "/demand/", "/solutions/new/"])}
    for who, (username, own) in roles.items():
        context = browser.new_context()
        if username:
            log_in(context, live_server, username).close()
        page = context.new_page()
        # Each page is loaded once and then resized, as a phone turned on its side or a window made
        # wider: the layout must follow without a reload.
        for path in pages + own:
            page.set_viewport_size({"width": 320, "height": 800})
            page.goto(f"{live_server.url}{path}")
            for width in (320, 375, 1280):
                page.set_viewport_size({"width": width, "height": 800})
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{path} at {width} px as {who} scrolls sideways by {overflow} px"
                if path.startswith("/search/"):
                    first = page.locator(".search-hit").first.bounding_box()
                    assert first["y"] < 800, f"the first result is {first['y']} px down at {width} px"
                menu = page.get_by_role("navigation", name="Hovedmeny")
                assert menu.is_visible() == (width >= 1024), f"{path} at {width} px: the menu should fold"
                # axe-core at a phone's width and a desktop's (320 px adds nothing axe checks).
                if width != 320:
                    assert axe_violations(page) == [], f"axe-core on {path} at {width} px as {who}"
        context.close()
    # On a phone the menu opens from its button.
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/cases/")
    page.get_by_text("Meny", exact=True).click()
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Behov").click()
    page.wait_for_url("**/needs/")
    page.close()
