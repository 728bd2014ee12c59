"""``violeta bench link-batch``: ``violeta link`` end to end on N generator records.

``violeta bench link`` measures the linker in memory, beside plain Splink; this measures what
an operator runs: ``link_all`` reading the database (decrypting each identity's stored
features), scoring, clustering and writing the persons back, in a database of the bench's own
(a SQLite file in the data folder, or a PostgreSQL database beside ``DATABASE_URL``'s).

The store is what a bulk import leaves: every generator record with its woman and aggressor,
encrypted and indexed as the normal path stores them, each identity on the person the import's
exact look-up would give it (same valid CURP, or same names and date of birth; otherwise a
person of her own). It is built once per size, seed and corruption and reused: each run first
puts every identity back on its import person and forgets what earlier runs wrote (persons
they created, merges, review pairs), so every run starts from the same state.

Four runs are timed: after the import, training the models (a deployment's first run); after
the import again, with the models saved (the issue's "read, block, score, cluster, write the
persons"), then once more with ``--rebuild-indexes`` (the tables' indexes built again after the
writes, as an operator runs it after a bulk import); and a re-link right after it (a nightly
run: little moves). Quality is measured on
the stored links against the generator's truth, as ``violeta link --evaluate`` does.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings

from violeta.agencies.models import Agency
from violeta.catalogs.models import Alcaldia, RecordKind
from violeta.linkage.batch import LinkReport, evaluate_database, link_all, write_links
from violeta.linkage.bench_realtime import cell_text, identity_input
from violeta.linkage.features import fold, stored_blob
from violeta.linkage.models import LinkDecision, LinkMethod, ReviewPair
from violeta.linkage.source import frames_from_files
from violeta.people import identity as ident
from violeta.people.models import Person, PersonKind
from violeta.people.services import identity_apply, person_indexes
from violeta.records.choices import PartyRole, RecordSource
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.synth.generate import expected_records, generate

BATCH = 2000
ROLES = {"woman": PartyRole.VICTIM, "aggressor": PartyRole.AGGRESSOR}
KINDS = {"woman": PersonKind.WOMAN, "aggressor": PersonKind.AGGRESSOR}
# The runs a bench can time: each but the re-link starts from the import's state.
RUNS = {
    "train": "after the import, training the models",
    "saved": "after the import, saved models",
    "rebuild": "the same with --rebuild-indexes",
    "relink": "re-link",
}


def _import_key(role: str, row: dict[str, Any]) -> tuple[str, ...] | None:
    """The person the import's exact look-up would give this identity, as a key."""
    curp = cell_text(row.get("curp")).upper()
    if curp and ident.curp_is_valid(curp):
        return (role, "curp", curp)
    columns = ("given_names", "first_surname", "birth_date")
    given, first, dob = (cell_text(row.get(c)) for c in columns)
    if given and first and dob:
        second = cell_text(row.get("second_surname"))
        return (role, "exact", fold(given), fold(first), fold(second), dob[:10])
    return None


def _occurred(value: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def build_store(
    frames: dict[str, pd.DataFrame], progress: Any = None
) -> dict[int, tuple[int, str]]:
    """Store every record of ``frames`` as an import would; returns each identity's import
    person and method (identity pk → (person pk, method))."""
    agencies = dict(Agency.objects.values_list("code", "pk"))
    kind_id = RecordKind.objects.values_list("pk", flat=True).order_by("pk")[0]
    alcaldias = {a.inegi_code: a for a in Alcaldia.objects.all()}
    parties: dict[str, dict[str, dict[str, Any]]] = {}
    for role, frame in frames.items():
        for row in frame.to_dict("records"):
            parties.setdefault(row["unique_id"], {})[role] = row
    uids = list(parties)
    person_of_key: dict[tuple[str, ...], int] = {}
    import_person: dict[int, tuple[int, str]] = {}
    for start in range(0, len(uids), BATCH):
        chunk = uids[start : start + BATCH]
        with transaction.atomic():
            records = []
            for uid in chunk:
                row = parties[uid].get("woman") or parties[uid]["aggressor"]
                records.append(
                    AgencyRecord(
                        agency_id=agencies[row["agency"]],
                        agency_record_id=uid.split("|", 1)[1],
                        kind_id=kind_id,
                        occurred_at=_occurred(row["occurred_at"]),
                        alcaldia=alcaldias.get(cell_text(row.get("alcaldia"))),
                        source=RecordSource.IMPORT,
                    )
                )
            made = AgencyRecord.objects.bulk_create(records)
            identities, keys, new_people = [], [], {}
            for record, uid in zip(made, chunk, strict=True):
                for role, row in parties[uid].items():
                    data = identity_input(row)
                    identity = ReportedIdentity(record=record, role=ROLES[role])
                    identity_apply(identity, data, alcaldia=alcaldias.get(data.alcaldia_code))
                    age = row.get("age")
                    identity.age = None if age is None or age != age else int(age)
                    identity.link_features = stored_blob(identity, record.occurred_at)
                    key = _import_key(role, row) or (role, "single", uid)
                    if key not in person_of_key and key not in new_people:
                        person = Person(kind=KINDS[role])
                        identity_apply(person, data, alcaldia=identity.alcaldia)
                        person_indexes(person)
                        new_people[key] = person
                    identity.link_method = (
                        LinkMethod.SINGLE if key[1] == "single" else LinkMethod(key[1])
                    )
                    identities.append(identity)
                    keys.append(key)
            for key, person in zip(
                new_people, Person.objects.bulk_create(list(new_people.values())), strict=True
            ):
                person_of_key[key] = int(person.pk)
            for identity, key in zip(identities, keys, strict=True):
                identity.person_id = person_of_key[key]
            for identity in ReportedIdentity.objects.bulk_create(identities):
                import_person[int(identity.pk)] = (int(identity.person_id), identity.link_method)
        if progress:
            progress(min(start + BATCH, len(uids)), len(uids))
    return import_person


def reset_store(import_person: dict[int, tuple[int, str]], built_persons: int) -> None:
    """Back to the import's state: identities on their import persons, no merges, no review
    pairs or decisions, no persons created by earlier runs."""
    rows = [(person, method, None, pk) for pk, (person, method) in import_person.items()]
    with transaction.atomic():
        ReviewPair.objects.all().delete()
        LinkDecision.objects.all().delete()
        write_links(rows)
        Person.objects.filter(merged_into__isnull=False).update(merged_into=None)
        Person.objects.filter(pk__gt=built_persons).delete()
    compact_store()


def compact_store() -> None:
    """The tables a run rewrites, as a bulk import leaves them: without the dead rows of the
    bench's earlier runs and resets (each rewrites a million identities and persons) and with
    fresh planner statistics. A served database has autovacuum for this; a bench that reset
    the store four times measured its write on a table five times its size (7.6 GB of which
    1.5 GB live, on a server with autovacuum off). Not inside a transaction (a test's),
    where PostgreSQL refuses VACUUM."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in (ReportedIdentity, Person):
            cursor.execute(
                f"VACUUM (FULL, ANALYZE) {connection.ops.quote_name(model._meta.db_table)}"
            )


def _run(*, retrain: bool, rebuild: bool = False) -> tuple[float, list[LinkReport]]:
    start = time.perf_counter()
    reports = link_all(retrain=retrain, rebuild_indexes=rebuild)
    return time.perf_counter() - start, reports


def _stages(reports: list[LinkReport]) -> str:
    return "; ".join(
        f"{r.role} {r.identities} → {r.persons} persons, {r.moved} moved ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in r.seconds.items())
        + ")"
        for r in reports
    )


def bench_batch(
    records: int,
    *,
    corruption: str = "default",
    seed: int = 42,
    progress: Any = None,
    runs: Sequence[str] = tuple(RUNS),
) -> str:
    """Run in the bench's own database (see ``violeta bench link-batch``); ``runs``: which of
    ``RUNS``, in that order."""
    bench_dir = Path(settings.DATA_DIR) / "bench"
    name = f"batch-{records}-{seed}-{corruption}-{connection.vendor}"
    marker, truth_path = bench_dir / f"{name}.json", bench_dir / f"{name}-truth.csv"
    started = time.perf_counter()
    stored = json.loads(marker.read_text()) if marker.exists() else None
    if stored and ReportedIdentity.objects.count() == len(stored["import_person"]):
        import_person = {int(k): (p, m) for k, (p, m) in stored["import_person"].items()}
        built = "reused"
    else:
        ReportedIdentity.objects.all().delete()
        AgencyRecord.objects.all().delete()
        Person.objects.all().delete()
        women = max(1, round(records / expected_records(1)))
        with tempfile.TemporaryDirectory(prefix="violeta-bench-batch-") as tmp:
            generate(Path(tmp), women=women, seed=seed, corruption=corruption)
            frames = frames_from_files(Path(tmp))
            bench_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy(Path(tmp) / "truth.csv", truth_path)
        import_person = build_store(frames, progress)
        stored = {
            "import_person": import_person,
            "built_persons": Person.objects.order_by("-pk").values_list("pk", flat=True).first(),
        }
        marker.write_text(json.dumps(stored))
        built = f"built in {time.perf_counter() - started:.0f} s"
    # Models in a folder of the benchmark's own, never the deployment's.
    done: list[str] = []
    with override_settings(DATA_DIR=bench_dir / f"models-{name}"):
        for run in runs:
            if run != "relink":  # a re-link runs on what the run before it left
                reset_store(import_person, int(stored["built_persons"]))
            seconds, reports = _run(retrain=run == "train", rebuild=run == "rebuild")
            done.append(f"{RUNS[run]}: {seconds:.1f} s [{_stages(reports)}]")
    quality = evaluate_database(truth_path)
    figures = ", ".join(
        f"{role} P {q.precision:.4f} R {q.recall:.4f}" for role, q in quality.items()
    )
    return (
        f"link-batch ({corruption}, {connection.vendor}): {len(import_person)} identities "
        f"({built}); {'; '.join(done)}; {figures}"
    )
