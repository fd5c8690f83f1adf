"""Search: Norwegian terms and compounds, other languages, filters and facets, who may find what,
freshness on every change, reindex, the page, the API and the command line.

The corpus is small and written so that each query has one obvious answer; the same assertions run
on SQLite and on PostgreSQL, so both backends must agree on the top hits. The real e5 model embeds.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from delbar.cases import actions
from delbar.cases.models import Status
from delbar.orgs.models import CpvCode, Sector
from delbar.search.engine import search, similar
from delbar.search.models import SearchClock, SearchDocument, SearchTerm
from delbar.search.text import compound_parts, query_terms, terms
from delbar.search.vectors import from_bytes, vector_index
from tests.conftest import bring_to, client_for

CORPUS = {
    "medicine": ("Medisinrobot for hjemmeboende", "Kommunen kjøpte automatiske medisindispensere som deler ut "
                 "legemidler til hjemmeboende brukere og varsler hjemmetjenesten.", "helse-omsorg", "success", 2021),
    "ferry": ("Elektrisk ferje i øysambandet", "Kommunen kjøpte en batterielektrisk ferje med lading på kaia. "
              "Utslippene falt med 95 prosent.", "samferdsel", "success", 2019),
    "night": ("Digitalt nattilsyn på sykehjem", "Sensorer varsler nattevakten når en beboer står opp eller faller, "
              "i stedet for faste tilsynsrunder.", "helse-omsorg", "partial", 2022),
    "tunnel": ("Robot som inspiserer drikkevannstunneler", "Kommunen leide en fjernstyrt undervannsrobot som "
               "filmer tunnelene uten at vannforsyningen må stenges.", "vann-avlop-avfall", "success", 2020),
    "waste": ("Ruteoptimalisering for avfallshenting", "Programvare planlegger kjøreruter for renovasjonsbilene ut "
              "fra fyllingsgrad målt i containerne.", "vann-avlop-avfall", "ongoing", 2023),
    "booking": ("Selvbetjent booking av idrettshaller", "Innbyggere og lag booker og låser opp kommunale "
                "idrettshaller selv med mobilen.", "kultur-idrett", "success", 2021),
    "library": ("Chatbot for biblioteket", "En chatbot svarer på spørsmål om åpningstider og lån når biblioteket "
                "er stengt.", "kultur-idrett", "failed", 2020),
}


@pytest.fixture
def corpus(cast, bergen, lyngdal):
    """The published corpus, by key; the ferry is Lyngdal's (Bob), with a CPV code; the rest Bergen's."""
    cases = {}
    for key, (title, summary, sector, outcome, year) in CORPUS.items():
        buyer, author = (lyngdal, cast["bob"]) if key == "ferry" else (bergen, cast["alice"])
        relations = {"cpv_codes": [CpvCode.objects.get(code="34512000")]} if key == "ferry" else {}
        case = actions.create_case(actor=author, lead_buyer=buyer, relations=relations, fields={
            "title": title, "summary": summary, "sector": Sector.objects.get(pk=sector), "outcome": outcome,
            "year": year})
        case = actions.submit_case(case=case, actor=author)
        cases[key] = actions.publish_case(case=case, actor=cast["carol"])
    return cases


def top(query, n=1, **options):
    return object_ids(search(query, **options), n)


def object_ids(result, n=None):
    return [hit.document.object_id for hit in result.shown(0, n)]


# --- Text analysis ---

def test_compounds_split_into_known_words():
    assert compound_parts("legemiddelutdeling") == ("legemiddel", "utdeling")
    assert compound_parts("nattilsyn") == ("natt", "tilsyn")          # the dropped third consonant
    assert compound_parts("hjemmesykepleien") == ("hjemme", "sykepleien")  # an inflected last part
    assert compound_parts("kommune") == ()                             # a common word stays whole
    assert compound_parts("34512000") == ()


def test_terms_are_stemmed_without_stop_words_and_keep_identifiers():
    assert terms("Ferjene og ferja") == terms("ferje ferje")
    assert "og" not in terms("robot og tunnel")
    assert "34512000" in query_terms("CPV 34512000")


# --- Finding ---

def test_inflected_and_compound_forms_are_found_lexically(corpus):
    assert top("ferjer", mode="lexical") == [corpus["ferry"].pk]
    assert top("drikkevann", mode="lexical") == [corpus["tunnel"].pk]    # a part of "drikkevannstunneler"
    assert top("henting av avfall", mode="lexical") == [corpus["waste"].pk]  # parts of "avfallshenting"
    assert top("medisinroboter", mode="lexical") == [corpus["medicine"].pk]


def test_nynorsk_and_english_queries_find_bokmal_cases(corpus):
    assert top("Ferja vår går på diesel og skal skiftast ut med ei utsleppsfri") == [corpus["ferry"].pk]
    assert top("robot that hands out medicines to people living at home") == [corpus["medicine"].pk]
    assert top("sensors that alert night staff in nursing homes") == [corpus["night"].pk]
    assert top("Biblioteket har mange spørsmål når det er stengt", mode="semantic") == [corpus["library"].pk]


def test_identifiers_and_buyer_names_match_exactly(corpus, lyngdal):
    assert top("34512000") == [corpus["ferry"].pk]
    assert top(lyngdal.municipality_number) == [corpus["ferry"].pk]
    assert top("Lyngdal", mode="lexical") == [corpus["ferry"].pk]


def test_hits_carry_highlighted_snippets(corpus):
    hit = search("batterielektrisk ferje").shown(0, 1)[0]
    assert "<mark>ferje</mark>" in hit.snippet and "<mark>batterielektrisk</mark>" in hit.snippet
    assert "<mark>ferje</mark>" in hit.title_html.lower()


def test_snippets_escape_the_stored_text(cast, make_case):
    make_case(Status.PUBLISHED, title="Skjema <script>alert(1)</script>", summary="Et skjema med <b>fet</b> skrift.")
    hit = search("skjema").shown(0, 1)[0]
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<b>" not in hit.snippet


def test_filters_apply_before_ranking_and_facets_count_the_results(corpus):
    result = search("", filters={"sector": "helse-omsorg"})
    assert set(object_ids(result, 10)) == {corpus["medicine"].pk, corpus["night"].pk}
    assert dict(result.facets["outcome"]) == {"success": 1, "partial": 1}
    robots = search("robot", filters={"sector": "vann-avlop-avfall"})
    assert object_ids(robots)[0] == corpus["tunnel"].pk
    assert {hit.document.sector for hit in robots.shown()} == {"vann-avlop-avfall"}
    assert dict(robots.facets["sector"]) == {"vann-avlop-avfall": 2}
    assert search("robot", filters={"year": 1999}).hits == []
    everything = search("robot")
    assert sum(count for _, count in everything.facets["sector"]) == len(everything.hits)


def test_date_order_and_similar_cases(corpus):
    newest = object_ids(search("", sort="date"))
    assert newest[0] == corpus["library"].pk  # published last
    similar_to_tunnel = [hit.document.object_id for hit in similar(corpus["tunnel"], limit=3)]
    assert corpus["tunnel"].pk not in similar_to_tunnel and len(similar_to_tunnel) == 3


# --- Who may find what ---

def test_drafts_never_leak(cast, corpus, make_case):
    draft = make_case(Status.DRAFT, title="Hemmelig utkast om droner", summary="Droner som leter etter savnede.")

    def finds(user):
        return draft.pk in object_ids(search("droner", user=user))

    assert not finds(None) and not finds(cast["bob"]) and not finds(cast["carol"]) and not finds(cast["dave"])
    assert finds(cast["alice"]) and finds(cast["admin"])
    assert "Hemmelig" not in client_for(None).get("/search/?q=droner").content.decode()
    assert "Hemmelig" not in client_for(cast["bob"]).get("/cases/?q=droner").content.decode()
    assert "Hemmelig" in client_for(cast["alice"]).get("/search/?q=droner").content.decode()
    assert draft.pk not in [hit.document.object_id for hit in similar(corpus["tunnel"], limit=50)]
    submitted = actions.submit_case(case=draft, actor=cast["alice"])
    assert finds(cast["carol"]) and not finds(None)
    assert submitted.pk not in object_ids(search("", user=None))


def test_api_search_hides_drafts_and_validates(cast, corpus, make_case, api_client):
    make_case(Status.DRAFT, title="Hemmelig utkast om droner")
    anonymous = api_client()
    body = anonymous.get("/api/search?q=droner&limit=50").json()
    assert "Hemmelig utkast om droner" not in [item["title"] for item in body["items"]]
    assert "Hemmelig utkast om droner" in [item["title"] for item in
                                           api_client(cast["alice"]).get("/api/search?q=droner").json()["items"]]
    ferry = anonymous.get("/api/search?q=elektrisk+ferje&limit=1").json()
    assert ferry["items"][0]["object_id"] == corpus["ferry"].pk and "<mark>" in ferry["items"][0]["snippet"]
    assert "ferj" in ferry["terms"]
    assert anonymous.get("/api/search?sector=nope").status_code == 422
    assert anonymous.get("/api/search?limit=0").status_code == 422
    assert anonymous.get("/api/search?q=" + "x" * 501).status_code == 422
    listing = anonymous.get("/api/search?sector=helse-omsorg").json()
    assert listing["count"] == 2 and {"value": "partial", "count": 1} in listing["facets"]["outcome"]


# --- Freshness ---

def _document(case):
    return SearchDocument.objects.get(kind="case", object_id=case.pk)


def test_index_follows_every_change(cast, make_case):
    case = make_case(Status.DRAFT, title="Sensorer i bekkeinntak", summary="Varsler når inntaket går tett.")
    assert not _document(case).public
    case = bring_to(case, Status.PUBLISHED, cast)
    assert _document(case).public and top("bekkeinntak") == [case.pk]

    before = _document(case)
    actions.update_case(case=case, actor=cast["alice"], fields={"title": "Sensorer i flomvoll",
                                                                "summary": "Varsler når vollen lekker."})
    after = _document(case)
    assert after.version > before.version and after.title == "Sensorer i flomvoll"
    assert top("flomvoll", mode="lexical") == [case.pk] and top("bekkeinntak", mode="lexical") == []
    # The in-process graph caught up: its vector is the stored one.
    index = vector_index(384)
    assert float(index.vector(after.pk) @ from_bytes(after.embedding)) > 0.999  # the graph stores float16
    assert SearchTerm.objects.get(term="flomvoll").documents == 1
    assert SearchTerm.objects.get(term="bekkeinntak").documents == 0

    case = actions.archive_case(case=case, actor=cast["carol"])
    assert not _document(case).public and top("flomvoll") == []

    draft = make_case(Status.DRAFT, title="Utkast om isbrøyting")
    draft_doc = _document(draft)
    actions.delete_draft(case=draft, actor=cast["alice"])
    assert SearchDocument.objects.get(pk=draft_doc.pk).removed
    assert top("isbrøyting", user=cast["alice"]) != [draft.pk]


def test_a_failed_change_leaves_search_as_it_was(cast, make_case):
    case = make_case(Status.PUBLISHED, title="Varmepumpe i svømmehall")
    with pytest.raises(actions.TransitionError):
        actions.delete_draft(case=case, actor=cast["alice"])
    assert _document(case).public and not _document(case).removed


def test_an_unchanged_save_does_not_reembed(cast, make_case):
    case = make_case(Status.PUBLISHED, title="Ladepunkter for hjemmetjenestens biler")
    before = _document(case)
    actions.update_case(case=case, actor=cast["alice"], fields={"outcome": "success"})
    after = _document(case)
    assert after.outcome == "success" and after.embedding == before.embedding
    assert after.embedded_text_hash == before.embedded_text_hash


def _snapshot():
    documents = sorted((d.kind, d.object_id, d.public, d.status, d.title, d.terms, d.sector, d.year,
                        d.embedded_text_hash, bytes(d.embedding)) for d in SearchDocument.objects.filter(removed=False))
    counts = dict(SearchTerm.objects.filter(documents__gt=0).values_list("term", "documents"))
    clock = SearchClock.objects.get()
    return documents, counts, (clock.documents, clock.tokens)


def test_reindex_equals_incremental_indexing(corpus, cast):
    actions.update_case(case=corpus["night"], actor=cast["alice"], fields={"title": "Digitalt tilsyn om natten"})
    actions.archive_case(case=corpus["library"], actor=cast["carol"])
    queries = ["elektrisk ferje", "tilsyn om natten", "robot", "Lyngdal", "sensors in nursing homes"]
    incremental = _snapshot(), [top(query, 3) for query in queries]
    out = io.StringIO()
    call_command("reindex", stdout=out)
    assert "Indexed 7 documents" in out.getvalue()
    assert (_snapshot(), [top(query, 3) for query in queries]) == incremental


def test_import_indexes_in_one_batch_and_idempotently(db, tmp_path):
    path = tmp_path / "cases.jsonl"
    lines = [{"id": f"t-{n}", "title": title, "summary": summary, "buyer": {"kommunenummer": "4601"},
              "sector": sector, "status": "published"}
             for n, (title, summary, sector, _, _) in enumerate(CORPUS.values())]
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    call_command("import", str(path), stdout=io.StringIO())
    versions = dict(SearchDocument.objects.values_list("external_id", "version"))
    call_command("import", str(path), stdout=io.StringIO())
    assert dict(SearchDocument.objects.values_list("external_id", "version")) == versions
    out = io.StringIO()
    call_command("search", "elektrisk ferje", "--json", "--limit", "2", stdout=out)
    hits = json.loads(out.getvalue())
    assert [hit["id"] for hit in hits][0] == "t-1" and set(hits[0]) == {"id", "kind", "title", "score"}
    assert hits[0]["kind"] == "case" and len(hits) <= 2
    assert [hit["score"] for hit in hits] == sorted((hit["score"] for hit in hits), reverse=True)


def test_search_command_rejects_bad_input(db):
    with pytest.raises(CommandError, match="Give words"):
        call_command("search", "  ")
    with pytest.raises(CommandError, match="--limit"):
        call_command("search", "ferje", "--limit", "0")


# --- Pages ---

def test_search_page_shows_results_facets_and_advice(corpus, client):
    page = client.get("/search/?q=elektrisk+ferje").content.decode()
    assert "<mark>ferje</mark> i øysambandet" in page
    assert 'href="?q=elektrisk+ferje&amp;sector=samferdsel"' in page  # a facet link
    empty = client.get("/search/?q=elektrisk+ferje&year=1999").content.decode()
    assert "Ingenting passer med alt dette" in empty and 'href="?q=elektrisk+ferje"' in empty
    assert "Elektrisk ferje i øysambandet" in empty  # among the closest without filters
    partial = client.get("/search/?q=ferje", headers={"HX-Request": "true"}).content.decode()
    assert "<mark>ferje</mark> i øysambandet" in partial and "<html" not in partial
    assert client.get("/search/?q=" + "x" * 501).status_code == 400


def test_case_page_shows_similar_cases(corpus, client):
    page = client.get(corpus["tunnel"].get_absolute_url()).content.decode()
    assert "Lignende erfaringer" in page
