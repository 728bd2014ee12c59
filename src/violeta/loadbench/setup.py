"""What the load needs in the bench's database: the N records (the observatory bench's fill,
reused), a release of the observatory, staff with TOTP devices, API tokens, and what the users
will look at (women their agency attended, surnames to search, the public URLs)."""

from __future__ import annotations

import random
import secrets
from typing import Any

from cryptography.fernet import InvalidToken
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from violeta.agencies.models import Agency, User
from violeta.agencies.roles import Role
from violeta.alerts.models import Alert
from violeta.api.models import ApiClient
from violeta.api.services import client_create, token_create
from violeta.audit.selectors import audit_verify
from violeta.cases.models import CaseFollowUp
from violeta.catalogs.models import Alcaldia, ViolenceType
from violeta.observatory import services as observatory
from violeta.observatory.bench import public_urls
from violeta.observatory.bench_fill import fill
from violeta.observatory.models import CountState, Release
from violeta.observatory.selectors import current_release
from violeta.people.models import Person, PersonKind
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord, ReportedIdentity

FOLIO_PREFIXES = ("LOADF-", "LOADA-")  # the form's and the API's records of the load
OPERATOR_KINDS = {"C5": "emergency_call", "SSC": "police_intervention",
                  "SEMUJERES": "service_session", "FGJ": "complaint"}  # fmt: skip
API_KINDS = {"C5": "emergency_call", "SSC": "police_intervention", "SEMUJERES": "service_session"}
CASEWORKER_AGENCIES = ("SEMUJERES", "FGJ", "C5", "SSC")
WOMEN_PER_AGENCY = 500


def load_records() -> Q:
    return Q(agency_record_id__startswith=FOLIO_PREFIXES[0]) | Q(
        agency_record_id__startswith=FOLIO_PREFIXES[1]
    )


@transaction.atomic
def forget_load() -> int:
    """The records a load registered, and the women only they mention, removed: the database
    holds the fill's N records again (it is reused). The audit trail keeps its entries."""
    records = AgencyRecord.objects.filter(load_records())
    people = set(
        ReportedIdentity.objects.filter(record__in=records).values_list("person_id", flat=True)
    )
    removed, _ = records.delete()
    alone = Person.objects.filter(pk__in=people, mentions__isnull=True)
    Alert.objects.filter(person__in=alone).delete()
    CaseFollowUp.objects.filter(person__in=alone).delete()
    alone.delete()
    if removed:
        CountState.objects.all().delete()  # the next refresh counts from scratch
    return removed


def _our_keys() -> bool:
    """Whether this database was filled under this installation's keys: a name decrypts and
    the audit chain verifies (a database of another mode's keys is filled again)."""
    try:
        Person.objects.exclude(given_name_bidx="").order_by("pk").first()
    except InvalidToken:
        return False
    return audit_verify().ok


def prepare(records: int, *, seed: int, users: int, say: Any) -> dict[str, Any]:
    """Fill (once), refresh the observatory (once), and the run's accounts and targets."""
    if not _our_keys():
        say("the database was filled under other keys: filled again")
        call_command("flush", interactive=False, verbosity=0)
    forget_load()
    filled = fill(records, seed=seed)
    say(f"fill: {AgencyRecord.objects.count():,} records, " + (
        f"{filled:.1f} s" if filled else "reused"))  # fmt: skip
    release = current_release()
    if release is None:
        observatory.observatory_refresh()
        release = current_release()
        assert release is not None, "the observatory published no release"
    password = secrets.token_urlsafe(16)
    rng = random.Random(seed)
    config: dict[str, Any] = {
        "run": timezone.now().strftime("%Y%m%d%H%M%S"),
        "password": password,
        "staff": {
            "operator": _staff(Role.OPERATOR, list(OPERATOR_KINDS), users, password),
            "caseworker": _staff(Role.CASEWORKER, list(CASEWORKER_AGENCIES), users, password),
        },
        "api": _tokens(),
        "women": {a: _women(a, rng) for a in CASEWORKER_AGENCIES},
        "search": _names(rng),
        "alcaldias": list(Alcaldia.objects.values_list("inegi_code", flat=True)),
        "violence_types": list(
            ViolenceType.objects.filter(active=True).values_list("code", flat=True)
        ),
        "observatory": _observatory(release),
        "utc_offset_hours": _utc_offset_hours(),
    }
    for account in config["staff"]["operator"]:
        account["kind"] = OPERATOR_KINDS[account["agency"]]
    return config


def _utc_offset_hours() -> float:
    """The server's time zone now (the form's date and time are local)."""
    offset = timezone.localtime().utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def _staff(role: Role, agencies: list[str], count: int, password: str) -> list[dict[str, Any]]:
    """``count`` accounts of ``role`` (``load.<agency>.<role>.<n>``, agencies in turn), made once
    and reused; this run's password (hashed once for all) and a fresh TOTP state."""
    wanted = {f"load.{agencies[n % len(agencies)].lower()}.{role.value}.{n}": agencies[n % len(
        agencies)] for n in range(count)}  # fmt: skip
    by_code = {a.code: a for a in Agency.objects.filter(code__in=agencies)}
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    hashed = make_password(password)
    User.objects.bulk_create(
        User(username=name, role=role, agency=by_code[code], password=hashed)
        for name, code in wanted.items()
        if name not in existing
    )
    staff = User.objects.filter(username__in=wanted)
    staff.update(password=hashed, is_active=True)
    with_device = set(TOTPDevice.objects.filter(user__in=staff).values_list("user_id", flat=True))
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=u, name="default", confirmed=True) for u in staff if u.pk not in with_device
    )
    devices = TOTPDevice.objects.filter(user__in=staff)
    devices.update(last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None)
    return [
        {
            "username": d.user.username,
            "agency": wanted[d.user.username],
            "device": {"key": d.key, "step": d.step, "t0": d.t0, "digits": d.digits},
        }
        for d in devices.select_related("user").order_by("user__username")
    ]


def _tokens() -> list[dict[str, Any]]:
    """One client per agency system (made once), a token of a day for this run."""
    found = []
    for code, kind in API_KINDS.items():
        agency = Agency.objects.get(code=code)
        client = ApiClient.objects.filter(agency=agency, name="Prueba de carga").first()
        if client is None:
            client = client_create(agency=agency, name="Prueba de carga", role=Role.OPERATOR)
        issued = token_create(client=client, scopes=["records:write"], days=1)
        found.append({"agency": code, "kind": kind, "token": issued.secret})
    return found


def _women(agency: str, rng: random.Random) -> list[int]:
    """Women the agency attended (victims of its records), a sample."""
    victims = ReportedIdentity.objects.filter(
        role=PartyRole.VICTIM, record__agency__code=agency, person__merged_into=None
    )
    ids = list(victims.values_list("person_id", flat=True)[: WOMEN_PER_AGENCY * 20])
    return rng.sample(sorted(set(ids)), min(WOMEN_PER_AGENCY, len(set(ids))))


def _names(rng: random.Random) -> list[dict[str, str]]:
    """Surnames and given names of women on file (the templates: copies carry no names)."""
    women = Person.objects.filter(kind=PersonKind.WOMAN, merged_into=None).exclude(
        first_surname_bidx=""
    )
    found = []
    for person in women.order_by("pk")[:400]:
        if person.first_surname and person.given_names:
            given = person.given_names.split()[0]
            found.append({"first_surname": person.first_surname, "given_names": given})
    rng.shuffle(found)
    return found[:200] or [{"first_surname": "Hernandez", "given_names": "Maria"}]


def _observatory(release: Release) -> dict[str, Any]:
    urls = public_urls(release)
    home = urls[0]
    return {
        "home": home,
        "filtered": [u for u in urls if u.startswith(f"{home}?")],
        "downloads": [u for u in urls if u != home and not u.startswith(f"{home}?")],
    }
