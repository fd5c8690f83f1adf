"""Addresses people write into Delbar never lend it their search ranking or reach back into its tab:
every link to an address from user text carries rel="nofollow ugc noopener". Text itself (case
texts, questions, answers) is shown escaped, with its addresses as plain text, not as links."""

from html.parser import HTMLParser

import pytest
from django.utils import timezone

from delbar.cases import actions as case_actions
from delbar.diffusion import actions
from delbar.orgs.models import Sector
from delbar.questions.actions import answer, ask
from tests.conftest import bring_to, client_for

pytestmark = pytest.mark.django_db

EVIL = "https://evil.example"


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.anchors: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.anchors.append(dict(attrs))


def links_to(html: str, prefix: str) -> list[set[str]]:
    """The rel values of every link on the page whose address starts with `prefix`."""
    parser = _Anchors()
    parser.feed(html)
    return [set((anchor.get("rel") or "").split()) for anchor in parser.anchors
            if (anchor.get("href") or "").startswith(prefix)]


@pytest.fixture
def case(cast, bergen, lyngdal):
    case = case_actions.create_case(actor=cast["alice"], lead_buyer=bergen, fields={
        "title": "Robot som inspiserer drikkevannstunneler", "summary": "Bergen kjøpte en robot.",
        "sector": Sector.objects.get(pk="vann-avlop-avfall"),
        "solution": f"Roboten er beskrevet på {EVIL}/solution og i rapporten."},
        relations={"links": [{"kind": "web", "url": f"{EVIL}/case-link", "title": "Om roboten"}]})
    case = bring_to(case, "published", cast)
    question = ask(case=case, actor=cast["bob"], organization=lyngdal, body=f"Har dere sett {EVIL}/question ?")
    answer(question=question, actor=cast["alice"], body=f"Ja, se {EVIL}/answer.")
    return case


def test_addresses_in_case_texts_questions_and_answers_are_text_not_links(case):
    page = client_for(None).get(case.get_absolute_url()).content.decode()
    for path in ("solution", "question", "answer"):
        assert f"{EVIL}/{path}" in page
        assert all({"nofollow", "ugc"} <= rel for rel in links_to(page, f"{EVIL}/{path}"))


def test_a_case_web_link_is_nofollow_ugc(case):
    page = client_for(None).get(case.get_absolute_url()).content.decode()
    rels = links_to(page, f"{EVIL}/case-link")
    assert len(rels) == 1
    assert all({"nofollow", "ugc", "noopener"} <= rel for rel in rels)


def test_an_adoption_evidence_link_is_nofollow_ugc_noopener(case, cast, lyngdal):
    actions.declare(case=case, actor=cast["bob"], organization=lyngdal, adopted_on=timezone.localdate(),
                    route="pilot", evidence_url=f"{EVIL}/evidence")
    page = client_for(None).get(f"/cases/{case.pk}/diffusion/").content.decode()
    rels = links_to(page, f"{EVIL}/evidence")
    assert rels and all({"nofollow", "ugc", "noopener"} <= rel for rel in rels)
