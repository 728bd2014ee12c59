"""The load bench's people, for Locust (no Django here: this runs in the load's own process).

Four kinds of user, in these proportions (``weight``):

* ``Operator`` (2): an agency's operator registers a new woman's record through the form: GET
  the form, POST it with a folio of the bench's own (``LOADF-…``); when the form shows likely
  candidates she answers "none of them" (a second POST), as operators do. A quarter of the
  police's and the prosecutor's records report a protection order's breach: an alarm, which
  ``violeta worker`` delivers to the inboxes while the load goes on.
* ``Caseworker`` (3): searches women by surname (``POST /buscar/``) and opens the file of a woman
  her agency attended (``GET /personas/<id>/``), twice as often as she searches.
* ``Public`` (4): the public observatory, without filters, with filters (period, alcaldía,
  type) and its downloads (each table's CSV, the open data).
* ``Agency`` (1): an agency's system posting records to ``POST /api/v1/records/`` with its
  bearer token (folios ``LOADA-…``).

Staff log in once each, as a browser does: the login form (password), then the TOTP code computed
from their device's key; the session and CSRF cookies are kept, and every POST carries the form's
``csrfmiddlewaretoken``. Everyone waits 0.5 to 1.5 s between actions (a real person waits
longer: one simulated user stands for several real ones).

``configure()`` is called by ``driver.py`` with the setup's JSON before the users start.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from typing import Any

from django_otp.oath import totp
from locust import HttpUser, between, task

from violeta.loadbench.report import (
    API_RECORD,
    DOWNLOAD,
    FILTERED,
    LOGIN,
    OBSERVATORY,
    PERSON_FILE,
    REGISTER_FORM,
    REGISTER_SAVE,
    SEARCH,
)

CONFIG: dict[str, Any] = {}
POOLS: dict[str, list[dict[str, Any]]] = {}
REGISTERED: dict[str, list[str]] = {"form": [], "api": []}  # folios answered 2xx / 302
LOGGING_IN = [0]  # staff between their first request and their session
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMEOUT = 60.0
BREACH_KINDS, BREACH_SHARE = ("police_intervention", "complaint"), 0.25


def configure(config: dict[str, Any]) -> None:
    CONFIG.clear()
    CONFIG.update(config)
    POOLS.clear()
    for role in ("operator", "caseworker"):
        POOLS[role] = list(config["staff"][role])
    POOLS["api"] = list(config["api"])


def _csrf(html: str) -> str:
    found = CSRF_FIELD.search(html)
    return found.group(1) if found else ""


def _code(account: dict[str, Any]) -> str:
    device = account["device"]
    code = totp(bytes.fromhex(device["key"]), device["step"], device["t0"], device["digits"])
    return f"{code:0{device['digits']}d}"


def _now_local() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(hours=CONFIG.get("utc_offset_hours", -6))


def _identity(rng: random.Random) -> dict[str, str]:
    """A new synthetic woman: names no template has, so the look-up rarely finds candidates."""
    tag = uuid.uuid4().hex[:8]
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in tag)
    return {
        "given_names": f"Carga {letters.capitalize()}",
        "first_surname": f"Prueba{letters[:5]}",
        "second_surname": rng.choice(["Lopez", "Garcia", "Hernandez", "Martinez", "Ruiz"]),
        "birth_date": str(dt.date(rng.randint(1960, 2005), rng.randint(1, 12), rng.randint(1, 28))),
    }


class Staff(HttpUser):
    """A staff member with her own account (a TOTP code is accepted once per account)."""

    abstract = True
    role = ""
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.headers["Accept-Language"] = "es-MX"
        self.rng = random.Random()
        self.account = POOLS[self.role].pop()
        LOGGING_IN[0] += 1
        try:
            self.login()
        finally:
            LOGGING_IN[0] -= 1

    def login(self) -> None:
        page = self.client.get("/cuenta/entrar/", name=LOGIN, timeout=TIMEOUT)
        data = {"username": self.account["username"], "password": CONFIG["password"]}
        data["csrfmiddlewaretoken"] = _csrf(page.text)
        with self.client.post(
            "/cuenta/entrar/", data=data, name=LOGIN, timeout=TIMEOUT, catch_response=True
        ) as answer:
            if "/cuenta/verificar/" not in answer.url:
                answer.failure(f"password step ended at {answer.url}")
                return
            token = {"token": _code(self.account), "csrfmiddlewaretoken": _csrf(answer.text)}
        with self.client.post(
            "/cuenta/verificar/", data=token, name=LOGIN, timeout=TIMEOUT, catch_response=True
        ) as answer:
            if answer.url.rstrip("/").endswith("/cuenta/verificar"):
                answer.failure("the TOTP code was refused")

    def post_form(self, path: str, page_html: str, data: dict[str, Any], name: str) -> Any:
        data = {**data, "csrfmiddlewaretoken": _csrf(page_html)}
        return self.client.post(path, data=data, name=name, timeout=TIMEOUT, catch_response=True)


class Operator(Staff):
    weight = 2
    role = "operator"

    @task
    def register(self) -> None:
        page = self.client.get("/registros/nuevo/", name=REGISTER_FORM, timeout=TIMEOUT)
        if page.status_code != 200:
            return
        folio = f"LOADF-{CONFIG['run']}-{uuid.uuid4().hex[:12]}"
        when = _now_local() - dt.timedelta(minutes=self.rng.randint(5, 600))
        victim = _identity(self.rng)
        data: dict[str, Any] = {
            "kind": self.account["kind"],
            "agency_record_id": folio,
            "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
            "alcaldia": self.rng.choice(CONFIG["alcaldias"]),
            "violence_types": self.rng.sample(CONFIG["violence_types"], 2),
            "narrative": "Registro sintético de la prueba de carga.",
            **{f"victim_{k}": v for k, v in victim.items()},
            "victim_phone": f"55{self.rng.randint(10_000_000, 99_999_999)}",
        }
        if data["kind"] in BREACH_KINDS and self.rng.random() < BREACH_SHARE:
            data["details_event"] = "order_breach"  # raises an alarm: the worker delivers it
        with self.post_form("/registros/nuevo/", page.text, data, REGISTER_SAVE) as answer:
            if 'name="match"' in answer.text and "/personas/" not in answer.url:
                answer.success()  # candidates shown: she says "none of them" and saves
                data["match"] = "none"
                with self.post_form("/registros/nuevo/", answer.text, data, REGISTER_SAVE) as again:
                    self._saved(again, folio)
            else:
                self._saved(answer, folio)

    @staticmethod
    def _saved(answer: Any, folio: str) -> None:
        if answer.ok and "/personas/" in answer.url and answer.history:
            REGISTERED["form"].append(folio)
        else:
            answer.failure(f"not saved ({answer.status_code}, {answer.url})")


class Caseworker(Staff):
    weight = 3
    role = "caseworker"

    @task(1)
    def search(self) -> None:
        page = self.client.get("/buscar/", name=SEARCH, timeout=TIMEOUT)
        if page.status_code != 200:
            return
        who = self.rng.choice(CONFIG["search"])
        data = {"first_surname": who["first_surname"], "given_names": who["given_names"]}
        with self.post_form("/buscar/", page.text, data, SEARCH) as answer:
            if answer.status_code != 200:
                answer.failure(f"search answered {answer.status_code}")

    @task(2)
    def open_file(self) -> None:
        person = self.rng.choice(CONFIG["women"][self.account["agency"]])
        self.client.get(f"/personas/{person}/", name=PERSON_FILE, timeout=TIMEOUT)


class Public(HttpUser):
    weight = 4
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.client.headers["Accept-Language"] = "es-MX"
        self.rng = random.Random()

    @task(3)
    def home(self) -> None:
        self.client.get(CONFIG["observatory"]["home"], name=OBSERVATORY, timeout=TIMEOUT)

    @task(3)
    def filtered(self) -> None:
        url = self.rng.choice(CONFIG["observatory"]["filtered"])
        self.client.get(url, name=FILTERED, timeout=TIMEOUT)

    @task(1)
    def download(self) -> None:
        url = self.rng.choice(CONFIG["observatory"]["downloads"])
        self.client.get(url, name=DOWNLOAD, timeout=TIMEOUT)


class Agency(HttpUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.rng = random.Random()
        self.account = self.rng.choice(POOLS["api"])
        self.client.headers["Authorization"] = f"Bearer {self.account['token']}"

    @task
    def post_record(self) -> None:
        folio = f"LOADA-{CONFIG['run']}-{uuid.uuid4().hex[:12]}"
        when = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=self.rng.randint(5, 600))
        body = {
            "agency_record_id": folio,
            "kind": self.account["kind"],
            "occurred_at": when.isoformat(timespec="seconds"),
            "alcaldia": self.rng.choice(CONFIG["alcaldias"]),
            "violence_types": self.rng.sample(CONFIG["violence_types"], 2),
            "narrative": "Registro sintético de la prueba de carga (API).",
            "victim": {**_identity(self.rng), "alcaldia": self.rng.choice(CONFIG["alcaldias"])},
        }
        with self.client.post(
            "/api/v1/records/", json=body, name=API_RECORD, timeout=TIMEOUT, catch_response=True
        ) as answer:
            if answer.status_code == 201:
                REGISTERED["api"].append(folio)
            else:
                answer.failure(f"API answered {answer.status_code}")
