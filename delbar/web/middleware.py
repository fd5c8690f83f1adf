from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _


class BokmalFirstMiddleware:
    """Delbar speaks bokmål unless the visitor chose English with the language switch.

    Django's LocaleMiddleware would otherwise follow the browser's Accept-Language, and most
    work computers here are set up in English; the public sector's first language is bokmål.
    The switch sets the language cookie, which LocaleMiddleware still honours.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is larger than REQUEST_MAX_BYTES with 413, before anything
    reads it. Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE) leave file parts out, so without this a
    100 MB anonymous POST would be streamed to disk and parsed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(_("The Content-Length header is not a number."), content_type="text/plain")
        if length > settings.REQUEST_MAX_BYTES:
            limit = settings.REQUEST_MAX_BYTES // (1024 * 1024)
            return HttpResponse(_("The request is too large (at most %(limit)d MB).") % {"limit": limit},
                                status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class PrivatePagesMiddleware:
    """Nothing shown to a logged-in person is kept by a browser or a shared cache: their drafts, the
    token shown once, private documents. Public pages for anonymous visitors stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)  # set further in, by AuthenticationMiddleware
        if (user is not None and user.is_authenticated) or response.cookies.get(settings.SESSION_COOKIE_NAME):
            add_never_cache_headers(response)
        return response
