"""/api/v1/: the REST API for agencies' systems, its OpenAPI 3 schema and interactive docs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from violeta.api import fhir, people, records, views
from violeta.api.base import NotFoundView

app_name = "api"


def _public(view: Any) -> Any:
    """API calls authenticate with their token, not the staff session."""
    return login_not_required(view)


urlpatterns: list[URLPattern] = [
    path("schema/", _public(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        _public(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("risk/instruments/", _public(views.InstrumentList.as_view()), name="instruments"),
    path("risk/assessments/", _public(views.AssessmentCreate.as_view()), name="assessments"),
    path(
        "risk/assessments/<int:pk>/",
        _public(views.AssessmentDetail.as_view()),
        name="assessment",
    ),
    path(
        "risk/assessments/<int:pk>/answers/",
        _public(views.AssessmentAnswers.as_view()),
        name="answers",
    ),
    path(
        "risk/assessments/<int:pk>/complete/",
        _public(views.AssessmentComplete.as_view()),
        name="complete",
    ),
    path(
        "risk/assessments/<int:pk>/override/",
        _public(views.AssessmentOverride.as_view()),
        name="override",
    ),
    path("women/<int:person_id>/risk/", _public(views.WomanRisk.as_view()), name="woman_risk"),
    path(
        "women/<int:person_id>/risk/history/",
        _public(views.WomanRiskHistory.as_view()),
        name="woman_risk_history",
    ),
    path("records/", _public(records.RecordCreate.as_view()), name="records"),
    path("records/<str:ref>/", _public(records.RecordDetail.as_view()), name="record"),
    path("women/search/", _public(people.WomanSearch.as_view()), name="women_search"),
    path(
        "women/<int:person_id>/alerts/",
        _public(people.WomanAlerts.as_view()),
        name="woman_alerts",
    ),
    path("fhir/Bundle", _public(fhir.FhirBundle.as_view()), name="fhir_bundle"),
    re_path(r"^.*$", _public(NotFoundView.as_view()), name="not_found"),
]
