"""The user's inbox (updated live by polling a fragment) and the failed deliveries page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.delivery.models import InboxMessage
from violeta.delivery.selectors import (
    deliveries_stalled_count,
    deliveries_troubled,
    inbox_for,
    inbox_unread_count,
)
from violeta.delivery.services import delivery_retry


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {"inbox_messages": inbox_for(user), "unread": inbox_unread_count(user)}
    return render(request, "delivery/inbox.html", context)


def polled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A request the page makes by itself does not renew the session: without this, a page
    left open would never reach the idle expiry (SESSION_SAVE_EVERY_REQUEST)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        request.session.save = lambda must_create=False: None  # type: ignore[method-assign]
        return response

    return wrapped


@polled
@require_GET
def inbox_fragment(request: HttpRequest) -> HttpResponse:
    """The list alone, polled by the page every few seconds (no reload)."""
    user = _user(request)
    context = {"inbox_messages": inbox_for(user), "unread": inbox_unread_count(user)}
    return render(request, "delivery/_inbox_list.html", context)


@polled
@require_GET
def inbox_count(request: HttpRequest) -> HttpResponse:
    """The unread count as plain text, polled by the navigation badge."""
    return HttpResponse(str(inbox_unread_count(_user(request))), content_type="text/plain")


@require_POST
def inbox_open(request: HttpRequest, message_id: int) -> HttpResponse:
    message = get_object_or_404(InboxMessage, pk=message_id, user=_user(request))
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    if url_has_allowed_host_and_scheme(message.url, allowed_hosts=None):
        return redirect(message.url)
    return redirect("delivery:inbox")


@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponse:
    InboxMessage.objects.filter(user=_user(request), read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("delivery:inbox")


@require_GET
def troubled(request: HttpRequest) -> HttpResponse:
    if not _user(request).can(Capability.MANAGE_DELIVERIES):
        raise PermissionDenied
    context = {"deliveries": deliveries_troubled(), "stalled": deliveries_stalled_count()}
    return render(request, "delivery/troubled.html", context)


@require_POST
def retry(request: HttpRequest, delivery_id: int) -> HttpResponse:
    try:
        delivery_retry(delivery_id=delivery_id, actor=_user(request), request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Delivery %(id)s will be retried now.") % {"id": delivery_id})
    return redirect("delivery:troubled")
