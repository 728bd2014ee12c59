"""The public release history and the protection of each release (mode, k, rule, privacy
budget): an HTML page and a JSON document, plus the same metadata for the open data."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from violeta.observatory.models import Mode, Release
from violeta.observatory.services import budget

RULES = {
    Mode.K: (
        "Cifras exactas. Ninguna cifra publicada cuenta menos de k mujeres (los ceros también se "
        "ocultan), con supresión complementaria verificada de forma exacta. Entre publicaciones, "
        "una cifra solo cambia si se mueve al menos k registros y k mujeres respecto de cada "
        "valor que tuvo antes; un cambio menor no se publica (queda el valor anterior) y se "
        "protege como una cifra oculta."
    ),
    Mode.DP: (
        "Privacidad diferencial (OpenDP): ruido de Laplace discreto en cada cifra, calibrado a lo "
        "que una mujer puede aportar (a lo más max_registros registros y alertas suyas); después "
        "se recorta en 0 y se ocultan las cifras con menos de k mujeres según la cifra con ruido. "
        "El epsilon de cada publicación se suma: se publica el gastado en el mes y desde la "
        "primera publicación."
    ),
}


def release_meta(release: Release) -> dict[str, Any]:
    """How ``release`` was protected, for the open data (Spanish keys like the rest)."""
    spent = budget(release)
    return {
        "modo": release.mode,
        "regla": RULES[Mode(release.mode)],
        "cifras_ocultas": release.suppressed,
        "cifras_retenidas": release.held,
        "revisada": (release.checked_at or release.created_at).isoformat(),
        "privacidad_diferencial": None
        if release.mode != Mode.DP
        else {
            "epsilon_publicacion": release.epsilon,
            "epsilon_mes": spent.this_month,
            "epsilon_acumulado": spent.since_first,
            "max_registros_por_mujer": release.max_records,
            "escala_ruido": release.noise_scale,
            "mecanismo": "OpenDP make_laplace (Laplace discreto), composición básica",
        },
        "historial": "/observatorio/datos/publicaciones.json",
    }


def _rows() -> list[dict[str, Any]]:
    return [
        {
            "publicacion": r.pk,
            "calculada": r.created_at.isoformat(),
            "revisada": (r.checked_at or r.created_at).isoformat(),
            "modo": r.mode,
            "k": r.k,
            "primer_mes": r.first_month,
            "ultimo_mes": r.last_month,
            "cifras_ocultas": r.suppressed,
            "cifras_retenidas": r.held,
            "epsilon": r.epsilon,
            "actual": r.is_current,
        }
        for r in Release.objects.order_by("-pk")
    ]


@login_not_required
def releases_json(request: HttpRequest) -> HttpResponse:
    current = Release.objects.filter(is_current=True).first()
    spent = budget(current) if current else None
    return JsonResponse({
        "reglas": {str(mode): text for mode, text in RULES.items()},
        "epsilon_acumulado": spent.since_first if spent else 0.0,
        "publicaciones": _rows(),
    })  # fmt: skip


@login_not_required
def releases(request: HttpRequest) -> HttpResponse:
    current = Release.objects.filter(is_current=True).first()
    return render(
        request,
        "observatory/releases.html",
        {"release": current, "releases": Release.objects.order_by("-pk")[:500]},
    )
