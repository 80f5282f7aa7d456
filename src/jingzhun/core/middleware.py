"""Chinese first: the interface is Simplified Chinese unless the user picked English."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ChineseFirstMiddleware:
    """Drop the browser's Accept-Language before LocaleMiddleware reads it.

    Intranet PCs often run English-locale browsers; the office's working language is still
    Chinese. English is chosen explicitly with the language switch (a cookie), never guessed.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
