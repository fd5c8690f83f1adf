"""Issue 17's competition in headless Chromium, entirely through the pages: Bergen leads a buyer group with
Lyngdal around a shared need; Alice, Bergen's editor, turns it into a pre-commercial challenge with two
phases (the second invited-only), weighted criteria (refused until they add up to 100) and two evaluators
(herself and Bob of Lyngdal), and publishes it. Dave Robotics (with a consortium partner and a PDF) and
Vannvakt apply to phase 1; the deadline passes; each evaluator declares no conflict and scores both
applications alone; Alice reads the scores side by side, awards Dave Robotics with an amount and a
justification; each applicant sees its own result, and neither can open the other's application.

Every page visited passes axe-core at a desktop's width; the challenge page and the application form fit
a 375 px phone (the challenge page 320 px too), as do the evaluation and results pages, whose tables
scroll inside their own wrapper. The language is pinned to English so the text selectors are stable.
With DELBAR_SHOTS=<folder>, the four main pages are also saved there at 375 and 1280 px to be looked at."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from delbar.challenges.models import Application, Challenge, Phase
from delbar.groups.actions import form_group
from delbar.needs import actions as need_actions
from delbar.orgs.models import CpvCode, Organization, Sector
from tests.browsing import BROWSER_TEST_MARKS, assert_accessible, click_through, log_in
from tests.conftest import FIXTURES
from tests.test_challenges import suppliers  # noqa: F401

pytestmark = BROWSER_TEST_MARKS

DESKTOP = {"width": 1280, "height": 900}
SHOTS = os.environ.get("DELBAR_SHOTS")
TITLE = "Lekkasjesøk uten graving"


def _english(browser, live_server):
    """A browser profile that chose English with the language switch (Django's language cookie)."""
    context = browser.new_context(viewport=DESKTOP)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return context


def _fits(page, width: int, name: str) -> None:
    """At `width` px the page does not scroll sideways; back to a desktop's width afterwards."""
    page.set_viewport_size({"width": width, "height": 800})
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(DESKTOP)
    assert scroll_width <= width, f"{name} at {width} px is {scroll_width} px wide"


def _shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def _local(moment: dt.datetime) -> str:
    """A time as a datetime-local field takes it (Norwegian time)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _world(cast):
    """Bergen leads a buyer group with Lyngdal around their shared need for finding leaks."""
    bergen = Organization.objects.get(municipality_number="4601")
    lyngdal = Organization.objects.get(municipality_number="4225")
    water = Sector.objects.get(pk="vann-avlop-avfall")
    cpv = [CpvCode.objects.get(code="38000000")]
    need = need_actions.create_need(actor=cast["alice"], organization=bergen, match=False, cpv_codes=cpv, fields={
        "title": "Lekkasjer i vannettet", "sector": water,
        "description": "Vi mister en tredel av drikkevannet i lekkasjer i gamle rør, og finner dem for sent."})
    partner_need = need_actions.create_need(actor=cast["bob"], organization=lyngdal, match=False, fields={
        "title": "Vannlekkasjer", "description": "Lekkasjer i ledningsnettet."})
    return form_group(need=need, actor=cast["alice"], name=TITLE, members=[], partner_needs=[partner_need])


def _apply(page, challenge_url, *, title, amount, partner=None, document=None):
    page.goto(challenge_url)
    page.get_by_role("link", name="Apply to phase 1").click()
    page.wait_for_url("**/apply/")
    page.get_by_label("Project title").fill(title)
    page.get_by_label("Summary").fill(f"{title}: sensorer som finner lekkasjene før de blir store.")
    page.get_by_label("How you will solve the problem").fill("Vi monterer 40 sensorer i pilotområdet.")
    page.get_by_label("What is new").fill("Maskinlæring på lyden fra rørene.")
    page.get_by_label("Team and experience").fill("Fem ingeniører med ti års erfaring.")
    page.get_by_label("Plan and milestones").fill("Montering i mars, rapport i juni.")
    page.get_by_label("Amount applied for").fill(str(amount))
    if partner:
        page.get_by_label("Consortium partners (optional)").fill(partner)
    if document:
        page.get_by_label("Title of document 1").fill("Budsjett")
        page.get_by_label("Document 1", exact=True).set_input_files(str(document))
    page.get_by_role("button", name="Send the application").click()
    page.wait_for_url(re.compile(r".*/applications/\d+/$"))
    return page.url


def _evaluate(browser, live_server, username, challenge, marks):
    """`username` declares no conflict and scores each application (by title) with its mark on every
    criterion, alone, and submits."""
    context = _english(browser, live_server)
    page = log_in(context, live_server, username)
    for title, mark in marks.items():
        page.goto(f"{live_server.url}/challenges/{challenge.pk}/applications/")
        assert_accessible(page, f"challenge-applications-{username}")
        page.get_by_role("link", name=f"Declare and score – {title}").click()
        page.wait_for_url("**/evaluate/")
        assert_accessible(page, f"challenge-declaration-{username}")
        page.get_by_label("I have no conflict of interest with this applicant or its partners").check()
        page.get_by_role("button", name="Record the declaration").click()
        page.get_by_text("Your declaration is recorded. Score the application below.").wait_for()
        assert_accessible(page, f"challenge-scoring-{username}")
        for criterion in challenge.criteria.all():
            page.get_by_label(f"Score for {criterion.name} (0–10)").select_option(str(mark))
            page.get_by_label(f"Why, for {criterion.name}").fill(f"{username} gir {mark}.")
        if username == "bob":
            _fits(page, 375, "the scoring form")
            _shoot(page, "evaluation")
            # He scores alone: Alice's submitted scores are shown to him only once his own are in. (Alice
            # is an owner as well, and owners see every score: access.can_see_all_scores.)
            assert page.locator("#scores").count() == 0
        page.get_by_role("button", name="Submit (final)").click()
        page.get_by_text("Your scores are submitted.").wait_for()
        if username == "bob":
            assert "alice (Bergen)" in page.locator("#scores table").inner_text()
        assert_accessible(page, f"challenge-scored-{username}")
    context.close()


@pytest.mark.long
def test_a_buyer_group_runs_a_competition_through_the_pages(browser, live_server, cast, suppliers):  # noqa: F811
    group = _world(cast)
    Organization.objects.create(kind="supplier", name="Sensorhuset AS")  # Dave Robotics' consortium partner

    # Alice, Bergen's editor, opens her buyer group's page and creates a challenge from it.
    owner = _english(browser, live_server)
    page = log_in(owner, live_server, "alice")
    page.goto(f"{live_server.url}{group.get_absolute_url()}")
    assert_accessible(page, "group-page")
    page.get_by_role("link", name="Create a challenge").click()
    page.wait_for_url("**/challenges/new/?group=*")
    assert page.locator("#id_title").input_value() == TITLE  # filled in from the group
    assert_accessible(page, "challenge-form")
    page.get_by_label("What success looks like").fill("Halvere lekkasjene i pilotområdet på ett år.")
    page.get_by_label("Who may apply").fill("Alle leverandører, alene eller i konsortium.")
    page.get_by_label("Pre-commercial procurement").check()
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_url(re.compile(r".*/challenges/\d+/$"))
    challenge = Challenge.objects.get()
    challenge_url = page.url
    assert (challenge.owner.name, challenge.group, challenge.route) == ("Bergen", group, "pre-commercial")
    assert_accessible(page, "challenge-draft")

    # Two phases: the first open now to every supplier, the second for the first one's awardees.
    page.get_by_role("link", name="Phases and dates").click()
    now = timezone.now()
    page.get_by_label("Kind of phase").select_option("feasibility")
    page.get_by_label("Budget for the phase (NOK)").fill("1000000")
    page.get_by_label("How many may go on").fill("2")
    page.get_by_label("Call opens").fill(_local(now - dt.timedelta(days=1)))
    page.get_by_label("Applications close").fill(_local(now + dt.timedelta(days=14)))
    assert_accessible(page, "challenge-phases")
    page.get_by_role("button", name="Add the phase").click()
    page.get_by_text("Phase 1 is added.").wait_for()
    page.get_by_label("Kind of phase").select_option("prototype")
    page.get_by_label("Budget for the phase (NOK)").fill("3000000")
    page.get_by_label("Call opens").fill(_local(now + dt.timedelta(days=30)))
    page.get_by_label("Applications close").fill(_local(now + dt.timedelta(days=60)))
    invited = page.get_by_label("Only the previous phase's awardees may apply")
    assert invited.is_checked()  # a later phase is invited-only unless the owner says otherwise
    page.get_by_role("button", name="Add the phase").click()
    page.get_by_text("Phase 2 is added.").wait_for()
    first, second = challenge.phases.all()
    assert (first.invited_only, second.invited_only, second.budget_nok) == (False, True, 3_000_000)
    assert_accessible(page, "challenge-phases-added")

    # Criteria: a first one weighing 60 % is refused with the reason; with a second of 40 % they are saved.
    page.get_by_role("link", name="Criteria", exact=True).click()
    page.locator("#id_criteria-0-name").fill("Innovasjonshøyde")
    page.locator("#id_criteria-0-weight").fill("60")
    page.get_by_role("button", name="Save the criteria").click()
    refusal = page.locator("#criteria-error")
    assert refusal.inner_text() == "The weights add up to 60 %; they must add up to 100 %."
    assert not challenge.criteria.exists()
    assert_accessible(page, "challenge-criteria-refused")
    page.locator("#id_criteria-1-name").fill("Gjennomførbarhet")
    page.locator("#id_criteria-1-weight").fill("40")
    page.get_by_role("button", name="Save the criteria").click()
    page.get_by_text("The criteria are saved.").wait_for()
    assert [(c.name, c.weight) for c in challenge.criteria.all()] == [("Innovasjonshøyde", 60),
                                                                       ("Gjennomførbarhet", 40)]
    assert_accessible(page, "challenge-criteria")

    # Evaluators: Alice herself, for Bergen, and Bob, Lyngdal's editor.
    page.get_by_role("link", name="Evaluators", exact=True).click()
    for person in ("alice (Bergen)", "bob (Lyngdal)"):
        page.get_by_label("Person").select_option(label=person)
        click_through(page, page.get_by_role("button", name="Appoint"))
        page.get_by_text(f"{person.split()[0]} is appointed and told.").wait_for()
    assert {(e.user.username, e.organization.name) for e in challenge.evaluators.all()} == {
        ("alice", "Bergen"), ("bob", "Lyngdal")}
    assert_accessible(page, "challenge-evaluators")

    page.goto(challenge_url)
    page.get_by_role("button", name="Publish the challenge").click()
    page.get_by_text("The challenge is published").wait_for()
    assert_accessible(page, "challenge-published")

    # Anyone reads it, on a phone too.
    visitor = _english(browser, live_server).new_page()
    visitor.goto(challenge_url)
    assert visitor.get_by_role("heading", level=1).inner_text() == TITLE
    assert_accessible(visitor, "challenge-page-visitor")
    for width in (375, 320):
        _fits(visitor, width, "the challenge page")
    _shoot(visitor, "challenge")

    # Two suppliers apply to phase 1: Dave Robotics with a consortium partner and a PDF, Vannvakt alone.
    dave_context = _english(browser, live_server)
    dave = log_in(dave_context, live_server, "dave")
    dave.goto(challenge_url)
    assert_accessible(dave, "challenge-page-supplier")
    click_through(dave, dave.get_by_role("link", name="Apply to phase 1"))
    assert_accessible(dave, "application-form")
    _fits(dave, 375, "the application form")
    _shoot(dave, "application-form")
    dave_url = _apply(dave, challenge_url, title="Akustiske lyttesensorer", amount=400_000, partner="Sensorhuset AS",
                      document=FIXTURES / "sample.pdf")
    expect(dave.get_by_role("link", name="Sensorhuset AS")).to_be_visible()
    expect(dave.get_by_role("link", name="Budsjett")).to_be_visible()
    assert_accessible(dave, "application-dave")
    erik_context = _english(browser, live_server)
    erik = log_in(erik_context, live_server, "erik")
    erik_url = _apply(erik, challenge_url, title="Fiberoptisk lytting", amount=500_000)
    assert_accessible(erik, "application-erik")
    ours, theirs = Application.objects.get(lead__name="Dave Robotics AS"), Application.objects.get(
        lead__name="Vannvakt AS")
    assert [p.name for p in ours.partners.all()] == ["Sensorhuset AS"] and ours.documents.count() == 1
    assert not theirs.partners.exists() and not theirs.documents.exists()

    # Time passes: the call closed a minute ago (moved through the ORM; nobody waits two weeks).
    Phase.objects.filter(pk=first.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))

    # Each evaluator declares no conflict and scores both applications alone.
    marks = {"alice": {"Akustiske lyttesensorer": 8, "Fiberoptisk lytting": 5},
             "bob": {"Akustiske lyttesensorer": 7, "Fiberoptisk lytting": 6}}
    for username, given in marks.items():
        _evaluate(browser, live_server, username, challenge, given)

    # Alice reads the scores side by side and awards Dave Robotics.
    page.goto(challenge_url)
    assert_accessible(page, "challenge-page-evaluated")
    page.get_by_role("link", name="Scores and result of phase 1").click()
    page.wait_for_url("**/results/")
    # A row per application, best first: its mean, then each evaluator's weighted score in her own column.
    table = page.locator("#score-table")
    columns = table.locator("thead th").all_inner_texts()
    assert columns[:2] == ["Application", "Mean"] and {"alice", "bob"} <= set(columns)
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    for index, (title, mean) in enumerate((("Akustiske lyttesensorer", "7.50"), ("Fiberoptisk lytting", "5.50"))):
        row = rows.nth(index)
        assert title in row.locator("th").inner_text()
        cells = dict(zip(columns[1:], row.locator("td").all_inner_texts(), strict=True))
        assert cells["Mean"].startswith(mean)
        assert (cells["alice"], cells["bob"]) == tuple(f"{marks[name][title]}.00" for name in ("alice", "bob"))
    assert_accessible(page, "phase-results")
    _fits(page, 375, "the results page")
    _shoot(page, "results")
    page.get_by_label("Dave Robotics AS goes on").check()
    page.get_by_label("Amount to Dave Robotics AS (NOK)").fill("400000")
    page.get_by_label("Justification of the result").fill("Akustiske lyttesensorer scoret best på begge kriterier.")
    page.get_by_role("button", name="Agree the result and tell every applicant").click()
    page.get_by_text("The result is agreed and every applicant is told at once.").wait_for()
    assert page.locator("#justification").inner_text() == "Akustiske lyttesensorer scoret best på begge kriterier."
    assert_accessible(page, "phase-decided")
    _shoot(page, "results-decided")

    # Each applicant reads its own result; the awarded one in its notifications too.
    dave.goto(dave_url)
    status = dave.locator("main .ds-tag").first
    assert status.inner_text() == "Awarded"
    expect(dave.get_by_text("400,000 kr awarded")).to_be_visible()
    expect(dave.get_by_text("Akustiske lyttesensorer scoret best på begge kriterier.")).to_be_visible()
    assert_accessible(dave, "application-awarded")
    dave.goto(f"{live_server.url}/notifications/")
    expect(dave.get_by_text(f"“{TITLE}”, phase 1: your application is awarded")).to_be_visible()
    assert_accessible(dave, "notifications-awarded")
    erik.goto(erik_url)
    assert erik.locator("main .ds-tag").first.inner_text() == "Not awarded"
    assert_accessible(erik, "application-not-awarded")

    # Neither sees the other's application: it does not exist for them.
    assert dave.goto(erik_url).status == 404
    assert erik.goto(dave_url).status == 404
    assert erik.goto(f"{dave_url}documents/{ours.documents.get().pk}/").status == 404
    for context in (owner, dave_context, erik_context, visitor.context):
        context.close()
