"""The WhatsApp conversation: start a report in a few questions, or continue one.

A new sender is asked who reports, the alcaldía, whether someone is in danger now and what
happened; then the report is created and she gets its folio and secret. ``FOLIO <folio>
<secret>`` at any point joins the conversation to an existing report (one started on the web
page, say): later messages are added to it and the agency's answers arrive here. Replies are
in Spanish. The sender's number is stored encrypted and found by a blind index.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from violeta.catalogs.models import Alcaldia
from violeta.core import crypto
from violeta.reports import credentials, services
from violeta.reports.choices import DESCRIPTION_MAX, MESSAGE_MAX, Channel, ReporterRole, Status
from violeta.reports.models import Conversation

FOLIO_COMMAND = re.compile(r"^\s*FOLIO\s+(\S+)\s+(.+?)\s*$", re.IGNORECASE)
ASK_ROLE, ASK_ALCALDIA, ASK_DANGER, ASK_WHAT, LINKED = (
    "ask_role",
    "ask_alcaldia",
    "ask_danger",
    "ask_what",
    "linked",
)
FOLIO_ATTEMPTS = 5  # per sender and rate window


def phone_index(sender: str) -> str:
    return crypto.blind_index("".join(c for c in sender if c.isdigit()), purpose="whatsapp")


def _alcaldias() -> list[Alcaldia]:
    return list(Alcaldia.objects.order_by("inegi_code"))


def _ask_role() -> str:
    return _(
        "Hello, this is the violence report line. If you are in danger right now, call 911. "
        "Who is reporting? Answer 1 if you live the violence, 2 if you are a witness. "
        "To continue a report you already have, write: FOLIO <folio> <secret key>."
    )


def _ask_alcaldia() -> str:
    places = "\n".join(f"{n}. {a.name}" for n, a in enumerate(_alcaldias(), start=1))
    return _("In which alcaldía does it happen? Answer with the number (0 if you don't know):") + (
        "\n" + places
    )


def _ask_danger() -> str:
    return _("Is someone in danger right now? Answer 1 for yes, 2 for no.")


def _ask_what() -> str:
    return _("Tell us what happened, in one message (at most %(n)d characters).") % {
        "n": DESCRIPTION_MAX
    }


def _folio(conversation: Conversation, folio: str, secret: str, request: HttpRequest | None) -> str:
    key = f"reports:wa-folio:{conversation.phone_index}"
    attempts = cache.get_or_set(key, 0, settings.VIOLETA_REPORTS_RATE_WINDOW_SECONDS) or 0
    if attempts >= FOLIO_ATTEMPTS:
        return _("Too many attempts. Wait a few minutes and try again.")
    report = credentials.report_by_credentials(folio=folio, secret=secret)
    if report is None:
        cache.set(key, attempts + 1, settings.VIOLETA_REPORTS_RATE_WINDOW_SECONDS)
        return _("The folio or the secret key is not right. Check both.")
    services.report_link_channel(report=report, channel=Channel.WHATSAPP, request=request)
    conversation.report, conversation.state, conversation.answers = report, LINKED, {}
    conversation.save()
    return _(
        "You are now following report %(folio)s (status: %(status)s). Write here to add "
        "information; the agency's answers will arrive here."
    ) % {"folio": report.folio, "status": Status(report.status).label}


def _create(conversation: Conversation, text: str, request: HttpRequest | None) -> str:
    answers = conversation.answers
    alcaldia = Alcaldia.objects.filter(inegi_code=answers.get("alcaldia", "")).first()
    created = services.report_create(
        reporter_role=answers.get("role", ReporterRole.WOMAN),
        description=text,
        channel=Channel.WHATSAPP,
        alcaldia=alcaldia,
        immediate_danger=bool(answers.get("danger")),
        anonymous=True,
        request=request,
    )
    conversation.report, conversation.state, conversation.answers = created.report, LINKED, {}
    conversation.save()
    reply = _(
        "Your report was received. Folio: %(folio)s. Secret key: %(secret)s. Keep them: with "
        "them you can see its status at %(url)s or write here to add information."
    ) % {
        "folio": created.report.folio,
        "secret": created.secret,
        "url": f"{settings.SITE_URL}/denuncia/seguimiento/",
    }
    if created.report.immediate_danger:
        reply = _("If you are in danger right now, call 911.") + " " + reply
    return reply


def _step(conversation: Conversation, text: str, request: HttpRequest | None) -> str:
    state, answer = conversation.state, text.strip()
    if state == LINKED and conversation.report is not None:
        if len(answer) > MESSAGE_MAX:
            return _("Message: at most %(n)d characters. Please send it in parts.") % {
                "n": MESSAGE_MAX
            }
        if not answer:
            return _("Only text messages can be received here.")
        if conversation.report.status == Status.CLOSED:
            folio = conversation.report.folio
            conversation.report, conversation.state, conversation.answers = None, ASK_ROLE, {}
            conversation.save()
            return (
                _("Report %(folio)s is closed: make a new report to tell something new.")
                % {"folio": folio}
                + " "
                + _ask_role()
            )
        services.report_add_information(
            report=conversation.report, text=answer, channel=Channel.WHATSAPP, request=request
        )
        return _("Received: it was added to your report %(folio)s.") % {
            "folio": conversation.report.folio
        }
    if state == ASK_ROLE:
        roles = {"1": ReporterRole.WOMAN, "2": ReporterRole.WITNESS}
        if answer not in roles:
            return _ask_role()
        conversation.answers = {"role": roles[answer]}
        conversation.state = ASK_ALCALDIA
        conversation.save()
        return _ask_alcaldia()
    if state == ASK_ALCALDIA:
        places = _alcaldias()
        if not answer.isdigit() or not 0 <= int(answer) <= len(places):
            return _ask_alcaldia()
        code = places[int(answer) - 1].inegi_code if int(answer) else ""
        conversation.answers = {**conversation.answers, "alcaldia": code}
        conversation.state = ASK_DANGER
        conversation.save()
        return _ask_danger()
    if state == ASK_DANGER:
        if answer not in {"1", "2"}:
            return _ask_danger()
        conversation.answers = {**conversation.answers, "danger": answer == "1"}
        conversation.state = ASK_WHAT
        conversation.save()
        return _ask_what()
    if state == ASK_WHAT:
        if not answer:
            return _("Only text messages can be received here.") + " " + _ask_what()
        if len(answer) > DESCRIPTION_MAX:
            return _("What happened: at most %(n)d characters. Please shorten it.") % {
                "n": DESCRIPTION_MAX
            }
        return _create(conversation, answer, request)
    conversation.state, conversation.answers = ASK_ROLE, {}
    conversation.save()
    return _ask_role()


def handle(*, sender: str, text: str, request: HttpRequest | None = None) -> str:
    """Process one message from ``sender`` (a WhatsApp id); return the reply to send."""
    text = text.replace("\x00", "")
    index = phone_index(sender)
    conversation = Conversation.objects.select_for_update().filter(phone_index=index).first()
    with translation.override("es-mx"):
        if conversation is None:
            conversation = Conversation.objects.create(
                phone_index=index, phone=sender, state=ASK_ROLE
            )
            command = FOLIO_COMMAND.match(text)
            if command is None:
                return _ask_role()
            return _folio(conversation, command.group(1), command.group(2), request)
        command = FOLIO_COMMAND.match(text)
        if command:
            return _folio(conversation, command.group(1), command.group(2), request)
        return _step(conversation, text, request)
