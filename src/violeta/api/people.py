"""Finding a woman by identity (POST, so names never reach URLs or logs) and reading her
alerts, within need-to-know."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from violeta.agencies.roles import Capability
from violeta.alerts.models import Alert
from violeta.alerts.selectors import reason_of
from violeta.alerts.services import rule_title
from violeta.api import shapes
from violeta.api.access import her_ids, reachable_women, woman_for
from violeta.api.base import ApiView
from violeta.api.problems import problem
from violeta.api.views import ERRORS, _valid
from violeta.linkage.realtime import score_person
from violeta.people import identity as ident
from violeta.people.identity import IdentityInput
from violeta.records.selectors import (
    SEARCH_LIMIT,
    SearchCriteria,
    people_search,
    records_visible_to,
)

PAGE = [
    OpenApiParameter("limit", int, description=f"Up to {SEARCH_LIMIT} (the default)."),
    OpenApiParameter("cursor", str, description="From `next`; send the same body again."),
]


def _age(birth_date: dt.date, today: dt.date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def _offset(request: Request) -> int:
    raw = request.query_params.get("cursor", "")
    try:
        return max(0, int(base64.urlsafe_b64decode(raw.encode()).decode().removeprefix("o=")))
    except ValueError:
        return 0


def _limit(request: Request) -> int:
    try:
        return min(SEARCH_LIMIT, max(1, int(request.query_params.get("limit", SEARCH_LIMIT))))
    except ValueError:
        return SEARCH_LIMIT


def _page_url(request: Request, offset: int, limit: int) -> str:
    cursor = base64.urlsafe_b64encode(f"o={offset}".encode()).decode()
    return request.build_absolute_uri(
        f"{request.path}?{urlencode({'cursor': cursor, 'limit': str(limit)})}"
    )


class WomanSearch(ApiView):
    read_scope = write_scope = "people:search"  # any other method: 405
    query_parameters = frozenset({"cursor", "limit"})

    @extend_schema(
        request=shapes.SearchIn,
        responses={200: shapes.CandidatePage, **ERRORS},
        tags=["women"],
        parameters=PAGE,
    )
    def post(self, request: Request) -> Response:
        """Women who may be the one described, best first: CURP, phone, first surname or birth
        date needed (with given names, second surname and age to narrow and score). Each with
        her id, a score and what agrees; never another agency's data."""
        data = _valid(shapes.SearchIn, request)
        curp = (data.get("curp") or "").strip().upper()
        if curp and (error := ident.curp_error(curp)):
            return _invalid({"curp": [error]})
        criteria = SearchCriteria(
            curp=curp,
            phone=(data.get("phone") or "").strip(),
            given_names=(data.get("given_names") or "").strip(),
            first_surname=(data.get("first_surname") or "").strip(),
            second_surname=(data.get("second_surname") or "").strip(),
            birth_date=data.get("birth_date"),
        )
        if not (criteria.curp or criteria.phone or criteria.first_surname or criteria.birth_date):
            message = _("Give the CURP, the phone, the first surname or the birth date.")
            return _invalid({"body": [message]})
        hits = people_search(user=self.actor, criteria=criteria, request=request._request)
        age, today = data.get("age"), timezone.localdate()
        if age is not None:
            hits = [
                h
                for h in hits
                if h.person.birth_date is None or abs(_age(h.person.birth_date, today) - age) <= 1
            ]
        wanted = IdentityInput(
            given_names=criteria.given_names,
            first_surname=criteria.first_surname,
            second_surname=criteria.second_surname,
            birth_date=criteria.birth_date,
            curp=criteria.curp,
            phone=criteria.phone,
        )
        scored = sorted(
            ((h, *score_person(wanted, h.person)) for h in hits),
            key=lambda row: (-row[1], -row[0].person.pk),
        )
        offset, limit = _offset(request), _limit(request)
        page = scored[offset : offset + limit]
        reachable = reachable_women(self.actor, [h.person.pk for h, _s, _e in page])
        results = [
            {
                "id": hit.person.pk,
                "score": round(score, 4),
                "evidence": evidence,
                "records": hit.records,
                "reachable": hit.person.pk in reachable,
            }
            for hit, score, evidence in page
        ]
        after = offset + limit
        return Response(
            {
                "next": _page_url(request, after, limit) if after < len(scored) else None,
                "previous": _page_url(request, max(0, offset - limit), limit) if offset else None,
                "results": results,
            }
        )


def _invalid(errors: dict[str, list[str]]) -> Response:
    return problem(422, _("The request is not valid."), errors=errors)


class AlertCursor(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
    ordering = ("-created_at", "-pk")


def _alerts(agency_id: int, ids: list[int]) -> QuerySet[Alert]:
    sent = Alert.objects.filter(person_id__in=ids, recipients__agency_id=agency_id).values("pk")
    return Alert.objects.filter(pk__in=sent).select_related("ruleset")


class WomanAlerts(ApiView):
    read_scope = write_scope = "alerts:read"  # any other method: 405
    pagination_class = AlertCursor

    @extend_schema(responses={200: shapes.AlertPage, **ERRORS}, tags=["women"])
    def get(self, request: Request, person_id: int) -> Response:
        """Her alerts sent to the client's agency, newest first: level, rule, state, why, and
        the evidence this client may open (its agency's records)."""
        if not self.actor.can(Capability.RECEIVE_ALERTS):
            raise PermissionDenied
        person = woman_for(self.actor, person_id)
        assert self.actor.agency_id is not None  # woman_for: 404 without an agency
        paginator = self.pagination_class()
        page = (
            paginator.paginate_queryset(
                _alerts(self.actor.agency_id, her_ids(person)), request, view=self
            )
            or []
        )
        evidence = {pk for a in page for pk in a.evidence}
        mine = set(
            records_visible_to(self.actor).filter(pk__in=evidence).values_list("pk", flat=True)
        )
        self.audit_read(request, "person", person.pk, what="alerts", alerts=[a.pk for a in page])
        return paginator.get_paginated_response([_alert_dict(a, mine) for a in page])


def _alert_dict(alert: Alert, mine: set[int]) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "level": alert.level,
        "rule": alert.rule_code,
        "rule_title": rule_title(alert.ruleset, alert.rule_code, _lang()),
        "state": alert.state,
        "created_at": alert.created_at,
        "deadline": alert.deadline,
        "why": reason_of(alert),
        "evidence": [pk for pk in alert.evidence if pk in mine],
        "evidence_total": len(alert.evidence),
    }


def _lang() -> str:
    return (translation.get_language() or "es")[:2]
