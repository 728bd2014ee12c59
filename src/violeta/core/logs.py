"""Logs: plain text (the default) or one JSON object per line (``VIOLETA_LOG_FORMAT=json``).

A JSON line carries ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, and, inside a
request, ``request_id`` (the proxy's ``X-Request-ID`` when it is a plain token, else a new one,
echoed in the response) and ``user_id`` (the staff account's primary key once the request has
loaded it). In JSON mode every request also writes one access line (logger ``violeta.request``:
method, path without its query string, status, duration), which replaces gunicorn's.

Logs carry ids, never names, phones, CURPs or narratives: the request objects Django attaches
to its own records (whose text holds the query string) are left out of the JSON.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

FORMATS = ("plain", "json")
_request: ContextVar[HttpRequest | None] = ContextVar("violeta_request", default=None)
_request_id: ContextVar[str | None] = ContextVar("violeta_request_id", default=None)
_TOKEN = re.compile(r"[A-Za-z0-9._-]{8,64}")
access_log = logging.getLogger("violeta.request")
META_KEY = "violeta.request_id"  # where the request keeps its id (request.META)


def _user_id(request: HttpRequest | None) -> int | None:
    """The user's primary key if the request already loaded her (never a query from here)."""
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    pk = getattr(wrapped, "pk", None)
    return int(pk) if pk is not None else None


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user_id`` to every record (``None`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx response (django.request) after the middleware has returned:
        # then the request rides on the record itself.
        request = _request.get() or getattr(record, "request", None)
        record.request_id = _request_id.get() or _meta(request).get(META_KEY)
        record.user_id = _user_id(request)
        return True


def _meta(request: Any) -> dict[str, Any]:
    meta = getattr(request, "META", None)
    return meta if isinstance(meta, dict) else {}


class JsonFormatter(_LibraryJsonFormatter):
    """python-json-logger's formatter with Violeta's field names and UTC ISO 8601 times."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            ["asctime", "levelname", "name", "message", "request_id", "user_id"],
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            reserved_attrs=[*RESERVED_ATTRS, "request"],  # its text holds the query string
            json_ensure_ascii=False,
            **kwargs,
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
        return moment.isoformat(timespec="milliseconds")


class RequestContextMiddleware:
    """Sets the request id (and the request, for the user id) while the request is served."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _TOKEN.fullmatch(offered) else uuid.uuid4().hex
        request.META[META_KEY] = request_id
        tokens = (_request_id.set(request_id), _request.set(request))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response.headers["X-Request-ID"] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _request.reset(tokens[1])
            _request_id.reset(tokens[0])


def logging_config(fmt: str, level: str) -> dict[str, Any]:
    """Django's ``LOGGING`` for ``fmt`` (``plain`` or ``json``) at the root ``level``."""
    if fmt not in FORMATS:
        raise ValueError(f"VIOLETA_LOG_FORMAT must be plain or json, not {fmt!r}")
    if fmt == "plain":
        return {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
            "root": {"handlers": ["console"], "level": level},
        }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": RequestContextFilter}},
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # One access line per request (gunicorn's own access log is off in this mode).
        "loggers": {"violeta.request": {"level": "INFO"}},
    }
