"""Sending one delivery over email or a signed webhook: network only, no database access.

These functions run in worker threads; they raise ``DeliveryError`` (or any exception) on
failure and the worker schedules a retry. Error texts carry the error's class or the HTTP
status, never the receiver's answer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

SIGNATURE_HEADER = "X-Violeta-Signature"
TIMESTAMP_HEADER = "X-Violeta-Timestamp"


class DeliveryError(Exception):
    """A delivery attempt failed; the message is safe to store (no personal data)."""


@dataclass(frozen=True)
class EmailJob:
    to: str
    subject: str
    body: str
    key: str


@dataclass(frozen=True)
class WebhookJob:
    url: str
    secret: str
    body: bytes
    key: str


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of ``timestamp + "." + body`` with the endpoint's secret, as ``sha256=<hex>``.

    A receiver recomputes it, compares in constant time and refuses old timestamps (replay).
    """
    message = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def send_webhook(job: WebhookJob) -> None:
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - URL set by an administrator, http(s) only
        job.url,
        data=job.body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(job.secret, timestamp, job.body),
            TIMESTAMP_HEADER: timestamp,
            "Idempotency-Key": job.key,
            "User-Agent": "Violeta-Webhook/1",
        },
    )
    if not job.url.startswith(("http://", "https://")):
        raise DeliveryError("not an http(s) URL")
    try:
        with urllib.request.urlopen(  # noqa: S310 - checked above
            request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        ) as response:
            status = response.status
            response.read(1024)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from None
    except TimeoutError:
        raise DeliveryError("timeout") from None
    except (OSError, ValueError) as error:  # refused, reset, garbage instead of HTTP…
        raise DeliveryError(type(error).__name__) from None
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")


def send_email(job: EmailJob) -> None:
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT)
    message = EmailMessage(
        subject=job.subject,
        body=job.body,
        to=[job.to],
        connection=connection,
        headers={"Message-ID": f"<{job.key}@violeta>", "Idempotency-Key": job.key},
    )
    try:
        message.send()
    except Exception as error:
        raise DeliveryError(f"SMTP {type(error).__name__}") from None


def webhook_body(*, key: str, payload: dict[str, object], created_at: str) -> bytes:
    document = {"id": key, "created_at": created_at, **payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
