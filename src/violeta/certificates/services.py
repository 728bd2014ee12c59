"""Issuing, verifying and revoking certificates of prior attention.

The certificate lists every attention in the woman's file across agencies (date, agency, kind
of record, types of violence), never a narrative, an address or anything about the aggressor.
It is issued at her request (she is entitled to her own data) or for a prosecutor's
investigation, and every issue, download, verification and revocation is audited.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from violeta.agencies.models import User
from violeta.agencies.roles import Capability
from violeta.audit.services import audit_log
from violeta.certificates import signing
from violeta.certificates.models import Certificate, Purpose
from violeta.people.models import Person, PersonKind
from violeta.people.services import person_in_use
from violeta.records.choices import PartyRole
from violeta.records.models import AgencyRecord

PROSECUTOR = "FGJ"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: read aloud safely
CODE_LENGTH = 16  # 16 symbols of 30: 78 bits, beyond guessing at any rate limit


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(text: str) -> str:
    raw = "".join(c for c in text.upper() if c.isalnum())
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def attentions_of(person: Person) -> list[dict[str, Any]]:
    """Every record of her file, oldest first: date, agency, kind, types of violence."""
    records = (
        AgencyRecord.objects.filter(parties__person=person, parties__role=PartyRole.VICTIM)
        .select_related("agency", "kind")
        .prefetch_related("violence_types")
        .order_by("occurred_at", "pk")
    )
    return [
        {
            "date": timezone.localtime(r.occurred_at).date().isoformat(),
            "agency": r.agency.name,
            "kind": str(r.kind.label),
            "violence": sorted(str(t.label) for t in r.violence_types.all()),
        }
        for r in records
    ]


@transaction.atomic
def certificate_issue(
    *,
    person: Person,
    actor: User,
    purpose: str,
    investigation: str = "",
    request: HttpRequest | None = None,
) -> Certificate:
    if not actor.can(Capability.ISSUE_CERTIFICATES) or actor.agency is None:
        raise PermissionDenied
    if person.kind != PersonKind.WOMAN:
        raise ValidationError(_("Certificates are issued for women's files only."))
    if purpose not in Purpose.values:
        raise ValidationError(_("Choose why the certificate is issued."))
    investigation = investigation.strip()
    if purpose == Purpose.INVESTIGATION:
        if actor.agency.code != PROSECUTOR:
            raise ValidationError(
                _("Only the prosecutor's office issues one for an investigation.")
            )
        if not investigation:
            raise ValidationError(_("Give the number of the investigation."))
    person = person_in_use(person)
    attentions = attentions_of(person)
    if not attentions:
        raise ValidationError(_("Her file has no attentions to certify."))
    issued_at = timezone.now()
    code = new_code()
    content = {
        "v": 1,
        "code": code,
        "issued_at": issued_at.isoformat(),
        "issuer": {"agency": actor.agency.name, "user": actor.username},
        "purpose": purpose,
        "investigation": investigation,
        "woman": {
            "name": " ".join(
                p for p in (person.given_names, person.first_surname, person.second_surname) if p
            ),
            "birth_date": person.birth_date.isoformat() if person.birth_date else "",
            "curp": person.curp,
        },
        "attentions": attentions,
    }
    certificate = Certificate.objects.create(
        code=code,
        person=person,
        agency=actor.agency,
        issued_by=actor,
        issued_at=issued_at,
        purpose=purpose,
        attentions=len(attentions),
        content=json.dumps(content, ensure_ascii=False),
        digest=signing.content_digest(content),
        signature=signing.sign(content),
    )
    audit_log(
        actor=actor,
        action="create",
        subject_type="certificate",
        subject_id=str(certificate.pk),
        request=request,
        details={"person": person.pk, "purpose": purpose, "attentions": len(attentions)},
    )
    return certificate


def content_of(certificate: Certificate) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(certificate.content)
    return data


def may_download(user: User, certificate: Certificate) -> bool:
    return user.can(Capability.ISSUE_CERTIFICATES) and user.agency_id == certificate.agency_id


def certificate_pdf(
    *, certificate: Certificate, actor: User, request: HttpRequest | None = None
) -> bytes:
    """The certificate as a PDF, in Spanish, from its signed content; the download is audited."""
    if not may_download(actor, certificate):
        raise PermissionDenied
    from weasyprint import HTML  # heavy: loaded only when a PDF is made

    context = {
        "c": content_of(certificate),
        "certificate": certificate,
        "fingerprint": signing.public_key_fingerprint(),
        "verify_url": request.build_absolute_uri("/constancias/verificar/") if request else "",
    }
    with translation.override("es-mx"):
        html = render_to_string("certificates/certificate_pdf.html", context)
    pdf = HTML(string=html).write_pdf()
    audit_log(
        actor=actor,
        action="export",
        subject_type="certificate",
        subject_id=str(certificate.pk),
        request=request,
        details={"person": certificate.person_id, "format": "pdf"},
    )
    assert isinstance(pdf, bytes)
    return pdf


@dataclass
class Verification:
    status: str  # authentic / revoked / tampered / unknown
    certificate: Certificate | None = None


def certificate_verify(*, code: str, request: HttpRequest | None = None) -> Verification:
    """What anyone with the code may learn: whether it is authentic, never whose it is."""
    found = Certificate.objects.select_related("agency").filter(code=normalize_code(code)).first()
    if found is None:
        result = Verification("unknown")
    elif not signing.verify(content_of(found), found.signature):
        result = Verification("tampered", found)
    elif found.revoked_at is not None:
        result = Verification("revoked", found)
    else:
        result = Verification("authentic", found)
    audit_log(
        actor=None,
        actor_label="public:verify",
        action="view",
        subject_type="certificate",
        subject_id=str(found.pk) if found else "-",
        request=request,
        details={"status": result.status},
    )
    return result


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, actor: User, reason: str, request: HttpRequest | None = None
) -> None:
    if not actor.can(Capability.REVOKE_CERTIFICATES) or actor.agency_id != certificate.agency_id:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Say why the certificate is revoked."))
    if certificate.revoked_at is not None:
        raise ValidationError(_("The certificate was already revoked."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = actor
    certificate.revoke_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_log(
        actor=actor,
        action="update",
        subject_type="certificate",
        subject_id=str(certificate.pk),
        request=request,
        reason=reason,
        details={"operation": "revoke"},
    )


def certificates_for(*, user: User, person: Person) -> list[Certificate]:
    """The certificates her file has from the user's agency (for the file page)."""
    if not user.can(Capability.ISSUE_CERTIFICATES) or user.agency_id is None:
        return []
    return list(Certificate.objects.filter(person=person, agency_id=user.agency_id))
