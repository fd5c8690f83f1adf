"""Who acts for an organization: roles granted by the right people, requests that grant nothing until an
organization's administrator approves them, the history members read, the admin closed to curators, and
questions only from people who act for an organization, at a limited pace.

The grant table is written out here by hand from the rules in accounts/access.py's docstring, so it
checks the code rather than repeating it. Pages speak bokmål unless the visitor chose English; the
messages the tests look for are the bokmål ones (translation.override("nb")).
"""

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.utils import translation
from django.utils.html import escape

from delbar.accounts import actions
from delbar.accounts.models import Membership, Role
from delbar.accounts.roles import roles_of
from delbar.alerts.models import Notification
from delbar.audit.models import AuditEvent
from delbar.cases.models import Status
from delbar.orgs.models import Organization
from delbar.questions.models import Question
from tests.conftest import PASSWORD, client_for

LYNGDAL_ORG_NUMBER = "922421498"  # Lyngdal kommune in Brønnøysundregistrene (the reference data has none)


def nb(message: str) -> str:
    """A message as a visitor sees it: in bokmål, the default language."""
    with translation.override("nb"):
        return translation.gettext(message)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def person(username: str) -> User:
    return User.objects.create_user(username, f"{username}@example.no", PASSWORD, first_name=username.title())


def history(organization, action: str):
    return AuditEvent.objects.filter(object_type="organization", object_id=str(organization.pk), action=action)


@pytest.fixture
def orgs(cast, lyngdal):
    return {"lyngdal": lyngdal, "supplier": Organization.objects.get(name="Dave Robotics AS"),
            "ks": Organization.objects.get(name="KS")}


@pytest.fixture
def actors(cast, orgs):
    """The cast, plus an administrator of each organization, made one by Delbar's administrator."""
    people = dict(cast)
    for key, organization in orgs.items():
        people[f"{key}_admin"] = actions.grant_role(user=person(f"{key}-admin"), organization=organization,
                                                    role=Role.ORG_ADMIN, actor=cast["admin"]).user
    return people


# --- Who may grant which role where (accounts/access.py) ---

ROLES = [Role.EDITOR, Role.SUPPLIER, Role.ORG_ADMIN, Role.CURATOR, Role.ADMIN]
ACTORS = ["lyngdal_admin", "supplier_admin", "ks_admin", "bob", "carol", "dave", "admin", "anonymous"]
ORGS = ["lyngdal", "supplier", "ks"]

EXPECTED_GRANTERS = {
    "lyngdal": {Role.EDITOR: {"lyngdal_admin", "admin"}, Role.SUPPLIER: set(),
                Role.ORG_ADMIN: {"lyngdal_admin", "admin"}, Role.CURATOR: set(), Role.ADMIN: {"admin"}},
    "supplier": {Role.EDITOR: set(), Role.SUPPLIER: {"supplier_admin", "admin"},
                 Role.ORG_ADMIN: {"supplier_admin", "admin"}, Role.CURATOR: set(), Role.ADMIN: {"admin"}},
    "ks": {Role.EDITOR: {"ks_admin", "admin"}, Role.SUPPLIER: set(),
           Role.ORG_ADMIN: {"ks_admin", "admin"}, Role.CURATOR: {"admin"}, Role.ADMIN: {"admin"}},
}
GRANT_MATRIX = [(org, role, actor) for org in ORGS for role in ROLES for actor in ACTORS]


def refusal(actor: str, org: str) -> int:
    """How a refused grant is answered: a log-in for visitors; 403 for those who manage nobody there; 400
    (the role is not among the form's choices) for those who manage the organization's members."""
    if actor == "anonymous":
        return 302
    return 400 if actor in ("admin", f"{org}_admin") else 403


@pytest.mark.parametrize(("org", "role", "actor"), GRANT_MATRIX)
def test_grant_matrix(org, role, actor, actors, orgs):
    organization = orgs[org]
    erik = person("erik")
    response = client_for(actors[actor]).post(f"/organizations/{organization.pk}/members/grant/",
                                              {"person": "erik", "role": role})
    granted = Membership.objects.filter(user=erik, organization=organization)
    if actor in EXPECTED_GRANTERS[org][role]:
        assert response.status_code == 302 and response["Location"] == f"/organizations/{organization.pk}/members/"
        assert granted.get().role == role and not granted.get().is_pending
        event = history(organization, "membership.grant").get(data__username="erik")
        assert event.actor == actors[actor] and event.data["role"] == role
    else:
        assert response.status_code == refusal(actor, org), response.content[:300]
        if actor == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
        assert not granted.exists()
        assert not history(organization, "membership.grant").filter(data__username="erik").exists()


def test_nobody_grants_themselves_more(actors, orgs):
    lyngdal, ks = orgs["lyngdal"], orgs["ks"]
    # An organization's administrator cannot make herself a Delbar administrator, nor a curator.
    response = client_for(actors["ks_admin"]).post(f"/organizations/{ks.pk}/members/grant/",
                                                   {"person": "ks-admin", "role": Role.CURATOR})
    assert response.status_code == 400
    assert Membership.objects.get(user=actors["ks_admin"], organization=ks).role == Role.ORG_ADMIN
    # An editor cannot make himself the organization's administrator.
    response = client_for(actors["bob"]).post(f"/organizations/{lyngdal.pk}/members/grant/",
                                              {"person": "bob", "role": Role.ORG_ADMIN})
    assert response.status_code == 403
    assert Membership.objects.get(user=actors["bob"], organization=lyngdal).role == Role.EDITOR


def test_an_org_admin_cannot_take_a_curator_or_admin_role_away(actors, orgs):
    ks = orgs["ks"]
    client = client_for(actors["ks_admin"])
    # Turning KS's curator into an editor would take away a role only Delbar's administrators give.
    assert client.post(f"/organizations/{ks.pk}/members/grant/",
                       {"person": "carol", "role": Role.EDITOR}).status_code == 403
    assert Membership.objects.get(user=actors["carol"], organization=ks).role == Role.CURATOR
    admin_membership = Membership.objects.get(user=actors["admin"], organization=ks)
    assert client.post(f"/memberships/{admin_membership.pk}/remove/").status_code == 403
    assert Membership.objects.filter(pk=admin_membership.pk, role=Role.ADMIN).exists()


# --- Curators grant nothing, in the admin either, and see no drafts there ---

def test_a_curator_cannot_make_herself_an_administrator_in_the_admin(cast, orgs):
    carol = client_for(cast["carol"])
    memberships = Membership.objects.count()
    assert carol.get("/admin/accounts/membership/add/").status_code == 403
    response = carol.post("/admin/accounts/membership/add/", {
        "user": cast["carol"].pk, "organization": orgs["ks"].pk, "role": Role.ADMIN,
        "status": Membership.Status.ACTIVE, "source": Membership.Source.GRANTED})
    assert response.status_code == 403
    own = Membership.objects.get(user=cast["carol"])
    response = carol.post(f"/admin/accounts/membership/{own.pk}/change/", {
        "user": cast["carol"].pk, "organization": orgs["ks"].pk, "role": Role.ADMIN,
        "status": Membership.Status.ACTIVE, "source": Membership.Source.GRANTED})
    assert response.status_code == 403
    assert Membership.objects.count() == memberships
    own.refresh_from_db()
    assert own.role == Role.CURATOR and not roles_of(User.objects.get(pk=cast["carol"].pk)).is_admin
    assert carol.get("/admin/accounts/membership/").status_code == 403


def test_a_curator_cannot_make_a_supplier_an_editor_of_bergen(cast, bergen):
    response = client_for(cast["carol"]).post(f"/organizations/{bergen.pk}/members/grant/",
                                              {"person": "dave", "role": Role.EDITOR})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=cast["dave"], organization=bergen).exists()


def test_curators_see_no_drafts_in_the_admin(cast, make_case):
    draft = make_case(Status.DRAFT, title="Hemmelig utkast fra Bergen")
    published = make_case(Status.PUBLISHED, title="Publisert sak fra Bergen")
    carol = client_for(cast["carol"])
    listing = carol.get("/admin/cases/case/")
    assert listing.status_code == 200
    assert published.title in listing.content.decode() and draft.title not in listing.content.decode()
    for path in (f"/admin/cases/case/{draft.pk}/change/", f"/admin/cases/case/{draft.pk}/history/"):
        response = carol.get(path)
        assert response.status_code != 200 and draft.title not in response.content.decode(), path
    revisions = carol.get("/admin/cases/caserevision/").content.decode()
    assert published.title in revisions and draft.title not in revisions
    # Nor through an autocomplete that lists cases (the adoption form's).
    found = carol.get("/admin/autocomplete/", {"app_label": "diffusion", "model_name": "adoption",
                                               "field_name": "case", "term": "Bergen"}).json()
    assert [item["text"] for item in found["results"]] == [published.title]

    admin = client_for(cast["admin"])
    assert draft.title in admin.get("/admin/cases/case/").content.decode()
    assert admin.get(f"/admin/cases/case/{draft.pk}/change/").status_code == 200


def test_a_membership_changed_in_the_admin_is_audited(cast, lyngdal):
    erik = person("erik")
    admin = client_for(cast["admin"])
    fields = {"user": erik.pk, "organization": lyngdal.pk, "role": Role.EDITOR,
              "status": Membership.Status.ACTIVE, "source": Membership.Source.GRANTED}
    assert admin.post("/admin/accounts/membership/add/", fields).status_code == 302
    membership = Membership.objects.get(user=erik, organization=lyngdal)
    assert admin.post(f"/admin/accounts/membership/{membership.pk}/change/",
                      {**fields, "role": Role.ORG_ADMIN}).status_code == 302
    assert admin.post(f"/admin/accounts/membership/{membership.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    grants = history(lyngdal, "membership.grant").filter(data__username="erik", actor=cast["admin"])
    assert sorted(event.data["role"] for event in grants) == [Role.EDITOR, Role.ORG_ADMIN]
    assert history(lyngdal, "membership.remove").filter(data__username="erik", actor=cast["admin"]).exists()
    # Lyngdal's members read it in their history.
    page = client_for(cast["bob"]).get(f"/organizations/{lyngdal.pk}/members/").content.decode()
    assert "erik" in page.partition('id="history-heading"')[2]


# --- Requests: nothing until approved; approved, declined, audited, told ---

@pytest.fixture
def request_from_bob2(cast, lyngdal):
    bob2 = person("bob2")
    return actions.request_membership(user=bob2, organization=lyngdal)


def test_a_pending_request_grants_nothing_until_approved(actors, lyngdal, request_from_bob2):
    bob2 = request_from_bob2.user
    assert request_from_bob2.is_pending and request_from_bob2.role == Role.EDITOR
    assert roles_of(User.objects.get(pk=bob2.pk)).editor_org_ids == set()
    assert client_for(bob2).get("/cases/new/").status_code == 403
    assert client_for(bob2).get(f"/organizations/{lyngdal.pk}/members/").status_code == 403
    # Bob edits for Lyngdal but does not administer it: he may not approve.
    assert client_for(actors["bob"]).post(f"/memberships/{request_from_bob2.pk}/approve/").status_code == 403
    request_from_bob2.refresh_from_db()
    assert request_from_bob2.is_pending

    approver = client_for(actors["lyngdal_admin"])
    page = approver.get(f"/organizations/{lyngdal.pk}/members/")
    assert page["Content-Language"] == "nb"
    assert f"/memberships/{request_from_bob2.pk}/approve/" in page.content.decode()
    response = approver.post(f"/memberships/{request_from_bob2.pk}/approve/")
    assert response.status_code == 302 and nb("The request is approved.") in messages_of(response)
    assert roles_of(User.objects.get(pk=bob2.pk)).editor_org_ids == {lyngdal.pk}
    assert client_for(bob2).get("/cases/new/").status_code == 200
    assert Notification.objects.filter(user=bob2, event=f"membership-approved:{request_from_bob2.pk}").exists()
    assert history(lyngdal, "membership.request").filter(actor=bob2, data__username="bob2").exists()
    assert history(lyngdal, "membership.approve").filter(actor=actors["lyngdal_admin"],
                                                         data__username="bob2").exists()
    # Approving twice changes nothing.
    again = approver.post(f"/memberships/{request_from_bob2.pk}/approve/")
    assert nb("This request is already decided.") in messages_of(again)
    assert history(lyngdal, "membership.approve").count() == 1


def test_a_declined_request_is_gone_and_recorded(actors, lyngdal, request_from_bob2):
    response = client_for(actors["lyngdal_admin"]).post(f"/memberships/{request_from_bob2.pk}/decline/")
    assert response.status_code == 302 and nb("The request is declined.") in messages_of(response)
    assert not Membership.objects.filter(pk=request_from_bob2.pk).exists()
    assert history(lyngdal, "membership.decline").filter(actor=actors["lyngdal_admin"],
                                                         data__username="bob2").exists()
    assert client_for(request_from_bob2.user).get("/cases/new/").status_code == 403


def test_outsiders_neither_see_nor_decide_requests(actors, bergen, lyngdal, request_from_bob2):
    # Bergen's editor learns nothing about Lyngdal's requests; Delbar's administrator decides anywhere.
    assert client_for(actors["alice"]).post(f"/memberships/{request_from_bob2.pk}/approve/").status_code == 404
    assert client_for(actors["carol"]).post(f"/memberships/{request_from_bob2.pk}/approve/").status_code == 404
    request_from_bob2.refresh_from_db()
    assert request_from_bob2.is_pending
    assert client_for(actors["admin"]).post(f"/memberships/{request_from_bob2.pk}/approve/").status_code == 302
    request_from_bob2.refresh_from_db()
    assert not request_from_bob2.is_pending


def test_members_see_who_acts_and_the_history_others_do_not(actors, bergen, lyngdal, request_from_bob2):
    client_for(actors["lyngdal_admin"]).post(f"/memberships/{request_from_bob2.pk}/approve/")
    page = client_for(actors["bob"]).get(f"/organizations/{lyngdal.pk}/members/")
    assert page.status_code == 200
    members, _, past = page.content.decode().partition('id="history-heading"')
    assert "Bob2" in members and "Lyngdal-Admin" in members
    assert "bob2" in past and "lyngdal-admin" in past  # bob2 asked and was approved; lyngdal-admin was made one
    # Bob reads, but the forms to give roles and decide are for the administrators.
    assert f"/organizations/{lyngdal.pk}/members/grant/" not in members
    assert client_for(actors["bob"]).get(f"/organizations/{bergen.pk}/members/").status_code == 403
    assert client_for(None).get(f"/organizations/{lyngdal.pk}/members/").status_code == 302


def test_a_request_tells_the_organizations_admins_or_else_delbars(actors, bergen, lyngdal):
    to_lyngdal = actions.request_membership(user=person("bob2"), organization=lyngdal)
    told = set(Notification.objects.filter(event=f"membership-request:{to_lyngdal.pk}").values_list("user__username",
                                                                                                    flat=True))
    assert told == {"lyngdal-admin"}
    assert Notification.objects.get(event=f"membership-request:{to_lyngdal.pk}").url == \
        f"/organizations/{lyngdal.pk}/members/"
    # Bergen has no administrator of its own yet: Delbar's administrators hear of it.
    to_bergen = actions.request_membership(user=person("berit"), organization=bergen)
    told = set(Notification.objects.filter(event=f"membership-request:{to_bergen.pk}").values_list("user__username",
                                                                                                   flat=True))
    assert told == {"admin"}


def test_only_editor_and_supplier_roles_can_be_asked_for(cast, orgs):
    for role in (Role.ORG_ADMIN, Role.CURATOR, Role.ADMIN):
        with pytest.raises(actions.MembershipError):
            actions.request_membership(user=person(f"asks-{role}"), organization=orgs["ks"], role=role)
    with pytest.raises(actions.MembershipError):
        actions.request_membership(user=person("asks-editor"), organization=orgs["supplier"], role=Role.EDITOR)
    assert not Membership.objects.filter(user__username__startswith="asks-").exists()
    assert actions.request_membership(user=person("sara"), organization=orgs["supplier"]).role == Role.SUPPLIER


# --- The last administrator stays ---

def test_the_last_org_admin_cannot_remove_herself(actors, lyngdal):
    own = Membership.objects.get(user=actors["lyngdal_admin"], organization=lyngdal)
    client = client_for(actors["lyngdal_admin"])
    remove_own = f'action="/memberships/{own.pk}/remove/"'
    assert remove_own not in client.get(f"/organizations/{lyngdal.pk}/members/").content.decode()
    response = client.post(f"/memberships/{own.pk}/remove/")
    assert response.status_code == 302
    assert nb("You are the organization's last administrator. Make someone else one first.") in messages_of(response)
    assert Membership.objects.filter(pk=own.pk, role=Role.ORG_ADMIN).exists()
    assert not history(lyngdal, "membership.remove").exists()
    # With a second administrator she may go.
    client.post(f"/organizations/{lyngdal.pk}/members/grant/", {"person": "bob", "role": Role.ORG_ADMIN})
    assert remove_own in client.get(f"/organizations/{lyngdal.pk}/members/").content.decode()
    assert client.post(f"/memberships/{own.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=own.pk).exists()
    assert history(lyngdal, "membership.remove").filter(data__username="lyngdal-admin").exists()


def test_the_last_org_admin_cannot_demote_herself_either(actors, lyngdal):
    client = client_for(actors["lyngdal_admin"])
    response = client.post(f"/organizations/{lyngdal.pk}/members/grant/",
                           {"person": "lyngdal-admin", "role": Role.EDITOR})
    assert response.status_code == 400
    assert escape(nb("You are the organization's last administrator. Make someone else one first.")) in \
        response.content.decode()
    assert Membership.objects.get(user=actors["lyngdal_admin"], organization=lyngdal).role == Role.ORG_ADMIN


# --- Sign-up with an organization becomes a request ---

SIGNUP = {"email": "ingrid@lyngdal.kommune.no", "first_name": "Ingrid", "last_name": "Hansen",
          "password1": "et-langt-passord-42", "password2": "et-langt-passord-42"}


@pytest.fixture
def lyngdal_numbered(lyngdal):
    if not lyngdal.org_number:
        lyngdal.org_number = LYNGDAL_ORG_NUMBER
        lyngdal.save(update_fields=["org_number"])
    return lyngdal


def test_sign_up_with_an_organization_number_asks_to_join(cast, client, lyngdal_numbered):
    response = client.post("/accounts/signup/", {**SIGNUP, "organization": lyngdal_numbered.org_number})
    assert response.status_code == 302, response.content[:500]
    ingrid = User.objects.get(email="ingrid@lyngdal.kommune.no")
    membership = ingrid.memberships.get()
    assert membership.organization == lyngdal_numbered and membership.is_pending
    assert membership.role == Role.EDITOR and membership.source == Membership.Source.SIGNUP
    assert roles_of(ingrid).member_org_ids == set()
    assert Notification.objects.filter(user=cast["admin"], event=f"membership-request:{membership.pk}").exists()
    assert history(lyngdal_numbered, "membership.request").filter(actor=ingrid).exists()


def test_sign_up_with_an_invalid_organization_number_is_refused(cast, client, lyngdal_numbered):
    response = client.post("/accounts/signup/", {**SIGNUP, "organization": "123456789"})
    assert response.status_code == 200
    with translation.override("nb"):
        error = translation.gettext("%(number)s is not a valid organization number (nine digits, "
                                    "the last a check digit).") % {"number": "123456789"}
    assert error in response.content.decode()
    assert not User.objects.filter(email="ingrid@lyngdal.kommune.no").exists()
    assert not Membership.objects.filter(organization=lyngdal_numbered, status=Membership.Status.PENDING).exists()


# --- Questions: on an organization's behalf, at a limited pace ---

def test_an_account_acting_for_no_organization_cannot_ask(cast, make_case, lyngdal):
    case = make_case(Status.PUBLISHED)
    loner = person("loner")
    waiting = person("waiting")
    actions.request_membership(user=waiting, organization=lyngdal)
    for user in (loner, waiting):
        response = client_for(user).post(f"/cases/{case.pk}/questions/",
                                         {"body": "Se https://example.com/tilbud for vårt tilbud!"}, follow=True)
        assert response.status_code == 200
        message = nb("Questions are asked on behalf of an organization. Ask to join yours first.")
        assert message in response.content.decode()
    assert not Question.objects.exists()
    assert not Notification.objects.filter(event__startswith="question:").exists()


def test_questions_are_rate_limited_per_account(cast, make_case, settings):
    settings.DELBAR_QUESTION_RATE = "2/h"
    case = make_case(Status.PUBLISHED)
    bob = client_for(cast["bob"])
    for number in (1, 2):
        assert bob.post(f"/cases/{case.pk}/questions/", {"body": f"Spørsmål {number}?"}).status_code == 302
    response = bob.post(f"/cases/{case.pk}/questions/", {"body": "Spørsmål 3?"})
    assert response.status_code == 429
    assert sorted(Question.objects.values_list("body", flat=True)) == ["Spørsmål 1?", "Spørsmål 2?"]
    # The limit is Bob's, not everyone's.
    assert client_for(cast["dave"]).post(f"/cases/{case.pk}/questions/",
                                         {"body": "Fra leverandøren?"}).status_code == 302
