"""Two-factor enforcement and security headers."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Paths a user who passed the password but not yet the second factor may reach.
_PRE_OTP_URL_NAMES = (
    "agencies:otp_verify",
    "agencies:otp_setup",
    "agencies:passkey_login_options",  # a passkey as the second factor (not its registration)
    "agencies:passkey_login_verify",
    "agencies:logout",
    "set_language",
)


class StaffTwoFactorMiddleware:
    """Every authenticated request must carry a verified second factor (django-otp).

    There is no switch to turn this off: the demo passes it with printed TOTP secrets.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None

    def _allowed_paths(self) -> tuple[str, ...]:
        if self._allowed is None:
            self._allowed = tuple(reverse(name) for name in _PRE_OTP_URL_NAMES)
        return self._allowed

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and request.path not in self._allowed_paths()
            and not request.path.startswith("/static/")
        ):
            return redirect("agencies:otp_verify")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy (no inline script) and related headers."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )
    # Django's admin sets inline styles; it is reachable by administrators only.
    ADMIN_POLICY = POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    # The API's interactive docs (Swagger UI, assets served from here): inline styles only;
    # scripts stay 'self' (the page loads its init script from a URL).
    DOCS_PATH = "/api/v1/docs/"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        relaxed = request.path.startswith(("/admin/", self.DOCS_PATH))
        policy = self.ADMIN_POLICY if relaxed else self.POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Pages with personal data are never cached by the browser or a proxy.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class SpanishByDefaultMiddleware:
    """Spanish (es-MX) unless the user chose another language with the switcher.

    The browser's Accept-Language is ignored: a shared office computer set to English must not
    turn the forms of a Mexican agency into English. The choice is kept in Django's language
    cookie, which LocaleMiddleware (next in the chain) reads.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
