"""Real receivers on loopback for the tests: an SMTP server and HTTP webhook receivers."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    messages: list[dict[str, Any]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            {"to": list(envelope.rcpt_tos), "content": envelope.content.decode("utf-8", "replace")}
        )
        return "250 Message accepted"


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@dataclass
class Receiver:
    """What a webhook receiver saw. ``mode``: ok, slow, garbage, hang, error, hold_first."""

    secret: str
    mode: str = "ok"
    requests: list[dict[str, Any]] = field(default_factory=list)
    processed: list[str] = field(default_factory=list)  # keys acted on (deduplicated)
    bad_signatures: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    got_request: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def verify(self, headers: Any, body: bytes) -> bool:
        timestamp = headers.get("X-Violeta-Timestamp", "")
        expected = (
            "sha256="
            + hmac.new(
                self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
        )
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
        given = headers.get("X-Violeta-Signature", "")
        return fresh and hmac.compare_digest(expected, given)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            key = self.headers.get("Idempotency-Key", "")
            with receiver.lock:
                first = key not in receiver.processed
                receiver.requests.append({"key": key, "body": json.loads(body)})
                if not receiver.verify(self.headers, body):
                    receiver.bad_signatures += 1
                elif first:
                    receiver.processed.append(key)
            receiver.got_request.set()
            if receiver.mode == "garbage":
                self.wfile.write(b"this is not HTTP at all\r\n\r\n")
                self.wfile.flush()
                self.close_connection = True
                return
            if receiver.mode == "slow":
                time.sleep(0.2)
            if receiver.mode == "hang" or (receiver.mode == "hold_first" and first):
                receiver.release.wait(60)
            status = 500 if receiver.mode == "error" else 200
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass

    return Handler


@contextmanager
def webhook_receiver(secret: str, mode: str = "ok") -> Iterator[Receiver]:
    receiver = Receiver(secret=secret, mode=mode)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()
