"""One search for everything Delbar holds. This module is the layer's whole public interface: the
rest of Delbar imports from `delbar.search` only, never from its modules or tables
(tests/test_architecture.py holds that).

Asking:     search(), similar(), load_documents(), visible_documents(), Hit, SearchResult, Scope,
            held_words(), likeness(), words() (a text's words as search sees them)
Writing:    index(), index_many(), remove(), remove_ids(), deferred(), indexed(), orphans(),
            embed_pending(), waiting() (documents whose vectors the worker has yet to make), reindex()
Embedding:  embed_pending() (what index_many(embed=False) or deferred(embed=False) left waiting),
            embed_waiting (the task worker's run of it)
Kinds:      Kind, Filter, register(), KINDS (each app declares its own kind in <app>/search.py)
Thresholds: calibration() (per embedder, search/calibration.py)
Operating:  index_state() (documents, waiting vectors, how far this process's vector index is behind),
            machine_queue() (this machine's task queue, which `delbar worker` also works)
Pages:      SearchForm, render_results(), search_page

Lexical matching runs in the database (SQLite FTS5 or PostgreSQL postings), semantic matching on
stored multilingual-e5-small vectors, and engine.py fuses the two. Names are loaded on first use, so
apps can declare their kinds while Django is still loading models.
"""

from importlib import import_module

_EXPORTS = {
    "engine": ("search", "similar", "load_documents", "visible_documents", "Hit", "SearchResult", "held_words",
               "likeness", "CANDIDATES", "MODES"),
    "scope": ("Scope",),
    "text": ("words",),
    "indexing": ("index", "index_many", "remove", "remove_ids", "deferred", "indexed", "orphans", "reindex",
                 "embed_pending", "embed_waiting", "waiting"),
    "kinds": ("Kind", "Filter", "register", "KINDS"),
    "calibration": ("calibration",),
    "state": ("index_state",),
    "tasks": ("machine_queue",),
    "forms": ("SearchForm",),
    "views": ("render_results", "search_page"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'delbar.search' has no attribute {name!r}")
    value = getattr(import_module(f"delbar.search.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
