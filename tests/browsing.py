"""What the browser tests share: Debian's Chromium driven by Playwright against a live server, axe-core,
and logging in as a person at a desk would. Their fixtures (browser, people, the reference data put back
after each truncating test) are in conftest.py; a browser test module uses BROWSER_TEST_MARKS."""

import functools
import os

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

from tests.conftest import PASSWORD, REPO, authenticator_code

# Playwright's sync API runs an event loop in this thread; the ORM calls here are ordinary sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
# Chromium's background services try the network, which these machines do not have.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@functools.cache
def _axe_source() -> str:
    return AXE.read_text()


def axe_violations(page) -> list[str]:
    # Evaluated through the DevTools protocol: the page's Content-Security-Policy refuses injected scripts.
    # Once per document: a page checked at two widths keeps it.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def assert_accessible(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert axe_violations(page) == [], f"axe-core on {name}"


def click_through(page, locator) -> None:
    """Clicks a link or a submit button and waits until the page it leads to has loaded. A click waits at
    most for a navigation Chromium reports during it, and never for the load: CI once read the page being
    left. The wait is for the new document's load event, which neither a history change made by htmx nor a
    redirect after a POST can answer early."""
    with page.expect_event("load"):
        locator.click()


def log_in(context, live_server, username):
    """Logs in with username, password and the authenticator app's code, as a person at a desk would."""
    user = User.objects.get(username=username)
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    code = authenticator_code(user)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.locator("input[name=code]").fill(code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/my/")
    return page


# A live server needs committed data, so each browser test truncates every table when it ends and
# the reference data is loaded again (tests/conftest.py).
BROWSER_TEST_MARKS = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
                      pytest.mark.usefixtures("restore_reference_data", "reference_data")]
