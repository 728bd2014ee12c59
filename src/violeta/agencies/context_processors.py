"""What the signed-in user may do, for the navigation: read from the one capability table."""

from __future__ import annotations

from django.http import HttpRequest

from violeta.agencies.roles import CAPABILITIES, Role


def capabilities(request: HttpRequest) -> dict[str, frozenset[str]]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", "")
    if not getattr(user, "is_authenticated", False) or role not in Role.values:
        return {"caps": frozenset()}
    return {"caps": frozenset(str(c) for c in CAPABILITIES[Role(role)])}
