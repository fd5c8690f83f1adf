"""A local stand-in for Doffin's public API (v2) and TED's search API (v3), on 127.0.0.1.

It answers in the shapes of tests/fixtures/notices/api-shapes/ and serves real notice files. It is
stricter than the real services where strictness catches our mistakes: Doffin ignores query
parameters it does not know (a typo would silently fetch everything), so this one refuses them.
Failures can be queued (`fail_next`) to test retries.
"""

import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from delbar.notices.sources import parse
from tests.notice_files import DOFFIN, NOTICE_FIXTURES, TED_XML

DOFFIN_PARAMETERS = {"numHitsPerPage", "page", "sortBy", "issueDateFrom", "issueDateTo"}
DOFFIN_KEY = "test-doffin-key"


def doffin_hits() -> tuple[list[dict], dict[str, bytes]]:
    """Search hits in the constructed shape, one per real Doffin file (id from its name), and the files."""
    shape = json.loads((NOTICE_FIXTURES / "api-shapes" / "doffin_public_v2_search_CONSTRUCTED.json").read_text())
    hits = list(shape["hits"])          # 2024-100829 has no file: its download answers 404
    files = {}
    for path in sorted(DOFFIN.glob("*.xml")):
        doffin_id = path.stem.rpartition("_")[2]
        [notice] = parse(path.read_bytes())
        files[doffin_id] = path.read_bytes()
        if any(hit["id"] == doffin_id for hit in hits):
            continue
        hits.append({**shape["hits"][0], "id": doffin_id, "heading": notice.title,
                     "issueDate": f"{notice.issue_date.isoformat()}T00:00:00Z",
                     "publicationDate": notice.issue_date.isoformat()})
    return hits, files


def ted_notices() -> tuple[list[dict], dict[str, bytes]]:
    shape = json.loads((NOTICE_FIXTURES / "api-shapes" / "ted_v3_search_CONSTRUCTED.json").read_text())
    files = {parse(path.read_bytes())[0].publication_number: path.read_bytes() for path in TED_XML.glob("*.xml")}
    return shape["notices"], files


class FakeSources:
    def __init__(self, *, max_hits: int = 1000, ted_page_size: int = 2):
        self.doffin_hits, self.doffin_files = doffin_hits()
        self.ted_notices, self.ted_files = ted_notices()
        self.max_hits = max_hits
        self.ted_page_size = ted_page_size
        self.requests: list[dict] = []
        self.failures: list[tuple[int, dict]] = []
        self.fail_path = None          # (path prefix, status): every request to it fails
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, status: int, headers: dict | None = None, times: int = 1):
        self.failures += [(status, headers or {})] * times

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def downloads(self) -> list[str]:
        return [request["path"] for request in self.requests if "/download/" in request["path"]
                or request["path"].startswith("/ted/")]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=b"", content_type="application/json", headers=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _record(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = {"method": self.command, "path": url.path, "query": parse_qs(url.query),
                           "body": body, "headers": dict(self.headers), "at": time.monotonic()}
                with fake.lock:
                    fake.requests.append(request)
                    failure = fake.failures.pop(0) if fake.failures else None
                if fake.fail_path and url.path.startswith(fake.fail_path[0]):
                    failure = (fake.fail_path[1], {})
                return request, failure

            def do_GET(self):  # noqa: N802 - the http.server interface
                request, failure = self._record()
                if failure:
                    return self._send(failure[0], b'{"error": "injected"}', headers=failure[1])
                path = request["path"]
                if path == "/public/v2/search":
                    return self._doffin_search(request)
                if path.startswith("/public/v2/download/"):
                    if request["headers"].get("Ocp-Apim-Subscription-Key") != DOFFIN_KEY:
                        return self._send(401, b'{"error": "subscription key"}')
                    document = fake.doffin_files.get(path.rpartition("/")[2])
                    return self._send(200, document, "application/xml") if document else self._send(404, b"{}")
                if path.startswith("/ted/") and path.endswith("/xml"):
                    document = fake.ted_files.get(path.split("/")[2])
                    return self._send(200, document, "application/xml") if document else self._send(404, b"{}")
                return self._send(404, b"{}")

            def _doffin_search(self, request):
                query = {name: values[0] for name, values in request["query"].items()}
                if set(query) - DOFFIN_PARAMETERS:
                    return self._send(400, json.dumps({"unknown": sorted(set(query) - DOFFIN_PARAMETERS)}).encode())
                if request["headers"].get("Ocp-Apim-Subscription-Key") != DOFFIN_KEY:
                    return self._send(401, b'{"error": "subscription key"}')
                size, page = int(query.get("numHitsPerPage", 10)), int(query.get("page", 1))
                if size > 100:
                    return self._send(400, b'{"error": "numHitsPerPage is at most 100"}')
                start = date.fromisoformat(query.get("issueDateFrom", "1900-01-01"))
                end = date.fromisoformat(query.get("issueDateTo", "2999-12-31"))
                hits = sorted((hit for hit in fake.doffin_hits if start <= date.fromisoformat(hit["issueDate"][:10])
                               <= end), key=lambda hit: hit["issueDate"])
                shown = hits[:fake.max_hits][(page - 1) * size:page * size]
                body = {"numHitsTotal": len(hits), "numHitsAccessible": min(len(hits), fake.max_hits), "hits": shown}
                return self._send(200, json.dumps(body).encode())

            def do_POST(self):  # noqa: N802 - the http.server interface
                request, failure = self._record()
                if failure:
                    return self._send(failure[0], b'{"error": "injected"}', headers=failure[1])
                if request["path"] != "/v3/notices/search":
                    return self._send(404, b"{}")
                try:
                    body = json.loads(request["body"])
                except ValueError:
                    return self._send(400, b'{"error": "not JSON"}')
                if not isinstance(body.get("query"), str) or body.get("paginationMode") != "ITERATION":
                    return self._send(400, b'{"error": "query and ITERATION pagination needed"}')
                offset = int(body.get("iterationNextToken") or 0)
                page = fake.ted_notices[offset:offset + fake.ted_page_size]
                following = offset + fake.ted_page_size
                answer = {"notices": page, "totalNoticeCount": len(fake.ted_notices), "timedOut": False,
                          "iterationNextToken": str(following) if following < len(fake.ted_notices) else None}
                return self._send(200, json.dumps(answer).encode())

        return Handler
