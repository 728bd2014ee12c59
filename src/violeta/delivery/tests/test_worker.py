"""The worker against real receivers: SMTP and HTTP on loopback, failing ones included."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email import message_from_string
from email.policy import default
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from violeta.agencies.models import User
from violeta.delivery import worker as worker_module
from violeta.delivery.models import Channel, Delivery, InboxMessage, State, WebhookEndpoint
from violeta.delivery.services import deliveries_enqueue
from violeta.delivery.tests.receivers import smtp_server, webhook_receiver
from violeta.delivery.worker import _mark_sent, claim, drain

ALERT: dict[str, Any] = {
    "kind": "alert",
    "subject_id": 42,
    "level": "alarma",
    "title": "Regla R1 · alerta 42",
    "url": "/alertas/42/",
}


def _enqueue(user_ids: list[int]) -> list[int]:
    with transaction.atomic():
        return deliveries_enqueue(user_ids=user_ids, **ALERT)


@pytest.fixture
def fast_retries(settings: Any) -> Any:
    settings.DELIVERY_MAX_ATTEMPTS = 2
    settings.DELIVERY_BACKOFF_SECONDS = 0
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    return settings


@pytest.mark.django_db
def test_inbox_message_is_created_once(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    (delivery_id,) = _enqueue([user.pk])
    drain(worker="w1")
    drain(worker="w2")
    message = InboxMessage.objects.get(user=user)
    assert (message.level, message.title, message.url) == ("alarma", ALERT["title"], ALERT["url"])
    assert message.read_at is None
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.state, delivery.attempts, delivery.sent_at is not None) == (
        State.SENT,
        1,
        True,
    )


@pytest.mark.django_db
def test_email_goes_through_a_real_smtp_server(
    make_user: Callable[..., User], settings: Any
) -> None:
    user = make_user("caseworker")
    user.email = "caseworker@example.org"
    user.save()
    with smtp_server() as (mailbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.SITE_URL = "https://violeta.example"
        _enqueue([user.pk])
        drain(worker="w1")
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert email.state == State.SENT
    assert len(mailbox.messages) == 1
    sent = mailbox.messages[0]
    assert sent["to"] == ["caseworker@example.org"]
    parsed = message_from_string(sent["content"], policy=default)
    assert parsed["Subject"] == "[Violeta · alarma] Regla R1 · alerta 42"
    assert parsed["Message-ID"] == f"<{email.idempotency_key}@violeta>"
    assert "https://violeta.example/alertas/42/" in parsed.get_body().get_content()


@pytest.mark.django_db
def test_smtp_server_down_is_retried_then_parked(
    make_user: Callable[..., User], fast_retries: Any
) -> None:
    user = make_user("caseworker")
    user.email = "caseworker@example.org"
    user.save()
    fast_retries.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    fast_retries.EMAIL_HOST, fast_retries.EMAIL_PORT = "127.0.0.1", 9  # nothing listens
    _enqueue([user.pk])
    drain(worker="w1")
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert (email.state, email.attempts) == (State.PARKED, 2)
    assert email.last_error.startswith("SMTP ")
    assert Delivery.objects.get(channel=Channel.INBOX).state == State.SENT


@pytest.mark.django_db
def test_webhook_is_signed_and_carries_the_idempotency_key() -> None:
    with webhook_receiver("s3cret-c5") as receiver:
        WebhookEndpoint.objects.create(
            name="c5", url=receiver.url, secret="s3cret-c5", levels=["alarma"]
        )
        (delivery_id,) = _enqueue([])
        drain(worker="w1")
    delivery = Delivery.objects.get(pk=delivery_id)
    assert delivery.state == State.SENT
    assert receiver.bad_signatures == 0
    assert receiver.processed == [str(delivery.idempotency_key)]
    body = receiver.requests[0]["body"]
    assert body["id"] == str(delivery.idempotency_key)
    assert {k: body[k] for k in ALERT} == ALERT


@pytest.mark.django_db
def test_a_wrong_secret_fails_the_receivers_check() -> None:
    with webhook_receiver("the-receivers-secret") as receiver:
        WebhookEndpoint.objects.create(
            name="c5", url=receiver.url, secret="another-secret", levels=["alarma"]
        )
        _enqueue([])
        drain(worker="w1")
    assert receiver.bad_signatures == 1
    assert receiver.processed == []


@pytest.mark.django_db
def test_error_status_is_retried_later_with_backoff(settings: Any) -> None:
    settings.DELIVERY_BACKOFF_SECONDS = 60
    with webhook_receiver("s", mode="error") as receiver:
        WebhookEndpoint.objects.create(name="c5", url=receiver.url, secret="s", levels=["alarma"])
        (delivery_id,) = _enqueue([])
        drain(worker="w1")
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.state, delivery.attempts, delivery.last_error) == (State.FAILED, 1, "HTTP 500")
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 25 <= wait <= 60
    assert len(receiver.requests) == 1  # not due again yet: drain stopped


@pytest.mark.django_db
def test_garbage_and_hanging_receivers_are_parked_without_blocking_others(
    make_user: Callable[..., User], fast_retries: Any
) -> None:
    user = make_user("caseworker")
    with (
        webhook_receiver("g", mode="garbage") as garbage,
        webhook_receiver("h", mode="hang") as hanging,
        webhook_receiver("k") as healthy,
    ):
        for name, receiver in [("garbage", garbage), ("hang", hanging), ("ok", healthy)]:
            WebhookEndpoint.objects.create(
                name=name, url=receiver.url, secret=receiver.secret, levels=["alarma"]
            )
        _enqueue([user.pk])
        started = time.monotonic()
        drain(worker="w1")
        elapsed = time.monotonic() - started
    states = {d.endpoint.name: d for d in Delivery.objects.filter(channel=Channel.WEBHOOK)}
    assert states["ok"].state == State.SENT
    assert healthy.processed == [str(states["ok"].idempotency_key)]
    for name in ("garbage", "hang"):
        assert (states[name].state, states[name].attempts) == (State.PARKED, 2)
    assert states["hang"].last_error == "timeout"
    assert states["garbage"].last_error not in ("", "timeout")
    assert len(garbage.requests) == len(hanging.requests) == 2
    assert InboxMessage.objects.filter(user=user).count() == 1
    assert elapsed < 5  # two attempts at a 1 s timeout, run concurrently with the others


@pytest.mark.django_db
def test_lease_keeps_others_off_until_it_expires() -> None:
    with webhook_receiver("s") as receiver:
        WebhookEndpoint.objects.create(name="c5", url=receiver.url, secret="s", levels=["alarma"])
        _enqueue([])
    (held,) = claim(worker="a")
    assert claim(worker="b") == []
    Delivery.objects.filter(pk=held.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    (taken,) = claim(worker="b")
    assert (taken.pk, taken.attempts) == (held.pk, 2)
    assert not _mark_sent(held)  # the first worker lost its lease: its outcome is ignored
    assert _mark_sent(taken)


@pytest.mark.django_db
def test_a_live_worker_renews_its_lease_while_a_receiver_is_slow(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DELIVERY_LEASE_SECONDS = 0.6
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    renewals: list[Any] = []
    real_renew = worker_module._renew

    def spy(deliveries: list[Delivery]) -> None:
        real_renew(deliveries)
        renewals.append(Delivery.objects.get().locked_until)
        assert claim(worker="b") == []  # renewed: nobody else takes it meanwhile

    monkeypatch.setattr(worker_module, "_renew", spy)
    with webhook_receiver("s", mode="hold_first") as receiver:
        WebhookEndpoint.objects.create(name="c5", url=receiver.url, secret="s", levels=["alarma"])
        (delivery_id,) = _enqueue([])
        (held,) = claim(worker="a")
        first_lease_end = held.locked_until
        assert first_lease_end is not None
        threading.Timer(1.5, receiver.release.set).start()  # the receiver answers late
        assert worker_module.process([held]) == 1
    assert len(renewals) >= 3
    assert renewals[-1] > first_lease_end + timedelta(seconds=0.5)
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.state, delivery.attempts) == (State.SENT, 1)
    assert len(receiver.requests) == 1
