"""The base of every API view: bearer token, scopes, rate limit, an audit entry per call, and
idempotent writes."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from violeta.agencies.models import User
from violeta.api.models import ApiToken, IdempotentResponse
from violeta.api.problems import problem
from violeta.api.security import BearerTokenAuthentication, ClientRateThrottle, HasScope, client_of
from violeta.audit.services import audit_log

ACTIONS = {"GET": "view", "HEAD": "view", "POST": "create", "PUT": "update", "PATCH": "update"}


class ApiView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ClientRateThrottle]
    read_scope = "risk:read"
    write_scope = "risk:write"
    # The query parameters the view documents; any other is refused (422), so that a misspelt
    # filter never silently answers as if it had not been sent.
    query_parameters: frozenset[str] = frozenset()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication, scope and rate first
        allowed = set(self.query_parameters)
        paginator = getattr(self, "pagination_class", None)
        if paginator is not None:  # a paged list also takes its paginator's parameters
            for name in ("cursor_query_param", "page_size_query_param"):
                if param := getattr(paginator, name, None):
                    allowed.add(str(param))
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            known = ", ".join(sorted(allowed)) or _("none")
            message = _("Unknown query parameter; this endpoint accepts: %(known)s.") % {
                "known": known
            }
            raise exceptions.ValidationError({name[:50]: [message] for name in unknown[:10]})

    @property
    def actor(self) -> User:
        user: User = self.request.user  # type: ignore[assignment]
        return user

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        self._audit(request, response.status_code)
        return response

    def audit_read(
        self, request: Request, subject_type: str, subject_id: int | str, **details: Any
    ) -> None:
        """Audit a read of personal data through the API (beside the per-call entry)."""
        audit_log(
            actor=self.actor,
            action="view",
            subject_type=subject_type,
            subject_id=subject_id,
            request=request._request,
            details={"via": "api", **details},
        )

    def audited_path(self, request: Request) -> str:
        """Endpoints' paths carry only numeric ids."""
        return request.path[:300]

    def _audit(self, request: Request, status_code: int) -> None:
        """One entry per call: client, token prefix, method, path, status; never a body."""
        client = client_of(request)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        audit_log(
            actor=client.user if client else None,
            actor_label=None if client else "api:anonymous",
            action=ACTIONS.get(request.method or "", "view"),
            subject_type="api_call",
            subject_id=client.pk if client else "",
            request=request._request,
            details={
                "client": client.pk if client else None,
                "token": token.prefix if token else None,
                "method": request.method,
                "path": self.audited_path(request),
                "status": status_code,
            },
        )


def _digest(request: Request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except Exception:
        body = ""
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """A write with ``Idempotency-Key``: the same key and body give the stored answer again;
    the same key with another body is refused (422). The write and the stored answer commit
    together; a concurrent duplicate gets 409."""

    @functools.wraps(handler)
    def wrapper(view: ApiView, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        client = client_of(request)
        if not key or client is None:
            return handler(view, request, *args, **kwargs)
        if len(key) > 255:
            raise exceptions.ValidationError({"Idempotency-Key": [_("At most 255 characters.")]})
        digest = _digest(request)
        stored = IdempotentResponse.objects.filter(client=client, key=key).first()
        if stored is not None:
            if stored.request_digest != digest:
                return problem(
                    422,
                    _("This Idempotency-Key was used with another request."),
                    errors={"Idempotency-Key": [_("Already used with a different body or path.")]},
                )
            replay = Response(json.loads(stored.body or "null"), status=stored.status)
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotentResponse.objects.create(
                        client=client,
                        key=key,
                        method=request.method or "",
                        path=request.path[:500],
                        request_digest=digest,
                        status=response.status_code,
                        body=json.dumps(response.data, cls=JSONEncoder),
                    )
        except IntegrityError:
            return problem(409, _("A request with this Idempotency-Key is in progress; retry."))
        return response

    return wrapper


class NotFoundView(ApiView):
    """Any path under /api/v1/ that is not an endpoint: a 404 problem, audited."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    def audited_path(self, request: Request) -> str:
        return "/api/v1/<unknown>"  # what was typed may be anything, a name included

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.NotFound(_("No such endpoint: see /api/v1/docs/."))

    post = put = patch = delete = get
