"""Sending a text through the WhatsApp Business Cloud API (the Graph API's /messages)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)


def whatsapp_enabled() -> bool:
    return bool(settings.VIOLETA_WHATSAPP_TOKEN and settings.VIOLETA_WHATSAPP_PHONE_NUMBER_ID)


def send_text(*, to: str, text: str) -> bool:
    """POST one text message to ``to`` (a WhatsApp id); True when the API accepted it.

    Failures are logged with the status code only: never the number nor the text.
    """
    if not whatsapp_enabled():
        logger.warning("whatsapp: not configured, message not sent")
        return False
    url = (
        f"{settings.VIOLETA_WHATSAPP_GRAPH_URL.rstrip('/')}/"
        f"{settings.VIOLETA_WHATSAPP_PHONE_NUMBER_ID}/messages"
    )
    if not url.startswith(("https://", "http://")):
        logger.warning("whatsapp: the Graph API URL must be http(s)")
        return False
    body = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"preview_url": False, "body": text[:4096]},
    }
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        url,
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={
            "Authorization": f"Bearer {settings.VIOLETA_WHATSAPP_TOKEN}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - checked above
            request, timeout=settings.VIOLETA_WHATSAPP_TIMEOUT_SECONDS
        ) as response:
            return 200 <= response.status < 300
    except urllib.error.HTTPError as error:
        logger.warning("whatsapp: the Graph API answered %s", error.code)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        logger.warning("whatsapp: could not reach the Graph API (%s)", type(error).__name__)
    return False
