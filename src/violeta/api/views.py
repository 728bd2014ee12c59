"""Risk endpoints: thin views over violeta.risk's services and selectors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from violeta.api import present
from violeta.api import serializers as ser
from violeta.api.access import woman_for
from violeta.api.base import ApiView, idempotent
from violeta.api.conflicts import IF_MATCH, STALE, expected_version, with_etag
from violeta.api.problems import problem
from violeta.risk import selectors, services
from violeta.risk.models import InstrumentVersion, RiskAssessment

PROBLEM = OpenApiResponse(ser.ProblemOut, description="application/problem+json")
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Same key and body: the stored answer again; another body: 422.",
)
# Errors are documented under the media type they are sent with (not the views' JSON renderers).
ERRORS: dict[tuple[int, str], OpenApiResponse] = {
    (code, "application/problem+json"): PROBLEM
    for code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 429)
}


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200
    ordering = "-pk"


class InstrumentList(ApiView):
    pagination_class = Cursor

    @extend_schema(responses={200: ser.InstrumentOut(many=True), **ERRORS}, tags=["risk"])
    def get(self, request: Request) -> Response:
        """The instruments in use (retired versions left out), with items and levels."""
        paginator = self.pagination_class()
        qs = InstrumentVersion.objects.filter(retired_at=None)
        page = paginator.paginate_queryset(qs, request, view=self) or []
        return paginator.get_paginated_response([present.instrument_dict(i) for i in page])


def _assessment(view: ApiView, pk: int) -> RiskAssessment:
    """The assessment if the client's agency made it; otherwise 404 (need-to-know)."""
    try:
        return selectors.assessment_for(user=view.actor, pk=pk, request=view.request._request)
    except PermissionDenied:
        raise Http404 from None


def _valid(serializer_class: type[Any], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    data: dict[str, Any] = serializer.validated_data
    return data


class AssessmentCreate(ApiView):
    @extend_schema(
        request=ser.AssessmentStartIn,
        responses={201: ser.AssessmentOut, **ERRORS},
        tags=["risk"],
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Start a draft assessment of a woman with an instrument version."""
        data = _valid(ser.AssessmentStartIn, request)
        person = woman_for(self.actor, data["person"])
        instrument = InstrumentVersion.objects.filter(
            code=data["instrument"], version=data["version"]
        ).first()
        if instrument is None:
            return problem(
                422,
                _("No such instrument version."),
                errors={"instrument": [_("Unknown instrument code and version.")]},
            )
        assessment = services.assessment_start(
            person=person, instrument=instrument, actor=self.actor, request=request._request
        )
        return Response(
            present.assessment_dict(assessment),
            status=201,
            headers={"Location": f"/api/v1/risk/assessments/{assessment.pk}/"},
        )


def _assessment_response(assessment: RiskAssessment) -> Response:
    return with_etag(Response(present.assessment_dict(assessment)), assessment.version)


class AssessmentDetail(ApiView):
    @extend_schema(responses={200: ser.AssessmentOut, **ERRORS}, tags=["risk"])
    def get(self, request: Request, pk: int) -> Response:
        """An assessment of the client's agency, with how its level was reached. Its ETag
        is its revision: send it back as If-Match to change the answers."""
        return _assessment_response(_assessment(self, pk))


class AssessmentAnswers(ApiView):
    def _save(self, request: Request, pk: int, *, merge: bool) -> Response:
        data = _valid(ser.AnswersIn, request)
        outcome = services.assessment_save(
            assessment=_assessment(self, pk),
            answers=dict(data["answers"]),
            complete=False,
            actor=self.actor,
            base=expected_version(request),
            merge=merge,
            request=request._request,
        )
        return _assessment_response(outcome.assessment)

    @extend_schema(
        request=ser.AnswersIn,
        responses={200: ser.AssessmentOut, **ERRORS, **STALE},
        tags=["risk"],
        parameters=[IF_MATCH],
    )
    def put(self, request: Request, pk: int) -> Response:
        """Replace a draft's answers. With If-Match, only if nobody saved them since."""
        return self._save(request, pk, merge=False)

    @extend_schema(
        request=ser.AnswersIn,
        responses={200: ser.AssessmentOut, **ERRORS, **STALE},
        tags=["risk"],
        parameters=[IF_MATCH],
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Add or change some of a draft's answers (null clears one); the others stay as
        saved, also when another client saves at the same moment. With If-Match, only if
        nobody saved them since."""
        return self._save(request, pk, merge=True)


class AssessmentComplete(ApiView):
    @extend_schema(
        request=ser.CompleteIn,
        responses={200: ser.AssessmentOut, **ERRORS, **STALE},
        tags=["risk"],
        parameters=[IDEMPOTENCY, IF_MATCH],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        """Score it (with the answers sent, if any). Unanswered required items: 422 naming
        them, and nothing of this call is kept. With If-Match, only if nobody saved the
        answers since."""
        data = _valid(ser.CompleteIn, request)
        with transaction.atomic():
            outcome = services.assessment_save(
                assessment=_assessment(self, pk),
                answers=dict(data.get("answers") or {}),
                complete=True,
                actor=self.actor,
                base=expected_version(request),
                merge=True,
                request=request._request,
            )
            if outcome.missing:
                transaction.set_rollback(True)
        if outcome.missing:
            message = _("Required to complete the assessment.")
            return problem(
                422,
                _("Required items are unanswered."),
                errors={f"answers.{i.id}": [message] for i in outcome.missing},
                missing=[i.id for i in outcome.missing],
            )
        return _assessment_response(outcome.assessment)


class AssessmentOverride(ApiView):
    @extend_schema(
        request=ser.OverrideIn,
        responses={200: ser.AssessmentOut, **ERRORS},
        tags=["risk"],
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        """Change the computed level with a reason: raising applies at once; lowering applies
        only for a supervisor client, otherwise it waits for a supervisor (state "pending")."""
        data = _valid(ser.OverrideIn, request)
        assessment = services.level_override(
            assessment=_assessment(self, pk),
            level=data["level"],
            reason=data["reason"],
            actor=self.actor,
            request=request._request,
        )
        return Response(present.assessment_dict(assessment))


class WomanRisk(ApiView):
    @extend_schema(responses={200: ser.WomanRiskOut, **ERRORS}, tags=["risk"])
    def get(self, request: Request, person_id: int) -> Response:
        """Her current level: the final level of her latest completed assessment, any agency."""
        person = woman_for(self.actor, person_id)
        self.audit_read(request, "person", person.pk, what="risk_level")
        current = selectors.current_level(person.pk)
        return Response({"person": person.pk, "current": present.current_dict(current)})


class WomanRiskHistory(ApiView):
    pagination_class = Cursor

    @extend_schema(responses={200: ser.HistoryRowOut(many=True), **ERRORS}, tags=["risk"])
    def get(self, request: Request, person_id: int) -> Response:
        """Her completed assessments from every agency (levels) and the client agency's drafts;
        answers only through the assessment endpoint, for the agency that made it."""
        person = woman_for(self.actor, person_id)
        rows = selectors.history_for(user=self.actor, person=person)
        visible = {r.assessment.pk: r.may_open for r in rows}
        qs = RiskAssessment.objects.filter(pk__in=visible).select_related("agency", "instrument")
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self) or []
        self.audit_read(request, "person", person.pk, what="risk_history", rows=len(page))
        return paginator.get_paginated_response(
            [
                {
                    "id": a.pk,
                    "agency": a.agency.code,
                    "instrument": str(a.instrument),
                    "status": a.status,
                    "final_level": a.final_level,
                    "final_equivalent": a.final_equivalent,
                    "completed_at": a.completed_at,
                    "answers_visible": visible[a.pk],
                }
                for a in page
            ]
        )
