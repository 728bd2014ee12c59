"""Bearer-token authentication, scopes and the per-client rate limit (DRF classes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request

from violeta.agencies.models import User
from violeta.api.models import ApiClient, ApiToken
from violeta.api.services import token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer vio_…``: the call acts as the client's service user."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise exceptions.AuthenticationFailed(_("Send «Authorization: Bearer <token>»."))
        token = token_authenticate(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        user = token.client.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="violeta"'


class BearerScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    target_class = "violeta.api.security.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "bearerFormat": "vio_<prefix>_<secret>"}


def client_of(request: Request) -> ApiClient | None:
    token = request.auth
    return token.client if isinstance(token, ApiToken) else None


class HasScope(permissions.BasePermission):
    """The view's ``read_scope`` for safe methods, ``write_scope`` for the others."""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated(_("Send «Authorization: Bearer <token>»."))
        safe = request.method in permissions.SAFE_METHODS
        needed = getattr(view, "read_scope" if safe else "write_scope", None)
        if needed and needed not in token.scopes:
            self.message = _("This token lacks the scope «%(scope)s».") % {"scope": needed}
            return False
        return True


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """settings.VIOLETA_API_RATE (e.g. "120/min") per client, across its tokens."""

    scope = "api_client"

    def get_rate(self) -> str:
        return str(getattr(settings, "VIOLETA_API_RATE", "120/min"))

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = client_of(request)
        if client is None:
            return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": f"client-{client.pk}"}
