"""``violeta keys rotate``: every encrypted value moves to the newest key, nothing is lost."""

from __future__ import annotations

import datetime as dt
import threading
import time
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.db.models import Model
from django.test import override_settings

from violeta.core import crypto, rotation

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _person_model() -> type[Model]:
    return apps.get_model("people", "Person")


def _create_people(n: int) -> list[int]:
    person = _person_model()
    with override_settings(ENCRYPTION_KEYS=[KEY_A]):
        return [
            person.objects.create(
                kind="woman",
                given_names=f"Guadalupe {i}",
                first_surname="Hernández",
                second_surname="",
                birth_date=dt.date(1990, 2, 15),
            ).pk
            for i in range(n)
        ]


def _raw(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_names, second_surname, birth_date FROM people_person WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def _read(pk: int) -> tuple[str, str, dt.date]:
    person = _person_model().objects.get(pk=pk)
    return person.given_names, person.second_surname, person.birth_date  # type: ignore[attr-defined]


def test_person_identity_columns_are_discovered() -> None:
    fields = {f.name for f in rotation.encrypted_fields(_person_model())}
    assert {"given_names", "first_surname", "second_surname", "birth_date"} <= fields
    assert _person_model() in rotation.encrypted_models()


def test_old_key_reads_until_rotation_then_new_key_alone_suffices() -> None:
    pks = _create_people(5)
    before = {pk: _raw(pk) for pk in pks}
    updated_at = dict(_person_model().objects.values_list("pk", "updated_at"))

    with override_settings(ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        assert _read(pks[0]) == ("Guadalupe 0", "", dt.date(1990, 2, 15))
        calls: list[tuple[str, int, int]] = []
        rewritten = rotation.reencrypt_model(
            _person_model(),
            batch_size=2,
            progress=lambda model, done, total: calls.append((model._meta.label, done, total)),
        )
    assert rewritten == 5
    assert calls == [("people.Person", 2, 5), ("people.Person", 4, 5), ("people.Person", 5, 5)]

    with override_settings(ENCRYPTION_KEYS=[KEY_B]):
        for i, pk in enumerate(pks):
            assert _read(pk) == (f"Guadalupe {i}", "", dt.date(1990, 2, 15))
            given, second, birth = _raw(pk)
            assert given != before[pk][0] and birth != before[pk][2]
            assert second == ""  # empty values stay empty
            assert "Guadalupe" not in given
    with override_settings(ENCRYPTION_KEYS=[KEY_A]), pytest.raises(crypto.InvalidToken):
        _read(pks[0])
    # update() by primary key: no save(), so auto_now columns keep their value.
    assert dict(_person_model().objects.values_list("pk", "updated_at")) == updated_at


def test_rotate_command_covers_every_model_and_prints_progress() -> None:
    pks = _create_people(3)
    out = StringIO()
    with override_settings(ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("keys", "rotate", "--batch-size", "2", stdout=out)
    text = out.getvalue()
    assert "people.Person: 2/3 rows" in text and "people.Person: 3 rows re-encrypted" in text
    with override_settings(ENCRYPTION_KEYS=[KEY_B]):
        assert [_read(pk)[0] for pk in pks] == ["Guadalupe 0", "Guadalupe 1", "Guadalupe 2"]


def test_generate_prints_a_usable_key() -> None:
    out = StringIO()
    call_command("keys", "generate", stdout=out)
    key = out.getvalue().strip()
    with override_settings(ENCRYPTION_KEYS=[key]):
        assert crypto.decrypt(crypto.encrypt("ok")) == "ok"


@pytest.mark.django_db(transaction=True)
def test_rotation_while_the_application_writes_loses_no_update(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The application, restarted with the new key first, edits names while ``rotate`` walks
    the table in small batches: every row ends under the new key alone, with the value the
    application wrote (a batch never writes back a token it read before an edit). Each row is
    edited once, so a lost update would stay lost."""
    pks = _create_people(40)
    written: dict[int, str] = {}
    done = threading.Event()

    def application() -> None:
        person_model = _person_model()
        try:
            for pk in pks:
                time.sleep(0.004)
                for _attempt in range(3000):  # SQLite: the rotation may hold the write lock
                    try:
                        with transaction.atomic():
                            person = person_model.objects.select_for_update().get(pk=pk)
                            person.given_names = f"Guadalupe {pk} editada"  # type: ignore[attr-defined]
                            person.save(update_fields=["given_names"])
                        break
                    except OperationalError:
                        time.sleep(0.001)
                else:
                    raise AssertionError("the application could not write for 3 s")
                written[pk] = f"Guadalupe {pk} editada"
        finally:
            done.set()
            connection.close()

    reencrypt = crypto.reencrypt

    def slow_reencrypt(token: str) -> str:
        time.sleep(0.003)  # widen the window between reading a batch and writing it back
        return reencrypt(token)

    monkeypatch.setattr(rotation.crypto, "reencrypt", slow_reencrypt)
    with override_settings(ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        writer = threading.Thread(target=application)
        writer.start()
        passes = 0
        try:
            while not done.is_set() or passes < 1:  # passes meet the edits until they end
                try:
                    rotation.reencrypt_model(_person_model(), batch_size=3)
                    passes += 1
                    time.sleep(0.005)
                except OperationalError:
                    # Only the test's in-memory SQLite (shared cache) answers "locked" at once
                    # instead of waiting its timeout as a file database does; a pass restarts.
                    assert connection.vendor == "sqlite"
                    time.sleep(0.01)
        finally:
            writer.join(timeout=30)
    assert not writer.is_alive()
    assert len(written) == 40 and passes >= 2

    with override_settings(ENCRYPTION_KEYS=[KEY_B]):
        assert [_read(pk)[0] for pk in pks] == [written[pk] for pk in pks]
