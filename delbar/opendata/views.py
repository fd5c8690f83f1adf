"""The open-data downloads, streamed: the OCDS release or record package
(?kind=cases|notices|dialogues|challenges), or the CSV table (?kind=cases|notices)."""

from django.conf import settings
from django.http import Http404, StreamingHttpResponse

from delbar.opendata import open_data_challenges, open_data_dialogues, open_data_querysets
from delbar.opendata.ocds import package_chunks, record_chunks
from delbar.opendata.tables import rows

KINDS = {"": None, "cases": "cases", "notices": "notices"}
# Dialogues are planning releases of OCDS and challenges processes of several releases; the CSV's rows are
# cases and notices only.
OCDS_KINDS = {**KINDS, "dialogues": "dialogues", "challenges": "challenges"}


def _kind(request, kinds: dict) -> str | None:
    kind = request.GET.get("kind", "")
    if kind not in kinds:
        raise Http404(f"kind is {', '.join(name for name in kinds if name)}, or nothing for all")
    return kinds[kind]


def _querysets(request):
    return open_data_querysets(_kind(request, KINDS))


def _ocds_querysets(request):
    kind = _kind(request, OCDS_KINDS)
    cases, notices = open_data_querysets(kind)
    return cases, notices, open_data_dialogues(kind), open_data_challenges(kind)


def ocds_package(request):
    response = StreamingHttpResponse(package_chunks(*_ocds_querysets(request)), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="delbar-ocds.json"'
    return response


def ocds_records(request):
    response = StreamingHttpResponse(record_chunks(*_ocds_querysets(request)), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="delbar-ocds-records.json"'
    return response


def csv_table(request):
    response = StreamingHttpResponse(rows(*_querysets(request), settings.SITE_URL.rstrip("/")),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="delbar.csv"'
    return response
