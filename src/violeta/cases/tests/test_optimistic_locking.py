"""Two supervisors of one agency close the same supervised follow-up from the list loaded at
once: the first closing stands (her reason, her name); the second is told in Spanish that
someone else closed it and when, and gets back the reason she wrote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import login_verified
from violeta.agencies.models import User
from violeta.cases.models import CaseFollowUp, CaseState
from violeta.cases.services import cases_sweep
from violeta.linkage.tests.test_services import _register

pytestmark = pytest.mark.django_db


def test_closing_what_someone_else_closed_meanwhile_keeps_her_reason(
    make_user: Callable[..., User],
) -> None:
    ana = login_verified(Client(), make_user("supervisor", username="semujeres.sup.ana"))
    bea = login_verified(Client(), make_user("supervisor", username="semujeres.sup.bea"))
    woman = _register("S-1").victim  # a record from 2025: long silent
    cases_sweep(now=timezone.now() - dt.timedelta(days=120))  # supervised 120 days ago
    case = CaseFollowUp.objects.get(person=woman, agency__code="SEMUJERES")
    assert case.state == CaseState.SUPERVISED
    for client in (ana, bea):
        page = client.get(reverse("cases:supervised")).content.decode()
        assert reverse("cases:close", args=[case.pk]) in page

    url = reverse("cases:close", args=[case.pk])
    assert ana.post(url, {"reason": "Se mudó de ciudad"}).status_code == 302
    refused = bea.post(url, {"reason": "Sin contacto en seis meses"})
    assert refused.status_code == 409
    text = refused.content.decode()
    assert "Otra persona cerró este seguimiento mientras tanto" in text
    assert 'id="unsaved"' in text and "Sin contacto en seis meses" in text
    case.refresh_from_db()
    assert (case.state, case.closed_reason, case.closed_by.username) == (
        CaseState.CLOSED,
        "Se mudó de ciudad",
        "semujeres.sup.ana",
    )
