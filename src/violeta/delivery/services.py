"""Writing to the outbox, and an administrator's retry of a parked delivery.

``deliveries_enqueue`` joins the caller's transaction: the rows it writes commit or roll back
with the change that caused the alert. That is the outbox guarantee (no alert lost if the
process dies after the commit, none sent for a change that rolled back); the worker
(``violeta worker``, see ``worker.py``) delivers them afterwards.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.models import Action
from violeta.audit.services import audit_log
from violeta.delivery.models import LEVELS, Channel, Delivery, State, WebhookEndpoint

TITLE_MAX = 200
URL_MAX = 500


def _check(*, kind: str, level: str, title: str, url: str) -> None:
    if not kind or len(kind) > 50:
        raise ValidationError(_("The alert kind must have 1 to 50 characters."))
    if level not in LEVELS:
        raise ValidationError(
            _("Unknown alert level %(level)s: expected aviso, alerta or alarma.")
            % {"level": level[:20]}
        )
    if not title or len(title) > TITLE_MAX:
        raise ValidationError(_("The alert title must have 1 to 200 characters."))
    if not url.startswith("/") or url.startswith("//") or len(url) > URL_MAX:
        raise ValidationError(_("The alert link must be a path of this site, such as /alertas/1/."))


def deliveries_enqueue(
    *, kind: str, subject_id: int, level: str, title: str, url: str, user_ids: list[int]
) -> list[int]:
    """Write the outbox rows of one alert in the caller's transaction; return their ids.

    One inbox message per user, one email per user with an email address, one webhook
    delivery per active endpoint subscribed to ``level``. Repeated ids count once; inactive
    or unknown users are skipped. Must be called inside the
    ``transaction.atomic`` block of the change that raised the alert (it raises otherwise).
    ``title`` and ``url`` travel by email and to other systems: they must never carry a
    woman's or an aggressor's name nor any narrative (a rule's name and ids only).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("deliveries_enqueue must run inside the caller's transaction")
    _check(kind=kind, level=level, title=title, url=url)
    payload = {"kind": kind, "subject_id": subject_id, "level": level, "title": title, "url": url}
    common = {"kind": kind, "subject_id": subject_id, "level": level, "payload": payload}
    rows: list[Delivery] = []
    users = User.objects.filter(pk__in=set(user_ids), is_active=True).order_by("pk")
    for user in users:
        rows.append(Delivery(channel=Channel.INBOX, user=user, **common))
        if user.email:
            rows.append(Delivery(channel=Channel.EMAIL, user=user, **common))
    for endpoint in WebhookEndpoint.objects.filter(active=True).order_by("pk"):
        if level in endpoint.levels:
            rows.append(Delivery(channel=Channel.WEBHOOK, endpoint=endpoint, **common))
    for row in rows:
        row.save()
    return [row.pk for row in rows]


def backoff(attempts: int) -> timedelta:
    """Exponential wait after the ``attempts``-th failure, with jitter (half to full)."""
    base = settings.DELIVERY_BACKOFF_SECONDS * (2 ** max(attempts - 1, 0))
    seconds = min(base, settings.DELIVERY_BACKOFF_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.5, 1.0))


@transaction.atomic
def delivery_retry(
    *, delivery_id: int, actor: User, request: HttpRequest | None = None
) -> Delivery:
    """Put a parked or failed delivery back in the queue now; audited."""
    if not actor.can(Capability.MANAGE_DELIVERIES):
        raise PermissionDenied
    delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        raise ValidationError(_("Delivery %(id)s does not exist.") % {"id": delivery_id})
    if delivery.state not in (State.PARKED, State.FAILED):
        raise ValidationError(
            _("Delivery %(id)s is %(state)s: only failed or parked deliveries are retried.")
            % {"id": delivery_id, "state": delivery.get_state_display()}
        )
    delivery.state = State.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.locked_by = ""
    delivery.locked_until = None
    delivery.save()
    audit_log(
        actor=actor,
        action=Action.UPDATE,
        subject_type="delivery",
        subject_id=delivery.pk,
        request=request,
        details={"retry": True, "channel": delivery.channel, "kind": delivery.kind},
    )
    return delivery
