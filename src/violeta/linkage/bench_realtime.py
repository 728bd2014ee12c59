"""``violeta bench link-realtime``: the registration form's look-up against a large store.

The store is built once per size and seed, in a database of its own (a SQLite file in the data
folder, or a PostgreSQL database beside ``DATABASE_URL``'s), and reused by later runs: one
person per woman's identity in the generator's agency files, unlinked. That is the look-up's
worst case (every namesake is a separate person to shortlist and score). The look-ups are
identities held out of the store, typed by another agency, of women who are in it: what an
operator types while the woman is on the line. Each is timed through ``candidates_for``,
exactly what the form calls, and counted right when her own person comes first.

Both sides score with one model, trained without labels on at most ``SPLINK_RECORDS`` of the
stored identities. Beside Violeta's look-up, in the same run, Splink's own real-time
comparison (``compare_records`` of one record against those stored identities, blocked by
Splink's SQL on the same keys).
"""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings

from violeta.catalogs.models import Alcaldia
from violeta.linkage import model as link_model
from violeta.linkage.features import FEATURE_COLUMNS, features
from violeta.linkage.realtime import candidates_for
from violeta.linkage.scoring import model_path, model_write
from violeta.linkage.source import frames_from_files, truth_from_file
from violeta.people.identity import IdentityInput
from violeta.people.models import Person, PersonKind
from violeta.people.services import identity_apply, person_indexes
from violeta.records.choices import PartyRole
from violeta.synth.generate import expected_records, generate

logger = logging.getLogger(__name__)
SPLINK_RECORDS = 100_000
SPLINK_LOOKUPS = 50
BUILD_BATCH = 2000
# Splink's look-up is blocked on the keys Violeta's look-up uses (blind indexes there).
SPLINK_JOIN = (
    "(l.curp = r.curp) or (l.phone = r.phone)"
    " or (l.surname1 = r.surname1 and l.given_primary = r.given_primary)"
    " or (l.surname1 = r.surname1 and l.dob = r.dob)"
    " or (l.given_primary = r.given_primary and l.dob = r.dob)"
    " or (l.surname1 = r.surname2 and l.surname2 = r.surname1)"
)


@dataclass
class Timing:
    label: str
    millis: list[float]
    right: int
    asked: int

    def text(self) -> str:
        ms = sorted(self.millis)

        def pct(q: float) -> float:
            return ms[min(len(ms) - 1, int(q * len(ms)))]

        return (
            f"{self.label}: p50 {statistics.median(ms):.1f} ms, p95 {pct(0.95):.1f} ms, "
            f"p99 {pct(0.99):.1f} ms, top-1 {self.right / max(1, self.asked):.3f} "
            f"({len(ms)} look-ups)"
        )


def cell_text(value: Any) -> str:
    """A frame cell as text: missing (None or NaN) is empty."""
    return "" if value is None or value != value else str(value)


def identity_input(row: dict[str, Any]) -> IdentityInput:
    """A generator row (agency file columns) as the form's identity input."""

    def text(name: str) -> str:
        return cell_text(row.get(name))

    birth = text("birth_date")
    return IdentityInput(
        given_names=text("given_names"),
        first_surname=text("first_surname"),
        second_surname=text("second_surname"),
        birth_date=pd.Timestamp(birth).date() if birth else None,
        sex=text("sex"),
        curp=text("curp"),
        phone=text("phone"),
        address=text("address"),
        colonia=text("colonia"),
        alcaldia_code=text("alcaldia"),
    )


def _split(
    frame: pd.DataFrame, truth: dict[str, str], lookups: int, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Held-out look-ups (women with other identities in the store) and the store."""
    frame = frame.assign(true_id=[truth.get(u, "") for u in frame["unique_id"]])
    sizes = frame.groupby("true_id").size()
    eligible = frame[frame["true_id"].map(sizes) >= 2]
    picked = eligible.sample(n=min(lookups, len(eligible)), random_state=seed)
    picked = picked.drop_duplicates("true_id")
    return picked, frame.drop(index=picked.index)


def build_store(stored: pd.DataFrame, progress: Any = None) -> dict[int, str]:
    """One Person per stored identity, in bulk, encrypted and indexed as the normal path does
    (``identity_apply`` and ``person_indexes``); returns each person's true woman."""
    alcaldias = dict(Alcaldia.objects.values_list("inegi_code", "pk"))
    truth: dict[int, str] = {}
    rows = stored.to_dict("records")
    for start in range(0, len(rows), BUILD_BATCH):
        chunk = rows[start : start + BUILD_BATCH]
        people = []
        for row in chunk:
            person = Person(kind=PersonKind.WOMAN)
            data = identity_input(row)
            identity_apply(person, data, alcaldia=None)
            person.alcaldia_id = alcaldias.get(data.alcaldia_code)
            person_indexes(person)
            people.append(person)
        with transaction.atomic():
            made = Person.objects.bulk_create(people)
        for person, row in zip(made, chunk, strict=True):
            truth[int(person.pk)] = str(row["true_id"])
        if progress:
            progress(min(start + BUILD_BATCH, len(rows)), len(rows))
    return truth


def _violeta(picked: pd.DataFrame, truth: dict[int, str]) -> Timing:
    candidates_for(data=identity_input(picked.iloc[0].to_dict()))  # warm: model, connection
    millis, right = [], 0
    for row in picked.to_dict("records"):
        data = identity_input(row)
        start = time.perf_counter()
        found = candidates_for(data=data)
        millis.append((time.perf_counter() - start) * 1000)
        right += bool(found) and truth.get(found[0].person.pk) == row["true_id"]
    return Timing("violeta", millis, right, len(picked))


def _trained(stored: pd.DataFrame, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """A sample of the store, its features and the model trained on them (as `violeta link`
    would train it): both sides score with this model."""
    sample = stored.sample(n=min(SPLINK_RECORDS, len(stored)), random_state=seed)
    feats = features(sample.assign(partner=""))
    return sample, feats, link_model.train(feats, "woman")


def _splink(
    picked: pd.DataFrame, sample: pd.DataFrame, feats: pd.DataFrame, model: dict[str, Any]
) -> Timing:
    from splink import DuckDBAPI
    from splink.internals.realtime import compare_records

    db_api = DuckDBAPI()
    table = feats[FEATURE_COLUMNS].copy()
    queries = features(picked.head(SPLINK_LOOKUPS).assign(partner=""))[FEATURE_COLUMNS].copy()
    # compare_records takes term frequencies from its inputs: the stored table's.
    for column in _tf_columns(model):
        share = table[column].value_counts(normalize=True)
        table[f"tf_{column}"] = table[column].map(share)
        queries[f"tf_{column}"] = queries[column].map(share)
    db_api._con.register("stored_identities", table)
    true_of = dict(zip(feats["unique_id"], sample["true_id"], strict=True))
    millis, right = [], 0
    for (_, query), true_id in zip(
        queries.iterrows(), picked["true_id"].head(SPLINK_LOOKUPS), strict=True
    ):
        record = {k: (None if v != v else v) for k, v in query.items()}
        start = time.perf_counter()
        scored = compare_records(
            record,
            "stored_identities",
            model,
            db_api,
            sql_cache_key="violeta_bench",
            join_condition=SPLINK_JOIN,
        ).as_pandas_dataframe()
        millis.append((time.perf_counter() - start) * 1000)
        if not scored.empty:
            best = scored.sort_values("match_probability", ascending=False).iloc[0]
            right += true_of.get(str(best["unique_id_r"])) == true_id
    label = f"splink compare_records vs {len(sample)} stored"
    return Timing(label, millis, right, len(queries))


def _tf_columns(model: dict[str, Any]) -> list[str]:
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in model["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


def _generated(records: int, seed: int) -> tuple[pd.DataFrame, dict[str, str]]:
    women = max(1, round(records / expected_records(1)))
    with tempfile.TemporaryDirectory(prefix="violeta-bench-rt-") as tmp:
        generate(Path(tmp), women=women, seed=seed)
        frames = frames_from_files(Path(tmp))
        truth = truth_from_file(Path(tmp) / "truth.csv")["woman"]
    return frames["woman"], truth


def bench_realtime(
    records: int, *, lookups: int = 300, seed: int = 42, progress: Any = None
) -> str:
    """Run in the bench's own database (see ``violeta bench link-realtime``)."""
    frame, truth = _generated(records, seed)
    picked, stored = _split(frame, truth, lookups, seed)
    bench_dir = Path(settings.DATA_DIR) / "bench"
    marker = bench_dir / f"realtime-{records}-{seed}-{connection.vendor}.json"
    started = time.perf_counter()
    if marker.exists() and Person.objects.count() == len(stored):
        store_truth = {int(k): v for k, v in json.loads(marker.read_text()).items()}
        built = "reused"
    else:
        Person.objects.all().delete()
        store_truth = build_store(stored, progress)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(store_truth))
        built = f"built in {time.perf_counter() - started:.0f} s"
    sample, feats, model = _trained(stored, seed)
    # The look-up reads the trained model where `violeta link` leaves it: here, a folder of
    # the benchmark's own, never the deployment's models.
    with override_settings(DATA_DIR=bench_dir / f"models-{records}-{seed}"):
        model_write(model, model_path(PartyRole.VICTIM))
        ours = _violeta(picked, store_truth)
    theirs = _splink(picked, sample, feats, model)
    return (
        f"link-realtime: {len(stored)} stored identities ({built}, {connection.vendor}); "
        f"{ours.text()}; {theirs.text()}"
    )
