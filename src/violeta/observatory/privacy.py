"""Differential privacy for the observatory (mode "dp", docs/observatory.md): OpenDP's Laplace
mechanism on every figure of a release, after bounding what one woman can contribute.

* Contribution bound: at most ``max_records`` records (her earliest) and ``max_records`` alerts
  of each woman are counted in a release (over the whole published period).
* Sensitivity: one record enters at most ``keys_per_record`` record figures (the tables are
  fixed: see ``observatory.tables``), one alert at most 4; a woman adds at most 1 to the women
  count of each figure her counted records or alerts enter. So adding or removing one woman
  changes the vector of all published counts (records and women) by at most
  ``2 * max_records * (keys_per_record + 4)`` in L1 norm.
* Noise: one OpenDP ``make_laplace`` measurement over that integer vector (discrete Laplace,
  scale = sensitivity / epsilon): the release is epsilon-DP for one woman. Successive releases
  compose: the budget spent is the sum of their epsilons, published with each release.
* Post-processing (costs no budget): clamp at 0; the women count decides k on the *noisy*
  value (a noisy count under k is hidden). No complementary suppression is needed: every
  published value is noisy, so no subtraction recovers a true one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, TypeVar

from violeta.observatory.disclosure import Key
from violeta.observatory.facts import STAGES
from violeta.observatory.tables import ALCALDIA_TABLES, MONTH_TABLES, MULTI, SINGLE

ALERT_KEYS = 4  # alerts, alerts_month, alert_level, month x alert_level


def keys_per_record(multi_sizes: Mapping[str, int]) -> int:
    """The most record figures one record can enter: total, its month, and for every
    dimension its category total and its month cell (one per value for the multi-valued
    dimensions), plus its alcaldía's cells of the alcaldía x dimension tables."""
    values = {dim: 1 for dim in SINGLE} | {dim: multi_sizes[dim] for dim in MULTI}
    month_tables = sum(2 * values[dim] for dim in MONTH_TABLES)
    alcaldia_tables = sum(values[dim] for dim in ALCALDIA_TABLES)
    return 2 + month_tables + alcaldia_tables


def sensitivity(max_records: int, multi_sizes: Mapping[str, int]) -> int:
    """L1 sensitivity of the whole vector of counts (records and women) to one woman."""
    return 2 * max_records * (keys_per_record(multi_sizes) + ALERT_KEYS)


class _Contribution(Protocol):
    @property
    def person(self) -> int: ...
    @property
    def month(self) -> str: ...


C = TypeVar("C", bound=_Contribution)


def bound(items: Iterable[C], max_records: int) -> list[C]:
    """Each woman's earliest ``max_records`` records or alerts (by month, then in reading
    order)."""
    kept: list[C] = []
    counted: dict[int, int] = {}
    for item in sorted(items, key=lambda f: f.month):
        if counted.get(item.person, 0) < max_records:
            counted[item.person] = counted.get(item.person, 0) + 1
            kept.append(item)
    return kept


def multi_sizes(types: int, modalities: int) -> dict[str, int]:
    """How many values a record can have in each multi-valued dimension (a complaint with a
    carpeta is both a report and an investigation)."""
    return {"type": types, "modality": modalities, "stage": len(STAGES) - 1}


def laplace(values: list[int], scale: float) -> list[int]:
    """``values`` plus OpenDP's discrete Laplace noise of ``scale`` on each coordinate."""
    import opendp.prelude as dp  # imported here: only mode "dp" needs the native library

    dp.enable_features("contrib")
    if not values:
        return []
    measurement = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale
    )
    return list(measurement(values))


def epsilon_of(scale: float, sensitivity_: int) -> float:
    """The epsilon OpenDP certifies for this scale and sensitivity (the measurement's map)."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    measurement = dp.m.make_laplace(
        dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale
    )
    return float(measurement.map(sensitivity_))


def noisy(
    records: Mapping[Key, int], women: Mapping[Key, int], *, scale: float
) -> tuple[dict[Key, int], dict[Key, int]]:
    """Noisy records and women of every figure, clamped at 0 (post-processing)."""
    keys = sorted(records, key=repr)
    released = laplace([records[key] for key in keys] + [women[key] for key in keys], scale)
    n = len(keys)
    return (
        {key: max(0, released[i]) for i, key in enumerate(keys)},
        {key: max(0, released[n + i]) for i, key in enumerate(keys)},
    )
