"""Embedding left to the task worker (`index_many(embed=False)`, `deferred(embed=False)`): what an import
stores is found by its words at once and by its meaning once the worker has embedded it, always from
its newest text. The real e5 model embeds; the same assertions run on SQLite and PostgreSQL."""

import pytest

from delbar.cases import actions
from delbar.cases.models import Status
from delbar.search import deferred, embed_pending, embed_waiting, indexing, reindex, search
from delbar.search.models import SearchDocument

DRONES = {"title": "Droner leter etter savnede i fjellet",
          "summary": "Kommunen kjøpte droner med varmekamera som leter etter savnede turgåere."}
DRONES_QUERY = "aircraft with thermal cameras that look for lost hikers"
SOLAR = {"title": "Solcellepaneler på skoletaket",
         "summary": "Skolen fikk solcellepaneler som dekker strømbehovet om sommeren."}
SOLAR_QUERY = "solar power on the roof of a school"
TUNNEL_QUERY = "underwater robot that films drinking water tunnels"


@pytest.fixture
def cases(make_case):
    """Published cases on other subjects, embedded as every action embeds."""
    return {
        "tunnel": make_case(Status.PUBLISHED),   # Robot som inspiserer drikkevannstunneler
        "ferry": make_case(Status.PUBLISHED, title="Elektrisk ferje i øysambandet",
                           summary="Kommunen kjøpte en batterielektrisk ferje med lading på kaia."),
        "library": make_case(Status.PUBLISHED, title="Chatbot for biblioteket",
                             summary="En chatbot svarer på spørsmål om åpningstider når biblioteket er stengt."),
        "medicine": make_case(Status.PUBLISHED, title="Medisinrobot for hjemmeboende",
                              summary="Automatiske medisindispensere deler ut legemidler til hjemmeboende."),
        # Energy, as the solar panels below are: nearer to them than the tunnel robot is, by 0.016 in cosine.
        "heat": make_case(Status.PUBLISHED, title="Varmepumpe i svømmehallen",
                          summary="Svømmehallen fikk en varmepumpe som henter varme fra sjøvannet."),
    }


def by_meaning(query, n=1):
    return [hit.document.object_id for hit in search(query, mode="semantic").shown(0, n)]


def by_words(query):
    return [hit.document.object_id for hit in search(query, mode="lexical").shown(0, 1)]


def waiting() -> int:
    return SearchDocument.objects.exclude(wanted_text_hash="").count()


def rewrite(case, cast, fields):
    """The case's title and summary changed, search written without its new vector."""
    with deferred(embed=False):
        actions.update_case(case=case, actor=cast["alice"], fields=fields)


def test_a_new_document_is_found_by_words_at_once_and_by_meaning_once_embedded(cases, make_case):
    with deferred(embed=False):
        drones = make_case(Status.PUBLISHED, **DRONES)
    assert by_words("droner") == [drones.pk]
    assert drones.pk not in by_meaning(DRONES_QUERY, None)   # it has no vector yet

    assert embed_pending() == 1
    assert by_meaning(DRONES_QUERY) == [drones.pk]
    assert [hit.document.object_id for hit in search(DRONES_QUERY).shown(0, 1)] == [drones.pk]
    assert embed_pending() == 0  # nothing waits any more


def test_a_rewritten_document_keeps_its_former_meaning_until_embedded_again(cases, cast):
    tunnel = cases["tunnel"]
    assert by_meaning(TUNNEL_QUERY) == [tunnel.pk]
    rewrite(tunnel, cast, SOLAR)
    assert by_words("solcellepaneler") == [tunnel.pk] and by_words("drikkevannstunneler") == []
    # Its former vector serves until the worker runs: found by its old subject, not yet by its new one.
    assert by_meaning(TUNNEL_QUERY) == [tunnel.pk]
    assert by_meaning(SOLAR_QUERY) != [tunnel.pk]

    assert embed_pending() == 1
    assert by_meaning(SOLAR_QUERY) == [tunnel.pk]
    assert by_meaning(TUNNEL_QUERY) != [tunnel.pk]


def test_a_text_changed_twice_before_the_worker_runs_is_embedded_once_from_the_newest(cases, cast):
    library = cases["library"]
    rewrite(library, cast, DRONES)
    rewrite(library, cast, SOLAR)
    assert embed_pending() == 1
    assert by_meaning(SOLAR_QUERY) == [library.pk]
    assert by_meaning(DRONES_QUERY) != [library.pk]


def test_a_text_changed_back_before_the_worker_runs_waits_no_more(cases, cast):
    tunnel = cases["tunnel"]
    original = {"title": tunnel.title, "summary": tunnel.summary}
    rewrite(tunnel, cast, SOLAR)
    assert waiting() == 1
    rewrite(tunnel, cast, original)     # its vector is of this text already
    assert waiting() == 0
    assert by_meaning(TUNNEL_QUERY) == [tunnel.pk]


def test_a_text_changed_while_the_worker_embeds_is_not_overwritten_by_the_older_vector(cases, cast, monkeypatch):
    library = cases["library"]
    rewrite(library, cast, DRONES)
    real = indexing.get_embedder()

    class Overtaken:
        """Embeds as e5 does, but the case is rewritten again while it works on the first batch."""
        name, dimensions = real.name, real.dimensions
        embed_queries = real.embed_queries

        def embed_passages(self, texts):
            if texts and not changed:
                changed.append(True)
                rewrite(library, cast, SOLAR)
            return real.embed_passages(texts)

    changed = []
    monkeypatch.setattr(indexing, "get_embedder", Overtaken)
    assert embed_pending() == 0           # the drone text's vector came too late and was dropped
    assert changed
    assert by_meaning(DRONES_QUERY) != [library.pk]

    monkeypatch.undo()
    assert embed_pending() == 1           # the run the second change queued
    assert by_meaning(SOLAR_QUERY) == [library.pk]


def test_the_worker_task_is_queued_at_commit_and_embeds(cases, make_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        with deferred(embed=False):
            drones = make_case(Status.PUBLISHED, **DRONES)
        assert drones.pk not in by_meaning(DRONES_QUERY, None)   # not before the commit
    assert embed_waiting.enqueue in queued
    # The immediate task backend ran the task at the commit, as the worker would.
    assert by_meaning(DRONES_QUERY) == [drones.pk]
    assert embed_pending() == 0


def test_nothing_is_queued_when_the_embedded_text_did_not_change(cases, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued, deferred(embed=False):
        actions.update_case(case=cases["ferry"], actor=cast["alice"], fields={"outcome": "success"})
    assert embed_waiting.enqueue not in queued
    assert embed_pending() == 0


def test_the_task_embeds_what_waits_and_an_inline_index_clears_the_wait(cases, cast, make_case):
    with deferred(embed=False):
        drones = make_case(Status.PUBLISHED, **DRONES)
    rewrite(cases["library"], cast, SOLAR)
    assert embed_waiting.enqueue().return_value == 2
    assert by_meaning(DRONES_QUERY) == [drones.pk] and by_meaning(SOLAR_QUERY) == [cases["library"].pk]

    rewrite(cases["ferry"], cast, DRONES)
    actions.update_case(case=cases["ferry"], actor=cast["alice"], fields=SOLAR)  # embeds as it indexes
    assert embed_pending() == 0


def test_reindex_embeds_what_waits(cases, make_case):
    with deferred(embed=False):
        drones = make_case(Status.PUBLISHED, **DRONES)
    reindex()
    assert by_meaning(DRONES_QUERY) == [drones.pk]
    assert embed_pending() == 0
