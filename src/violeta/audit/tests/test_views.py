"""The auditors' page: who may open it, filtering, paging, verifying; reading it is audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from violeta.audit.models import AuditEntry
from violeta.audit.services import audit_log

pytestmark = pytest.mark.django_db


def _entries() -> None:
    for person in (41, 42, 43):
        audit_log(
            actor=None,
            actor_label="system:test",
            action="view",
            subject_type="person",
            subject_id=person,
            details={"records": 1},
        )
    audit_log(
        actor=None, actor_label="system:test", action="create", subject_type="record", subject_id=7
    )


@pytest.mark.parametrize("role", ["caseworker", "analyst", "supervisor", "administrator"])
def test_only_auditors_may_open_the_trail(staff_client: Callable[..., Client], role: str) -> None:
    client = staff_client(role)
    assert client.get(reverse("audit:search")).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403
    assert not AuditEntry.objects.filter(subject_type="audit").exists()


def test_anonymous_visitors_are_sent_to_the_login() -> None:
    response = Client().get(reverse("audit:search"))
    assert response.status_code == 302


def test_auditor_sees_the_trail_filtered_and_her_reading_is_audited(
    staff_client: Callable[..., Client],
) -> None:
    _entries()
    client = staff_client("auditor")
    response = client.get(reverse("audit:search"), {"subject_type": "person", "subject_id": "42"})
    assert response.status_code == 200
    shown = list(response.context["page"].object_list)
    assert [(e.subject_type, e.subject_id) for e in shown] == [("person", "42")]
    assert 'id="audit-entries"' in response.content.decode()

    reading = AuditEntry.objects.filter(action="view", subject_type="audit").get()
    assert reading.actor_label == "semujeres.auditor"
    assert reading.details == {
        "filters": {"subject_type": "person", "subject_id": "42"},
        "page": 1,
    }

    by_action = client.get(reverse("audit:search"), {"action": "create"})
    assert [e.subject_id for e in by_action.context["page"].object_list] == ["7"]


def test_the_trail_is_newest_first_and_paged_by_fifty(
    staff_client: Callable[..., Client],
) -> None:
    for i in range(120):
        audit_log(actor=None, action="view", subject_type="person", subject_id=i)
    client = staff_client("auditor")
    first = client.get(reverse("audit:search")).context["page"]
    seqs = [e.seq for e in first.object_list]
    assert len(seqs) == 50 and seqs == sorted(seqs, reverse=True)
    third = client.get(reverse("audit:search"), {"page": 3}).context["page"]
    assert third.number == 3 and len(third.object_list) == third.paginator.count - 100


def test_a_bad_date_range_is_a_form_error(staff_client: Callable[..., Client]) -> None:
    client = staff_client("auditor")
    response = client.get(reverse("audit:search"), {"since": "2025-05-02", "until": "2025-05-01"})
    assert response.status_code == 200 and response.context["form"].errors


def test_auditor_verifies_the_chain(staff_client: Callable[..., Client]) -> None:
    _entries()
    client = staff_client("auditor")
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 200
    assert response.context["verification"].ok
    assert 'id="verify-result"' in response.content.decode()
    assert AuditEntry.objects.filter(subject_type="audit", details__verify=True).count() == 1

    with connection.cursor() as cursor:  # tamper, as in test_trail (rolled back after the test)
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_append_only ON audit_auditentry")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute("UPDATE audit_auditentry SET subject_id = '1' WHERE subject_id = '42'")
    broken = client.post(reverse("audit:verify")).context["verification"]
    assert not broken.ok
