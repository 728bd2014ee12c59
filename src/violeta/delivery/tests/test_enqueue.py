"""Writing to the outbox: in the caller's transaction, per channel, refusing bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from violeta.agencies.models import User
from violeta.delivery.models import Channel, Delivery, InboxMessage, State, WebhookEndpoint
from violeta.delivery.services import backoff, deliveries_enqueue
from violeta.delivery.tests.receivers import webhook_receiver
from violeta.delivery.worker import drain

ALERT = {"kind": "alert", "subject_id": 7, "title": "Regla R3 · alerta 7", "url": "/alertas/7/"}


def _endpoint(name: str, url: str, levels: list[str], active: bool = True) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        name=name, url=url, secret=f"secret-{name}", levels=levels, active=active
    )


@pytest.mark.django_db(transaction=True)
def test_enqueue_refuses_to_run_outside_a_transaction(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    with pytest.raises(RuntimeError, match="caller's transaction"):
        deliveries_enqueue(level="alarma", user_ids=[user.pk], **ALERT)
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_one_row_per_user_channel_and_subscribed_endpoint(make_user: Callable[..., User]) -> None:
    with_mail = make_user("caseworker")
    with_mail.email = "caseworker@example.org"
    with_mail.save()
    without_mail = make_user("supervisor")
    _endpoint("c5", "http://127.0.0.1:9/a", ["alarma"])
    _endpoint("avisos", "http://127.0.0.1:9/b", ["aviso"])
    _endpoint("off", "http://127.0.0.1:9/c", ["alarma"], active=False)
    with transaction.atomic():
        ids = deliveries_enqueue(
            level="alarma",
            user_ids=[with_mail.pk, without_mail.pk, with_mail.pk],
            **ALERT,
        )
    rows = Delivery.objects.filter(pk__in=ids)
    assert sorted((d.channel, d.user_id or d.endpoint.name) for d in rows) == sorted(
        [
            (Channel.INBOX, with_mail.pk),
            (Channel.EMAIL, with_mail.pk),
            (Channel.INBOX, without_mail.pk),
            (Channel.WEBHOOK, "c5"),
        ]
    )
    assert {d.state for d in rows} == {State.PENDING}
    assert len({d.idempotency_key for d in rows}) == 4
    assert rows[0].payload == {"level": "alarma", **ALERT}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("level", "urgente", "Unknown alert level urgente"),
        ("url", "https://elsewhere.example/x", "must be a path of this site"),
        ("url", "//elsewhere.example/x", "must be a path of this site"),
        ("title", "", "title must have 1 to 200"),
        ("title", "x" * 201, "title must have 1 to 200"),
        ("kind", "", "kind must have 1 to 50"),
    ],
)
@pytest.mark.usefixtures("english")
def test_bad_input_is_refused_and_nothing_is_stored(
    make_user: Callable[..., User], field: str, value: str, message: str
) -> None:
    user = make_user("caseworker")
    arguments = {"level": "alarma", **ALERT, field: value}
    with pytest.raises(ValidationError, match=message), transaction.atomic():
        deliveries_enqueue(user_ids=[user.pk], **arguments)
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_change_that_rolls_back_sends_nothing(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    with webhook_receiver("s3cret") as receiver:
        WebhookEndpoint.objects.create(
            name="c5", url=receiver.url, secret="s3cret", levels=["alarma"]
        )

        class CauseFailed(Exception):
            pass

        with pytest.raises(CauseFailed), transaction.atomic():
            deliveries_enqueue(level="alarma", user_ids=[user.pk], **ALERT)
            raise CauseFailed
        drain(worker="test")
        assert not Delivery.objects.exists()
        assert not InboxMessage.objects.exists()
        assert receiver.requests == []


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings: object) -> None:
    settings.DELIVERY_BACKOFF_SECONDS = 10
    settings.DELIVERY_BACKOFF_MAX_SECONDS = 100
    for attempts, full in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        waits = [backoff(attempts).total_seconds() for _ in range(50)]
        assert all(full * 0.5 <= w <= full for w in waits)
        assert len(set(waits)) > 1  # jitter: workers do not retry in lock-step
