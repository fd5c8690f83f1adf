from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from delbar.accounts.roles import roles_of
from delbar.orgs.models import Organization


def chosen_language(request) -> str | None:
    """The language the person chose with the switch (Django's set_language keeps it in a cookie)."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in dict(settings.LANGUAGES) else None


def default_language(user) -> str:
    """Nynorsk for a logged-in person whose organizations chose nynorsk, bokmål for everyone else.

    Only organizations that chose a målform count: neutral ones and those whose målform is unknown
    (counties, suppliers, networks) take no side, so an editor of Sogndal who also curates for KS gets
    nynorsk. One that chose bokmål outweighs any number of nynorsk ones: a person acting for both kinds
    gets the default. Delbar has no primary organization to prefer, so every active membership counts.
    The memberships are the ones `roles_of` reads once per request for every page anyway.
    """
    if user.is_authenticated:
        chosen = roles_of(user).maalforms - {Organization.Maalform.NEUTRAL}
        if chosen == {Organization.Maalform.NYNORSK}:
            return "nn"
    return settings.LANGUAGE_CODE


class LanguageMiddleware(LocaleMiddleware):
    """The language Delbar speaks, one rule (docs/languages.md): the person's choice with the switch,
    else their organizations' målform (default_language), else bokmål.

    The browser's Accept-Language is never read: most work computers here are set up in English, and
    the public sector's first language is Norwegian. Placed after AuthenticationMiddleware, as the
    default depends on who is logged in; Django's LocaleMiddleware still sets Content-Language.
    """

    def process_request(self, request):
        translation.activate(chosen_language(request) or default_language(request.user))
        request.LANGUAGE_CODE = translation.get_language()


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
