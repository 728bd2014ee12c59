"""Every error as ``application/problem+json`` (RFC 9457): type, title, status, detail and,
where fields are at fault, ``errors`` mapping each field to its messages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from violeta.core.conflicts import EditConflict
from violeta.records.validation import RecordInvalid
from violeta.risk.scoring import AnswerError

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://violeta.example/problems/"
logger = logging.getLogger("violeta.api")

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal error",
}
SLUGS = {
    400: "bad-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    409: "conflict",
    412: "edit-conflict",
    413: "too-large",
    415: "unsupported-media-type",
    422: "validation",
    429: "rate-limited",
    500: "internal",
}


def problem(
    status_code: int,
    detail: str,
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + SLUGS.get(status_code, "error"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = dict(errors)
    body.update(extra)
    return Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"field.sub": [messages]}."""
    if isinstance(detail, Mapping):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "body" if key == "non_field_errors" and not prefix else f"{prefix}{key}"
            out.update(_flatten(value, name + "."))
        return out
    if (
        isinstance(detail, list)
        and detail
        and all(not isinstance(d, (Mapping, list)) for d in detail)
    ):
        return {prefix.rstrip(".") or "body": [str(d) for d in detail]}
    if isinstance(detail, list):
        out = {}
        for i, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}{i}."))
        return out
    return {prefix.rstrip(".") or "body": [str(detail)]}


def answer_errors(error: AnswerError) -> dict[str, list[str]]:
    return {f"answers.{item}": [message] for item, message in error.errors.items()}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if isinstance(exc, AnswerError):
        return problem(422, _("Some answers are not allowed."), errors=answer_errors(exc))
    if isinstance(exc, EditConflict):  # optimistic locking: If-Match named an older version
        detail = _(
            "Someone else changed it since the version you sent (If-Match). Nothing was "
            "stored: read it again (its ETag is the current version) and send your change on "
            "top of it."
        )
        return problem(412, f"{exc.messages[0]} {detail}", current_version=exc.current)
    if isinstance(exc, RecordInvalid):
        detail = _("The record is not valid; nothing was stored.")
        return problem(422, detail, errors=exc.errors)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
            return problem(422, _("The request is not valid."), errors=errors)
        return problem(422, " ".join(str(m) for m in exc.messages))
    if isinstance(exc, exceptions.ValidationError):
        return problem(422, _("The request is not valid."), errors=_flatten(exc.detail))
    if isinstance(exc, RequestDataTooBig):
        return problem(413, _("The request body is too large."))
    if isinstance(exc, SuspiciousOperation):
        return problem(400, _("The request was refused as malformed."))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("Your client's role may not do this."))
    response = drf_handler(exc, context)
    if response is None:
        view = context.get("view")
        logger.exception("api error in %s", type(view).__name__ if view else "?")
        return problem(500, _("Something went wrong on our side; it was logged."))
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    headers = {
        k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate", "Allow")
    }
    text = (
        str(detail) if not isinstance(detail, (Mapping, list)) else _("The request is not valid.")
    )
    field_errors = _flatten(detail) if isinstance(detail, (Mapping, list)) else None
    return problem(response.status_code, text, errors=field_errors, headers=headers)
