"""Which language Delbar speaks (docs/languages.md): the language switch's choice, always; otherwise
nynorsk to a logged-in person whose organizations chose nynorsk; otherwise bokmål, whatever the browser
asks for."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from delbar.accounts.models import Membership, Role
from delbar.cases.models import Status
from delbar.orgs.models import Organization
from tests.conftest import client_for

# The front page's heading in each language.
HEADINGS = {"nb": "Har noen løst dette før?", "nn": "Har nokon løyst dette før?",
            "en": "Has anyone solved this before?"}


def language_of(client, url="/") -> str:
    """The language the page at `url` is in, checked by its heading as well as its lang attribute."""
    response = client.get(url)
    page = response.content.decode()
    (language,) = [code for code, heading in HEADINGS.items() if heading in page]
    assert f'<html lang="{language}"' in page and response["Content-Language"] == language
    return language


def test_an_editor_of_a_nynorsk_municipality_reads_nynorsk(nina):
    client = client_for(nina)
    assert language_of(client) == "nn"
    page = client.get("/cases/").content.decode()
    assert ">Kunngjeringar</a>" in page and "Søkjeord" in page  # the menu and the filters too


def test_an_anonymous_visitor_reads_bokmal_whatever_the_browser_asks(db):
    client = client_for(None)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "nn, en;q=0.8"
    assert language_of(client) == "nb"


def test_an_editor_of_a_neutral_municipality_reads_bokmal(cast):
    assert language_of(client_for(cast["alice"])) == "nb"  # Bergen is neutral


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_switch_wins_over_the_organizations_maalform(nina, language):
    client = client_for(nina)
    response = client.post("/i18n/setlang/", {"language": language, "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    # The choice outlives the browser session, so the default does not come back tomorrow.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 365 * 24 * 3600
    assert language_of(client) == language


def test_anyone_can_choose_nynorsk(cast):
    for person in (None, cast["alice"]):
        client = client_for(person)
        client.post("/i18n/setlang/", {"language": "nn", "next": "/"})
        assert language_of(client) == "nn"


def test_the_switch_offers_each_language_named_in_itself(nina):
    page = client_for(nina).get("/").content.decode()
    assert 'value="nb" lang="nb">Bokmål</button>' in page and 'value="en" lang="en">English</button>' in page
    assert 'value="nn" lang="nn" aria-current="true">Nynorsk</button>' in page


@pytest.mark.parametrize(("other", "language"), [
    ("KS", "nn"),  # a network has no målform: it takes no side
    ("4601", "nn"),  # Bergen is neutral: no side either
    ("4640", "nn"),  # only nynorsk
    ("1101", "nb"),  # Eigersund chose bokmål: the organizations disagree, and bokmål is the default
])
def test_every_organization_with_a_maalform_must_have_chosen_nynorsk(nina, other, language):
    organization = (Organization.objects.create(kind="network", name="KS", org_number="971032146") if other == "KS"
                    else Organization.objects.get(municipality_number=other))
    Membership.objects.get_or_create(user=nina, organization=organization, defaults={"role": Role.EDITOR})
    assert language_of(client_for(nina)) == language


def test_a_request_waiting_for_approval_does_not_choose_the_language(db):
    olav = User.objects.create_user("olav", "olav@example.no")
    Membership.objects.create(user=olav, organization=Organization.objects.get(municipality_number="4640"),
                              role=Role.EDITOR, status=Membership.Status.PENDING)
    assert language_of(client_for(olav)) == "nb"


def test_sector_names_follow_the_language(cast, make_case):
    case = make_case(Status.PUBLISHED)
    names = {}
    for language in ("nb", "nn", "en"):
        client = client_for(None)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        names[language] = client.get(case.get_absolute_url()).content.decode()
    assert "Vann, avløp og avfall" in names["nb"] and "Vatn, avløp og avfall" not in names["nb"]
    assert "Vatn, avløp og avfall" in names["nn"] and "Vann, avløp og avfall" not in names["nn"]
    assert "Water, sewage and waste" in names["en"]


def test_logging_in_speaks_nynorsk_too(cast):
    """allauth has no nynorsk; delbar/translations/allauth gives the strings our pages show."""
    client = client_for(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    wrong = client.post("/accounts/login/", {"login": "alice", "password": "not her password"}).content.decode()
    assert "Brukarnamnet og/eller passordet du skreiv, er feil." in wrong
    reset = client.get("/accounts/password/reset/").content.decode()
    assert "Gløymt passordet? Skriv inn e-postadressa di nedanfor" in reset and "Nullstill passordet mitt" in reset


def test_the_allauth_nynorsk_catalogue_holds_only_allauth_strings():
    """When allauth renames a string, ours would silently stop applying: this says so instead."""
    import allauth
    import polib

    ours = polib.pofile(settings.LOCALE_PATHS[1] / "nn" / "LC_MESSAGES" / "django.po")
    theirs = polib.pofile(Path(allauth.__file__).parent / "locale" / "nb" / "LC_MESSAGES" / "django.po")
    known = {(entry.msgctxt, entry.msgid) for entry in theirs if not entry.obsolete}
    assert [entry.msgid for entry in ours if (entry.msgctxt, entry.msgid) not in known] == []
    assert all(entry.msgstr for entry in ours) and len(ours) > 80
