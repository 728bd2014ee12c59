"""Writing the audit trail.

Every reading, search, creation, change, export and import of a person's data calls
:func:`audit_log` (or :func:`audit_log_many` for bulk jobs) **inside the same transaction as the
change**, so that the entry commits or rolls back with it.

``details`` holds identifiers and codes ONLY (primary keys, catalogue codes, agency codes,
counts, the *names* of the fields searched): never a person's name, phone, CURP, address,
date of birth or a narrative, nor the values typed into a search form. The trail is read by
auditors and kept for years; nothing in it may identify a woman by itself. This is not checked
at run time: each caller is responsible for it.

Appends are serialised so that two transactions never take the same ``seq``: on PostgreSQL
with a transaction-scoped advisory lock taken before reading the chain's head; on SQLite by
the database write lock (``transaction_mode = IMMEDIATE`` in the settings makes every
transaction take it at ``BEGIN``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from violeta.audit import chain
from violeta.audit.models import Action, AuditEntry

Actor = AbstractBaseUser | AnonymousUser | None
Details = Mapping[str, Any] | None

# pg_advisory_xact_lock key for appends ("VIOLETA1" in ASCII); any constant would do.
APPEND_LOCK_ID = 0x56494F4C45544131
BULK_BATCH_SIZE = 1000


# Entries held by audit_deferred() (None: append at once).
_held: ContextVar[list[dict[str, Any]] | None] = ContextVar("audit_held", default=None)


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Hold the block's audit entries and append them, in order, when it ends.

    Appends are serialised until commit (PostgreSQL's advisory lock). A registration that wrote
    its entry first and then evaluated the alert rules held that lock through the evaluation,
    and concurrent registrations queued behind it; deferred, the lock is held only from the end
    of the block to the commit. Use it inside the change's transaction (``record_register``):
    the entries still commit or roll back with it. If the block raises, nothing is appended.
    Nested blocks append with the outermost one.
    """
    if _held.get() is not None:
        yield
        return
    token = _held.set([])
    try:
        yield
        pending = _held.get() or []
    finally:
        _held.reset(token)
    if pending:
        _append(pending)


def _append(pending: list[dict[str, Any]]) -> list[AuditEntry]:
    with transaction.atomic(savepoint=False):
        _lock_chain()
        seq, prev_hash = _chain_head()
        entries = []
        for fields in pending:
            seq += 1
            entry = _new_entry(seq=seq, prev_hash=prev_hash, fields=fields)
            prev_hash = entry.hash
            entries.append(entry)
        if len(entries) == 1:
            entries[0].save()
        else:
            AuditEntry.objects.bulk_create(entries)
    return entries


def _lock_chain() -> None:
    """Serialise appends until the end of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPEND_LOCK_ID])


def _chain_head() -> tuple[int, str]:
    head = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return head if head is not None else (0, chain.GENESIS)


def _who(actor: Actor, actor_label: str | None) -> tuple[int | None, str, str]:
    """The actor's primary key, label and agency code at this moment."""
    if actor is None or not actor.is_authenticated:
        return None, actor_label or "system", ""
    agency = getattr(actor, "agency", None)
    return actor.pk, actor_label or actor.get_username(), getattr(agency, "code", "") or ""


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def _new_entry(*, seq: int, prev_hash: str, fields: dict[str, Any]) -> AuditEntry:
    fields = {**fields, "seq": seq, "details": chain.normalize_details(fields["details"])}
    digest = chain.entry_hash(settings.AUDIT_KEY, prev_hash, fields)
    return AuditEntry(**fields, prev_hash=prev_hash, hash=digest)


def audit_log(
    *,
    actor: Actor,
    action: Action | str,
    subject_type: str,
    subject_id: str | int,
    request: HttpRequest | None = None,
    reason: str = "",
    details: Details = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit trail and return it.

    ``actor`` is the user acting, or ``None`` for a system job (then pass ``actor_label``, e.g.
    ``"system:import"``). ``request`` gives the client's address. ``reason`` is the
    justification when the action requires one. ``details``: identifiers and codes only, never
    names, phones, CURPs, addresses or narratives (see the module's docstring).

    Call it inside the transaction of the change being audited; outside any transaction it
    opens its own. Inside :func:`audit_deferred` the entry is appended when that block ends
    (the returned entry is then not saved yet).
    """
    actor_id, label, agency_code = _who(actor, actor_label)
    fields = {
        "at": timezone.now(),
        "actor_id": actor_id,
        "actor_label": label,
        "agency_code": agency_code,
        "action": Action(action).value,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "ip": _client_ip(request),
        "reason": reason,
        "details": details,
    }
    held = _held.get()
    if held is not None:
        held.append(fields)
        return AuditEntry(**fields)
    return _append([fields])[0]


def audit_log_many(
    *,
    actor: Actor,
    action: Action | str,
    entries: Iterable[tuple[str, str | int, Details]],
    actor_label: str | None = None,
    request: HttpRequest | None = None,
    reason: str = "",
) -> int:
    """Append one entry per ``(subject_type, subject_id, details)``; return how many.

    For bulk jobs (imports): the chain is computed in Python under one lock and the entries
    are inserted with ``bulk_create`` in batches. Same rules for ``details`` as
    :func:`audit_log`. ``entries`` may be a generator.
    """
    actor_id, label, agency_code = _who(actor, actor_label)
    common = {
        "at": timezone.now(),
        "actor_id": actor_id,
        "actor_label": label,
        "agency_code": agency_code,
        "action": Action(action).value,
        "ip": _client_ip(request),
        "reason": reason,
    }
    written = 0
    with transaction.atomic(savepoint=False):
        _lock_chain()
        seq, prev_hash = _chain_head()
        batch: list[AuditEntry] = []
        for subject_type, subject_id, details in entries:
            seq += 1
            fields = {
                **common,
                "subject_type": subject_type,
                "subject_id": str(subject_id),
                "details": details,
            }
            entry = _new_entry(seq=seq, prev_hash=prev_hash, fields=fields)
            prev_hash = entry.hash
            batch.append(entry)
            if len(batch) >= BULK_BATCH_SIZE:
                AuditEntry.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        if batch:
            AuditEntry.objects.bulk_create(batch)
            written += len(batch)
    return written


# Sign-in events ------------------------------------------------------------------------------


def _on_logged_in(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kw: Any
) -> None:
    audit_log(
        actor=user,
        action=Action.LOGIN,
        subject_type="user",
        subject_id=user.pk,
        request=request,
        details={"factor": "password"},
    )


def _on_logged_out(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser | None, **kw: Any
) -> None:
    if user is None:  # logging out without a session
        return
    audit_log(
        actor=user, action=Action.LOGOUT, subject_type="user", subject_id=user.pk, request=request
    )


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    # The user name typed is not stored: it may be a mistyped password or someone's name.
    audit_log(
        actor=None,
        actor_label="anonymous",
        action=Action.LOGIN_FAILED,
        subject_type="user",
        subject_id="",
        request=request,
        details={"reason": "bad_credentials"},
    )


def audit_login_signals() -> None:
    """Audit sign-ins, sign-outs and failed sign-ins (called from the app's ``ready()``)."""
    user_logged_in.connect(_on_logged_in, dispatch_uid="violeta.audit.login")
    user_logged_out.connect(_on_logged_out, dispatch_uid="violeta.audit.logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="violeta.audit.login_failed")
