"""API clients and tokens: created, revoked, and a presented token checked. Each write audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from violeta.agencies.models import Agency, User
from violeta.agencies.roles import Role
from violeta.api.models import CLIENT_ROLES, SCOPES, ApiClient, ApiToken
from violeta.audit.services import audit_log

TOKEN_PREFIX = "vio"  # noqa: S105 — the tokens' visible marker, not a secret


def token_digest(token: str) -> str:
    """Tokens carry 256 bits of randomness: a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def scopes_clean(raw: str | list[str]) -> list[str]:
    scopes = [s.strip() for s in (raw.split(",") if isinstance(raw, str) else raw) if s.strip()]
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise ValidationError(
            _("Unknown or missing scopes: %(bad)s (known: %(known)s).")
            % {"bad": ", ".join(unknown) or "—", "known": ", ".join(SCOPES)}
        )
    return sorted(set(scopes))


@transaction.atomic
def client_create(*, agency: Agency, name: str, role: str, actor: User | None = None) -> ApiClient:
    """A client and its service user: same agency, the client's role, no usable password."""
    if role not in CLIENT_ROLES:
        raise ValidationError(
            _("An API client acts as one of: %(roles)s.")
            % {"roles": ", ".join(r.value for r in CLIENT_ROLES)}
        )
    if not name.strip():
        raise ValidationError(_("Give the client a name."))
    base = f"api.{agency.code.lower()}.{slugify(name)[:60] or 'client'}"
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    user = User(username=username, agency=agency, role=Role(role), first_name=name.strip()[:150])
    user.set_unusable_password()
    user.save()
    client = ApiClient.objects.create(agency=agency, name=name.strip(), role=role, user=user)
    audit_log(
        actor=actor,
        actor_label=None if actor else "system:api",
        action="admin",
        subject_type="api_client",
        subject_id=client.pk,
        details={"operation": "create", "agency": agency.code, "role": role},
    )
    return client


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole token, shown once and never stored


@transaction.atomic
def token_create(
    *,
    client: ApiClient,
    scopes: list[str],
    days: int | None = None,
    actor: User | None = None,
) -> IssuedToken:
    scopes = scopes_clean(scopes)
    if days is not None and days < 1:
        raise ValidationError(_("A token lasts at least one day."))
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    token = ApiToken.objects.create(
        client=client, prefix=prefix, digest=token_digest(secret), scopes=scopes, expires_at=expires
    )
    audit_log(
        actor=actor,
        actor_label=None if actor else "system:api",
        action="admin",
        subject_type="api_token",
        subject_id=token.prefix,
        details={"operation": "create", "client": client.pk, "scopes": scopes, "days": days},
    )
    return IssuedToken(token, secret)


@transaction.atomic
def token_revoke(*, prefix: str, actor: User | None = None) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(prefix=prefix).first()
    if token is None:
        raise ValidationError(_("No token with prefix «%(p)s».") % {"p": prefix})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(
            actor=actor,
            actor_label=None if actor else "system:api",
            action="admin",
            subject_type="api_token",
            subject_id=token.prefix,
            details={"operation": "revoke", "client": token.client_id},
        )
    return token


def token_authenticate(presented: str) -> ApiToken | None:
    """The usable token matching ``presented`` (constant-time comparison), or None."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("client__user__agency").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.digest, token_digest(presented)):
        return None
    if not token.usable:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
