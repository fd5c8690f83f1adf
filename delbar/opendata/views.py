"""The open-data downloads, streamed: the OCDS release or record package, or the CSV table
(?kind=cases|notices)."""

from django.conf import settings
from django.http import Http404, StreamingHttpResponse

from delbar.opendata import open_data_querysets
from delbar.opendata.ocds import package_chunks, record_chunks
from delbar.opendata.tables import rows

KINDS = {"": None, "cases": "cases", "notices": "notices"}


def _querysets(request):
    kind = request.GET.get("kind", "")
    if kind not in KINDS:
        raise Http404("kind is cases, notices, or nothing for both")
    return open_data_querysets(KINDS[kind])


def ocds_package(request):
    response = StreamingHttpResponse(package_chunks(*_querysets(request)), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="delbar-ocds.json"'
    return response


def ocds_records(request):
    response = StreamingHttpResponse(record_chunks(*_querysets(request)), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="delbar-ocds-records.json"'
    return response


def csv_table(request):
    response = StreamingHttpResponse(rows(*_querysets(request), settings.SITE_URL.rstrip("/")),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="delbar.csv"'
    return response
