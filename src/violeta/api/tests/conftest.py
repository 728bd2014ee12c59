from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from violeta.agencies.models import Agency
from violeta.api.services import client_create, token_create


@pytest.fixture(autouse=True)
def _fresh(db: None) -> Iterator[None]:
    cache.clear()  # rate-limit counters
    with translation.override("en"):
        yield


class Api:
    """A test client sending the bearer token and JSON bodies."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=self._headers(headers))

    def send(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ):  # type: ignore[no-untyped-def]
        import json

        data = (
            body if isinstance(body, (str, bytes)) else json.dumps(body if body is not None else {})
        )
        return getattr(self.client, method.lower())(
            path, data=data, content_type="application/json", headers=self._headers(headers)
        )


@pytest.fixture
def api(catalogs: None) -> Callable[..., Api]:
    def make(
        agency: str = "SEMUJERES",
        role: str = "caseworker",
        scopes: str = "risk:read,risk:write",
        name: str = "",
        days: int | None = None,
    ) -> Api:
        client = client_create(
            agency=Agency.objects.get(code=agency), name=name or f"{agency} {role}", role=role
        )
        issued = token_create(client=client, scopes=scopes.split(","), days=days)
        return Api(issued.secret)

    return make
