"""Reads: a user's inbox and its unread count, the deliveries needing attention."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from violeta.agencies.models import User
from violeta.delivery.models import Delivery, InboxMessage, State

INBOX_PAGE = 50
STALLED_AFTER = timedelta(minutes=5)


def inbox_for(user: User) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.filter(user=user).order_by("-created_at", "-pk")[:INBOX_PAGE]


def inbox_unread_count(user: User) -> int:
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_stalled_count() -> int:
    """Deliveries due for more than STALLED_AFTER: a sign that no worker is running."""
    now = timezone.now()
    waiting = Q(state__in=[State.PENDING, State.FAILED], next_attempt_at__lt=now - STALLED_AFTER)
    abandoned = Q(state=State.IN_FLIGHT, locked_until__lt=now - STALLED_AFTER)
    return Delivery.objects.filter(waiting | abandoned).count()


def deliveries_troubled() -> QuerySet[Delivery]:
    """Failed (waiting for a retry) and parked deliveries, parked first, oldest first."""
    return (
        Delivery.objects.filter(state__in=[State.PARKED, State.FAILED])
        .select_related("user", "endpoint")
        .order_by("-state", "created_at", "pk")[:200]
    )
