"""Liveness (``/healthz``) and readiness (``/readyz``) for a load balancer or an orchestrator.

``/healthz`` says only that the process answers HTTP. ``/readyz`` says whether it can serve:
the database answers, no migration is left to apply, and the encryption keys work (a round trip,
and the newest stored identity decrypts under them). It answers 200 with
``{"status": "ready", "checks": {...}}``, otherwise 503 with the check that failed. Neither
needs a login nor writes to the audit trail (they read no one's data out), and neither says more
than ``ok`` or ``failed``: no exception text, no host names, no personal data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from violeta.core import crypto

logger = logging.getLogger(__name__)

OK, FAILED, SKIPPED = "ok", "failed", "skipped"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


def check_migrations() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("unapplied migrations")


def check_keys() -> None:
    probe = "violeta-readyz"
    if crypto.decrypt(crypto.encrypt(probe)) != probe:
        raise RuntimeError("round trip changed the value")
    from violeta.people.models import Person  # the newest stored identity must decrypt too

    Person.objects.exclude(given_names="").order_by("-pk").values_list("given_names").first()


# Run in this order; when the database does not answer, the others are skipped.
CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "keys": check_keys,
}


def readiness() -> tuple[bool, dict[str, str]]:
    """Every check's outcome (``ok``, ``failed``, ``skipped``) and whether all passed."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if results.get("database") == FAILED:
            results[name] = SKIPPED
            continue
        try:
            check()
        except Exception as error:  # any failure means "not ready"; only its type is logged
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
            results[name] = FAILED
        else:
            results[name] = OK
    return all(v == OK for v in results.values()), results


@login_not_required
@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_safe
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    ready, checks = readiness()
    status = "ready" if ready else "not ready"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)
