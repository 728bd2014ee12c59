"""A webhook endpoint with a bad level, URL or secret is refused when saved, with the reason."""

from __future__ import annotations

import pytest

from violeta.delivery.forms import WebhookEndpointForm
from violeta.delivery.models import WebhookEndpoint

GOOD = {"name": "c5", "url": "https://c5.example/hook", "secret": "s" * 16, "levels": ["alarma"]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("levels", ["urgente"], "urgente is not one of the available choices"),
        ("url", "ftp://c5.example/hook", "must start with http:// or https://"),
        ("url", "not a url", "Enter a valid URL"),
        ("secret", "short", "at least 16 characters"),
    ],
)
@pytest.mark.usefixtures("english")
def test_bad_endpoint_is_refused(field: str, value: object, message: str) -> None:
    form = WebhookEndpointForm(data={**GOOD, field: value, "active": "on"})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_secret_is_kept_when_left_empty_and_stored_encrypted() -> None:
    form = WebhookEndpointForm(data={**GOOD, "levels": ["alarma", "aviso"], "active": "on"})
    assert form.is_valid(), form.errors
    endpoint = form.save()
    assert endpoint.levels == ["aviso", "alarma"]
    edit = WebhookEndpointForm(data={**GOOD, "secret": "", "active": ""}, instance=endpoint)
    assert edit.is_valid(), edit.errors
    edit.save()
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.active) == ("s" * 16, False)
    raw = WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("secret", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM delivery_webhookendpoint WHERE id = %s", [endpoint.pk])
        (stored,) = cursor.fetchone()
    assert stored != "s" * 16 and "s" * 16 not in stored
    assert list(raw) == ["s" * 16]
