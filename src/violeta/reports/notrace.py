"""Leaving no trace in the browser, and a simple per-address limit on public submissions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse


def no_trace(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Never cached, never sent to another site as a referrer, never indexed.

    ``same-origin`` rather than ``no-referrer``: under ``no-referrer`` Chromium sends
    ``Origin: null`` with the form's POST, which the CSRF check refuses. Other sites (the
    quick exit's destination included) get no referrer either way.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers["Cache-Control"] = "no-store, max-age=0"
        response.headers["Pragma"] = "no-cache"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def over_limit(request: HttpRequest, bucket: str) -> bool:
    """Count one more attempt from this address; True once it exceeds the limit."""
    address = request.META.get("REMOTE_ADDR", "")
    key = f"reports:rate:{bucket}:{address}"
    window = settings.VIOLETA_REPORTS_RATE_WINDOW_SECONDS
    if cache.add(key, 1, timeout=window):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    return count > settings.VIOLETA_REPORTS_RATE_LIMIT
