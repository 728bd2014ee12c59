"""The live inbox, its unread count in the navigation, the failed deliveries page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.delivery.models import Delivery, InboxMessage, State
from violeta.delivery.services import deliveries_enqueue
from violeta.delivery.worker import drain

ALERT: dict[str, Any] = {
    "kind": "alert",
    "subject_id": 5,
    "level": "alerta",
    "title": "Regla R2 · alerta 5",
    "url": "/alertas/5/",
}


def _alert_for(user: User, **changes: Any) -> None:
    with transaction.atomic():
        deliveries_enqueue(user_ids=[user.pk], **{**ALERT, **changes})
    drain(worker="test")


@pytest.mark.django_db
def test_live_fragment_returns_a_message_delivered_after_the_page_loaded(
    make_user: Callable[..., User],
) -> None:
    user = make_user("caseworker")
    client = login_verified(Client(), user)
    page = client.get("/bandeja/")
    assert page.status_code == 200
    assert b'data-poll-url="/bandeja/lista/"' in page.content
    assert "Regla R2" not in page.content.decode()
    _alert_for(user)
    fragment = client.get("/bandeja/lista/")
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "Regla R2 · alerta 5" in html
    assert "<html" not in html  # a fragment, not a page
    assert client.get("/bandeja/no-leidos/").content == b"1"


@pytest.mark.django_db
def test_nav_shows_the_unread_count_and_the_script_is_same_origin(
    make_user: Callable[..., User],
) -> None:
    user = make_user("caseworker")
    client = login_verified(Client(), user)
    _alert_for(user)
    _alert_for(user, subject_id=6)
    response = client.get("/")
    html = response.content.decode()
    assert 'data-count-url="/bandeja/no-leidos/">2</span>' in html
    assert '<script src="/static/violeta/live.js" defer></script>' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in html


@pytest.mark.django_db
def test_opening_marks_read_and_follows_the_link_only_for_its_owner(
    make_user: Callable[..., User],
) -> None:
    owner = make_user("caseworker")
    other = make_user("caseworker", username="otra.caseworker")
    _alert_for(owner)
    message = InboxMessage.objects.get(user=owner)
    assert login_verified(Client(), other).post(f"/bandeja/{message.pk}/abrir/").status_code == 404
    response = login_verified(Client(), owner).post(f"/bandeja/{message.pk}/abrir/")
    assert (response.status_code, response["Location"]) == (302, "/alertas/5/")
    message.refresh_from_db()
    assert message.read_at is not None
    assert login_verified(Client(), other).get("/bandeja/no-leidos/").content == b"0"


@pytest.mark.django_db
def test_mark_all_read(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    _alert_for(user)
    _alert_for(user, subject_id=9)
    client = login_verified(Client(), user)
    assert client.post("/bandeja/marcar-leidos/").status_code == 302
    assert client.get("/bandeja/no-leidos/").content == b"0"


def _parked(user: User) -> Delivery:
    user.email = "operator@example.org"
    user.save()
    delivery = Delivery.objects.create(
        channel="email", user=user, kind="alert", subject_id=5, level="alerta",
        payload=ALERT, state=State.PARKED, attempts=8, last_error="SMTP ConnectionRefusedError",
    )  # fmt: skip
    return delivery


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("supervisor", 200), ("caseworker", 403)])
def test_failed_deliveries_page_is_for_supervisors_and_administrators(
    staff_client: Callable[..., Client], make_user: Callable[..., User], role: str, status: int
) -> None:
    _parked(make_user("operator"))
    response = staff_client(role).get("/bandeja/entregas-fallidas/")
    assert response.status_code == status
    if status == 200:
        assert "SMTP ConnectionRefusedError" in response.content.decode()


@pytest.mark.django_db
def test_retry_requeues_a_parked_delivery_and_is_audited(make_user: Callable[..., User]) -> None:
    admin = make_user("administrator", agency=None)
    delivery = _parked(make_user("operator"))
    client = login_verified(Client(), admin)
    response = client.post(f"/bandeja/entregas-fallidas/{delivery.pk}/reintentar/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (State.PENDING, 0)
    entry = AuditEntry.objects.get(subject_type="delivery", subject_id=str(delivery.pk))
    assert (entry.actor_id, entry.action) == (admin.pk, "update")
    drain(worker="test")  # the locmem email backend of the test run accepts it
    delivery.refresh_from_db()
    assert delivery.state == State.SENT


@pytest.mark.django_db
def test_retry_of_a_sent_or_unknown_delivery_is_refused_clearly(
    make_user: Callable[..., User], staff_client: Callable[..., Client]
) -> None:
    user = make_user("operator")
    _alert_for(user)
    sent = Delivery.objects.get(user=user)
    client = staff_client("supervisor")
    for delivery_id, text in [(sent.pk, "solo se reintentan"), (999999, "no existe")]:
        response = client.post(f"/bandeja/entregas-fallidas/{delivery_id}/reintentar/", follow=True)
        assert response.status_code == 200
        assert text in response.content.decode()
    assert not AuditEntry.objects.filter(subject_type="delivery").exists()
    assert (
        staff_client("caseworker")
        .post(f"/bandeja/entregas-fallidas/{sent.pk}/reintentar/")
        .status_code
        == 403
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "shown"), [("supervisor", True), ("caseworker", False)])
def test_nav_links_failed_deliveries_by_capability(
    staff_client: Callable[..., Client], role: str, shown: bool
) -> None:
    html = staff_client(role).get("/").content.decode()
    assert 'href="/bandeja/"' in html
    assert ('href="/bandeja/entregas-fallidas/"' in html) is shown


@pytest.mark.django_db
def test_polling_does_not_keep_an_idle_session_alive(make_user: Callable[..., User]) -> None:
    from django.contrib.sessions.models import Session

    client = login_verified(Client(), make_user("caseworker"))
    key = client.session.session_key

    def expiry() -> Any:
        return Session.objects.get(session_key=key).expire_date

    before = expiry()
    assert client.get("/bandeja/lista/").status_code == 200
    assert client.get("/bandeja/no-leidos/").status_code == 200
    assert expiry() == before
    assert client.get("/bandeja/").status_code == 200  # a page the user opens renews it
    assert expiry() > before


@pytest.mark.django_db
def test_deliveries_left_undelivered_warn_that_no_worker_runs(
    make_user: Callable[..., User], staff_client: Callable[..., Client]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    user = make_user("operator")
    with transaction.atomic():
        deliveries_enqueue(user_ids=[user.pk], **ALERT)
    client = staff_client("supervisor")
    assert "violeta worker" not in client.get("/bandeja/entregas-fallidas/").content.decode()
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=6))
    html = client.get("/bandeja/entregas-fallidas/").content.decode()
    assert "1 entrega lleva más de cinco minutos pendiente" in html
