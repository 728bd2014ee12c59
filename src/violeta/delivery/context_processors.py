"""The unread count of the signed-in user's inbox, for the navigation (queried only if used)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from violeta.agencies.models import User
from violeta.delivery.selectors import inbox_unread_count


def inbox(request: HttpRequest) -> dict[str, Callable[[], int]]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    # A callable: the template calls it only where the count is shown.
    return {"inbox_unread": lambda: inbox_unread_count(user)}
