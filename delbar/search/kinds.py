"""The kinds of object search knows. Each app declares its own kind in <app>/search.py: how one of its
objects becomes a search document, who may find it, and the filters it can be narrowed by."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models


@dataclass(frozen=True)
class Filter:
    """A way to narrow results, shown as a form field and as a facet. Kinds that share a filter's name
    share its field: their choices are joined (case and notice procedures in one list)."""

    name: str                                   # the GET parameter, the facet and the document column
    title: Any                                  # "Procedure"
    # () -> [(value, label)]: the values this kind's documents hold; None for free values (a year)
    choices: Callable[[], list[tuple[str, Any]]] | None = None
    everything: Any = ""                        # the empty choice: "All procedures"
    # () -> a form field, for values that are not a short list (a year, a CPV division, a buyer)
    field: Callable[[], forms.Field] | None = None
    # values -> {value: label}, for facets where there is no short list of choices
    labels: Callable[[list[str]], dict[str, str]] | None = None


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
    # The filters its documents have values for, in the order a page shows them; a name alone is one
    # of the filters every kind may share (search/filters.py).
    filters: tuple["Filter | str", ...] = ()

    def filter_list(self) -> list[Filter]:
        return [SHARED[item] if isinstance(item, str) else item for item in self.filters]


KINDS: dict[str, Kind] = {}
SHARED: dict[str, Filter] = {}    # filters any kind may name (search/filters.py)


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def share(filter_: Filter) -> Filter:
    SHARED[filter_.name] = filter_
    return filter_


def filters_of(kinds: list[str] | None) -> dict[str, Filter]:
    """The filters of `kinds` (None: every kind), one per name, the choices of kinds that share a
    name joined in the order the kinds were declared."""
    joined: dict[str, Filter] = {}
    for name in kinds or KINDS:
        for item in KINDS[name].filter_list():
            if item.name in joined and item.choices and joined[item.name].choices is not item.choices:
                first, then = joined[item.name].choices, item.choices
                joined[item.name] = Filter(item.name, item.title, _joined(first, then),
                                           joined[item.name].everything, item.field, item.labels)
            else:
                joined.setdefault(item.name, item)
    return joined


def _joined(first, then):
    def choices():
        seen = dict(first())
        return list(seen.items()) + [(value, label) for value, label in then() if value not in seen]
    return choices


def kind_of(obj) -> Kind:
    for kind in KINDS.values():
        if isinstance(obj, kind.model):
            return kind
    raise LookupError(f"{type(obj).__name__} is not a searchable kind")
