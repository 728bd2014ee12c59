"""Fault: the web process killed with SIGKILL while agencies' systems register records.

The real production server (``violeta serve``: gunicorn, two workers) on a database of its own
takes registrations through the REST API from several client threads; once some are
acknowledged, the whole gunicorn process group (master and workers) is killed with SIGKILL.
The server is started again and every request whose answer never came is sent again, as an
agency's system would. Then: every record is stored exactly once (acknowledged ones with the id
they were acknowledged with), none half-way (her party, its violence types, its audit entry),
the retries duplicated nothing (with an Idempotency-Key the stored answer is replayed; without
one, the same record sent again under its folio is answered 200 with the record already there),
and ``violeta audit verify`` passes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from violeta.core.tests import faults
from violeta.records.tests.factories import canonical_record

pytestmark = pytest.mark.faults

THREADS = 4
PER_THREAD = 15
KILL_AFTER = 12  # acknowledged registrations before the kill
LOAD_AND_TOKEN = (
    "from django.core.management import call_command; "
    "from violeta.catalogs.services import catalogs_load; catalogs_load(); "
    "from violeta.agencies.services import agencies_load; agencies_load(); "
    "call_command('api_token', 'create', '--agency', 'SEMUJERES', '--name', 'CAD faults', "
    "'--role', 'operator', '--scopes', 'records:read,records:write')"
)
GIVEN = ("Guadalupe", "María José", "Rosa", "Ana Laura", "Itzel", "Juana", "Sofía", "Carmen")
SURNAMES = ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Ramírez", "Soto")


@dataclass
class Call:
    folio: str
    body: dict[str, Any]
    key: str | None  # Idempotency-Key (half the clients send one, half rely on the folio)
    status: int | None = None  # the answer's status, None while no answer was received
    answer: dict[str, Any] = field(default_factory=dict)
    lost: str = ""  # why no answer came (the exception's name)
    replayed: bool = False


def _record(thread: int, n: int) -> dict[str, Any]:
    i = thread * PER_THREAD + n
    return canonical_record(
        agency_record_id=f"FLT-{thread}-{n:03d}",
        narrative=f"Registro sintético {thread}-{n} para la prueba de fallas.",
        victim={
            "given_names": GIVEN[i % len(GIVEN)],
            "first_surname": SURNAMES[i % len(SURNAMES)],
            "second_surname": SURNAMES[(i // len(SURNAMES)) % len(SURNAMES)],
            "birth_date": f"19{70 + i % 30}-0{1 + i % 9}-1{i % 10}",
            "phone": f"55 {1000 + i:04d} {2000 + i:04d}",
        },
    )


def _send(base: str, token: str, call: Call, method: str = "POST", path: str = "") -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if call.key:
        headers["Idempotency-Key"] = call.key
    data = json.dumps(call.body).encode() if method == "POST" else None
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        base + (path or "/api/v1/records/"), data=data, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            call.status, call.answer = response.status, json.loads(response.read())
            call.replayed = response.headers.get("Idempotent-Replayed") == "true"
    except urllib.error.HTTPError as error:
        call.status, call.answer = error.code, json.loads(error.read() or b"{}")
    except (OSError, ValueError) as error:  # refused, reset, closed half-way, timed out
        call.status = None
        call.lost = type(getattr(error, "reason", None) or error).__name__


class Server:
    """``violeta serve`` in a process group of its own (gunicorn execs into this pid)."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.launch()
        self.wait()

    def launch(self) -> None:
        command = [sys.executable, "-m", "violeta.cli", "serve", "--no-collectstatic"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", "2"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                command, env=self.env, stdout=out, stderr=out, start_new_session=True
            )

    def wait(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                urllib.request.urlopen(f"{self.base}/api/v1/nothing", timeout=5)  # noqa: S310
            except urllib.error.HTTPError:
                return  # answering (a 404 problem): up
            except OSError:
                time.sleep(0.2)
        raise AssertionError("violeta serve did not answer within 60 s")

    def kill(self) -> None:
        """SIGKILL to the whole group: the gunicorn master and its workers, at once."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with faults.scratch_database(tmp_path, "faults_web") as url:
        yield url


def test_server_killed_mid_registration_loses_and_duplicates_nothing(
    tmp_path: Path, database: str
) -> None:
    env = faults.production_env(database, tmp_path / "data", VIOLETA_API_RATE="100000/min")
    faults.violeta("migrate", "--verbosity", "0", env=env)
    server = Server(env, faults.free_port(), tmp_path / "serve.log")
    server.launch()  # its workers boot while the catalogs, agencies and the token are loaded
    calls = [
        [
            Call(f"FLT-{t}-{n:03d}", _record(t, n), f"key-{t}-{n}" if t % 2 == 0 else None)
            for n in range(PER_THREAD)
        ]
        for t in range(THREADS)
    ]
    everything = [c for thread in calls for c in thread]
    try:
        loaded = faults.violeta("shell", "-c", LOAD_AND_TOKEN, env=env)
        token = loaded.strip().splitlines()[-1]
        assert token.startswith("vio_")
        server.wait()

        def client(mine: list[Call]) -> None:
            for call in mine:
                _send(server.base, token, call)

        threads = [threading.Thread(target=client, args=(mine,)) for mine in calls]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while sum(c.status == 201 for c in everything) < KILL_AFTER:
            assert time.monotonic() < deadline, [c.status for c in everything]
            time.sleep(0.01)
        server.kill()
        for thread in threads:
            thread.join(timeout=120)
        acknowledged = {c.folio: c.answer["id"] for c in everything if c.status == 201}
        unanswered = [c for c in everything if c.status is None]
        refused = [c for c in everything if c.status not in (None, 201)]
        assert not refused, [(c.folio, c.status, c.answer) for c in refused]
        assert len(acknowledged) >= KILL_AFTER and unanswered, "the kill came mid-run"
        # Requests on their way when the group died (reset, closed), not only refused later.
        assert any(c.lost != "ConnectionRefusedError" for c in unanswered), [
            c.lost for c in unanswered
        ]
        committed_unseen = set(faults.stored_ids(database)) & {c.folio for c in unanswered}

        server.start()
        for call in unanswered:  # as the agency's system does: send again what got no answer
            _send(server.base, token, call)
        for call in unanswered:
            if call.key is not None:  # its key replays the stored answer, or registers it now
                assert call.status == 201, (call.folio, call.status, call.answer)
                assert call.replayed == (call.folio in committed_unseen)
            else:  # by its folio alone: registered now (201), or the same record found (200)
                expected = 200 if call.folio in committed_unseen else 201
                assert call.status == expected, (call.folio, call.status, call.answer)
                assert call.answer["created"] == (expected == 201)
        stored = faults.stored_ids(database)
        assert sorted(stored) == sorted(c.folio for c in everything)  # each once, none lost
        ids = dict(faults.rows(database, "SELECT agency_record_id, id FROM records_agencyrecord"))
        assert {f: ids[f] for f in acknowledged} == acknowledged  # the ids they were told
        assert {c.folio: c.answer["id"] for c in everything} == ids  # retries' answers too
        assert faults.half_stored(database) == {}
        for call in everything:  # what is stored is what was sent, whole
            read = Call(call.folio, {}, None)
            _send(
                server.base, token, read, method="GET", path=f"/api/v1/records/{ids[call.folio]}/"
            )
            assert read.status == 200, read.answer
            sent, got = call.body, read.answer
            assert got["agency_record_id"] == call.folio and got["version"] == 1
            assert sorted(got["violence_types"]) == sorted(sent["violence_types"])
            assert got["narrative"] == sent["narrative"]
            for name in ("given_names", "first_surname", "birth_date", "phone"):
                assert got["victim"][name] == sent["victim"][name], (call.folio, name)
            assert got["aggressor"]["first_surname"] == sent["aggressor"]["first_surname"]
    finally:
        server.stop()
    verified = faults.audit_verify(env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "OK" in verified.stdout
