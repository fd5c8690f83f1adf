"""The kinds of object search knows. Each app registers its own kind (cases in cases/search.py; needs
and notices later), saying how one of its objects becomes a search document."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Kind:
    name: str                                   # "case"
    model: type[models.Model]
    label: Any                                  # translatable plural, for facets: "Cases"
    # obj -> dict of SearchDocument field values (title, summary, body, date, filters, visibility)
    document: Callable[[Any], dict]
    # obj -> {weight class: text}, weight classes as in lexical.WEIGHTS; the model declares them
    weighted_text: Callable[[Any], dict[str, str]]
    # obj -> the bounded text to embed (title and summary scored best on the dev set)
    embedding_text: Callable[[Any], str]
    # user -> Q on SearchDocument: which documents of this kind the user may find
    visibility: Callable[[Any], models.Q]
    # the queryset reindex walks, with what document() needs prefetched
    queryset: Callable[[], models.QuerySet]
    url_name: str                               # reverse(url_name, args=[object_id])


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def kind_of(obj) -> Kind:
    for kind in KINDS.values():
        if isinstance(obj, kind.model):
            return kind
    raise LookupError(f"{type(obj).__name__} is not a searchable kind")
