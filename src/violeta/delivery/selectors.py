"""Reads: a user's inbox and its unread count, the deliveries needing attention."""

from __future__ import annotations

from django.db.models import QuerySet

from violeta.agencies.models import User
from violeta.delivery.models import Delivery, InboxMessage, State

INBOX_PAGE = 50


def inbox_for(user: User) -> QuerySet[InboxMessage]:
    return InboxMessage.objects.filter(user=user).order_by("-created_at", "-pk")[:INBOX_PAGE]


def inbox_unread_count(user: User) -> int:
    return InboxMessage.objects.filter(user=user, read_at__isnull=True).count()


def deliveries_troubled() -> QuerySet[Delivery]:
    """Failed (waiting for a retry) and parked deliveries, parked first, oldest first."""
    return (
        Delivery.objects.filter(state__in=[State.PARKED, State.FAILED])
        .select_related("user", "endpoint")
        .order_by("-state", "created_at", "pk")[:200]
    )
