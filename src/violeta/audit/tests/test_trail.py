"""Writing the trail: chaining, append-only guards, transactions, bulk appends, sign-ins.

Tampering tests drop the append-only triggers with :func:`drop_guard` *inside the test's
transaction*: the test's rollback restores them (DDL is transactional in both SQLite and
PostgreSQL), so no other test runs without them. That is what an intruder with database
rights would do; the hash chain must still catch the edit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from conftest import TEST_PASSWORD
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry, AuditTrailImmutable
from violeta.audit.selectors import audit_verify
from violeta.audit.services import audit_log, audit_log_many


def drop_guard() -> None:
    """Drop the append-only triggers until the end of the current transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_entry_append_only ON audit_auditentry")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute("DROP TRIGGER audit_entry_no_delete")


def _log(n: int, actor: User | None = None) -> list[AuditEntry]:
    return [
        audit_log(
            actor=actor,
            actor_label=None if actor else "system:test",
            action="view",
            subject_type="person",
            subject_id=i,
            details={"records": i, "codes": ("a", "b")},
        )
        for i in range(1, n + 1)
    ]


@pytest.mark.django_db
def test_entries_are_chained_and_verify(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    before = AuditEntry.objects.count()  # creating the user may itself be audited
    entries = _log(30, user)
    assert [e.seq for e in entries] == list(range(before + 1, before + 31))
    assert entries[0].actor_label == "semujeres.caseworker"
    assert entries[0].agency_code == "SEMUJERES"
    fresh = AuditEntry.objects.get(pk=entries[1].pk)
    assert fresh.prev_hash == entries[0].hash and len(fresh.hash) == 64
    assert fresh.details == {"records": 2, "codes": ["a", "b"]}
    result = audit_verify(chunk_size=7)  # several chunks
    assert result.ok and result.count == before + 30


@pytest.mark.django_db
def test_the_first_entry_starts_the_chain() -> None:
    first = _log(1)[0]
    assert (first.seq, first.prev_hash, first.actor, first.actor_label) == (
        1,
        "0" * 64,
        None,
        "system:test",
    )


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_delete_entries() -> None:
    entry = _log(3)[1]
    with pytest.raises(AuditTrailImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="tampered")
    with pytest.raises(AuditTrailImmutable):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditTrailImmutable):
        entry.delete()
    entry.reason = "tampered"
    with pytest.raises(AuditTrailImmutable):
        entry.save()
    entry._state.adding = True  # a doctored instance still cannot UPDATE: it INSERTs and fails
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    assert audit_verify().ok


@pytest.mark.django_db
def test_the_database_refuses_raw_updates_and_deletes() -> None:
    _log(3)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET reason = 'x' WHERE seq = 2")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 2")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 3")  # the newest one neither
    assert audit_verify().ok and audit_verify().count == 3


@pytest.mark.django_db
def test_verify_detects_an_edited_entry() -> None:
    _log(10)
    drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET subject_id = '999' WHERE seq = 6")
    result = audit_verify()
    assert (result.ok, result.bad_seq) == (False, 6)
    with pytest.raises(CommandError, match="entry 6"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_verify_detects_a_deleted_middle_entry() -> None:
    _log(10)
    drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = 4")
    result = audit_verify()
    assert (result.ok, result.bad_seq, result.problem) == (False, 4, "entry 4 is missing")
    with pytest.raises(CommandError, match="entry 4"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_verify_detects_a_forged_hash_without_the_key() -> None:
    _log(5)
    drop_guard()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET hash = %s WHERE seq = 5", ["f" * 64])
    assert audit_verify().bad_seq == 5


@pytest.mark.django_db
def test_verify_command_reports_ok(capsys: pytest.CaptureFixture[str]) -> None:
    _log(4)
    call_command("audit", "verify", "--chunk-size", "3")
    assert "OK: 4 audit entries verified" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_entry_and_the_chain_verifies() -> None:
    _log(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(actor=None, action="update", subject_type="record", subject_id=1)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == 2
    after = audit_log(actor=None, action="update", subject_type="record", subject_id=1)
    assert after.seq == 3
    assert audit_verify().ok and audit_verify().count == 3


@pytest.mark.django_db
def test_bulk_appends_continue_the_chain() -> None:
    _log(2)
    entries = (("record", i, {"agency": "C5", "row": i}) for i in range(2345))
    assert (
        audit_log_many(actor=None, action="import", entries=entries, actor_label="system:x") == 2345
    )
    assert AuditEntry.objects.count() == 2347
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.seq == 2347 and last.actor_label == "system:x"
    _log(1)
    assert audit_verify(chunk_size=500).count == 2348


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_share_a_seq() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's single writer lock serialises appends by construction")
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(15):
                with transaction.atomic():
                    audit_log(actor=None, action="view", subject_type="person", subject_id=n * i)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = audit_verify()
    assert result.ok and result.count == 60


@pytest.mark.django_db
def test_sign_ins_sign_outs_and_failures_are_audited(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post(reverse("agencies:login"), {"username": user.username, "password": "wrong-one"})
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.actor is None and failed.actor_label == "anonymous"
    assert failed.details == {"reason": "bad_credentials"} and failed.ip == "10.1.2.3"
    assert user.username not in str(failed.details) + failed.actor_label + failed.subject_id

    client.post(reverse("agencies:login"), {"username": user.username, "password": TEST_PASSWORD})
    login = AuditEntry.objects.get(action="login", actor=user)
    assert login.subject_id == str(user.pk) and login.agency_code == "SEMUJERES"
    client.post(reverse("agencies:logout"))
    assert AuditEntry.objects.filter(action="logout", actor=user).count() == 1
    assert audit_verify().ok
