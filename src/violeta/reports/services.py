"""Writes of the public reporting channel: each in one transaction with its audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from violeta.agencies.models import Agency, User
from violeta.audit.models import Action
from violeta.audit.services import audit_log
from violeta.catalogs.models import Alcaldia, ViolenceType
from violeta.core.conflicts import EditConflict
from violeta.reports import credentials, graph
from violeta.reports.choices import TRANSITIONS, Author, Channel, Delivery, Status
from violeta.reports.models import Conversation, PublicReport, ReportMessage, StatusChange
from violeta.reports.routing import report_route

SUBJECT = "public_report"


@dataclass(frozen=True)
class Created:
    report: PublicReport
    secret: str  # shown once to the reporter, never stored in clear


def _audit_reporter(
    report: PublicReport,
    *,
    channel: str,
    action: Action,
    request: HttpRequest | None,
    details: dict[str, Any],
) -> None:
    """An audit entry for what the (anonymous) reporter did, labelled by her channel."""
    audit_log(
        actor=None,
        actor_label=f"public:{channel}",
        action=action,
        subject_type=SUBJECT,
        subject_id=report.pk,
        request=request,
        details=details,
    )


def report_create(
    *,
    reporter_role: str,
    description: str,
    channel: str,
    violence_types: Sequence[ViolenceType] = (),
    alcaldia: Alcaldia | None = None,
    immediate_danger: bool = False,
    anonymous: bool = True,
    contact: str = "",
    request: HttpRequest | None = None,
) -> Created:
    """Store a report from the public, routed to its agency; return it and its secret."""
    route = report_route(
        type_codes=[t.code for t in violence_types],
        alcaldia_code=alcaldia.inegi_code if alcaldia else "",
        immediate_danger=immediate_danger,
    )
    agency = Agency.objects.get(code=route.agency_code)
    secret = credentials.new_secret()
    with transaction.atomic():
        report = PublicReport.objects.create(
            folio=f"tmp-{uuid.uuid4().hex[:16]}",
            secret_hash=credentials.hash_secret(secret),
            reporter_role=reporter_role,
            anonymous=anonymous,
            contact="" if anonymous else contact,
            alcaldia=alcaldia,
            immediate_danger=immediate_danger,
            description=description,
            agency=agency,
            routing_reason=route.reason,
            first_channel=channel,
            last_channel=channel,
            channels=[channel],
        )
        report.folio = credentials.folio_for(report.pk)
        report.save(update_fields=["folio"])
        report.violence_types.set(violence_types)
        StatusChange.objects.create(report=report, to_status=Status.RECEIVED)
        _audit_reporter(
            report,
            channel=channel,
            action=Action.CREATE,
            request=request,
            details={"channel": channel, "agency": agency.code, "reason": route.reason},
        )
    return Created(report=report, secret=secret)


def _use_channel(report: PublicReport, channel: str) -> None:
    report.last_channel = channel
    if channel not in report.channels:
        report.channels = [*report.channels, channel]
    report.save(update_fields=["last_channel", "channels", "updated_at"])


def report_add_information(
    *, report: PublicReport, text: str, channel: str, request: HttpRequest | None = None
) -> ReportMessage:
    """The reporter adds information (from the follow-up page or WhatsApp)."""
    if report.status == Status.CLOSED:
        raise ValidationError(
            _("Report %(folio)s is closed: make a new report to tell something new.")
            % {"folio": report.folio}
        )
    with transaction.atomic():
        message = ReportMessage.objects.create(
            report=report, author=Author.REPORTER, channel=channel, text=text
        )
        _use_channel(report, channel)
        _audit_reporter(
            report,
            channel=channel,
            action=Action.UPDATE,
            request=request,
            details={"message": message.pk, "channel": channel},
        )
    return message


def report_opened(
    *, report: PublicReport, channel: str, request: HttpRequest | None = None
) -> None:
    """The reporter opened her report with its folio and secret (audited like any read)."""
    _audit_reporter(
        report, channel=channel, action=Action.VIEW, request=request, details={"view": "followup"}
    )


def report_link_channel(
    *, report: PublicReport, channel: str, request: HttpRequest | None = None
) -> None:
    """The reporter continues her report in another channel (folio and secret checked)."""
    with transaction.atomic():
        _use_channel(report, channel)
        _audit_reporter(
            report,
            channel=channel,
            action=Action.UPDATE,
            request=request,
            details={"linked_channel": channel},
        )


def report_change_status(
    *,
    report: PublicReport,
    actor: User,
    status: str,
    seen: str | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Move the report along received → assigned → in attention → closed. ``seen``: the
    status the person was looking at; if someone moved the report since, EditConflict."""
    with transaction.atomic():
        locked = PublicReport.objects.select_for_update().get(pk=report.pk)
        if seen is not None and seen != locked.status:
            raise EditConflict(
                _(
                    "Someone else changed this report to “%(now)s” meanwhile; nothing was "
                    "changed. Look at it again and choose the next status."
                )
                % {"now": Status(locked.status).label},
                current=locked.status,
            )
        if status not in TRANSITIONS.get(locked.status, frozenset()):
            raise ValidationError(
                _("A report cannot go from “%(old)s” to “%(new)s”.")
                % {"old": Status(locked.status).label, "new": Status(status).label}
                if status in Status.values
                else _("Unknown status.")
            )
        report.status, report.assigned_to_id = locked.status, locked.assigned_to_id
        old = report.status
        report.status = status
        fields = ["status", "updated_at"]
        if status == Status.ASSIGNED:
            report.assigned_to = actor
            fields.append("assigned_to")
        report.save(update_fields=fields)
        StatusChange.objects.create(report=report, from_status=old, to_status=status, actor=actor)
        audit_log(
            actor=actor,
            action=Action.UPDATE,
            subject_type=SUBJECT,
            subject_id=report.pk,
            request=request,
            details={"from": old, "to": status},
        )


def _conversation_of(report: PublicReport) -> Conversation | None:
    return Conversation.objects.filter(report=report).order_by("-updated_at").first()


def report_answer(
    *, report: PublicReport, actor: User, text: str, request: HttpRequest | None = None
) -> ReportMessage:
    """Answer the reporter through the channel she used last (web page or WhatsApp)."""
    if report.status == Status.CLOSED:
        raise ValidationError(_("The report is closed."))
    channel = report.last_channel
    conversation = _conversation_of(report) if channel == Channel.WHATSAPP else None
    if channel == Channel.WHATSAPP and conversation is None:
        channel = Channel.WEB
    with transaction.atomic():
        message = ReportMessage.objects.create(
            report=report,
            author=Author.STAFF,
            staff=actor,
            channel=channel,
            text=text,
            delivery=Delivery.SHOWN if channel == Channel.WEB else "",
        )
        audit_log(
            actor=actor,
            action=Action.UPDATE,
            subject_type=SUBJECT,
            subject_id=report.pk,
            request=request,
            details={"message": message.pk, "channel": channel, "answer": True},
        )
    if conversation is not None:
        with translation.override("es-mx"):
            body = _("Answer about your report %(folio)s: %(text)s") % {
                "folio": report.folio,
                "text": text,
            }
        sent = graph.send_text(to=conversation.phone, text=body)
        message.delivery = Delivery.SENT if sent else Delivery.FAILED
        message.save(update_fields=["delivery"])
    return message
