"""Fixtures of the reports app: a clean rate-limit cache and a fake Graph API on loopback."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from django.core.cache import cache

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
ACCESS_TOKEN = "test-access-token"
PHONE_ID = "1234567890"


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@dataclass
class FakeGraph:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200

    def texts_to(self, to: str) -> list[str]:
        return [r["body"]["text"]["body"] for r in self.received if r["body"]["to"] == to]


@pytest.fixture
def graph(settings: Any) -> Iterator[FakeGraph]:
    """A real HTTP server in a thread that records what is POSTed to it, like Graph API."""
    fake = FakeGraph(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            fake.received.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization", ""),
                    "content_type": self.headers.get("Content-Type", ""),
                    "body": json.loads(self.rfile.read(length)),
                }
            )
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"messages": [{"id": "wamid.out"}]}')

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v21.0"
    settings.VIOLETA_WHATSAPP_GRAPH_URL = fake.url
    settings.VIOLETA_WHATSAPP_TOKEN = ACCESS_TOKEN
    settings.VIOLETA_WHATSAPP_PHONE_NUMBER_ID = PHONE_ID
    settings.VIOLETA_WHATSAPP_APP_SECRET = APP_SECRET
    settings.VIOLETA_WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    yield fake
    server.shutdown()
    server.server_close()


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wa_payload(sender: str, text: str, message_id: str) -> bytes:
    message = {"from": sender, "id": message_id, "timestamp": "1764561600", "type": "text"}
    message["text"] = {"body": text}  # type: ignore[assignment]
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5255000000", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": "X"}, "wa_id": sender}],
        "messages": [message],
    }
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(payload).encode()
