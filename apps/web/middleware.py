"""Dutch unless the user chose otherwise."""


class DutchUnlessChosenMiddleware:
    """Many Dutch care PCs run an English browser; the product speaks Dutch unless the user
    picks English with the language switch (its cookie is what LocaleMiddleware then reads).
    So the browser's Accept-Language is not consulted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
