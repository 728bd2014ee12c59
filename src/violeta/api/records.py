"""Records endpoints: register (POST), update by the agency's folio (PUT), read (GET), for the
client's own agency. One write path: records.validation then records.services."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from violeta.agencies.models import Agency
from violeta.api import shapes
from violeta.api.base import ApiView, idempotent
from violeta.api.conflicts import IF_MATCH, STALE, expected_version, with_etag
from violeta.api.problems import problem
from violeta.api.recordio import outcome_dict, record_check, record_dict
from violeta.api.views import ERRORS, IDEMPOTENCY
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.models import AgencyRecord
from violeta.records.selectors import records_visible_to
from violeta.records.services import RegisterOutcome, record_matches, record_register
from violeta.records.validation import Catalogs, RecordInput

REF = OpenApiParameter(
    "ref",
    str,
    OpenApiParameter.PATH,
    description="GET: Violeta's record id. PUT: the agency's own folio (agency_record_id).",
)


class RecordsView(ApiView):
    read_scope = "records:read"
    write_scope = "records:write"

    def agency(self) -> Agency:
        agency = self.actor.agency
        if agency is None:
            raise Http404
        return agency


class RecordCreate(RecordsView):
    @extend_schema(
        request=shapes.RecordIn,
        responses={201: shapes.RegisteredOut, 200: shapes.RegisteredOut, **ERRORS},
        tags=["records"],
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """Register a new record of the client's agency. The same record again (a retry): 200,
        nothing written. Its folio registered with another content: 409 (update it with PUT
        records/{agency_record_id}/). Invalid: 422 naming each field."""
        agency = self.agency()
        data = record_check(request.data, agency=agency, cats=Catalogs.load())
        taken = AgencyRecord.objects.filter(agency=agency, agency_record_id=data.agency_record_id)
        if taken.exists():
            return _again(taken.get(), data)
        try:
            with transaction.atomic():
                outcome = record_register(
                    actor=self.actor, data=data, source=RecordSource.API, request=request._request
                )
        except IntegrityError:  # the same folio registered by a concurrent call
            return _again(taken.get(), data)
        body = outcome_dict(outcome)
        return Response(body, status=201, headers={"Location": f"/api/v1/records/{body['id']}/"})


def _again(existing: AgencyRecord, data: RecordInput) -> Response:
    """A folio already registered. The very same record again (a retry whose answer was lost):
    200 with that record, nothing written (idempotent by the agency's folio). Another content
    under that folio: 409."""
    if not record_matches(existing, data):
        return _taken()
    victim = existing.parties.get(role=PartyRole.VICTIM).person
    outcome = RegisterOutcome(
        existing, created=False, changed=False, victim=victim, victim_created=False
    )
    return Response(outcome_dict(outcome), status=200)


def _taken() -> Response:
    return problem(
        409,
        _("This agency already registered a record with this folio; update it with PUT."),
        errors={"agency_record_id": [_("Already registered by this agency.")]},
    )


class RecordDetail(RecordsView):
    def audited_path(self, request: Request) -> str:
        """A folio is the agency's own text: the call's entry keeps its place, not its value
        (the record's own entry names the record)."""
        if request.method == "PUT":
            return "/api/v1/records/<agency_record_id>/"
        return super().audited_path(request)

    @extend_schema(responses={200: shapes.RecordOut, **ERRORS}, tags=["records"], parameters=[REF])
    def get(self, request: Request, ref: str) -> Response:
        """One of the agency's own records, whole (by Violeta's id). Another agency's: 404."""
        if not ref.isdigit():
            raise Http404
        record = (
            records_visible_to(self.actor)
            .select_related("agency", "kind", "alcaldia")
            .filter(pk=int(ref))
            .first()
        )
        if record is None:
            raise Http404
        self.audit_read(request, "record", str(record.pk))
        return with_etag(Response(record_dict(record)), record.version)

    @extend_schema(
        request=shapes.RecordIn,
        responses={200: shapes.RegisteredOut, **ERRORS, **STALE},
        tags=["records"],
        parameters=[REF, IDEMPOTENCY, IF_MATCH],
    )
    @idempotent
    def put(self, request: Request, ref: str) -> Response:
        """Update the agency's record with this folio (the whole record again; the previous
        content is kept in its history). The same content again changes nothing. With
        If-Match (the ETag of a GET: its version), only if nobody changed it since: else 412
        and nothing is stored."""
        agency = self.agency()
        if not AgencyRecord.objects.filter(agency=agency, agency_record_id=ref).exists():
            raise Http404
        body = request.data
        if isinstance(body, dict):
            sent = body.get("agency_record_id")
            if sent not in (None, "", ref):
                return problem(
                    422,
                    _("The folio in the body differs from the one in the path."),
                    errors={"agency_record_id": [_("Must be the folio in the path.")]},
                )
            body = {**body, "agency_record_id": ref}
        data = record_check(body, agency=agency, cats=Catalogs.load())
        outcome = record_register(
            actor=self.actor,
            data=data,
            source=RecordSource.API,
            expected_version=expected_version(request),
            request=request._request,
        )
        return with_etag(Response(outcome_dict(outcome)), outcome.record.version)
