"""POST /api/v1/fhir/Bundle: the health agency's FHIR R4 Bundle, all its records or none."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from violeta.api import shapes
from violeta.api.base import ApiView, idempotent
from violeta.api.fhir_map import bundle_records, mapping
from violeta.api.problems import problem
from violeta.api.recordio import outcome_dict
from violeta.api.views import ERRORS, IDEMPOTENCY
from violeta.records.choices import RecordSource
from violeta.records.services import record_register
from violeta.records.validation import Catalogs

FHIR_JSON = "application/fhir+json"


class FhirJSONParser(JSONParser):
    media_type = FHIR_JSON


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON


class FhirBundle(ApiView):
    read_scope = write_scope = "records:write"  # any other method: 405
    parser_classes = [FhirJSONParser, JSONParser]
    renderer_classes = [JSONRenderer, FhirJSONRenderer]

    @extend_schema(
        request={FHIR_JSON: shapes.FhirBundleIn, "application/json": shapes.FhirBundleIn},
        responses={200: shapes.FhirOut, 201: shapes.FhirOut, **ERRORS},
        tags=["fhir"],
        parameters=[IDEMPOTENCY],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        """A FHIR R4 transaction or collection Bundle (Patient, Encounter, Condition coded in
        ICD-10): each Encounter becomes (or updates) one record of the agency. Anything wrong:
        422 naming the FHIR path, and nothing of the bundle is stored. Only for agencies that
        register medical attention (SEDESA)."""
        agency = self.actor.agency
        kind = mapping()["record_kind"]
        if agency is None or not agency.record_kinds.filter(code=kind).exists():
            return problem(403, _("Only the health agency's clients may send FHIR bundles."))
        cats = Catalogs.load()
        records = bundle_records(request.data, agency=agency, cats=cats)
        results: list[dict[str, Any]] = []
        with transaction.atomic():
            for entry, data in records:
                outcome = record_register(
                    actor=self.actor, data=data, source=RecordSource.FHIR, request=request._request
                )
                results.append({"entry": entry, "record": outcome_dict(outcome)})
        created = any(r["record"]["created"] for r in results)
        return Response({"records": results}, status=201 if created else 200)
