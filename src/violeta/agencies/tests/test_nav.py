"""The navigation shows each role the pages its capabilities open, and no others."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(client: Client) -> str:
    page = client.get(reverse("records:home")).content.decode()
    return page[page.index("<nav") : page.index("</nav>")]


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (
            "operator",
            ["records:search", "records:register"],
            ["referrals:received", "audit:search"],
        ),
        (
            "caseworker",
            ["referrals:received", "alerts:mine"],
            ["cases:supervised", "linkage:queue", "alerts:supervise"],
        ),
        (
            "supervisor",
            ["cases:supervised", "linkage:queue", "risk:overrides", "alerts:supervise"],
            ["audit:search", "alerts:rules"],
        ),
        ("analyst", ["records:statistics", "risk:overrides"], ["records:search", "alerts:mine"]),
        ("auditor", ["audit:search"], ["records:search", "records:statistics"]),
    ],
)
def test_each_role_sees_the_pages_it_may_open(
    staff_client: Callable[..., Client], role: str, shown: list[str], hidden: list[str]
) -> None:
    nav = _nav(staff_client(role))
    for name in shown:
        assert f'href="{reverse(name)}"' in nav, name
    for name in hidden:
        assert f'href="{reverse(name)}"' not in nav, name
