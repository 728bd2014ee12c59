"""Passkeys (WebAuthn) as a second factor beside TOTP, on py_webauthn.

A ceremony has two steps. ``*_options`` makes a fresh challenge, kept in the session with the
time it was issued, and the options the browser passes to ``navigator.credentials``;
``passkey_register`` / ``passkey_authenticate`` take the browser's answer, pop the challenge
(each is good for one answer, for ``CHALLENGE_SECONDS``) and verify it with py_webauthn:
signature, challenge, origin, relying-party id, user presence and a sign count that must grow.
Failed authentications count on the same throttle as wrong TOTP codes. Logs and audit entries
carry device ids only, never credential ids or keys.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from violeta.agencies.models import PasskeyDevice, User
from violeta.audit.models import Action
from violeta.audit.services import audit_log

CHALLENGE_SECONDS = 300
MAX_PASSKEYS = 10
REGISTER_KEY = "violeta_passkey_register"
LOGIN_KEY = "violeta_passkey_login"
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


class PasskeyError(Exception):
    """A refused ceremony: ``message`` for her (translated), ``code`` for the audit trail."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RelyingParty:
    id: str
    origin: str
    name: str = "Violeta"


def relying_party(request: HttpRequest) -> RelyingParty:
    """This site as a WebAuthn relying party: the host without port, and scheme + host,
    unless ``VIOLETA_WEBAUTHN_RP_ID`` / ``VIOLETA_WEBAUTHN_ORIGIN`` say otherwise."""
    host = request.get_host()  # validated against ALLOWED_HOSTS
    rp_id = settings.WEBAUTHN_RP_ID or split_domain_port(host)[0].strip("[]")
    origin = settings.WEBAUTHN_ORIGIN or f"{request.scheme}://{host}"
    return RelyingParty(id=rp_id, origin=origin)


def passkeys_of(user: User) -> list[PasskeyDevice]:
    return list(PasskeyDevice.objects.filter(user=user, confirmed=True))


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(d.credential_id),
            transports=[AuthenticatorTransport(t) for t in d.transports if t in _TRANSPORTS],
        )
        for d in passkeys_of(user)
    ]


def _keep_challenge(session: SessionBase, key: str, user: User, challenge: bytes) -> None:
    session[key] = {"c": bytes_to_base64url(challenge), "t": time.time(), "u": user.pk}


def _take_challenge(session: SessionBase, key: str, user: User) -> bytes:
    """The pending challenge of this ceremony, removed from the session (one answer each)."""
    kept = session.pop(key, None)
    if not isinstance(kept, dict) or kept.get("u") != user.pk:
        raise PasskeyError("no_challenge", _("Start again: the request had expired."))
    if time.time() - float(kept.get("t", 0)) > CHALLENGE_SECONDS:
        raise PasskeyError("challenge_expired", _("Start again: the request had expired."))
    return base64url_to_bytes(str(kept["c"]))


def _credential(data: Any) -> dict[str, Any]:
    """The browser's credential as a dict (JSON text or already decoded), else refused."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError:
            data = None
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise PasskeyError("malformed", _("The browser's answer could not be read."))
    return data


def registration_options(*, user: User, rp: RelyingParty, session: SessionBase) -> str:
    """Options (JSON) for ``navigator.credentials.create``; her passkeys are excluded."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=f"violeta-user-{user.pk}".encode(),
        user_name=user.username,
        user_display_name=user.username,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    _keep_challenge(session, REGISTER_KEY, user, options.challenge)
    return options_to_json(options)


def passkey_register(
    *,
    user: User,
    rp: RelyingParty,
    session: SessionBase,
    credential: Any,
    name: str = "",
    request: HttpRequest | None = None,
) -> PasskeyDevice:
    """Verify the browser's answer to :func:`registration_options` and store the passkey."""
    challenge = _take_challenge(session, REGISTER_KEY, user)
    data = _credential(credential)
    name = " ".join(str(name or "").split())[:64]
    if PasskeyDevice.objects.filter(user=user).count() >= MAX_PASSKEYS:
        raise PasskeyError("too_many", _("You already have the most passkeys allowed (10)."))
    try:
        verified = verify_registration_response(
            credential=data,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("invalid", _("The passkey could not be verified. Try again.")) from exc
    transports = (data.get("response") or {}).get("transports") or []
    device = PasskeyDevice(
        user=user,
        name=name or _("Passkey %(n)d") % {"n": len(passkeys_of(user)) + 1},
        confirmed=True,
        credential_id=bytes_to_base64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[t for t in transports if isinstance(t, str) and t in _TRANSPORTS],
    )
    try:
        with transaction.atomic():
            device.save()
            audit_log(
                actor=user,
                action=Action.CREATE,
                subject_type="passkey",
                subject_id=device.pk,
                request=request,
                details={"factor": "passkey", "device": device.pk},
            )
    except IntegrityError as exc:
        raise PasskeyError("duplicate", _("This passkey is already registered.")) from exc
    return device


def authentication_options(*, user: User, rp: RelyingParty, session: SessionBase) -> str:
    """Options (JSON) for ``navigator.credentials.get``, allowing her passkeys only."""
    options = generate_authentication_options(
        rp_id=rp.id,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _keep_challenge(session, LOGIN_KEY, user, options.challenge)
    return options_to_json(options)


def _second_factors(user: User) -> list[TOTPDevice | PasskeyDevice]:
    return [*TOTPDevice.objects.filter(user=user, confirmed=True), *passkeys_of(user)]


def second_factor_allowed(user: User) -> bool:
    """False while a recent failure (TOTP code or passkey) asks her to wait (back-off)."""
    return all(d.verify_is_allowed()[0] for d in _second_factors(user))


def _failed(user: User, code: str, request: HttpRequest | None) -> None:
    """Count a failure on every factor (one back-off for TOTP and passkeys) and audit it."""
    for device in _second_factors(user):
        device.throttle_increment()
    audit_log(
        actor=user,
        action=Action.LOGIN_FAILED,
        subject_type="user",
        subject_id=user.pk,
        request=request,
        details={"factor": "passkey", "reason": code},
    )


def passkey_authenticate(
    *, user: User, rp: RelyingParty, session: SessionBase, credential: Any, request: HttpRequest
) -> PasskeyDevice:
    """Verify the browser's answer to :func:`authentication_options` with one of *her*
    passkeys and return that device (the caller then calls ``django_otp.login``)."""
    if not second_factor_allowed(user):
        raise PasskeyError(
            "throttled", _("Too many attempts. Wait a few seconds before trying again.")
        )
    try:
        challenge = _take_challenge(session, LOGIN_KEY, user)
        data = _credential(credential)
        with transaction.atomic():
            device = (
                PasskeyDevice.objects.select_for_update()
                .filter(user=user, confirmed=True, credential_id=data["id"])
                .first()
            )
            if device is None:
                raise PasskeyError("unknown_credential", _("This passkey is not yours."))
            try:
                verified = verify_authentication_response(
                    credential=data,
                    expected_challenge=challenge,
                    expected_rp_id=rp.id,
                    expected_origin=rp.origin,
                    credential_public_key=bytes(device.public_key),
                    credential_current_sign_count=device.sign_count,
                )
            except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
                code = "sign_count" if "sign count" in str(exc) else "invalid"
                raise PasskeyError(
                    code, _("The passkey could not be verified. Try again.")
                ) from exc
            device.sign_count = verified.new_sign_count
            device.last_used_at = timezone.now()
            device.save(update_fields=["sign_count", "last_used_at"])
    except PasskeyError as error:
        _failed(user, error.code, request)
        raise
    for other in _second_factors(user):
        if other.throttling_failure_count:
            other.throttle_reset()
    return device


@transaction.atomic
def passkey_remove(*, user: User, device_id: int, request: HttpRequest | None = None) -> None:
    """Remove one of her passkeys; never the last second factor she has."""
    device = PasskeyDevice.objects.select_for_update().filter(user=user, pk=device_id).first()
    if device is None:
        raise PasskeyError("not_found", _("That passkey does not exist."))
    if len(_second_factors(user)) <= 1:
        raise PasskeyError(
            "last_factor", _("This is your only second factor: it cannot be removed.")
        )
    device.delete()
    audit_log(
        actor=user,
        action=Action.DELETE,
        subject_type="passkey",
        subject_id=device_id,
        request=request,
        details={"factor": "passkey", "device": device_id},
    )
