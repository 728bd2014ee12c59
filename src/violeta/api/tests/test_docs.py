"""The OpenAPI document validates, and the interactive docs work under the CSP without a CDN."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings() -> None:
    out = StringIO()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )
    assert '"/api/v1/risk/instruments/"' in out.getvalue()
    assert '"bearer"' in out.getvalue() and '"Idempotency-Key"' in out.getvalue()
    assert '"application/problem+json"' in out.getvalue() or '"ProblemOut"' in out.getvalue()


def test_schema_lists_the_records_people_alerts_and_fhir_endpoints() -> None:
    import json

    resp = Client().get("/api/v1/schema/?format=json")
    assert resp.status_code == 200
    paths = json.loads(resp.content)["paths"]
    assert set(paths["/api/v1/records/"]) >= {"post"}
    assert set(paths["/api/v1/records/{ref}/"]) >= {"get", "put"}
    assert set(paths["/api/v1/women/search/"]) >= {"post"}
    assert set(paths["/api/v1/women/{person_id}/alerts/"]) >= {"get"}
    fhir = paths["/api/v1/fhir/Bundle"]["post"]
    assert "application/fhir+json" in fhir["requestBody"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in fhir["parameters"])


def test_swagger_ui_is_served_from_here_with_scripts_from_self_only() -> None:
    resp = Client().get("/api/v1/docs/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "<script>" not in html  # the init script comes from a URL (CSP script-src 'self')
    policy = resp["Content-Security-Policy"]
    assert (
        "script-src 'self';" in policy
        and "unsafe-inline" in policy.split("script-src")[0] + policy.split("style-src")[1]
    )
    script = Client().get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()


def test_other_pages_keep_the_strict_policy() -> None:
    assert "unsafe-inline" not in Client().get("/healthz")["Content-Security-Policy"]
