"""The access matrix, generated from the URL conf: every URL × role × agency (+ anonymous, + a
user who did not pass the second factor, + API tokens of each role and scope) against the rule
table in access_rules.py. A URL without a rule, or a rule without a URL, fails."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from conftest import login_verified
from violeta.core.tests.access_rules import (
    ADMIN_REFUSES_ADMINISTRATORS,
    AGENCIES,
    OWNER,
    PUBLIC,
    ROLES,
    RULES,
    STAFF,
    Rule,
)
from violeta.core.tests.matrix_world import NAME, NARRATIVE, SURNAME, World, build_world

pytestmark = pytest.mark.django_db

# Paths a user who passed her password but not her second factor may reach (core.middleware).
PRE_OTP = {
    "agencies:otp_verify",
    "agencies:otp_setup",
    "agencies:passkey_login_options",
    "agencies:passkey_login_verify",
    "agencies:logout",
    "set_language",
}
# One body for every POST: each form finds the field it needs (a reason, a note, an outcome…),
# so that a refusal comes from the permission check, not from an empty form.
POST_DATA = {
    "reason": "Prueba de la matriz de acceso",
    "note": "Prueba de la matriz",
    "outcome": "Prueba de la matriz",
    "text": "Prueba de la matriz",
    "level": "extremo",
    "approve": "1",
    "answer": "Prueba de la matriz",
    "status": "granted",
}
# The API checks a body's shape before it looks the object up (a malformed body is 422 for any
# id, which tells nothing): this one is well formed for each write, so access decides.
API_BODY = '{"level": "extremo", "reason": "Prueba de la matriz de acceso", "answers": {}}'


@dataclass(frozen=True)
class Url:
    name: str  # "namespace:name"; admin pages under "admin:*"
    route: str
    keys: tuple[str, ...]  # the kwargs the pattern takes
    catch_all: bool


def _walk(patterns: Any, prefix: str = "", ns: tuple[str, ...] = ()) -> Iterator[Url]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = (*ns, p.namespace) if p.namespace else ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            name = ":".join((*ns, p.name)) if p.name else f"<unnamed {route}>"
            regex = p.pattern.regex
            keys = tuple(regex.groupindex) or tuple(getattr(p.pattern, "converters", {}))
            yield Url(name, route, keys, str(p.pattern) in {"^.*$", ".*"})


def urls() -> list[Url]:
    return list(_walk(get_resolver().url_patterns))


def rule_key(url: Url, rules: dict[str, Rule] = RULES) -> str:
    if url.name in rules:
        return url.name
    return (
        "admin:*" if url.name.startswith("admin:") or url.route.startswith("admin/") else url.name
    )


def rule_problems(rules: dict[str, Rule]) -> tuple[list[str], list[str]]:
    """URLs of the URL conf without a rule, and rules without a URL."""
    found = urls()
    missing = sorted({u.name for u in found if rule_key(u, rules) not in rules})
    stale = sorted(set(rules) - {rule_key(u, rules) for u in found})
    return missing, stale


def test_every_url_has_a_rule_and_every_rule_a_url() -> None:
    missing, stale = rule_problems(RULES)
    assert not missing, f"URLs without an access rule in access_rules.py: {missing}"
    assert not stale, f"rules for URLs that no longer exist: {stale}"
    assert len(urls()) > 100


def test_a_page_without_a_rule_and_a_rule_without_a_page_are_named() -> None:
    rules = {k: v for k, v in RULES.items() if k != "records:statistics"}
    rules["records:gone"] = Rule(PUBLIC)
    assert rule_problems(rules) == (["records:statistics"], ["records:gone"])


def _path(url: Url, rule: Rule, world: World) -> str:
    if url.catch_all:
        return reverse(url.name) + "no-existe/"
    kwargs = world.objects[rule.obj] if rule.obj else {}
    assert set(url.keys) <= set(kwargs), (url.name, url.keys, rule.obj)
    return reverse(url.name, kwargs={k: kwargs[k] for k in url.keys})


def requests(world: World) -> list[tuple[Url, Rule, str]]:
    """(url, rule, path) of every URL the matrix requests: GETs first, then POSTs, the two that
    end the session (quick exit, logout) last.
    Admin pages: every one that takes no object id (index, each model's list and add pages)."""
    out = []
    for url in urls():
        rule = RULES[rule_key(url)]
        if rule_key(url) == "admin:*" and url.keys:
            continue
        out.append((url, rule, _path(url, rule, world)))
    ending = {"agencies:logout": 1, "reports:quick_exit": 2}
    out.sort(key=lambda t: (ending.get(t[0].name, 0), t[1].method == "POST"))
    return out


@dataclass
class Principal:
    label: str
    client: Client
    role: str = ""  # "" for anonymous
    agency: str = ""
    verified: bool = True
    username: str = ""


def _principal(world: World, who: str) -> Principal:
    if who == "anonymous":
        return Principal(who, Client(), verified=False)
    if who == "unverified":
        client = Client()
        client.force_login(world.unverified)
        return Principal(who, client, "supervisor", OWNER, False, world.unverified.username)
    role, agency = who.split("@")
    user = world.users[(role, agency)]
    return Principal(who, login_verified(Client(), user), role, agency, True, user.username)


def expectation(rule: Rule, name: str, p: Principal) -> str:
    """allow, deny, login (redirect to the login page), otp (redirect to the second factor) or
    token (the API without a token: 401/403)."""
    if not p.role:
        return "allow" if rule.who == PUBLIC else ("token" if rule.token else "login")
    if not p.verified:
        return "allow" if name in PRE_OTP else "otp"
    if rule.who == PUBLIC:
        return "allow"
    if rule.token:
        return "token"
    if rule.who != STAFF and p.role not in rule.who:
        return "deny"
    if rule.own and (p.agency != OWNER or (rule.user and rule.user != p.username)):
        return "deny"
    return "allow"


def _body(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def check(response: Any, expected: str, rule: Rule, name: str, p: Principal) -> str | None:
    """None when the answer is right; else what is wrong."""
    status = response.status_code
    body = _body(response)
    location = response.get("Location", "")
    if status >= 500:
        return f"{status} (server error)"
    if NARRATIVE in body and p.agency != OWNER:
        return f"{status} shows OWNER's narrative"
    if expected == "allow":
        if name in ADMIN_REFUSES_ADMINISTRATORS:
            return None if status == 403 else f"{status}, expected 403 (by design)"
        if rule.status:
            return None if status == rule.status else f"{status}, expected {rule.status}"
        if status in (403, 404):
            return f"{status}, expected access"
        if status == 302 and (reverse("agencies:login") in location or "verificar" in location):
            return f"redirected to {location}, expected access"
        return None
    if NAME in body or SURNAME in body:
        return f"{status} refused, yet shows her name"
    if expected == "deny":
        if status == 302 and location.split("?")[0] in (
            reverse("admin:login"),
            reverse("admin:index"),
        ):
            return None  # the admin's own refusal: on to its login form, which asks for an admin
        return None if status in (403, 404) else f"{status}, expected 403/404"
    if expected == "token":
        return None if status in (401, 403) else f"{status}, expected 401/403"
    if expected == "login":
        ok = status == 302 and location.startswith(
            (reverse("agencies:login"), reverse("admin:login"))
        )
        return None if ok else f"{status} {location}, expected the login page"
    ok = status == 302 and location == reverse("agencies:otp_verify")
    return None if ok else f"{status} {location}, expected the second factor"


PRINCIPALS = [
    "anonymous",
    "unverified",
    *(f"{role}@{agency}" for agency in AGENCIES for role in ROLES),
]
COUNTS: dict[str, int] = {}


@pytest.mark.parametrize("who", PRINCIPALS)
def test_access_matrix(catalogs: None, who: str) -> None:
    cache.clear()
    with translation.override("es-mx"):
        world = build_world()
    p = _principal(world, who)
    wrong = []
    for url, rule, path in requests(world):
        send = p.client.post if rule.method == "POST" else p.client.get
        response = send(path, POST_DATA) if rule.method == "POST" else send(path)
        expected = expectation(rule, url.name, p)
        problem = check(response, expected, rule, url.name, p)
        if problem:
            where = response.get("Location", "")
            wrong.append(f"{rule.method} {path} ({url.name}) as {who}: {problem} {where}")
        COUNTS[who] = COUNTS.get(who, 0) + 1
        if url.name == "agencies:logout":  # what follows is asked as nobody
            p = Principal("anonymous", p.client, verified=False)
    assert not wrong, "\n".join(wrong)
    assert COUNTS[who] > 100


def test_access_matrix_api_tokens(catalogs: None) -> None:
    """Every API URL with a token of each client role × agency × scope."""
    from violeta.api.models import SCOPES

    cache.clear()
    world = build_world(api_tokens=True)
    api = [(url, rule, path) for url, rule, path in requests(world) if rule.token]
    wrong, sent = [], 0
    for (role, agency, scope), token in world.tokens.items():
        client = Client(headers={"Authorization": f"Bearer {token}"})
        for url, rule, path in api:
            cache.clear()  # the per-client rate limit is not what this checks
            if rule.method == "GET":
                response = client.get(path)
            else:
                send = getattr(client, rule.method.lower())
                response = send(path, API_BODY, content_type="application/json")
            sent += 1
            allowed = (
                scope == rule.scope
                and role in rule.who
                and (not rule.own or agency == OWNER)
                and (not rule.agencies or agency in rule.agencies)
            )
            status = response.status_code
            body = _body(response)
            problem = None
            if status >= 500:
                problem = "server error"
            elif allowed and status in (401, 403, 404):
                problem = "expected access"
            elif not allowed and status not in (401, 403, 404):
                problem = "expected 401/403/404"
            elif agency != OWNER and NARRATIVE in body:
                problem = "shows OWNER's narrative"
            if problem:
                wrong.append(f"{rule.method} {path} ({url.name}) {role}@{agency} [{scope}]: "
                             f"{status} {problem} {body[:120]}")  # fmt: skip
    assert not wrong, "\n".join(wrong)
    assert sent == len(world.tokens) * len(api) and len(SCOPES) >= 6
