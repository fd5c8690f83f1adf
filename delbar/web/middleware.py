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
