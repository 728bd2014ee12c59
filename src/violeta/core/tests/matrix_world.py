"""One object of each kind, all of OWNER's woman, for the access matrix (synthetic data only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD, shared_data
from violeta.agencies.models import Agency, User
from violeta.agencies.roles import Role
from violeta.agencies.services import totp_device_create, user_create
from violeta.alerts.models import Alert
from violeta.alerts.ruleset import active_ruleset
from violeta.api.services import client_create, token_create
from violeta.cases.models import CaseFollowUp
from violeta.certificates.services import certificate_issue
from violeta.core.tests.access_rules import AGENCIES, OTHER, OWNER, ROLES
from violeta.delivery.models import Delivery, InboxMessage, State
from violeta.intake.models import ImportJob
from violeta.linkage.models import LinkMethod, ReviewReason
from violeta.linkage.services import review_request
from violeta.observatory.services import observatory_refresh
from violeta.people.models import Person
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.records.services import record_register
from violeta.records.tests.factories import canonical_record
from violeta.records.validation import Catalogs, validate_record
from violeta.referrals.services import referral_create
from violeta.reports.models import PublicReport
from violeta.reports.services import report_create
from violeta.risk.tests.factories import completed, shipped
from violeta.safetyplan.services import safety_plan_create

# What no one outside OWNER may ever read, and what no one refused may read.
NARRATIVE = "NARRATIVA-SECRETA-MATRIZ"
NAME = "Itzayana"
SURNAME = "Quetzalmatriz"
# A small official public file (../shared/data/open/), for the observatory's official tables.
OFFICIAL = "sesnsp_911_violencia_familiar_estatal_2019_2020.csv"


@dataclass
class World:
    users: dict[tuple[str, str], User]
    unverified: User
    objects: dict[str, dict[str, Any]]
    woman: Person
    tokens: dict[tuple[str, str, str], str] = field(default_factory=dict)


def _register(record_id: str, agency: str, person: Person | None = None) -> AgencyRecord:
    kind = {"SEMUJERES": "service_session", "SEDESA": "medical_attention"}.get(agency, "")
    raw = canonical_record(
        agency_record_id=record_id,
        kind=kind or "service_session",
        narrative=f"{NARRATIVE} {record_id}",
        occurred_at=(timezone.localtime() - dt.timedelta(days=2))
        .replace(tzinfo=None, microsecond=0)
        .isoformat(),
        victim={"given_names": NAME, "first_surname": SURNAME, "phone": "55 0000 4321"},
    )
    data = validate_record(raw, agency=Agency.objects.get(code=agency), cats=Catalogs.load())
    outcome = record_register(
        actor=None, data=data, source=RecordSource.IMPORT, victim_person=person
    )
    return outcome.record


def _user(username: str, role: str, agency: str) -> User:
    user = user_create(
        username=username,
        password=TEST_PASSWORD,
        role=Role(role),
        agency=Agency.objects.get(code=agency),
    )
    totp_device_create(user=user)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return user


def build_world(*, api_tokens: bool = False) -> World:
    users = {
        (role, agency): _user(f"{agency.lower()}.{role}", role, agency)
        for agency in AGENCIES
        for role in ROLES
    }
    unverified = _user("semujeres.unverified", "supervisor", OWNER)
    caseworker = users[("caseworker", OWNER)]
    supervisor = users[("supervisor", OWNER)]
    sedesa = _user("sedesa.caseworker", "caseworker", "SEDESA")

    first = _register("SEM-M-1", OWNER)
    woman = first.parties.get(role=PartyRole.VICTIM).person
    second = _register("SEM-M-2", OWNER, person=woman)
    third = _register("SEM-M-3", OWNER, person=woman)
    identity = second.parties.get(role=PartyRole.VICTIM)
    pair = review_request(
        identity=identity, person=woman, probability=0.7, reason=ReviewReason.OPERATOR
    )
    assert pair is not None
    unlinked = third.parties.get(role=PartyRole.VICTIM)
    ReportedIdentity.objects.filter(pk=unlinked.pk).update(link_method=LinkMethod.UNLINKED)

    certificate = certificate_issue(person=woman, actor=caseworker, purpose="woman")
    referral_out = referral_create(
        actor=caseworker,
        person=woman,
        to_agency=Agency.objects.get(code="SEDESA"),
        service="medical",
        reason="Valoración médica",
        narrative=NARRATIVE,
        consent_given=True,
        consent_method="verbal",
        consent_scope=["identity", "attentions"],
    )
    _register("SED-M-1", "SEDESA", person=woman)
    referral_in = referral_create(
        actor=sedesa,
        person=woman,
        to_agency=Agency.objects.get(code=OWNER),
        service="legal",
        reason="Asesoría jurídica",
        narrative=NARRATIVE,
        consent_given=True,
        consent_method="verbal",
        consent_scope=["identity", "attentions"],
    )
    case, _new = CaseFollowUp.objects.get_or_create(
        person=woman,
        agency=Agency.objects.get(code=OWNER),
        defaults={"opened_at": timezone.now(), "last_activity_at": timezone.now()},
    )
    plan = safety_plan_create(woman, caseworker, "severe", {"strangulation"}, None)
    assessment = completed(woman, caseworker, shipped()["vpr"], yes=set())
    recipients = [users[(r, OWNER)] for r in ("operator", "caseworker", "supervisor")]
    alert = Alert.objects.create(
        person=woman,
        rule_code="matrix",
        ruleset=active_ruleset(),
        level="alerta",
        cause_key=f"matrix:{woman.pk}",
        deadline=timezone.now() + dt.timedelta(hours=4),
    )
    alert.recipients.set(recipients)
    delivery = Delivery.objects.create(
        channel="email",
        user=caseworker,
        kind="alert",
        subject_id=alert.pk,
        level="alerta",
        payload={"kind": "alert", "subject_id": alert.pk, "level": "alerta", "title": "Alerta",
                 "url": f"/alertas/{alert.pk}/"},
        state=State.PARKED,
        attempts=8,
        last_error="SMTP ConnectionRefusedError",
    )  # fmt: skip
    message = InboxMessage.objects.create(
        user=caseworker, level="alerta", title="Alerta", url=f"/alertas/{alert.pk}/"
    )
    created = report_create(
        reporter_role="woman", description=f"{NARRATIVE} reporte", channel="web"
    )
    PublicReport.objects.filter(pk=created.report.pk).update(agency=Agency.objects.get(code=OWNER))
    job = ImportJob.objects.create(
        agency=Agency.objects.get(code=OWNER),
        user=users[("operator", OWNER)],
        file_name="matriz.csv",
        stored_as="matriz.csv",
    )
    observatory_refresh(k=1)
    call_command(
        "observatory", "import-official", str(shared_data() / "open" / OFFICIAL), stdout=StringIO()
    )
    from violeta.lifecycle.services import arco_request_create

    arco = arco_request_create(
        actor=supervisor,
        person=woman,
        kind="access",
        folio="ARCO-M-1",
        received_on=timezone.localdate(),
        summary="Solicitud de acceso",
    )
    objects: dict[str, dict[str, Any]] = {
        "woman": {"person_id": woman.pk},
        "identity": {"identity_id": identity.pk},
        "unlinked": {"identity_id": unlinked.pk},
        "pair": {"pair_id": pair.pk},
        "certificate": {"code": certificate.code},
        "referral_in": {"pk": referral_in.pk},
        "referral_out": {"pk": referral_out.pk},
        "case": {"case_id": case.pk},
        "plan": {"plan_id": plan.pk},
        "plan_version": {"plan_id": plan.pk, "number": 1},
        "assessment": {"pk": assessment.pk},
        "alert": {"pk": alert.pk},
        "delivery": {"delivery_id": delivery.pk},
        "message": {"message_id": message.pk},
        "report": {"pk": created.report.pk},
        "job": {"job_id": job.pk},
        "table": {"slug": "age"},
        "official": {"source": "sesnsp-911"},
        "record_ref": {"ref": str(first.pk)},
        "arco": {"request_id": arco.pk},
    }
    world = World(users=users, unverified=unverified, objects=objects, woman=woman)
    if api_tokens:
        from violeta.api.models import SCOPES

        for agency in AGENCIES:
            for role in ("operator", "caseworker", "supervisor"):
                client = client_create(
                    agency=Agency.objects.get(code=agency), name=f"{agency} {role}", role=role
                )
                for scope in SCOPES:
                    world.tokens[(role, agency, scope)] = token_create(
                        client=client, scopes=[scope]
                    ).secret
    assert supervisor and OTHER
    return world
