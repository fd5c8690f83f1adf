"""/api/notices: imported notices, searchable and filterable like the notices page."""

from django.core.paginator import Paginator
from ninja import Query, Router
from ninja.errors import HttpError

from delbar.api.schemas import Error, Id, NoticeFilters, NoticeOut, NoticePage, PageNumber
from delbar.api.search import form_or_422
from delbar.notices import discovery, trail
from delbar.notices.models import Notice
from delbar.search import load_documents, search

router = Router(tags=["notices"])
NOTICES_PER_PAGE = 50


def notice_summary(notice: Notice) -> dict:
    organization = notice.organization
    return {
        "id": notice.pk, "key": notice.key, "notice_id": notice.notice_id, "version": notice.version,
        "publication_number": notice.publication_number, "title": notice.title, "family": notice.family,
        "notice_type": notice.notice_type, "procedure": notice.procedure, "publication_date": notice.publication_date,
        "buyer": ({"id": organization.pk, "name": organization.name, "kind": organization.kind}
                  if organization else None),
        "buyers": notice.buyers, "main_cpv": notice.main_cpv, "county": notice.county_id, "signal": notice.signal,
        "signal_score": notice.signal_score, "url": notice.get_absolute_url(),
    }


def notice_detail(notice: Notice) -> dict:
    return {
        **notice_summary(notice),
        **{name: getattr(notice, name) for name in (
            "description", "titles", "descriptions", "subtype", "language", "issue_date", "deadline", "nuts",
            "nature", "innovative_acquisition", "strategic_procurement", "estimated_value", "estimated_currency",
            "awarded_value", "awarded_currency", "lots", "winners", "review", "previous", "problems", "source",
            "source_file", "fetched_at", "superseded_by_id")},
        "cpv": notice.cpv_codes, "current": notice.is_current, "superseded_by": notice.superseded_by_id,
        "signal_reasons": [{**reason, "text": str(discovery.explain(reason))} for reason in notice.signal_reasons],
        "cases": list(notice.cases.published().values_list("pk", flat=True)),
        "document_url": f"{notice.get_absolute_url()}document/",
        "trail": [{"id": step.pk, "key": step.key, "family": step.family, "publication_date": step.publication_date,
                   "title": step.title, "current": step.is_current, "url": step.get_absolute_url()}
                  for step in trail.timeline(notice)],
        "trail_id": notice.trail, "classifications": notice.classifications,
        "also_from": [{name: other.get(name, "") for name in ("source", "format", "key", "publication_number")}
                      for other in notice.also_from],
    }


@router.get("", response={200: NoticePage, 401: Error, 422: Error}, summary="List notices")
def list_notices(request, filters: Query[NoticeFilters], page: PageNumber = 1):
    """Current notices, newest first, or best first with `q` (the same search as the notices page).
    Filter by kind of notice (`family`), procedure, CPV division, county, buyer, innovation signal, year."""
    form = form_or_422(filters.dict(), kinds=["notice"])
    result = search(form.query(), kinds=["notice"], filters=form.filters(), user=request.auth,
                    sort=form.ordering())
    paginator = Paginator(result.hits, NOTICES_PER_PAGE)
    if page > max(paginator.num_pages, 1):
        raise HttpError(422, f"There are only {paginator.num_pages} pages.")
    ids = [hit.document.object_id for hit in load_documents(paginator.page(page))]
    notices = Notice.objects.select_related("organization").in_bulk(ids)
    return {"count": paginator.count, "items": [notice_summary(notices[pk]) for pk in ids if pk in notices]}


@router.get("/{id:notice_id}", response={200: NoticeOut, 404: Error}, summary="Read one notice")
def read_notice(request, notice_id: Id):
    """One notice version, with its innovation signal and reasons, provenance and what the parser found
    missing. Superseded versions stay readable; `superseded_by` points to the current one."""
    notice = Notice.objects.select_related("organization").filter(pk=notice_id).first()
    if notice is None:
        raise HttpError(404, "No such notice.")
    return notice_detail(notice)
