"""The attacker: reads every published figure and every page, and tries to recover hidden ones.

She knows what each figure counts (the documented tables), so each figure is a sum over
*atoms*: the finest combinations of month, alcaldía, age group, agency, risk level, set of types,
set of modalities and justice stages. She does not know which atoms are empty, except those
inside a published zero. A hidden figure is recovered iff its indicator vector over the atoms
is a linear combination of the published figures' vectors. The atoms she must consider are
those of the real data plus many random ones (any identity that holds for every atom is one she
can use; the random atoms rule out identities that only hold by accident in this data).
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client

from violeta.observatory import disclosure, services
from violeta.observatory.facts import Fact, alert_facts, record_facts
from violeta.observatory.models import Figure, Release
from violeta.observatory.services import observatory_refresh
from violeta.observatory.tables import month_range

K = 5
SINCE = "2025-01"
Atom = tuple[Any, ...]


def _atom(f: Fact) -> Atom:
    return ("r", f.month, f.alcaldia, f.age, f.agency, f.risk, f.types, f.modalities, f.stages)


def _random_atoms(
    rng: random.Random, months: list[str], cats: dict[str, list[str]], count: int = 0
) -> set[Atom]:
    atoms: set[Atom] = set()
    stage_sets = [(), ("report",), ("report", "investigation"), ("protection_order",)]
    for _ in range(count or int(__import__("os").environ.get("NATOMS", "2500"))):
        types = tuple(sorted(rng.sample(cats["type"], rng.randint(0, 3))))
        modalities = tuple(sorted(rng.sample(cats["modality"], rng.randint(0, 2))))
        atoms.add(
            ("r", rng.choice(months), rng.choice(cats["alcaldia"]), rng.choice(cats["age"]),
             rng.choice(cats["agency"]), rng.choice(cats["risk"]), types, modalities,
             rng.choice(stage_sets))
        )  # fmt: skip
    for month, level in itertools.product(months, cats["alert_level"]):
        atoms.add(("a", month, level))
    return atoms


def _member(key: str, atom: Atom) -> bool:
    """Whether ``atom`` is counted by the published figure ``key`` (the documented meaning)."""
    p = key.split("|")
    if atom[0] == "a":
        _, month, level = atom
        return (
            p == ["alerts"]
            or p == ["alerts_month", month]
            or p == ["alert_level", level]
            or p == ["cell", "month", "alert_level", month, level]
        )
    _, month, alcaldia, age, agency, risk, types, modalities, stages = atom
    values = {"alcaldia": (alcaldia,), "age": (age,), "agency": (agency,), "risk": (risk,),
              "type": types, "modality": modalities, "stage": stages}  # fmt: skip
    if p == ["total"]:
        return True
    if p[0] == "month":
        return p[1] == month
    if p[0] in values:
        return p[1] in values[p[0]]
    if p[0] == "cell" and p[2] in values:
        where = month if p[1] == "month" else alcaldia
        return p[3] == where and p[4] in values[p[2]]
    return False


def _categories(keys: list[str]) -> dict[str, list[str]]:
    cats: dict[str, list[str]] = {}
    for key in keys:
        p = key.split("|")
        if len(p) == 2 and p[0] not in ("month", "alerts_month"):
            cats.setdefault(p[0], []).append(p[1])
    return cats


@pytest.fixture
def release(synthetic: Path) -> Release:
    return observatory_refresh(k=K, since=SINCE)


def test_no_published_figure_counts_fewer_than_k_women(release: Release) -> None:
    figures = list(Figure.objects.filter(release=release))
    published = [f for f in figures if f.women is not None]
    assert published and len(published) < len(figures)  # the data has small cells
    assert all(f.women == 0 or f.women >= K for f in published)
    assert all((f.records == 0) == (f.women == 0) for f in published)
    assert all(f.records is None for f in figures if f.women is None)


def _attack(release: Release) -> list[str]:
    """The hidden figures of ``release`` that the attacker computes exactly."""
    figures = {f.key: f.records for f in Figure.objects.filter(release=release)}
    months = month_range(release.first_month, release.last_month)
    cats = _categories(list(figures))
    facts = [f for f in record_facts() if f.month in months]
    alerts = [a for a in alert_facts() if a.month in months]
    atoms = {_atom(f) for f in facts} | {("a", a.month, a.level) for a in alerts}
    atoms |= _random_atoms(random.Random(3), months, cats)
    # Published zeros tell her those atoms are empty: she drops them.
    zeros = [key for key, value in figures.items() if value == 0]
    atoms = {a for a in atoms if not any(_member(z, a) for z in zeros)}
    order = sorted(atoms, key=repr)
    published = [k for k, v in figures.items() if v]
    hidden = [k for k, v in figures.items() if v is None]
    assert len(hidden) >= 20, "the dataset must have hidden figures to attack"
    matrix = np.array([[_member(k, a) for a in order] for k in published], dtype=float)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[: int((singular > 1e-8 * singular.max() * max(matrix.shape)).sum())]
    recovered = []
    for key in hidden:
        target = np.array([_member(key, a) for a in order], dtype=float)
        if np.linalg.norm(target - basis.T @ (basis @ target)) < 1e-6:
            recovered.append(key)
    return recovered


def test_the_attacker_recovers_no_hidden_figure(release: Release) -> None:
    assert _attack(release) == []


def test_the_attacker_has_teeth_without_complementary_suppression(
    synthetic: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Controls: with primary suppression only, or with zeros published, she succeeds (each
    release on its own: the audit against the previous one is off)."""
    monkeypatch.setattr(
        disclosure, "suppress", lambda **kw: disclosure.primary(kw["people"], kw["k"])
    )
    assert _attack(observatory_refresh(k=K, since=SINCE))
    monkeypatch.undo()
    monkeypatch.setattr(services, "_previous", lambda *args: None)
    monkeypatch.setattr(disclosure, "primary", lambda people, k: {
        key for key, n in people.items() if 0 < n < k})  # fmt: skip
    assert _attack(observatory_refresh(k=K, since=SINCE))


def _csv_cells(client: Client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_every_filter_combination_shows_only_released_figures(release: Release) -> None:
    """Filters select, never re-aggregate: a cell shows the same value under every filter
    combination, and no shown number is between 1 and k - 1."""
    client = Client()
    cats = _categories(list(release.figures.values_list("key", flat=True)))
    months = month_range(release.first_month, release.last_month)
    combos = [
        *((a, t, p) for a in ["", *cats["alcaldia"]] for t in ["", *cats["type"]]
          for p in (("", ""), (months[2], months[-1]))),
        *(("", "", (a, b)) for a in months[::5] for b in months[::4] if a <= b),
    ]  # fmt: skip
    seen: dict[tuple[str, ...], str] = {}
    shown = 0
    for alcaldia, type_, (since, until) in combos:
        query = f"?alcaldia={alcaldia}&tipo={type_}&desde={since}&hasta={until}"
        html = client.get("/observatorio/" + query)
        assert html.status_code == 200, query
        for table in html.context["tables"]:
            scope = (alcaldia if table.slug.startswith("alcaldia-") else "",
                     type_ if table.slug == "type-alcaldia" else "")  # fmt: skip
            for label, cells in table.rows:
                for column, value in zip(table.columns, cells, strict=True):
                    shown += 1
                    if value != "—":
                        assert int(value) == 0 or int(value) >= K, (table.slug, label, column)
                    cell = (table.slug, *scope, label, column)
                    assert seen.setdefault(cell, value) == value, (cell, query)
    assert shown > 10_000
    # The downloads are the same tables.
    query = f"?alcaldia={cats['alcaldia'][0]}&tipo={cats['type'][0]}"
    tables = client.get("/observatorio/" + query).context["tables"]
    for table in tables:
        rows = _csv_cells(client, f"/observatorio/{table.slug}.csv{query}")
        assert rows[0][1:] == table.columns
        assert [(r[0], r[1:]) for r in rows[1:]] == [(lab, c) for lab, c in table.rows]
