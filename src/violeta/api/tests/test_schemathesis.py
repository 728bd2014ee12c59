"""Schemathesis against both OpenAPI documents, in process through the WSGI application.

Every operation of the staff API (/api/v1/schema/) is called with generated cases, once with a
token of a client holding every scope and once without a token; every operation of the
observatory's open-data API (/observatorio/api/v1/openapi.json) without one (it is public).
Each answer must not be a 5xx, must carry a documented status code and content type, and its
body and headers must match the documented schemas; a case generated invalid must be refused
with a 4xx and a method the document does not list must be a 405. Bounded and deterministic:
hypothesis derandomized, at most ``MAX_EXAMPLES`` per operation and pass.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from violeta.agencies.models import Agency
from violeta.api.models import SCOPES
from violeta.api.services import client_create, token_create
from violeta.observatory.services import observatory_refresh
from violeta.observatory.tests.test_pages import _register
from violeta.records.tests.factories import canonical_record
from violeta.risk.tests.factories import shipped
from violeta.wsgi import application

MAX_EXAMPLES = 20
ANONYMOUS_EXAMPLES = 10  # without a token every case stops at the authentication
EACH_EXAMPLES = 5  # per real table of the observatory
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    unsupported_method,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,  # an invalid case must be refused (4xx), not accepted
    missing_required_header,
    unsupported_method,  # a method the document does not list: 405
]
CASES: Counter[str] = Counter()
STATUSES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_cases() -> Iterator[None]:
    yield
    print(f"\nschemathesis cases: {sum(CASES.values())} {dict(sorted(CASES.items()))}")
    print(f"statuses: {dict(sorted(STATUSES.items()))}")


@contextmanager
def _in_process() -> Iterator[None]:
    """The WSGI app runs in this thread inside the test's transaction: keep its connection open
    across the request, as Django's test client does (which reconnects the handlers after each
    of its own requests, so this wraps every call)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _load(path: str) -> Any:
    resp = Client().get(path)
    assert resp.status_code == 200, path
    loaded = schemathesis.openapi.from_dict(json.loads(resp.content))
    loaded.app = application
    return loaded


@pytest.fixture
def staff_schema(catalogs: None) -> Any:
    return _load("/api/v1/schema/?format=json")


@pytest.fixture
def observatory_schema(catalogs: None) -> Any:
    return _load("/observatorio/api/v1/openapi.json")


@pytest.fixture
def bearer(catalogs: None) -> dict[str, str]:
    """A supervisor client (the widest role an API client may have) holding every scope."""
    client = client_create(
        agency=Agency.objects.get(code="SEMUJERES"), name="fuzz", role="supervisor"
    )
    return {"Authorization": f"Bearer {token_create(client=client, scopes=list(SCOPES)).secret}"}


@pytest.fixture
def existing(bearer: dict[str, str]) -> dict[str, Any]:
    """A record, its woman and a draft assessment of hers, made through the API: the pinned
    path parameters that reach past the 404s."""
    shipped()
    api = Client(headers=bearer)
    created = api.post("/api/v1/records/", canonical_record(), content_type="application/json")
    assert created.status_code == 201, created.content
    body = {"person": created.json()["victim"], "instrument": "vpr", "version": "1"}
    started = api.post("/api/v1/risk/assessments/", body, content_type="application/json")
    assert started.status_code == 201, started.content
    return {
        "person_id": created.json()["victim"],
        "ref": canonical_record()["agency_record_id"],
        "id": started.json()["id"],
    }


def _pass(
    operation: Any,
    mode: GenerationMode,
    params: dict[str, Any] | None,
    headers: dict[str, str] | None,
    kind: str,
    label: str,
    examples: int,
) -> Callable[[], None]:
    @settings(SETTINGS, max_examples=examples)
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=params))
    def run(case: schemathesis.Case) -> None:
        cache.clear()  # rate-limit counters: every case reaches the view
        CASES[label] += 1
        with _in_process():
            response = case.call_and_validate(headers=headers, checks=CHECKS)
        STATUSES[f"{kind} {response.status_code}"] += 1

    return run  # type: ignore[no-any-return]


def _run(
    schema: Any,
    kind: str,
    headers: dict[str, str] | None = None,
    existing: dict[str, Any] | None = None,
    existing_each: dict[str, list[Any]] | None = None,
    max_examples: int = MAX_EXAMPLES,
) -> list[str]:
    """Every operation, positive then negative cases (and, with ``existing``, positive cases at
    those path parameters); the failures, one line per operation and pass."""
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        pinned = {k: v for k, v in (existing or {}).items() if f"{{{k}}}" in operation.path}
        passes = [(GenerationMode.POSITIVE, None), (GenerationMode.NEGATIVE, None)]
        if pinned:
            passes.append((GenerationMode.POSITIVE, pinned))
        for name, values in (existing_each or {}).items():
            if f"{{{name}}}" in operation.path:
                passes += [(GenerationMode.POSITIVE, {name: value}) for value in values]
        each = bool(existing_each) and len(passes) > 3
        for mode, params in passes:
            label = f"{kind} {mode.value}{' existing' if params else ''}"

            examples = EACH_EXAMPLES if each and params else max_examples
            run = _pass(operation, mode, params, headers, kind, label, examples)
            try:
                run()
            except Unsatisfiable:
                # No parameter or body to get wrong (e.g. a GET without query): nothing negative.
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as exc:  # every operation is tried; all failures reported at once
                failures.append(f"{operation.label} [{label}]: {exc}")
    return failures


SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing case is reported
)


def test_staff_api_with_a_token_of_every_scope(
    staff_schema: Any, bearer: dict[str, str], existing: dict[str, Any]
) -> None:
    failures = _run(staff_schema, "staff+token", bearer, existing)
    assert not failures, "\n\n".join(failures)
    assert CASES["staff+token positive"] >= MAX_EXAMPLES


def test_staff_api_without_a_token(staff_schema: Any) -> None:
    failures = _run(staff_schema, "staff-anonymous", max_examples=ANONYMOUS_EXAMPLES)
    assert not failures, "\n\n".join(failures)


def test_observatory_api(observatory_schema: Any) -> None:
    """Before anything is published, then with a small release and every table's real slug."""
    failures = _run(observatory_schema, "observatory")
    for n in range(14):
        when = timezone.now() - dt.timedelta(days=40 * (n % 2), hours=1)
        _register(n, when=when, alcaldia="09015" if n < 8 else "09007")
    observatory_refresh(k=5)
    index = Client().get("/observatorio/api/v1/")
    assert index.status_code == 200, index.content
    slugs = [table["slug"] for table in index.json()["tablas"]]
    assert len(slugs) >= 5
    failures += _run(observatory_schema, "observatory+release", existing_each={"slug": slugs})
    assert not failures, "\n\n".join(failures)
    assert STATUSES["observatory+release 200"] > len(slugs)
