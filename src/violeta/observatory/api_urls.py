"""/observatorio/api/v1/: the observatory's open-data API (public, read-only, no login)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from django.views.decorators.http import require_safe

from violeta.observatory import api, api_schema

app_name = "api"
urlpatterns = [
    path("", login_not_required(api.TableIndex.as_view()), name="index"),
    path("tablas/<str:slug>", login_not_required(api.TableDetail.as_view()), name="table"),
    path("openapi.json", login_not_required(require_safe(api_schema.openapi)), name="openapi"),
    re_path(r"^.*$", login_not_required(api.Missing.as_view()), name="missing"),
]
