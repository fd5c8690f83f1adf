"""One search for everything Delbar holds: `search()` to ask, `index()` / `remove()` to keep it current.

Cases are the first kind; needs and notices register as further kinds (see kinds.py). Lexical
matching runs in the database (SQLite FTS5 or PostgreSQL full text), semantic matching on stored
multilingual-e5-small vectors, and engine.py fuses the two.
"""
