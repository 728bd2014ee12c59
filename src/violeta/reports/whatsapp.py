"""The WhatsApp Business Cloud API webhook: verification, signature, de-duplication.

GET answers Meta's verification handshake. POST must carry ``X-Hub-Signature-256``, the
HMAC-SHA256 of the raw body with the app secret; anything else is refused (403, audited,
nothing of the body logged). Each text message goes to :mod:`violeta.reports.bot` once: a
message id already seen is skipped (WhatsApp retries deliveries).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from violeta.audit.models import Action
from violeta.audit.services import audit_log
from violeta.reports import bot, graph
from violeta.reports.models import InboundMessage

logger = logging.getLogger(__name__)


def signature_valid(body: bytes, header: str) -> bool:
    secret = settings.VIOLETA_WHATSAPP_APP_SECRET
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def text_messages(payload: Any) -> Iterator[tuple[str, str, str]]:
    """(message id, sender's WhatsApp id, text) of each message in a webhook payload.

    Messages that are not text come with an empty text; malformed parts are skipped.
    """
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes or []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            for message in value.get("messages") or []:
                if not isinstance(message, dict):
                    continue
                message_id, sender = str(message.get("id", "")), str(message.get("from", ""))
                if not message_id or not sender.isdigit():
                    continue
                text = message.get("text") if message.get("type") == "text" else None
                body = text.get("body", "") if isinstance(text, dict) else ""
                yield message_id[:200], sender, str(body)


def _process(request: HttpRequest, message_id: str, sender: str, text: str) -> str:
    """The reply to one message, or "" for a message already processed (or one that failed).

    The message id is stored in the same transaction as what the message changed: a retry of
    a message that failed half-way is processed again, one that succeeded is skipped.
    """
    try:
        with transaction.atomic():
            InboundMessage.objects.create(message_id=message_id)
            return bot.handle(sender=sender, text=text, request=request)
    except IntegrityError:
        return ""
    except Exception as error:  # never a 500 to WhatsApp: log the kind, not the content
        logger.error("whatsapp message not processed: %s", type(error).__name__)
        return ""


def _refuse(request: HttpRequest, why: str) -> HttpResponse:
    audit_log(
        actor=None,
        actor_label="whatsapp",
        action=Action.LOGIN_FAILED,
        subject_type="whatsapp_webhook",
        subject_id="-",
        request=request,
        details={"refused": why},
    )
    logger.warning("whatsapp webhook refused: %s", why)
    return HttpResponseForbidden("forbidden", content_type="text/plain")


def _verify(request: HttpRequest) -> HttpResponse:
    token = settings.VIOLETA_WHATSAPP_VERIFY_TOKEN
    given = request.GET.get("hub.verify_token", "")
    if (
        request.GET.get("hub.mode") == "subscribe"
        and token
        and hmac.compare_digest(token.encode(), given.encode())
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return _refuse(request, "verify_token")


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    if not signature_valid(request.body, request.headers.get("X-Hub-Signature-256", "")):
        return _refuse(request, "signature")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponse("bad json", status=400, content_type="text/plain")
    replies: list[tuple[str, str]] = []
    for message_id, sender, text in text_messages(payload):
        replies.append((sender, _process(request, message_id, sender, text)))
    for sender, reply in replies:  # after every write committed
        if reply:
            graph.send_text(to=sender, text=reply)
    return HttpResponse("ok", content_type="text/plain")
