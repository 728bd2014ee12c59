"""The outbox worker: claim due deliveries under a lease, deliver, record the outcome.

Why a small loop on the outbox rather than Django's tasks framework (``django-tasks`` and its
database backend): the outbox rows are already the queue, written in the caller's transaction;
a task backend would be a second queue to keep consistent with them. And its database worker
marks a task RUNNING with no lease: a worker killed mid-task leaves it RUNNING for ever, while
an alert must be retried by another worker. Retries with exponential backoff and parking are
also ours to define. So: one table, a lease (``locked_by``/``locked_until``), and this loop.

Claiming is safe with several workers: on PostgreSQL the candidates are read with ``SELECT …
FOR UPDATE SKIP LOCKED``; on every database the claim itself is one conditional ``UPDATE``
(still due, lease free or expired) stamped with a token, and only rows carrying the token are
delivered (on SQLite, whose transactions here begin IMMEDIATE, writers are serialised anyway).
A live worker renews the lease of deliveries still in progress (a heartbeat every third of the
lease). A worker killed mid-delivery stops renewing: the lease expires and the next worker
delivers again with the same idempotency key, so a receiver that deduplicates on it acts once.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from violeta.delivery import channels
from violeta.delivery.models import Channel, Delivery, InboxMessage, State
from violeta.delivery.services import backoff

log = logging.getLogger(__name__)
THREADS = 8


def worker_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}"


def _due(now: datetime) -> Q:
    waiting = Q(state__in=[State.PENDING, State.FAILED], next_attempt_at__lte=now)
    abandoned = Q(state=State.IN_FLIGHT, locked_until__lt=now)
    return waiting | abandoned


def claim(*, worker: str, batch: int = 50) -> list[Delivery]:
    """Take up to ``batch`` due deliveries under a lease and return them."""
    now = timezone.now()
    token = f"{worker}:{uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        candidates = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not candidates:
            return []
        Delivery.objects.filter(_due(now), pk__in=candidates).update(
            state=State.IN_FLIGHT,
            locked_by=token,
            locked_until=now + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(locked_by=token, state=State.IN_FLIGHT)
        .select_related("user", "endpoint")
        .order_by("pk")
    )


def _mark_sent(delivery: Delivery) -> bool:
    """Record success if this worker still holds the lease; False if it was lost."""
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, locked_by=delivery.locked_by, state=State.IN_FLIGHT
        ).update(state=State.SENT, sent_at=timezone.now(), locked_until=None, last_error="")
    )


def _mark_failed(delivery: Delivery, error: str) -> None:
    parked = delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS
    Delivery.objects.filter(
        pk=delivery.pk, locked_by=delivery.locked_by, state=State.IN_FLIGHT
    ).update(
        state=State.PARKED if parked else State.FAILED,
        next_attempt_at=timezone.now() + backoff(delivery.attempts),
        locked_until=None,
        last_error=error[:200],
    )
    log.warning(
        "delivery %s (%s) attempt %s failed: %s%s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        error[:200],
        ", parked" if parked else "",
    )


def _deliver_inbox(delivery: Delivery) -> None:
    assert delivery.user is not None
    payload = delivery.payload
    with transaction.atomic():
        if not _mark_sent(delivery):
            return
        InboxMessage.objects.get_or_create(
            delivery=delivery,
            defaults={
                "user": delivery.user,
                "level": delivery.level,
                "title": str(payload.get("title", ""))[:200],
                "url": str(payload.get("url", ""))[:500],
            },
        )


def _job(delivery: Delivery) -> channels.EmailJob | channels.WebhookJob | None:
    key = str(delivery.idempotency_key)
    payload = delivery.payload
    if delivery.channel == Channel.EMAIL:
        if delivery.user is None or not delivery.user.email:
            return None
        link = settings.SITE_URL + str(payload.get("url", ""))
        title = str(payload.get("title", ""))
        subject = f"[Violeta · {delivery.level}] {title}"
        text = f"{title}\n\n{link}\n"
        return channels.EmailJob(to=delivery.user.email, subject=subject, body=text, key=key)
    if delivery.channel == Channel.WEBHOOK and delivery.endpoint is not None:
        body = channels.webhook_body(
            key=key, payload=payload, created_at=delivery.created_at.isoformat()
        )
        return channels.WebhookJob(
            url=delivery.endpoint.url, secret=delivery.endpoint.secret, body=body, key=key
        )
    return None


def _send(job: channels.EmailJob | channels.WebhookJob) -> str:
    """Run one network job; return "" on success or a storable error text."""
    try:
        if isinstance(job, channels.EmailJob):
            channels.send_email(job)
        else:
            channels.send_webhook(job)
    except channels.DeliveryError as error:
        return str(error)
    except Exception as error:  # a bug in a channel must not stop the other deliveries
        return type(error).__name__
    return ""


def process(deliveries: list[Delivery]) -> int:
    """Deliver claimed deliveries (network ones concurrently); return how many were sent."""
    sent = 0
    network: list[tuple[Delivery, channels.EmailJob | channels.WebhookJob]] = []
    for delivery in deliveries:
        if delivery.channel == Channel.INBOX:
            _deliver_inbox(delivery)
            sent += 1
            continue
        job = _job(delivery)
        if job is None:
            _mark_failed(delivery, "no recipient")
        else:
            network.append((delivery, job))
    if network:
        sent += _deliver_concurrently(network)
    return sent


def _renew(deliveries: list[Delivery]) -> None:
    """Extend the lease of deliveries still in progress (a heartbeat): a live worker keeps
    them however long the batch takes; a dead one stops renewing and the lease runs out."""
    until = timezone.now() + timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    for delivery in deliveries:
        Delivery.objects.filter(
            pk=delivery.pk, locked_by=delivery.locked_by, state=State.IN_FLIGHT
        ).update(locked_until=until)


def _deliver_concurrently(
    network: list[tuple[Delivery, channels.EmailJob | channels.WebhookJob]],
) -> int:
    sent = 0
    heartbeat = max(settings.DELIVERY_LEASE_SECONDS / 3, 0.1)
    with ThreadPoolExecutor(max_workers=min(THREADS, len(network))) as pool:
        running: dict[Future[str], Delivery] = {
            pool.submit(_send, job): delivery for delivery, job in network
        }
        while running:
            done, _pending = wait(running, timeout=heartbeat, return_when=FIRST_COMPLETED)
            for future in done:
                delivery = running.pop(future)
                error = future.result()
                if error:
                    _mark_failed(delivery, error)
                elif _mark_sent(delivery):
                    sent += 1
            if running and not done:
                _renew(list(running.values()))
    return sent


def run_once(*, worker: str, batch: int = 50) -> int:
    """Claim and deliver one batch; return how many deliveries were claimed."""
    deliveries = claim(worker=worker, batch=batch)
    if deliveries:
        process(deliveries)
    return len(deliveries)


def drain(*, worker: str, batch: int = 50) -> None:
    """Deliver until nothing is due now (deliveries waiting for a later retry stay)."""
    while run_once(worker=worker, batch=batch):
        pass
