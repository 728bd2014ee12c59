from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from violeta.core.health import healthz, readyz

urlpatterns = [
    path("", include("violeta.records.urls")),
    path("cuenta/", include("violeta.agencies.urls")),
    path("auditoria/", include("violeta.audit.urls")),
    path("vinculacion/", include("violeta.linkage.urls")),
    path("constancias/", include("violeta.certificates.urls")),
    path("canalizaciones/", include("violeta.referrals.urls")),
    path("seguimientos/", include("violeta.cases.urls")),
    path("planes-seguridad/", include("violeta.safetyplan.urls")),
    path("riesgo/", include("violeta.risk.urls")),
    path("bandeja/", include("violeta.delivery.urls")),
    path("alertas/", include("violeta.alerts.urls")),
    path("", include("violeta.reports.urls")),
    path("importar/", include("violeta.intake.urls")),
    path("exportaciones/", include("violeta.exports.urls")),
    path("arco/", include("violeta.lifecycle.urls")),
    path("observatorio/", include("violeta.observatory.urls")),
    path("api/v1/", include("violeta.api.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
