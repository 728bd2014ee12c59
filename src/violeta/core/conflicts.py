"""Optimistic locking: an edit names the version it started from; if someone saved another
since, the edit is refused with :class:`EditConflict` instead of silently overwriting hers.

Services lock the row (``select_for_update``), compare the version and bump it in the same
transaction. Browser views re-show the form with what she typed and say what happened; API
views answer 412 (``If-Match`` with the ``ETag`` of a read, or a ``version`` field)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class EditConflict(ValidationError):
    """The object changed since the version an edit started from."""

    def __init__(self, message: str, *, current: int | str) -> None:
        super().__init__(message, code="conflict")
        self.current = current


def etag(version: int | str) -> str:
    """The strong ETag of a version: ``"3"``."""
    return f'"{version}"'


def if_match_version(header: str | None) -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``W/"3"`` or ``3``); None when the
    header is absent or ``*``. Anything else is a version that never matches (-1)."""
    if header is None or header.strip() in ("", "*"):
        return None
    value = header.strip().removeprefix("W/").strip('"')
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else -1
