"""`delbar demo` gives the network and dialogue pages something to show: LUP's, KS's, a regional network in
Agder with its own curator and members' area, a sector programme that takes suppliers, a past dialogue
conference with everything that follows one, and an upcoming market dialogue — and a second run changes
none of it."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from delbar.accounts.roles import roles_of
from delbar.dialogues.models import Dialogue, Meeting
from delbar.diffusion.observatory import network_case_ids
from delbar.networks.models import Network, NetworkMember
from delbar.opendata.ocds import dialogue_ocid, need_ocid, planning_dialogues
from delbar.orgs.numbers import is_valid_org_number


def _rows() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()
            if model._meta.app_label in ("networks", "dialogues", "cases", "needs", "orgs", "accounts", "auth")}


@pytest.mark.long
def test_the_demo_holds_networks_and_dialogues_and_loads_twice_the_same(db):
    out = io.StringIO()
    call_command("demo", stdout=out)

    networks = {network.slug: network for network in Network.objects.select_related("organization")}
    assert set(networks) == {"lup", "ks", "agder", "velferdsteknologi"}
    lup, ks, agder, welfare = (networks[slug] for slug in ("lup", "ks", "agder", "velferdsteknologi"))
    assert lup.organization.org_number == "920058817" and is_valid_org_number(lup.organization.org_number)
    assert ks.organization.org_number == "971032146" and ks.kind == Network.Kind.NATIONAL
    assert agder.kind == Network.Kind.REGIONAL and welfare.kind == Network.Kind.SECTOR
    for network in networks.values():
        assert network.description and network.website.startswith("https://") and network.origins()
        # A collection (members' cases and those the curators added), news and a discussion.
        assert network_case_ids(network).count() >= 3, network.slug
        assert network.organization.case_links.filter(via="curator").exists(), network.slug
        assert network.news.count() >= 2 and network.posts.exists(), network.slug
    assert "https://innovativeanskaffelser.no" in lup.origins()
    # Agder: its municipalities and county, one waiting to join, one members-only item and a document.
    members = set(agder.members.active().values_list("organization__name", flat=True))
    assert members >= {"Lyngdal", "Kristiansand", "Arendal", "Grimstad", "Farsund", "Vennesla", "Agder fylkeskommune"}
    assert agder.members.pending().count() == 1
    assert agder.news.filter(members_only=True).count() == 1 and agder.documents.get().size > 0
    assert not lup.news.filter(members_only=True).exists()
    # The sector programme takes suppliers, and the demo's supplier is in it, with Bergen.
    assert welfare.accepts_suppliers
    assert {"Bergen", "Nordlys Velferdsteknologi AS"} <= set(
        welfare.members.active().values_list("organization__name", flat=True))

    # Agnes curates Agder and nothing else: a network's own curator, no Delbar curator.
    agnes = User.objects.get(username="agnes")
    assert "agnes" in out.getvalue() and agnes.emailaddress_set.get().verified and agnes.check_password("delbar-demo")
    roles = roles_of(agnes)
    assert roles.network_org_ids == {agder.organization_id} and not roles.is_curator
    assert agnes.authenticator_set.exists()

    # The past dialogue conference: registrations, input, answered questions, a summary, meetings sent.
    now = timezone.now()
    past = Dialogue.objects.get(title__startswith="Dialogkonferanse: digitalt tilsyn")
    assert past.ends_at < now and past.network == agder and past.organizer.name == "Kristiansand"
    assert past.summary and past.summary_published_at < now
    suppliers = past.registrations.filter(organization__kind="supplier")
    assert suppliers.count() == 4 and suppliers.filter(organization__name="Nordlys Velferdsteknologi AS").exists()
    assert all(is_valid_org_number(number) for number in suppliers.exclude(
        organization__org_number=None).values_list("organization__org_number", flat=True))
    assert past.inputs.count() == 2 and all(written.body for written in past.inputs.all())
    assert past.questions.exclude(answered_at=None).count() == 2
    assert past.meetings.filter(kind=Meeting.Kind.SUPPLIER).exists() and past.meetings.filter(
        kind=Meeting.Kind.BUYERS).exists() and not past.meetings.filter(sent_at=None).exists()
    # The upcoming one, on Lyngdal's open need, open for registration, in about three weeks.
    upcoming = Dialogue.objects.get(title__startswith="Markedsdialog: lekkasjesøk")
    assert upcoming.organizer.name == "Lyngdal" and upcoming.needs.get().external_id == "demo-need-001"
    assert upcoming.needs.get().status == "open" and upcoming.registration_open
    assert dt.timedelta(days=19) < upcoming.starts_at - now < dt.timedelta(days=23)
    # Sven's supplier is registered with input and a document still his to change; one meeting is unsent.
    assert {r.organization.name for r in upcoming.registrations.all()} == {"Vannvakt Sensor AS",
                                                                         "Nordlys Velferdsteknologi AS"}
    assert upcoming.inputs.get().documents.count() == 1
    assert upcoming.meetings.filter(sent_at=None).count() == 1
    assert upcoming.questions.filter(answered_at=None).count() == 1
    assert upcoming.questions.exclude(answered_at=None).count() == 1
    # Open data: the past one prepared a procurement (its need is being procured); the upcoming one not yet.
    assert list(planning_dialogues()) == [past]
    assert dialogue_ocid(past) == need_ocid(past.needs.get().pk)
    # The observatory narrowed to the network answers.
    page = Client().get("/observatory/", {"network": "agder"})
    assert page.status_code == 200 and page.context["figures"]["spread"].rows

    before = _rows()
    call_command("demo", stdout=io.StringIO())
    assert _rows() == before
    assert NetworkMember.objects.filter(network=agder).count() == len(members) + 1
