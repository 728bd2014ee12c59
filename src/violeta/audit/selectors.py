"""Reading the audit trail: the auditors' search and the chain's verification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from violeta.audit import chain
from violeta.audit.models import AuditEntry

VERIFY_CHUNK_SIZE = 2000


def can_read_audit(user: Any) -> bool:
    """Auditors read the trail; nobody else.

    Not even administrators (who are superusers): separation of duties, the people who manage
    accounts must not be the ones who review what those accounts did.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return getattr(user, "role", "") == "auditor"


def _start(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def audit_search(
    *,
    user: Any,
    actor_label: str | None = None,
    action: str | None = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    since: dt.date | dt.datetime | None = None,
    until: dt.date | dt.datetime | None = None,
    agency_code: str | None = None,
) -> QuerySet[AuditEntry]:
    """Entries matching the filters, newest first. Only auditors may search.

    ``since`` and ``until`` are inclusive; a date means the whole day in the local time zone.
    ``actor_label`` matches part of the user name; the other filters match exactly.
    """
    if not can_read_audit(user):
        raise PermissionDenied
    qs = AuditEntry.objects.order_by("-seq")
    if actor_label:
        qs = qs.filter(actor_label__icontains=actor_label)
    if action:
        qs = qs.filter(action=action)
    if subject_type:
        qs = qs.filter(subject_type=subject_type)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    if agency_code:
        qs = qs.filter(agency_code__iexact=agency_code)
    if since is not None:
        qs = qs.filter(at__gte=_start(since))
    if until is not None:
        if isinstance(until, dt.datetime):
            qs = qs.filter(at__lte=_start(until))
        else:
            qs = qs.filter(at__lt=_start(until + dt.timedelta(days=1)))
    return qs


def _chain_rows(chunk_size: int) -> Iterator[dict[str, Any]]:
    fields = (*chain.HASHED_FIELDS, "prev_hash", "hash")
    return AuditEntry.objects.order_by("seq").values(*fields).iterator(chunk_size=chunk_size)


def audit_verify(*, chunk_size: int = VERIFY_CHUNK_SIZE) -> chain.Verification:
    """Recompute the whole chain, streaming the table in ``seq`` order.

    Detects edited entries, deleted entries (a gap in ``seq``, or a chain not starting at 1)
    and re-linked ones. It cannot tell that the newest entries were cut off the end: compare
    the count and the last ``seq`` with an earlier run (or a copy kept elsewhere) for that.
    """
    return chain.verify(_chain_rows(chunk_size), settings.AUDIT_KEY)
