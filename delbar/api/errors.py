"""Every answer under /api/ is JSON, errors too: `{"detail": …}` saying why, never Django's HTML pages.

| status | when                                                                    |
|--------|-------------------------------------------------------------------------|
| 400    | a body that is not JSON, or a request Django refuses as malformed       |
| 401    | no token where one is needed, an unknown or expired token (auth.py)     |
| 403    | not allowed, or a read token on a writing method                        |
| 404    | no such object, an id out of range, or no such path under /api/         |
| 405    | a method the path does not have (with Allow)                            |
| 413    | a body larger than Django accepts                                       |
| 422    | a value that breaks a rule: the fields' bounds (schemas.py) or the domain's |
| 429    | too many requests (throttling.py), with Retry-After                     |
| 500    | a bug: logged as Django logs one, and answered in JSON                  |
"""

import logging
import math

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpResponseNotAllowed
from django.utils.log import log_response
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import AuthenticationError, Throttled

logger = logging.getLogger("django.security")


def error(api, request, status: int, detail, headers: dict | None = None):
    response = api.create_response(request, {"detail": detail}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def install(api) -> None:
    """Adds the handlers to a NinjaAPI; ninja's own stay for HttpError and validation (422)."""

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error(api, request, 404, str(exc) or "Not found.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return error(api, request, 403, str(exc) or "You may not do this.")

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        # RFC 6750: a 401 names the scheme it wants.
        return error(api, request, 401, str(exc), {"WWW-Authenticate": 'Bearer realm="Delbar API"'})

    @api.exception_handler(Throttled)
    def throttled(request, exc):
        wait = max(1, math.ceil(exc.wait or 60))
        return error(api, request, 429, f"Too many requests. Try again in {wait} seconds.",
                     {"Retry-After": str(wait)})

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return error(api, request, 413, "The request body is too large.")

    @api.exception_handler(SuspiciousOperation)
    def bad_request(request, exc):
        # Django answers these with 400 and logs them under django.security; so does the API.
        logger.warning("%s: %s", type(exc).__name__, exc, extra={"request": request})
        return error(api, request, 400, "Bad request.")

    @api.exception_handler(Exception)
    def server_error(request, exc):
        # What Django does with an exception a view raises (signal, then the django.request log with
        # the traceback, which mails the admins in production), but the answer stays JSON.
        got_request_exception.send(sender=None, request=request)
        response = error(api, request, 500, "Server error. It has been logged.")
        log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exc)
        return response


def json_errors(api, view):
    """Wraps one of ninja's URL views: its 405 (plain text) and a 404 raised outside an operation
    (the API root) become JSON."""

    @csrf_exempt  # as ninja's views: tokens, not cookies
    def wrapped(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _no_such_path(api, request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = ", ".join(sorted(method.strip() for method in response["Allow"].split(",")))  # ninja's is a set
            return error(api, request, 405, f"{request.method} is not allowed here. Allowed: {allowed}.",
                         {"Allow": allowed})
        return response

    return wrapped


def unknown_path_view(api):
    """The last URL pattern under /api/: whatever matched nothing else, with any method."""

    @csrf_exempt
    def unknown_path(request):
        return _no_such_path(api, request)

    return unknown_path


def _no_such_path(api, request):
    return error(api, request, 404, f"No such path in the API: {request.path}. See /api/docs.")
