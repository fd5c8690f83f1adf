"""/api/search: the search page's results as JSON, through the same engine and visibility rules."""

from ninja import Query, Router
from ninja.errors import HttpError

from delbar.api.schemas import Error, SearchFilters, SearchPage
from delbar.search import CANDIDATES, SearchForm, load_documents, search

router = Router(tags=["search"])


def form_or_422(values: dict, *, kinds=None) -> SearchForm:
    form = SearchForm({name: value for name, value in values.items() if value is not None}, kinds=kinds)
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise HttpError(422, f"Invalid search. {problems}")
    return form


def hit_out(hit) -> dict:
    document = hit.document
    return {
        "id": hit.id, "kind": hit.kind, "object_id": document.object_id, "title": document.title, "url": hit.url,
        "score": round(hit.score, 6) if hit.terms else None,
        "semantic_score": None if hit.semantic is None else round(hit.semantic, 6),
        "lexical_score": None if hit.lexical is None else round(hit.lexical, 6),
        "snippet": str(hit.snippet) if hit.terms else document.summary[:240],
        "date": document.date, "status": document.status, "sector": document.sector, "county": document.county,
        "year": document.year, "outcome": document.outcome,
    }


@router.get("", response={200: SearchPage, 401: Error, 422: Error}, summary="Search")
def search_endpoint(request, filters: Query[SearchFilters], limit: int = Query(20, ge=1, le=CANDIDATES),
                    offset: int = Query(0, ge=0, le=100_000)):
    """Hybrid search: Norwegian full text and multilingual semantic similarity, fused. Without `q`,
    everything that matches the filters, newest first. Facet counts cover all results. A token, if
    sent, lets you find what you may see beyond published documents (your organization's drafts)."""
    form = form_or_422(filters.dict())
    result = search(form.query(), kinds=form.kinds(), filters=form.filters(), user=request.auth, sort=form.ordering(),
                    suggest=True)
    items = result.shown(offset, offset + limit)
    return {
        "query": result.query, "count": len(result.hits), "terms": result.terms, "suggestion": result.suggestion,
        "items": [hit_out(hit) for hit in items],
        "nearest": [hit_out(hit) for hit in load_documents(result.nearest)],
        "facets": {name: [{"value": value, "count": count} for value, count in counts]
                   for name, counts in result.facets.items()},
    }
