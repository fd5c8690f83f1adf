"""Needs and matching: posting a need answers at once with earlier cases, other buyers' needs and
suppliers' solutions, each with its reasons; decisions are kept; matches follow new content; buyers
join needs, form groups and are proposed groups; suppliers answer; bad input changes nothing.
The real e5 model embeds, on SQLite and PostgreSQL alike."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from delbar.alerts.models import Notification
from delbar.cases import actions as case_actions
from delbar.groups.models import BuyerGroup
from delbar.groups.proposals import clusters, pairs
from delbar.needs import actions, matching
from delbar.needs.models import Match, MatchState, Need, NeedInterest, NeedStatus
from delbar.orgs.models import CpvCode, Organization, Sector
from delbar.suppliers import actions as supplier_actions
from delbar.suppliers.models import Proposal
from tests.conftest import client_for

FERRY = {"title": "Elektrisk ferje i øysambandet", "summary": "Kommunen kjøpte en batterielektrisk ferje med "
         "lading på kaia. Utslippene falt med 95 prosent.", "sector": "samferdsel", "cpv": ["34512000"]}
BOOKING = {"title": "Selvbetjent booking av idrettshaller", "summary": "Innbyggere og lag booker og låser opp "
           "kommunale idrettshaller selv med mobilen.", "sector": "kultur-idrett", "cpv": []}
TUNNEL = {"title": "Robot som inspiserer drikkevannstunneler", "summary": "Kommunen leide en fjernstyrt "
          "undervannsrobot som filmer tunnelene uten at vannforsyningen må stenges.", "sector": "vann-avlop-avfall",
          "cpv": []}
FERRY_NEED = {"title": "Utslippsfri ferje", "description": "Ferja vår går på diesel. Vi vil ha en ferje som går "
              "på strøm og lades ved kaia, for å kutte utslippene i sambandet."}


@pytest.fixture
def kristiansand(db):
    return Organization.objects.get(municipality_number="4204")


def publish(cast, buyer, spec):
    editor = cast["alice"]
    case = case_actions.create_case(actor=editor if buyer.municipality_number == "4601" else None, lead_buyer=buyer,
                                    fields={"title": spec["title"], "summary": spec["summary"],
                                            "sector": Sector.objects.get(pk=spec["sector"])},
                                    relations={"cpv_codes": list(CpvCode.objects.filter(code__in=spec["cpv"]))})
    case = case_actions.submit_case(case=case, actor=None)
    return case_actions.publish_case(case=case, actor=cast["carol"])


@pytest.fixture
def cases(cast, bergen, kristiansand):
    return {"ferry": publish(cast, kristiansand, FERRY), "booking": publish(cast, bergen, BOOKING),
            "tunnel": publish(cast, bergen, TUNNEL)}


def post_need(user, organization, spec=FERRY_NEED, **fields):
    values = {"title": spec["title"], "description": spec["description"], **fields}
    return actions.create_need(actor=user, organization=organization, fields=values,
                               cpv_codes=list(CpvCode.objects.filter(code__in=fields.pop("cpv", []))))


def matched(need, kind):
    return [m.object_id for m in Match.objects.filter(need=need, kind=kind, current=True).order_by("-score")]


# --- Matching ---------------------------------------------------------------------------------------------

def test_a_posted_need_is_matched_at_once_to_the_case_that_solved_it(cast, lyngdal, cases):
    need = post_need(cast["bob"], lyngdal, sector=Sector.objects.get(pk="samferdsel"))
    assert matched(need, "case")[0] == cases["ferry"].pk
    match = Match.objects.get(need=need, kind="case", object_id=cases["ferry"].pk)
    assert match.reasons["sector"] == "samferdsel"
    assert match.reasons["similarity"] > 0.8
    assert "ferje" in match.reasons["words"]


def test_shared_cpv_code_is_a_reason_and_lifts_the_score(cast, lyngdal, cases):
    plain = post_need(cast["bob"], lyngdal)
    with_code = post_need(cast["bob"], lyngdal, cpv=["34512000"])
    # Both found with the same index (each need's own words discounted), so only the code differs.
    before = next(item for item in matching.find(plain, ["case"]) if item.object_id == cases["ferry"].pk)
    after = next(item for item in matching.find(with_code, ["case"]) if item.object_id == cases["ferry"].pk)
    assert after.reasons["cpv"] == ["34512000"] and "cpv" not in before.reasons
    assert after.score == pytest.approx(before.score + matching.SHARED_CPV, abs=1e-4)


def test_other_buyers_open_needs_match_each_other_but_not_their_own(cast, bergen, lyngdal, cases,
                                                                  django_capture_on_commit_callbacks):
    mine = post_need(cast["bob"], lyngdal)
    same_org = post_need(cast["bob"], lyngdal, title="Ny ferje på strøm")
    with django_capture_on_commit_callbacks(execute=True):
        theirs = post_need(cast["alice"], bergen, title="Batteriferje",
                           description="Vi trenger en elektrisk ferje som lades på kaia i stedet for dieselferja.")
    mine.refresh_from_db()
    assert theirs.pk in matched(mine, "need")
    assert same_org.pk not in matched(mine, "need")
    assert mine.pk in matched(theirs, "need")  # the earlier need was refreshed when the new one came


def test_a_newly_published_case_reaches_open_needs(cast, lyngdal, kristiansand, django_capture_on_commit_callbacks):
    need = post_need(cast["bob"], lyngdal)
    assert matched(need, "case") == []
    with django_capture_on_commit_callbacks(execute=True):
        case = publish(cast, kristiansand, FERRY)
    assert matched(need, "case") == [case.pk]


def test_decisions_survive_recomputation_and_dismissed_matches_stay_away(cast, lyngdal, cases):
    need = post_need(cast["bob"], lyngdal)
    ferry = Match.objects.get(need=need, kind="case", object_id=cases["ferry"].pk)
    actions.decide(match=ferry, actor=cast["bob"], state=MatchState.DISMISSED)
    matching.compute(need)
    ferry.refresh_from_db()
    assert ferry.state == MatchState.DISMISSED and ferry.decided_by == cast["bob"]
    page = client_for(cast["bob"]).get(need.get_absolute_url())
    matches_section = page.content.decode().split('id="matches"')[1]
    assert matches_section.index("Dismissed" if "Dismissed" in matches_section else "Avvist") < matches_section.index(
        cases["ferry"].title)


def test_the_owner_confirms_through_the_page_and_others_cannot(cast, lyngdal, cases):
    need = post_need(cast["bob"], lyngdal)
    match = Match.objects.get(need=need, kind="case", object_id=cases["ferry"].pk)
    url = f"/needs/{need.pk}/matches/{match.pk}/"
    assert client_for(cast["alice"]).post(url, {"state": "confirmed"}).status_code == 403
    assert client_for(cast["bob"]).post(url, {"state": "bogus"}).status_code == 302
    match.refresh_from_db()
    assert match.state == MatchState.SUGGESTED
    client_for(cast["bob"]).post(url, {"state": "confirmed"})
    match.refresh_from_db()
    assert match.state == MatchState.CONFIRMED


def test_a_closed_need_keeps_its_decisions_but_gets_no_new_matches(cast, lyngdal, cases):
    need = post_need(cast["bob"], lyngdal)
    actions.set_status(need=need, actor=cast["bob"], status=NeedStatus.SOLVED)
    assert not Match.objects.filter(need=need, current=True, state=MatchState.SUGGESTED).exists()


# --- Buyer groups -----------------------------------------------------------------------------------------

def test_close_open_needs_are_proposed_as_a_buyer_group_to_owners_and_curators(cast, bergen, lyngdal, cases):
    first = post_need(cast["bob"], lyngdal)
    second = post_need(cast["alice"], bergen, title="Elektrisk ferje", description=FERRY_NEED["description"])
    assert (min(first.pk, second.pk), max(first.pk, second.pk)) in [(a, b) for a, b, _ in pairs()]
    assert [sorted(n.pk for n in cluster) for cluster in clusters()] == [sorted([first.pk, second.pk])]
    event = f"group-proposal:{min(first.pk, second.pk)}-{max(first.pk, second.pk)}"
    told = set(Notification.objects.filter(event=event).values_list("user__username", flat=True))
    assert {"alice", "bob", "carol", "admin"} <= told
    assert "dave" not in told


def test_no_group_is_proposed_when_a_buyer_is_not_open_for_joint_procurement(cast, bergen, lyngdal, cases):
    post_need(cast["bob"], lyngdal, open_for_joint_procurement=False)
    post_need(cast["alice"], bergen, title="Elektrisk ferje", description=FERRY_NEED["description"])
    assert pairs() == []
    assert not Notification.objects.filter(event__startswith="group-proposal").exists()


def test_unrelated_needs_are_not_proposed(cast, bergen, lyngdal, cases):
    post_need(cast["bob"], lyngdal)
    post_need(cast["alice"], bergen, title="Booking av idrettshaller",
              description="Lagene ringer rådhuset for å få halltid. Vi vil at de kan booke og låse opp selv.")
    assert pairs() == []


def test_joining_a_need_then_forming_a_group_with_a_thread(cast, bergen, lyngdal, cases):
    need = post_need(cast["bob"], lyngdal)
    alice = client_for(cast["alice"])
    assert alice.post(f"/needs/{need.pk}/join/", {"organization": bergen.pk, "note": "Vi også"}).status_code == 302
    assert NeedInterest.objects.filter(need=need, organization=bergen).count() == 1
    assert Notification.objects.filter(user=cast["bob"], event__startswith="need-interest").exists()
    # Joining twice changes nothing and says why.
    response = alice.post(f"/needs/{need.pk}/join/", {"organization": bergen.pk}, follow=True)
    assert "allerede" in response.content.decode() or "already" in response.content.decode()
    assert NeedInterest.objects.filter(need=need).count() == 1

    bob = client_for(cast["bob"])
    assert bob.get(f"/needs/{need.pk}/group/").status_code == 200
    assert bob.post(f"/needs/{need.pk}/group/", {"name": "Ferjegruppa"}).status_code == 400  # nobody chosen
    response = bob.post(f"/needs/{need.pk}/group/", {"name": "Ferjegruppa", "members": [bergen.pk]})
    group = BuyerGroup.objects.get()
    assert response.url == f"/groups/{group.pk}/"
    assert {m.organization_id for m in group.members.all()} == {lyngdal.pk, bergen.pk}
    message = {"body": "Vi deler gjerne kravspesifikasjonen."}
    assert alice.post(f"/groups/{group.pk}/messages/", message).status_code == 302
    assert group.messages.get().organization == bergen
    assert Notification.objects.filter(user=cast["bob"], event__startswith="group-message").exists()
    assert alice.post(f"/groups/{group.pk}/stage/", {"stage": "competition"}).status_code == 404  # not the lead
    bob.post(f"/groups/{group.pk}/stage/", {"stage": "competition"})
    group.refresh_from_db()
    assert group.stage == "competition"
    assert client_for(cast["dave"]).get(f"/groups/{group.pk}/").status_code == 404
    assert client_for(cast["carol"]).get(f"/groups/{group.pk}/").status_code == 200


def test_joining_own_or_closed_needs_is_refused(cast, bergen, lyngdal):
    need = post_need(cast["bob"], lyngdal)
    with pytest.raises(actions.NeedError):
        actions.join(need=need, actor=cast["bob"], organization=lyngdal)
    actions.set_status(need=need, actor=cast["bob"], status=NeedStatus.WITHDRAWN)
    with pytest.raises(actions.NeedError):
        actions.join(need=need, actor=cast["alice"], organization=bergen)
    assert not NeedInterest.objects.exists()


# --- Suppliers --------------------------------------------------------------------------------------------

def test_solutions_match_needs_and_proposals_are_private(cast, bergen, lyngdal, cases):
    supplier = Organization.objects.get(name="Dave Robotics AS")
    solution = supplier_actions.save_solution(
        actor=cast["dave"], organization=supplier, fields={"title": "Batterielektriske ferjer",
                                                           "description": "Vi bygger og lader elektriske ferjer."},
        cases=[cases["ferry"]])
    need = post_need(cast["bob"], lyngdal)
    assert matched(need, "solution") == [solution.pk]
    dave = client_for(cast["dave"])
    assert dave.post(f"/needs/{need.pk}/propose/", {"body": "Vi kan levere innen ett år.",
                                                    "solution": solution.pk}).status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.solution == solution
    assert Notification.objects.filter(user=cast["bob"], event=f"proposal:{proposal.pk}").exists()
    for user, sees in [("bob", True), ("carol", True), ("dave", True), ("alice", False), ("anonymous", False)]:
        page = client_for(cast[user]).get(need.get_absolute_url()).content.decode()
        assert ("Vi kan levere innen ett år." in page) is sees, user
    # A second proposal from the same supplier, or to a closed need, changes nothing.
    dave.post(f"/needs/{need.pk}/propose/", {"body": "Igjen"})
    actions.set_status(need=need, actor=cast["bob"], status=NeedStatus.SOLVED)
    assert dave.post(f"/needs/{need.pk}/propose/", {"body": "Sent"}).status_code == 403
    assert Proposal.objects.count() == 1


def test_demand_counts_public_open_needs_only(cast, bergen, lyngdal):
    post_need(cast["bob"], lyngdal, sector=Sector.objects.get(pk="samferdsel"), cpv=["34512000"])
    post_need(cast["alice"], bergen, title="Hemmelig behov", description="Bare for innkjøpere.",
              sector=Sector.objects.get(pk="samferdsel"), cpv=["34512000"], visibility="buyers")
    page = client_for(cast["dave"]).get("/demand/")
    text = page.content.decode()
    assert page.status_code == 200 and "Hemmelig behov" not in text and "Utslippsfri ferje" in text
    from delbar.suppliers.demand import demand
    figures = demand()
    assert figures["total"] == 1 and figures["divisions"][0]["division"] == "34"
    assert figures["divisions"][0]["needs"] == 1 and figures["sectors"][0]["needs"] == 1


# --- Pages and bad input ----------------------------------------------------------------------------------

def test_posting_through_the_form_and_empty_or_unknown_input(cast, lyngdal, cases, django_capture_on_commit_callbacks):
    bob = client_for(cast["bob"])
    assert bob.get("/needs/new/").status_code == 200
    empty = bob.post("/needs/new/", {"title": "", "description": "", "language": "nb", "visibility": "public"})
    assert empty.status_code == 400 and not Need.objects.exists()
    unknown = bob.post("/needs/new/", {**FERRY_NEED, "cpv": "99999999", "language": "nb", "visibility": "public"})
    assert unknown.status_code == 400 and "99999999" in unknown.content.decode()
    budget = bob.post("/needs/new/", {**FERRY_NEED, "language": "nb", "visibility": "public",
                                      "budget_min_nok": 500, "budget_max_nok": 100})
    assert budget.status_code == 400 and not Need.objects.exists()
    with django_capture_on_commit_callbacks() as queued:
        created = bob.post("/needs/new/", {**FERRY_NEED, "language": "nb", "visibility": "public",
                                           "sector": "samferdsel", "open_for_joint_procurement": "on"})
    need = Need.objects.get()
    assert created.url == f"/needs/{need.pk}/" and need.organization == lyngdal
    # The page shows at once, saying Delbar is still looking, and asks again until the matches are there.
    page = bob.get(created.url, headers={"accept-language": "nb"}).content.decode()
    assert "Delbar leter etter" in page and 'hx-trigger="every 2s"' in page
    assert cases["ferry"].title not in page
    for callback in queued:
        callback()
    part = bob.get(f"{created.url}?part=matches", headers={"HX-Request": "true"}).content.decode()
    assert part.lstrip().startswith('<section class="case-section" id="matches"')
    assert cases["ferry"].title in part and "hx-trigger" not in part and "<html" not in part
    assert cases["ferry"].title in bob.get(created.url).content.decode()
    assert client_for(cast["dave"]).get("/needs/new/").status_code == 403


def test_start_a_need_from_a_case(cast, lyngdal, cases):
    bob = client_for(cast["bob"])
    form = bob.get(f"/needs/new/?from_case={cases['ferry'].pk}").content.decode()
    assert FERRY["title"] in form
    bob.post(f"/needs/new/?from_case={cases['ferry'].pk}", {**FERRY_NEED, "language": "nb", "visibility": "public"})
    assert Need.objects.get().based_on_case == cases["ferry"]
    assert "?from_case=" in bob.get(cases["ferry"].get_absolute_url()).content.decode()


def test_needs_are_searchable_as_a_kind(cast, lyngdal, cases):
    need = post_need(cast["bob"], lyngdal)
    page = client_for(None).get("/needs/", {"q": "ferje strøm"}).content.decode()
    assert need.get_absolute_url() in page and cases["ferry"].get_absolute_url() not in page
    everything = client_for(None).get("/search/", {"q": "ferje"}).content.decode()
    assert need.get_absolute_url() in everything and cases["ferry"].get_absolute_url() in everything


# --- Import, export, command line -------------------------------------------------------------------------

NEED_LINES = [
    {"id": "n-1", "title": "Utslippsfri ferje", "description": FERRY_NEED["description"],
     "buyer": {"kommunenummer": "4225", "name": "Lyngdal"}, "sector": "samferdsel", "cpv": ["34512000"]},
    {"id": "n-2", "title": "Elektrisk ferje", "description": "Vi vil bytte dieselferja med en elferje.",
     "buyer": {"kommunenummer": "4601", "name": "Bergen"}, "visibility": "buyers", "unknown_key": 1},
]


def jsonl(lines) -> str:
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def test_import_is_idempotent_and_export_round_trips(cast, tmp_path, cases):
    path = tmp_path / "needs.jsonl"
    path.write_text(jsonl(NEED_LINES), encoding="utf-8")
    out = io.StringIO()
    call_command("import", str(path), stdout=out)
    assert "needs: 2 created" in out.getvalue()
    call_command("import", str(path), stdout=(again := io.StringIO()))
    assert "0 created, 0 updated, 2 unchanged" in again.getvalue()
    need = Need.objects.get(external_id="n-2")
    assert need.visibility == "buyers" and need.open_for_joint_procurement and need.status == "open"

    first = tmp_path / "first.jsonl"
    call_command("export", "--kind", "needs", "--include-buyers-only", "-o", str(first))
    call_command("import", str(first), stdout=io.StringIO())
    second = tmp_path / "second.jsonl"
    call_command("export", "--kind", "needs", "--include-buyers-only", "-o", str(second))
    assert first.read_text() == second.read_text()
    public_only = io.StringIO()
    call_command("export", "--kind", "needs", stdout=public_only)
    assert [json.loads(line)["id"] for line in public_only.getvalue().splitlines()] == ["n-1"]


@pytest.mark.parametrize(("line", "message"), [
    ({"id": "x", "title": "T", "buyer": {"kommunenummer": "4225"}}, "missing required key 'description'"),
    ({"id": "x", "title": "T", "description": "D", "buyer": {"kommunenummer": "4225"}, "cpv": ["12345678"]},
     "unknown CPV code 12345678"),
    ({"id": "x", "title": "T", "description": "D", "buyer": {"kommunenummer": "4225"}, "status": "done"},
     "unknown status"),
    ({"id": "x", "title": "T", "description": "D", "buyer": {"kommunenummer": "9999"}}, "unknown municipality"),
])
def test_a_bad_need_line_refuses_the_file_and_names_the_line(cast, tmp_path, line, message):
    path = tmp_path / "needs.jsonl"
    path.write_text(jsonl([NEED_LINES[0], line]), encoding="utf-8")
    with pytest.raises(CommandError, match=f"line 2: {message}"):
        call_command("import", str(path), "--kind", "needs")
    assert not Need.objects.exists()


def test_match_command_prints_ranked_matches_with_file_ids(cast, tmp_path, cases):
    path = tmp_path / "needs.jsonl"
    path.write_text(jsonl(NEED_LINES), encoding="utf-8")
    call_command("import", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("match", "n-1", "--json", "--kind", "case", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows[0]["id"] == str(cases["ferry"].pk) and rows[0]["kind"] == "case"
    assert rows[0]["reasons"]["cpv"] == ["34512000"]
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    needs = io.StringIO()
    call_command("match", "n-1", "--json", "--kind", "need", stdout=needs)
    assert [row["id"] for row in json.loads(needs.getvalue())] == ["n-2"]
    with pytest.raises(CommandError, match="no need with id nope"):
        call_command("match", "nope")


# --- API --------------------------------------------------------------------------------------------------

def test_api_posts_a_need_and_lists_its_matches_with_reasons(cast, bergen, lyngdal, cases, api_client):
    bob = api_client(cast["bob"])
    created = bob.post("/api/needs", {**FERRY_NEED, "sector": "samferdsel", "cpv": ["34512000"]},
                       content_type="application/json")
    assert created.status_code == 201
    need_id = created.json()["id"]
    matches = api_client(None).get(f"/api/needs/{need_id}/matches", {"kind": "case"}).json()
    assert matches[0]["object_id"] == cases["ferry"].pk and matches[0]["reasons"]["cpv"] == ["34512000"]
    assert any("34512000" in text for text in matches[0]["reasons_text"])
    decided = bob.post(f"/api/needs/{need_id}/matches/{matches[0]['id']}", {"state": "dismissed"},
                       content_type="application/json")
    assert decided.json()["state"] == "dismissed"
    assert cases["ferry"].pk not in [m["object_id"] for m in bob.get(f"/api/needs/{need_id}/matches").json()]
    assert api_client(cast["alice"]).post(f"/api/needs/{need_id}/matches/{matches[0]['id']}", {"state": "confirmed"},
                                          content_type="application/json").status_code == 403
    alice = api_client(cast["alice"])
    assert alice.post(f"/api/needs/{need_id}/interest", {"note": "Oss også"},
                      content_type="application/json").status_code == 201
    again = alice.post(f"/api/needs/{need_id}/interest", {}, content_type="application/json")
    assert again.status_code == 409 and "Bergen" in again.json()["detail"]
    assert [org["id"] for org in bob.get(f"/api/needs/{need_id}").json()["interested"]] == [bergen.pk]


@pytest.mark.parametrize(("body", "reason"), [
    ({"title": "", "description": "x"}, "title"),
    ({"title": "Ferje", "description": "x", "cpv": ["99999999"]}, "Unknown CPV code: 99999999"),
    ({"title": "Ferje", "description": "x", "sector": "romfart"}, "Unknown sector"),
    ({"title": "Ferje", "description": "x", "budget_min_nok": 10, "budget_max_nok": 5}, "budget_min_nok"),
    ({"title": "Ferje", "description": "x", "status": "done"}, "status"),
])
def test_api_refuses_bad_needs_with_a_reason(cast, api_client, body, reason):
    response = api_client(cast["bob"]).post("/api/needs", body, content_type="application/json")
    assert response.status_code == 422 and reason in json.dumps(response.json())
    assert not Need.objects.exists()


def test_api_needs_list_filters_by_status(cast, lyngdal, api_client):
    open_need = post_need(cast["bob"], lyngdal)
    solved = post_need(cast["bob"], lyngdal, title="Løst behov", status=NeedStatus.SOLVED)
    items = api_client(None).get("/api/needs", {"status": "solved"}).json()["items"]
    assert [item["id"] for item in items] == [solved.pk]
    assert open_need.pk in [item["id"] for item in api_client(None).get("/api/needs").json()["items"]]


def test_group_members_share_documents_checked_by_content(cast, bergen, lyngdal, pdf_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from delbar.groups.actions import form_group

    need = post_need(cast["bob"], lyngdal)
    group = form_group(need=need, actor=cast["bob"], name="Ferjegruppa", members=[bergen])
    alice = client_for(cast["alice"])
    fake = SimpleUploadedFile("krav.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    alice.post(f"/groups/{group.pk}/documents/", {"title": "Krav", "file": fake})
    assert not group.documents.exists()
    pdf = SimpleUploadedFile("krav.pdf", pdf_bytes, content_type="application/pdf")
    assert alice.post(f"/groups/{group.pk}/documents/", {"title": "Felles krav", "file": pdf}).status_code == 302
    document = group.documents.get()
    download = client_for(cast["bob"]).get(f"/groups/{group.pk}/documents/{document.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf_bytes
    assert client_for(cast["dave"]).get(f"/groups/{group.pk}/documents/{document.pk}/").status_code == 404
    carol = client_for(cast["carol"])  # curators see the group, but only members share documents
    pdf = SimpleUploadedFile("krav.pdf", pdf_bytes, content_type="application/pdf")
    assert carol.post(f"/groups/{group.pk}/documents/", {"title": "Kurator", "file": pdf}).status_code == 403


def test_a_changed_case_recomputes_only_the_needs_it_could_enter(cast, lyngdal, kristiansand, bergen):
    for number in range(matching.MATCHES_PER_KIND + 1):
        publish(cast, bergen, {**FERRY, "title": f"Hybridferje nummer {number}",
                               "summary": f"Ferje {number} i sambandet fikk batteri som hjelper dieselmotoren."})
    need = post_need(cast["bob"], lyngdal)  # its list is full of ferries
    assert len(matched(need, "case")) == matching.MATCHES_PER_KIND
    library = publish(cast, bergen, {"title": "Chatbot for biblioteket", "summary": "En chatbot svarer på "
                                     "spørsmål om åpningstider og lån.", "sector": "kultur-idrett", "cpv": []})
    assert matching.refresh_near("case", [library.pk]) == []
    ferry = publish(cast, kristiansand, {**FERRY, "summary": FERRY_NEED["description"]})
    assert matching.refresh_near("case", [ferry.pk]) == [need]
    assert matched(need, "case")[0] == ferry.pk


def test_the_lead_adds_buyers_who_joined_later(cast, bergen, lyngdal, kristiansand):
    from delbar.groups.actions import form_group

    need = post_need(cast["bob"], lyngdal)
    group = form_group(need=need, actor=cast["bob"], name="Ferjegruppa", members=[bergen])
    editor = _person_for(kristiansand)
    actions.join(need=need, actor=editor, organization=kristiansand)
    bob = client_for(cast["bob"])
    assert "Kristiansand" in bob.get(f"/groups/{group.pk}/").content.decode()
    assert client_for(cast["alice"]).post(f"/groups/{group.pk}/members/",
                                          {"members": [kristiansand.pk]}).status_code == 404  # not the lead
    bob.post(f"/groups/{group.pk}/members/", {"members": [kristiansand.pk]})
    assert set(group.members.values_list("organization_id", flat=True)) == {lyngdal.pk, bergen.pk, kristiansand.pk}
    assert Notification.objects.filter(user=editor, event=f"group-formed:{group.pk}").exists()
    bob.post(f"/groups/{group.pk}/members/", {"members": [kristiansand.pk]})  # twice: nothing more
    assert group.members.count() == 3


def _person_for(organization):
    from django.contrib.auth.models import User

    from delbar.accounts.models import Membership

    user = User.objects.create_user(f"editor-{organization.pk}", f"e{organization.pk}@example.no", "x")
    Membership.objects.create(user=user, organization=organization, role="editor")
    return user


# --- Reasons a person understands ---

def test_reasons_are_words_with_names_never_a_raw_score(db):
    from django.utils import translation

    from delbar.needs.presenting import reasons_in_words

    reasons = {"similarity": 0.8912, "words": ["medisindispensere", "hjemmetjenesten"], "cpv": ["33190000"],
               "size_class": "medium", "county": "42", "sector": "helse-omsorg"}
    labels = {"sector": {"helse-omsorg": "Helse og omsorg"}, "county": {"42": "Agder"},
              "cpv": {"33190000": "Diverse medisinsk utstyr og produkter"}}
    with translation.override("nb"):
        said = reasons_in_words(reasons, labels)
    assert said[0] == "handler om det samme: medisindispensere, hjemmetjenesten"
    assert "samme CPV-kode 33190000 – Diverse medisinsk utstyr og produkter" in said
    assert any(line.startswith("en kommune av samme størrelse (") and line.endswith(") i Agder") for line in said)
    assert not any("0.89" in line or "0,89" in line for line in said)
    with translation.override("nb"):
        meaning_only = reasons_in_words({"similarity": 0.85, "county": "42"}, labels)
    assert meaning_only == ["handler om det samme, med andre ord", "i samme fylke: Agder"]


def test_shared_words_are_only_words_that_carry_meaning(cast, bergen, lyngdal):
    alarms = publish(cast, bergen, {"title": "Digitale trygghetsalarmer", "summary": "Digitale trygghetsalarmer "
                                    "erstatter løsningen vi vil beholde når fasttelefonen forsvinner.",
                                    "sector": "helse-omsorg", "cpv": []})
    need = post_need(cast["bob"], lyngdal, title="Trygghetsalarmer", description="Vi ønsker å beholde "
                     "løsningen når fasttelefonen fases ut, med digitale trygghetsalarmer.")
    match = Match.objects.get(need=need, kind="case", object_id=alarms.pk)
    # "beholde" and "løsningen" are shared too, but say nothing about the subject.
    assert match.reasons["words"] == ["trygghetsalarmer", "fasttelefonen", "digitale"]


def test_posting_a_need_takes_the_search_clock_only_after_its_matching_searches(cast, lyngdal, cases, monkeypatch):
    """The clock's row lock is held until commit: taken before the matching, it would make every new
    need a global write lock for the length of four searches (on PostgreSQL, every other writer waits)."""
    from delbar.search import engine, indexing

    events = []
    take, rank = indexing._take_versions, engine._rank
    monkeypatch.setattr(indexing, "_take_versions", lambda *a, **k: events.append("clock") or take(*a, **k))
    monkeypatch.setattr(engine, "_rank", lambda *a, **k: events.append("search") or rank(*a, **k))
    need = post_need(cast["bob"], lyngdal)
    assert matched(need, "case")  # the matching ran
    assert "search" in events and "clock" in events
    assert events.index("clock") > len(events) - 1 - events[::-1].index("search")


def test_shared_county_sector_and_code_never_make_an_unrelated_case_a_match(cast, kristiansand, cases):
    """Kristiansand's ferry case shares the county, the sector and the CPV code with this need, and is
    about something else entirely: signals reorder relevant matches, they do not create them."""
    need = post_need(cast["bob"], kristiansand, spec={
        "title": "Skolemat med lokale råvarer", "description": "Vi vil servere elevene et varmt måltid laget "
        "av lokale råvarer hver skoledag."}, sector=Sector.objects.get(pk="samferdsel"), cpv=["34512000"])
    assert cases["ferry"].pk not in matched(need, "case")
    plain = post_need(cast["bob"], kristiansand, cpv=["34512000"])
    assert matched(plain, "case")[0] == cases["ferry"].pk  # the same signals on a related need do count
