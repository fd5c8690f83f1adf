"""Five journeys done with the keyboard alone (WCAG 2.1.1): find a case and whom to ask, post a need,
write and publish a case, join a need and its buyer group, answer a need as a supplier.

Nothing here clicks. A person presses Tab until the control they want has the focus (each must show
that it has it, WCAG 2.4.7), types, and presses Enter, Space or the arrow keys. The pages are the
server's own, in bokmål, with their JavaScript (htmx and pickers.js) running as in any browser.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.utils import timezone

from delbar.accounts.models import Membership, Role
from delbar.cases import actions
from delbar.cases.models import ContactPerson
from delbar.needs import actions as need_actions
from delbar.orgs.models import CpvCode, Organization, Sector
from tests.browsing import BROWSER_TEST_MARKS, assert_accessible
from tests.conftest import PASSWORD, authenticator_code

pytestmark = BROWSER_TEST_MARKS

# The longest way to a control in these journeys is about 60 stops (a case page's links); twice that
# means the control cannot be reached.
MOST_TABS = 150


def tab_to(page, target) -> None:
    """Presses Tab until `target` has the focus, and checks the focus can be seen there."""
    handle = target.element_handle()
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        focus = page.evaluate("""target => {
            const here = document.activeElement;
            const style = getComputedStyle(here);
            return {reached: here === target,
                    shown: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                           || style.boxShadow !== 'none'};
        }""", handle)
        if focus["reached"]:
            assert focus["shown"], f"{target} has the focus but does not show it"
            return
    raise AssertionError(f"Tab never reached {target}")


def follow(page) -> None:
    """Enter on a link or a submit button, and the page it leads to loaded, before the next key."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def choose(page, select, value: str) -> None:
    """A focused <select> is changed with the arrow keys until it holds `value`."""
    for _ in range(40):
        if select.input_value() == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} is not among the choices of {select}")


def log_in(browser, live_server, username, width=1280):
    """Username, password and the authenticator's code, each typed and sent with Enter."""
    user = User.objects.get(username=username)
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    code = authenticator_code(user)  # sets up the authenticator app, which editors must have
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, page.locator("input[name=login]"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    follow(page)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    tab_to(page, page.locator("input[name=code]"))
    page.keyboard.type(code)
    follow(page)
    page.wait_for_url("**/my/")
    return page


def menu_link(page, name):
    return page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name=name, exact=True)


def person(username, organization, role):
    user = User.objects.create_user(username, f"{username}@example.no", PASSWORD)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def published_case(title, summary, lead_buyer, curator, sector="vann-avlop-avfall"):
    case = actions.create_case(actor=None, lead_buyer=lead_buyer, fields={
        "title": title, "summary": summary, "sector": Sector.objects.get(pk=sector)})
    return actions.publish_case(case=actions.submit_case(case=case, actor=None), actor=curator)


def test_find_a_case_and_whom_to_ask_on_a_phone(browser, live_server, people):
    """A first-time visitor on a phone: the folded menu, the search box, the first result, the contact."""
    alice, carol = people
    bergen = Organization.objects.get(municipality_number="4601")
    case = published_case("Undervannsrobot inspiserer drikkevannstunnelen",
                          "Bergen inspiserer tunnelene uten å tømme dem, med en fjernstyrt robot.", bergen, carol)
    ContactPerson.objects.create(case=case, name="Kari Vannverk", role="Driftssjef", email="kari@bergen.kommune.no",
                                 consent_given_at=timezone.now())
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}/")
    tab_to(page, page.locator("summary", has_text="Meny"))
    page.keyboard.press("Enter")
    tab_to(page, page.locator("#site-search"))
    page.keyboard.type("robot i tunnelen")
    follow(page)
    page.wait_for_url("**/search/?q=*")
    result = page.locator(".search-hit").first.get_by_role("link", name=case.title)
    tab_to(page, result)
    follow(page)
    page.wait_for_url(f"**{case.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == case.title
    whom = page.locator("section", has=page.get_by_role("heading", name="Hvem kan du spørre"))
    assert "Kari Vannverk" in whom.inner_text() and whom.get_by_role("link", name="kari@bergen.kommune.no")
    page.close()


def test_post_a_need_with_a_cpv_code_found_by_words(browser, live_server, people):
    bob = person("bob", Organization.objects.get(municipality_number="4225"), Role.EDITOR)
    page = log_in(browser, live_server, bob.username)
    tab_to(page, menu_link(page, "Behov"))
    follow(page)
    tab_to(page, page.get_by_role("link", name="Meld et behov"))
    follow(page)
    tab_to(page, page.get_by_label("Tittel"))
    page.keyboard.type("Finne vannlekkasjer før det blir brudd")
    tab_to(page, page.get_by_label("Behovet"))
    page.keyboard.type("Vi mister drikkevann i lekkasjer og vil finne dem tidlig, helst med sensorer.")
    sector = page.get_by_label("Sektor")
    tab_to(page, sector)
    choose(page, sector, "vann-avlop-avfall")
    # The CPV code is found by words beside the field and put into it with its button.
    tab_to(page, page.get_by_text("Finn CPV-kode med ord"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Ord eller kode"))
    page.keyboard.type("lekkasje")
    add = page.locator("button[data-cpv-add='71631430']")
    add.wait_for()
    tab_to(page, add)
    page.keyboard.press("Enter")
    assert page.get_by_label("CPV-koder").input_value() == "71631430"
    assert "Lekkasjetesting" in page.locator("#id_cpv_labels").inner_text()
    tab_to(page, page.get_by_role("button", name="Meld behovet"))
    follow(page)
    page.get_by_text("Behovet er meldt").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "Finne vannlekkasjer før det blir brudd"
    assert "71631430" in page.inner_text("main")
    assert_accessible(page, "keyboard-need-posted")
    page.context.close()


def test_write_a_case_with_a_co_buyer_submit_and_publish(browser, live_server, people):
    alice, carol = people
    page = log_in(browser, live_server, alice.username)
    tab_to(page, page.get_by_role("link", name="Skriv en ny erfaring"))
    follow(page)
    tab_to(page, page.locator("#id_title"))
    page.keyboard.type("Digitalt nattilsyn på sykehjemmet")
    tab_to(page, page.get_by_label("Sammendrag"))
    page.keyboard.type("Sensorer varsler nattevakten, som slipper å vekke beboerne for å se til dem.")
    sector = page.get_by_label("Hovedsektor")
    tab_to(page, sector)
    choose(page, sector, "helse-omsorg")
    tab_to(page, page.get_by_role("button", name="Lagre og gå videre"))
    follow(page)
    page.wait_for_url("**step=procurement")
    # A co-buyer is chosen by typing the name the list suggests; Enter adds it as a ticked box.
    tab_to(page, page.get_by_label("Samarbeidende innkjøpere"))
    page.keyboard.type("Lyngdal (Agder)")
    page.keyboard.press("Enter")
    assert page.get_by_role("checkbox", name="Lyngdal (Agder)").is_checked()
    tab_to(page, page.get_by_role("button", name="Lagre endringer"))
    follow(page)
    page.get_by_text("Lagret.", exact=True).wait_for()
    tab_to(page, page.get_by_role("button", name="Send til vurdering"))
    follow(page)
    page.get_by_text("Erfaringen er sendt inn").wait_for()
    page.context.close()

    page = log_in(browser, live_server, carol.username)
    tab_to(page, menu_link(page, "Til vurdering"))
    follow(page)
    tab_to(page, page.get_by_role("link", name="Digitalt nattilsyn på sykehjemmet"))
    follow(page)
    tab_to(page, page.get_by_role("button", name="Publiser"))
    follow(page)
    page.get_by_text("Erfaringen er publisert").wait_for()
    assert "Lyngdal" in page.inner_text("main")
    page.context.close()


def test_join_a_need_and_its_buyer_group(browser, live_server, people):
    alice, carol = people
    bergen = Organization.objects.get(municipality_number="4601")
    need = need_actions.create_need(actor=alice, organization=bergen, fields={
        "title": "Trygghetsalarmer over mobilnettet", "sector": Sector.objects.get(pk="helse-omsorg"),
        "description": "Analoge trygghetsalarmer skal byttes til digitale som går over mobilnettet."})
    bob = person("bob", Organization.objects.get(municipality_number="4225"), Role.EDITOR)

    page = log_in(browser, live_server, bob.username)
    page.goto(f"{live_server.url}{need.get_absolute_url()}")
    tab_to(page, page.get_by_label("En hilsen til eieren (valgfritt)"))
    page.keyboard.type("Vi bytter alarmene neste år.")
    tab_to(page, page.get_by_role("button", name="Vi har også dette behovet"))
    follow(page)
    page.get_by_text("Dere har sluttet dere til behovet").wait_for()

    owner = log_in(browser, live_server, alice.username)
    owner.goto(f"{live_server.url}{need.get_absolute_url()}")
    tab_to(owner, owner.get_by_role("link", name="Dann en innkjøpsgruppe").first)
    follow(owner)
    tab_to(owner, owner.get_by_label("Navn på gruppen"))
    owner.keyboard.type("Trygghetsalarmer Bergen og Lyngdal")
    lyngdal = owner.get_by_role("checkbox", name="Lyngdal")
    tab_to(owner, lyngdal)
    owner.keyboard.press("Space")
    assert lyngdal.is_checked()
    tab_to(owner, owner.get_by_role("button", name="Dann gruppen"))
    follow(owner)
    owner.get_by_text("Innkjøpsgruppen er dannet").wait_for()
    owner.context.close()

    # Bob finds the group under his organization and writes to it.
    page.goto(f"{live_server.url}/my/")
    tab_to(page, page.get_by_role("link", name="Trygghetsalarmer Bergen og Lyngdal"))
    follow(page)
    tab_to(page, page.get_by_label("Melding"))
    page.keyboard.type("Skal vi ha felles markedsdialog i mars?")
    tab_to(page, page.get_by_role("button", name="Send"))
    follow(page)
    page.locator("main").get_by_text("Skal vi ha felles markedsdialog i mars?").wait_for()
    page.context.close()


def test_answer_a_need_as_a_supplier(browser, live_server, people):
    alice, carol = people
    need = need_actions.create_need(
        actor=alice, organization=Organization.objects.get(municipality_number="4601"),
        fields={"title": "Varsle lekkasjer på vannledningene", "sector": Sector.objects.get(pk="vann-avlop-avfall"),
                "description": "Vi vil finne lekkasjer tidlig med lyttesensorer."},
        cpv_codes=[CpvCode.objects.get(code="38431000")])
    supplier = Organization.objects.create(kind="supplier", name="Vannvakt AS", org_number="974760673")
    dave = person("dave", supplier, Role.SUPPLIER)
    page = log_in(browser, live_server, dave.username)
    tab_to(page, menu_link(page, "Etterspørsel"))
    follow(page)
    tab_to(page, page.get_by_role("link", name=need.title))
    follow(page)
    tab_to(page, page.get_by_label("Deres forslag"))
    page.keyboard.type("Vi kan sette opp 40 lyttesensorer som pilot i høst.")
    tab_to(page, page.get_by_role("button", name="Send forslaget"))
    follow(page)
    page.get_by_text("Forslaget er sendt").wait_for()
    assert "Vi kan sette opp 40 lyttesensorer" in page.inner_text("main")
    page.context.close()
