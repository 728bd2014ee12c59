"""Login, two-factor verification and enrolment."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from violeta.agencies.forms import TokenForm
from violeta.audit.services import audit_log


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "agencies/login.html"
    redirect_authenticated_user = True


def _verified(request: HttpRequest, device: TOTPDevice) -> None:
    """The second factor passed: a new session key, so that a key seen or planted before
    (password only) does not become a verified session (session fixation)."""
    request.session.cycle_key()
    otp_login(request, device)


def _confirmed_device(request: HttpRequest) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=request.user, confirmed=True).first()


@sensitive_post_parameters("token")
def otp_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect("records:home")
    device = _confirmed_device(request)
    if device is None:
        return redirect("agencies:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("Too many attempts. Wait a few seconds before trying again."))
        elif device.verify_token(form.cleaned_data["token"]):
            _verified(request, device)
            audit_log(
                actor=request.user,  # type: ignore[arg-type]
                action="login",
                subject_type="user",
                subject_id=str(request.user.pk),
                request=request,
                details={"factor": "totp"},
            )
            return redirect("records:home")
        else:
            form.add_error("token", _("The code is not valid. Wait for a new one and try again."))
    return render(request, "agencies/otp_verify.html", {"form": form})


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


@sensitive_post_parameters("token")
def otp_setup(request: HttpRequest) -> HttpResponse:
    """First login: enrol a TOTP device, confirmed by a first valid code."""
    if _confirmed_device(request) is not None:
        return redirect("agencies:otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="default", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            _verified(request, device)
            messages.success(request, _("Two-factor login is set up."))
            return redirect("records:home")
        form.add_error("token", _("The code is not valid. Wait for a new one and try again."))

    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(
        request,
        "agencies/otp_setup.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": secret},
    )


class LogoutView(auth_views.LogoutView):
    pass
