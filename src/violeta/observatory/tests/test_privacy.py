"""Mode "dp": OpenDP noise calibrated to epsilon, k on noisy counts, the budget published."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from violeta.observatory import privacy
from violeta.observatory.models import Figure, Mode, Release
from violeta.observatory.services import observatory_refresh
from violeta.observatory.tables import key_text

K = 5


def _variance(scale: float) -> float:
    """Variance of the discrete Laplace distribution with this scale (OpenDP's sampler)."""
    q = math.exp(-1 / scale)
    return 2 * q / (1 - q) ** 2


@pytest.mark.parametrize("scale", [0.7, 3.0, 40.0])
def test_the_noise_has_the_scale_epsilon_asks_for(scale: float) -> None:
    draws = privacy.laplace([0] * 40_000, scale)
    mean = sum(draws) / len(draws)
    variance = sum((d - mean) ** 2 for d in draws) / (len(draws) - 1)
    # Relative standard error of the variance of a Laplace sample: sqrt(5 / n) ~ 1.1%.
    assert abs(variance / _variance(scale) - 1) < 0.06
    assert abs(mean) < 6 * math.sqrt(_variance(scale) / len(draws))
    assert len(set(draws)) > 1 and all(isinstance(d, int) for d in draws)
    # OpenDP certifies epsilon = sensitivity / scale for this measurement
    assert privacy.epsilon_of(scale, 10) == pytest.approx(10 / scale)


def test_the_sensitivity_counts_every_figure_one_woman_can_touch() -> None:
    sizes = privacy.multi_sizes(types=8, modalities=6)
    # total, month; 4 single dimensions x (margin + month cell); types, modalities and up to
    # two stages x (margin + month cell); alcaldía x (age, agency, risk, 8 + 6 + 2 values)
    assert privacy.keys_per_record(sizes) == 2 + 8 + 2 * 16 + 3 + 16
    assert privacy.sensitivity(3, sizes) == 2 * 3 * (privacy.keys_per_record(sizes) + 4)


def test_the_contribution_bound_keeps_each_womans_earliest_records() -> None:
    from violeta.observatory.facts import Fact

    def fact(person: int, month: str) -> Fact:
        return Fact(person, month, "09015", "C5", "18_29", "alto", (), (), ())

    facts = [fact(1, m) for m in ("2026-05", "2026-01", "2026-03", "2026-02")] + [
        fact(2, "2026-04")
    ]
    kept = privacy.bound(facts, 2)
    assert sorted((f.person, f.month) for f in kept) == [
        (1, "2026-01"),
        (1, "2026-02"),
        (2, "2026-04"),
    ]


@pytest.mark.django_db
def test_with_dp_the_figures_are_noisy_thresholded_and_the_budget_is_published(
    synthetic: Path, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.OBSERVATORY_DP_EPSILON = "1.5"
    settings.OBSERVATORY_DP_MAX_RECORDS = 2
    exact = {}
    original = privacy.noisy

    def spy(records, women, *, scale):  # the true counts, to compare
        exact.update({key_text(k): (records[k], women[k]) for k in records})
        return original(records, women, scale=scale)

    monkeypatch.setattr(privacy, "noisy", spy)
    first = observatory_refresh(k=K, since="2025-01")
    assert first.mode == Mode.DP and first.epsilon == 1.5 and first.max_records == 2
    assert first.noise_scale and first.noise_scale > 10
    figures = {f.key: (f.records, f.women) for f in first.figures.all()}
    published = {k: v for k, v in figures.items() if v[0] is not None}
    assert published, "some noisy counts pass k"
    assert all(w is not None and w >= K and r is not None and r >= 0 for r, w in published.values())
    differ = sum(1 for key, value in published.items() if value != exact[key])
    assert differ >= 0.9 * len(published)
    assert len(published) < len(figures)  # k applies to the noisy counts
    # Within the interval a refresh spends nothing: the same release.
    assert observatory_refresh(k=K, since="2025-01").pk == first.pk
    later = timezone.now() + dt.timedelta(hours=25)
    second = observatory_refresh(k=K, since="2025-01", now=later)
    assert second.pk != first.pk and Release.objects.filter(mode=Mode.DP).count() == 2
    client = Client()
    data = client.get("/observatorio/datos/cifras.json").json()
    assert data["modo"] == "dp"
    budget = data["privacidad_diferencial"]
    assert budget["epsilon_publicacion"] == 1.5 and budget["epsilon_acumulado"] == 3.0
    assert budget["epsilon_mes"] in (1.5, 3.0) and budget["max_registros_por_mujer"] == 2
    package = client.get("/observatorio/datos/datapackage.json").json()
    assert package["violeta"]["privacidad_diferencial"]["epsilon_acumulado"] == 3.0
    html = client.get("/observatorio/").content.decode()
    assert re.search(r"ε = 1[.,]5", html) and re.search(r"ε = 3[.,]0", html)
    assert "privacidad diferencial" in html.lower()
    history = client.get("/observatorio/datos/publicaciones.json").json()
    assert history["epsilon_acumulado"] == 3.0
    assert [r["modo"] for r in history["publicaciones"]] == ["dp", "dp"]
    assert Figure.objects.filter(release=second).count() >= len(figures)  # maybe a new month


@pytest.mark.django_db
def test_a_bad_epsilon_is_refused(catalogs: None) -> None:
    for bad in ("0", "-1"):
        with pytest.raises(ValueError, match="epsilon"):
            observatory_refresh(k=K, epsilon=bad)


@pytest.mark.django_db
def test_the_release_history_page_lists_every_release_in_mode_k(synthetic: Path) -> None:
    first = observatory_refresh(k=K, since="2025-01", now=timezone.now() - dt.timedelta(days=40))
    second = observatory_refresh(k=K, since="2025-01")
    assert first.pk != second.pk
    client = Client()
    page = client.get("/observatorio/publicaciones/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<th scope="row">{second.pk} (vigente)</th>' in html and f">{first.pk}</th>" in html
    data = client.get("/observatorio/datos/publicaciones.json").json()
    assert [r["publicacion"] for r in data["publicaciones"]] == [second.pk, first.pk]
    assert data["publicaciones"][0]["k"] == K and data["epsilon_acumulado"] == 0.0
    assert "k" in data["reglas"] and "dp" in data["reglas"]
    home = client.get("/observatorio/").content.decode()
    assert "Historial de publicaciones" in home and "al menos 5 registros y 5 mujeres" in home
    assert client.get("/observatorio/datos/cifras.json").json()["privacidad_diferencial"] is None
