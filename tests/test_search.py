"""Search: Norwegian terms and compounds, other languages, filters and facets, who may find what,
freshness on every change, reindex, the page, the API and the command line.

The corpus is small and written so that each query has one obvious answer; the same assertions run
on SQLite and on PostgreSQL, so both backends must agree on the top hits. The real e5 model embeds.
"""

import io
import json

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from delbar.cases import actions
from delbar.cases.models import Status
from delbar.orgs.models import CpvCode, Sector
from delbar.search.calibration import CALIBRATIONS, calibration
from delbar.search.engine import search, similar
from delbar.search.models import SearchClock, SearchDocument, SearchTerm
from delbar.search.text import compound_parts, query_terms, terms
from delbar.search.vectors import Snapshot, from_bytes, snapshot_path, vector_index
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
    # Route planning software for waste collection is in the sector but not about robots: below the floor.
    assert dict(robots.facets["sector"]) == {"vann-avlop-avfall": 1}
    assert search("robot", filters={"year": 1999}).hits == []
    everything = search("robot")
    assert sum(count for _, count in everything.facets["sector"]) == len(everything.hits)


def test_date_order_and_similar_cases(corpus):
    newest = object_ids(search("", sort="date"))
    assert newest[0] == corpus["library"].pk  # published last
    similar_to_tunnel = [hit.document.object_id for hit in similar(corpus["tunnel"], limit=3)]
    assert corpus["tunnel"].pk not in similar_to_tunnel and 1 <= len(similar_to_tunnel) <= 3
    # Only what is like it: a hall booking system and a library chatbot are not like a tunnel robot.
    assert not {corpus["booking"].pk, corpus["library"].pk} & set(similar_to_tunnel)


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


def test_reindex_never_leaves_search_empty(corpus, cast, monkeypatch):
    from delbar.search import indexing

    published = len(corpus)
    seen = []

    def progress(kind, done):  # called between batches, each committed
        seen.append((search("", kinds=["case"]).hits.count(), object_ids(search("elektrisk ferje"), 1)))

    monkeypatch.setattr(indexing, "BATCH", 2)
    before = _snapshot()
    assert indexing.reindex(progress=progress) == published
    assert len(seen) >= 4  # 7 cases in batches of 2
    assert all(count == published and top == [corpus["ferry"].pk] for count, top in seen)
    assert _snapshot() == before


def test_reindex_removes_what_no_longer_exists_and_recounts_terms(corpus, cast):
    from delbar.search import indexing

    stray = SearchDocument.objects.get(kind="case", object_id=corpus["library"].pk)
    SearchDocument.objects.filter(pk=stray.pk).update(object_id=10**9)  # its object is gone
    SearchTerm.objects.filter(term="ferj").update(documents=99)         # a count gone wrong
    long_word = "x" * 101                                               # longer than the term column
    actions.update_case(case=corpus["tunnel"], actor=cast["alice"], fields={"summary": f"Se {long_word}."})
    instance = SearchClock.objects.get().instance
    indexing.reindex()
    assert SearchClock.objects.get().instance != instance  # every process rebuilds its graph
    assert not SearchTerm.objects.filter(term=long_word).exists()
    assert not SearchDocument.objects.filter(object_id=10**9, removed=False).exists()
    assert SearchDocument.objects.filter(kind="case", object_id=corpus["library"].pk, removed=False).exists()
    assert SearchTerm.objects.get(term="ferj").documents == 1
    assert not SearchDocument.objects.filter(removed=True).exists()   # tombstones purged
    assert object_ids(search("elektrisk ferje"), 1) == [corpus["ferry"].pk]


def test_a_case_published_while_reindexing_stays_findable(corpus, cast, make_case, monkeypatch):
    from delbar.search import indexing

    created = []

    def progress(kind, done):  # between two batches, someone publishes a case
        if kind == "case" and not created:
            created.append(make_case(Status.PUBLISHED, title="Snøsmelteanlegg på torget"))

    monkeypatch.setattr(indexing, "BATCH", 3)
    indexing.reindex(progress=progress)
    assert object_ids(search("snøsmelteanlegg"), 1) == [created[0].pk]


def test_snapshot_only_writes_the_databases_vectors_over_a_stale_file_and_rebuilds_nothing(corpus, settings,
                                                                                           tmp_path):
    settings.SEARCH_INDEX_DIR = str(tmp_path / "index")
    index = vector_index(384)
    documents = dict(SearchDocument.objects.filter(removed=False).values_list("id", "embedding"))
    # A file as a lost database would leave it: same name, a later watermark, a document the backup lacks.
    index.add([10**9], np.ones((1, 384), dtype=np.float32))
    index.watermark += 1000
    stale = index.save()
    assert 10**9 in Snapshot(stale, 384).keys.tolist()
    before = _snapshot(), SearchClock.objects.values_list("value", "instance").get(), \
        sorted(SearchDocument.objects.values_list("id", "version"))

    out = io.StringIO()
    call_command("reindex", "--snapshot-only", stdout=out)
    path = snapshot_path(index.instance)
    assert path == stale
    assert out.getvalue().startswith(f"Vector snapshot of {len(documents)} documents written to {path} in ")
    written = Snapshot(path, 384)
    assert written.keys.tolist() == sorted(documents)
    assert written.watermark == SearchClock.objects.get().value
    for row, doc_id in enumerate(written.keys.tolist()):
        assert np.abs(written.vectors[row].astype(np.float32) - from_bytes(documents[doc_id])).max() < 1e-3
    # Nothing rebuilt: the documents, their change numbers, the terms and the clock are as they were.
    assert (_snapshot(), SearchClock.objects.values_list("value", "instance").get(),
            sorted(SearchDocument.objects.values_list("id", "version"))) == before
    assert object_ids(search("elektrisk ferje"), 1) == [corpus["ferry"].pk]


def test_snapshot_only_refuses_what_it_cannot_do(corpus, settings, tmp_path):
    for combined in (["--processes", "2"], ["--fresh"]):
        with pytest.raises(CommandError, match="cannot go with --fresh or --processes"):
            call_command("reindex", "--snapshot-only", *combined)
    settings.SEARCH_INDEX_DIR = ""
    with pytest.raises(CommandError, match="DELBAR_SEARCH_INDEX_DIR is empty"):
        call_command("reindex", "--snapshot-only")
    settings.SEARCH_INDEX_DIR = str(tmp_path / "index")
    SearchClock.objects.all().delete()
    with pytest.raises(CommandError, match="search index was never built; `delbar reindex` builds it"):
        call_command("reindex", "--snapshot-only")
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").iterdir())


def test_a_fresh_reindex_rebuilds_from_nothing(corpus):
    out = io.StringIO()
    call_command("reindex", "--fresh", stdout=out)
    assert "Indexed 7 documents" in out.getvalue()
    assert object_ids(search("elektrisk ferje"), 1) == [corpus["ferry"].pk]


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
    assert "Ingenting i Delbar passer godt til «elektrisk ferje»" in empty and 'href="?q=elektrisk+ferje"' in empty
    assert "Elektrisk ferje i øysambandet" in empty  # among the closest without filters
    partial = client.get("/search/?q=ferje", headers={"HX-Request": "true"}).content.decode()
    assert "<mark>ferje</mark> i øysambandet" in partial and "<html" not in partial
    assert client.get("/search/?q=" + "x" * 501).status_code == 400


def test_case_page_shows_similar_cases(corpus, client):
    page = client.get(corpus["tunnel"].get_absolute_url()).content.decode()
    assert "Lignende erfaringer" in page


# --- The relevance floor: a result is something relevant ---

NONSENSE = ("zzzzqqq", "oppskrift på fårikål med mye pepper", "Who won the Champions League final?")


@pytest.mark.parametrize("query", NONSENSE)
def test_a_query_about_nothing_gets_no_results(corpus, query):
    result = search(query)
    assert result.total == 0 and result.shown() == []
    assert result.facets["kind"] == []
    # The nearest few are kept apart, never as results, best first.
    assert 0 < len(result.nearest) <= calibration().nearest_shown
    assert [hit.score for hit in result.nearest] == sorted((hit.score for hit in result.nearest), reverse=True)


def test_a_relevant_query_keeps_its_results_and_the_floor_cuts_the_rest(corpus):
    result = search("medisindispensere for hjemmeboende")
    assert object_ids(result, 1) == [corpus["medicine"].pk]
    assert result.nearest == []
    # The unrelated cases (a ferry, a library chatbot) are not results of a medicine query.
    found = {hit.document.object_id for hit in result.shown()}
    assert corpus["ferry"].pk not in found and corpus["library"].pk not in found


def test_nothing_matches_on_the_page_in_the_api_and_in_the_command(corpus, client, api_client):
    page = client.get("/search/?q=zzzzqqq")
    html = page.content.decode()
    assert page.status_code == 200
    assert "0 treff for «zzzzqqq»" in html
    assert "Ingenting i Delbar passer godt til «zzzzqqq»" in html
    assert "Det nærmeste, selv om ingenting av det passer godt" in html
    assert 'search-hit"' not in html
    case_list = client.get("/cases/?q=zzzzqqq").content.decode()
    assert "Ingenting i Delbar passer godt til «zzzzqqq»" in case_list

    anonymous = api_client()
    body = anonymous.get("/api/search?q=zzzzqqq").json()
    assert body["count"] == 0 and body["items"] == []
    assert 1 <= len(body["nearest"]) <= 3
    assert anonymous.get("/api/search?q=elektrisk+ferje").json()["nearest"] == []

    out = io.StringIO()
    call_command("search", "zzzzqqq", "--json", stdout=out)
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    call_command("search", "zzzzqqq", stdout=out)
    assert out.getvalue().startswith("Nothing matches “zzzzqqq” well.")


def test_the_configured_embedder_has_a_calibration(settings):

    assert settings.SEARCH_EMBEDDER in CALIBRATIONS
    assert calibration().floor > 0
    settings.SEARCH_EMBEDDER = "somewhere.UncalibratedEmbedder"
    with pytest.raises(ImproperlyConfigured, match="no calibration"):
        calibration()


# --- Spelling ---

def test_a_misspelt_word_gets_a_suggestion_from_the_index(corpus, make_case, client, api_client):
    alarms = make_case(Status.PUBLISHED, title="Digitale trygghetsalarmer i hjemmetjenesten",
                       summary="Kommunen byttet analoge trygghetsalarmer til digitale med mobilnett.",
                       sector=Sector.objects.get(pk="helse-omsorg"))
    result = search("trygghetsalamer", suggest=True)
    assert result.suggestion == "trygghetsalarmer"
    # The meaning is clear enough that the misspelt search finds the case anyway.
    assert object_ids(result, 1) == [alarms.pk]
    assert search("digitale trygghetsalamer", suggest=True).suggestion == "digitale trygghetsalarmer"
    assert search("trygghetsalarmer", suggest=True).suggestion is None    # spelt right
    assert search("fårikål", suggest=True).suggestion is None             # a real word Delbar does not hold
    assert search("ferje", suggest=True).suggestion is None

    page = client.get("/search/?q=trygghetsalamer&kind=case").content.decode()
    assert 'Mente du: <a class="ds-link" href="?q=trygghetsalarmer&amp;kind=case">trygghetsalarmer</a>?' in page
    assert api_client().get("/api/search?q=trygghetsalamer").json()["suggestion"] == "trygghetsalarmer"
    assert api_client().get("/api/search?q=ferje").json()["suggestion"] is None
    out = io.StringIO()
    call_command("search", "trygghetsalamer", stdout=out)
    assert out.getvalue().startswith("Did you mean: trygghetsalarmer?")
    # The user's capitals are kept; a word still being typed is left alone until it is finished.
    assert search("Trygghetsalamer", suggest=True).suggestion == "Trygghetsalarmer"
    assert search("trygghetsalamer", suggest=True, typing=True).suggestion is None
    typed = client.get("/search/?q=trygghetsalamer", headers={"HX-Request": "true"}).content.decode()
    assert "Mente du" not in typed
    finished = client.get("/search/?q=trygghetsalamer+", headers={"HX-Request": "true"}).content.decode()
    assert "Mente du" in finished
    # Only search pages, the API and the command ask: matching and alerts do not pay for it.
    assert search("trygghetsalamer").suggestion is None


def test_a_suggestion_never_reveals_a_word_only_a_draft_uses(cast, corpus, make_case, client):
    make_case(Status.DRAFT, title="Kvantesensorer i vannverket", summary="Et utkast om kvantesensorer.")
    assert search("kvantesensorr", suggest=True).suggestion is None
    assert search("kvantesensorr", suggest=True, user=cast["bob"]).suggestion is None       # another buyer
    assert search("kvantesensorr", suggest=True, user=cast["alice"]).suggestion == "kvantesensor"  # her own
    assert "Mente du" not in client.get("/search/?q=kvantesensorr").content.decode()


# --- One search ---

# Without a floor judged on everything the person may see, the last two narrowed to fewer than counted.
@pytest.mark.parametrize("query", ["robot", "elektrisk ferje", "medisindispensere for hjemmeboende",
                                   "sensorer på sykehjem"])
def test_a_facet_gives_the_results_it_counts(corpus, query):
    """Clicking a facet value narrows the results to exactly the number it showed: the filter never
    raises the relevance floor."""
    result = search(query)
    clicked = 0
    for name in ("sector", "outcome", "year", "kind"):
        for value, count in result.facets[name]:
            narrowed = search(query, filters={name: value}) if name != "kind" else search(query, kinds=[value])
            assert narrowed.total == count, (name, value)
            clicked += 1
    assert clicked >= 3



@pytest.mark.parametrize("query", ["ferje", "robot under vann", "booking av haller", "zzzzqqq"])
def test_every_search_box_gives_the_same_results_for_the_same_words_and_kind(corpus, client, api_client, query):
    import re

    def listed(url):
        html = client.get(url).content.decode()
        return re.findall(r'<article class="ds-card search-hit".*?<a class="ds-link" href="([^"]+)"', html, re.S)

    home = client.get("/").content.decode()
    assert re.search(r'<form role="search" action="/cases/" method="get"[^>]*>.*?name="q"', home, re.S)
    header = re.search(r'<form role="search" action="/search/" method="get"[^>]*>.*?name="q"', home, re.S)
    assert header
    from_home_box = listed(f"/cases/?q={query}")
    from_header_box = listed(f"/search/?q={query}&kind=case")
    assert from_home_box == from_header_box
    api = api_client()
    in_api = [f"/cases/{item['object_id']}/" for item in api.get(f"/api/search?q={query}&kind=case").json()["items"]]
    assert in_api == from_home_box
    in_cases_api = [f"/cases/{item['id']}/" for item in api.get(f"/api/cases?q={query}").json()["items"]]
    assert in_cases_api == from_home_box
    assert (query == "zzzzqqq") == (from_home_box == [])
