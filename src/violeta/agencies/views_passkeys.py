"""Passkeys (WebAuthn): her list, registration, removal, and the second factor at login.

The ceremonies' steps are JSON endpoints called by ``static/violeta/passkeys.js`` (POST, CSRF
header). Registration and removal need a verified session; the two login endpoints are
reachable after the password and before the second factor (StaffTwoFactorMiddleware).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from violeta.agencies import passkeys
from violeta.agencies.models import User
from violeta.audit.services import audit_log

MAX_BODY = 64 * 1024


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _verified(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.user.is_verified())  # type: ignore[union-attr,attr-defined]


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _body(request: HttpRequest) -> dict[str, Any] | None:
    if len(request.body) > MAX_BODY:
        return None
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _options(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="application/json")


def passkey_list(request: HttpRequest) -> HttpResponse:
    """Her passkeys: register one more, remove one."""
    if not _verified(request):
        return redirect("agencies:otp_verify")
    return render(
        request,
        "agencies/passkeys.html",
        {"passkeys": passkeys.passkeys_of(_user(request)), "limit": passkeys.MAX_PASSKEYS},
    )


@require_POST
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    if not _verified(request):
        return _error(_("Verify your second factor first."), 403)
    rp = passkeys.relying_party(request)
    return _options(
        passkeys.registration_options(user=_user(request), rp=rp, session=request.session)
    )


@require_POST
def passkey_register_verify(request: HttpRequest) -> JsonResponse:
    if not _verified(request):
        return _error(_("Verify your second factor first."), 403)
    data = _body(request)
    if data is None:
        return _error(_("The browser's answer could not be read."))
    try:
        device = passkeys.passkey_register(
            user=_user(request),
            rp=passkeys.relying_party(request),
            session=request.session,
            credential=data.get("credential"),
            name=str(data.get("name") or ""),
            request=request,
        )
    except passkeys.PasskeyError as error:
        return _error(error.message)
    messages.success(request, _("Passkey “%(name)s” registered.") % {"name": device.name})
    return JsonResponse({"redirect": reverse("agencies:passkeys")})


@require_POST
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    if not _verified(request):
        return redirect("agencies:otp_verify")
    try:
        passkeys.passkey_remove(user=_user(request), device_id=pk, request=request)
    except passkeys.PasskeyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The passkey was removed."))
    return redirect("agencies:passkeys")


@require_POST
def passkey_login_options(request: HttpRequest) -> HttpResponse:
    """After the password: options allowing her passkeys only."""
    user = _user(request)
    if not passkeys.passkeys_of(user):
        return _error(_("You have no passkey: use the code from your authenticator app."))
    rp = passkeys.relying_party(request)
    return _options(passkeys.authentication_options(user=user, rp=rp, session=request.session))


@require_POST
def passkey_login_verify(request: HttpRequest) -> JsonResponse:
    """After the password: her passkey's signature passes the second factor."""
    user = _user(request)
    if request.user.is_verified():  # type: ignore[union-attr]
        return JsonResponse({"redirect": reverse("records:home")})
    data = _body(request)
    try:
        device = passkeys.passkey_authenticate(
            user=user,
            rp=passkeys.relying_party(request),
            session=request.session,
            credential=(data or {}).get("credential"),
            request=request,
        )
    except passkeys.PasskeyError as error:
        return _error(error.message, 429 if error.code == "throttled" else 400)
    # A new session key once the second factor passed (no session fixation), as for TOTP.
    request.session.cycle_key()
    otp_login(request, device)
    audit_log(
        actor=user,
        action="login",
        subject_type="user",
        subject_id=str(user.pk),
        request=request,
        details={"factor": "passkey", "device": device.pk},
    )
    return JsonResponse({"redirect": reverse("records:home")})
