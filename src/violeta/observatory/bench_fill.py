# ruff: noqa: S608  (SQL built from the models' own table and column names; no input)
"""Filling the observatory bench's database with N agency records, set-based.

The shape is the generator's: a small ``violeta.synth`` city is imported through the agencies'
files (linkage and all) as *templates*, a few alerts are raised about its women, and then the
templates are copied in SQL (``INSERT … SELECT`` over a table of copy numbers) until there are
exactly N records. Copy ``c`` has its own women and aggressors (ids shifted by ``c`` strides)
and its dates moved back ``c mod 12`` months, so each woman's story keeps its shape and the
months vary. The ORM would take hours at 10,000,000 records; one statement per table does not.

Copies leave the encrypted personal fields (names, CURP, narrative, colonia…) and the blind
indexes empty: the observatory never reads them, and every one of them is ``blank=True``. The
copied tables are therefore narrower than production's (say so beside any figure).
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from violeta.agencies.models import Agency
from violeta.agencies.services import agencies_load
from violeta.alerts.choices import Level
from violeta.alerts.models import Alert
from violeta.alerts.ruleset import active_ruleset
from violeta.catalogs.services import catalogs_load
from violeta.core.fields import EncryptedDateField, EncryptedTextField
from violeta.intake.loader import import_file
from violeta.people.models import Person, PersonKind
from violeta.records.models import AgencyRecord, ReportedIdentity
from violeta.synth.generate import generate

TEMPLATE_WOMEN = 300
ALERTS_PER_TEMPLATE = 0.15  # alerts raised per template woman (the alerts bench: ~0.2 a year)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _shift(column: str, months: str) -> str:
    """``column`` moved back ``months`` months (an SQL expression of the copy number)."""
    if _postgres():
        return f"({column} - ({months}) * INTERVAL '1 month')"
    return f"datetime({column}, '-' || ({months}) || ' months')"


def _copy(model: type[models.Model], overrides: dict[str, str], where: str) -> None:
    """``INSERT INTO model SELECT`` every concrete column of ``source`` rows (alias ``s``),
    joined to the copy numbers (alias ``k``), with ``overrides`` as SQL expressions."""
    columns, values = [], []
    for f in model._meta.concrete_fields:
        column = f.column
        columns.append(connection.ops.quote_name(column))
        if column in overrides:
            values.append(overrides[column])
        elif isinstance(f, EncryptedTextField | EncryptedDateField) or column.endswith("_bidx"):
            values.append("''")
        else:
            values.append(f"s.{connection.ops.quote_name(column)}")
    table = connection.ops.quote_name(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM {table} s {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _stride(model: type[models.Model]) -> int:
    top = model._default_manager.aggregate(top=models.Max("pk"))["top"]
    return int(top or 0)


def _templates(women: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(out, women=women, seed=seed)
        for path in sorted(out.glob("*.csv")):
            if path.stem not in {"truth", "truth_people"}:
                import_file(agency=Agency.objects.get(code=path.stem), path=path)
        _link_by_truth(out / "truth.csv")
    rng = random.Random(seed)
    ruleset = active_ruleset()
    canonical = Person.objects.filter(kind=PersonKind.WOMAN, merged_into=None)
    ids = list(canonical.values_list("pk", flat=True))
    now = timezone.now()
    for n in range(max(1, int(len(ids) * ALERTS_PER_TEMPLATE))):
        raised = now - dt.timedelta(days=rng.randint(0, 5 * 365), minutes=rng.randint(0, 1440))
        Alert.objects.create(
            person_id=rng.choice(ids), rule_code="bench", ruleset=ruleset,
            level=rng.choice(Level.values), cause_key=f"bench:{n}", deadline=raised,
            created_at=raised,
        )  # fmt: skip


def _link_by_truth(truth: Path) -> None:
    """Merge the templates' persons as the generator's truth says (a perfect ``violeta link``):
    a woman's records then count as one woman, as after linkage in production."""
    with truth.open(encoding="utf-8") as lines:
        who = {(r["agency"], r["agency_record_id"], r["role"]): r["person_id"]
               for r in csv.DictReader(lines)}  # fmt: skip
    groups: dict[str, set[int]] = {}
    for person, role, agency, record in ReportedIdentity.objects.values_list(
        "person_id", "role", "record__agency__code", "record__agency_record_id"
    ):
        if (agency, record, role) in who:
            groups.setdefault(who[(agency, record, role)], set()).add(person)
    merged: dict[int, int] = {}
    for persons in groups.values():
        canonical = min(persons)
        for person in sorted(persons - {canonical}):
            if person not in merged and canonical not in merged:
                merged[person] = canonical
    by_canonical: dict[int, list[int]] = {}
    for person, canonical in merged.items():
        by_canonical.setdefault(canonical, []).append(person)
    for canonical, others in by_canonical.items():  # as ``violeta link`` leaves them
        Person.objects.filter(pk__in=others).update(merged_into_id=canonical)
        ReportedIdentity.objects.filter(person_id__in=others).update(person_id=canonical)


def _trim(records: int) -> None:
    """Fewer records than the templates: keep the first ``records``."""
    extra = AgencyRecord.objects.order_by("pk").values_list("pk", flat=True)[records:]
    AgencyRecord.objects.filter(pk__in=list(extra)).delete()


def fill(records: int, *, seed: int = 42, template_women: int = TEMPLATE_WOMEN) -> float:
    """Make this database hold exactly ``records`` agency records; the seconds it took (0 when
    it already held that many: the database is built once and reused)."""
    if AgencyRecord.objects.count() == records:
        return 0.0
    started = time.perf_counter()
    if AgencyRecord.objects.exists():
        call_command("flush", interactive=False, verbosity=0)
    catalogs_load()
    agencies_load()
    _templates(template_women, seed)
    if AgencyRecord.objects.count() > records:
        _trim(records)
    _replicate(records)
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


@contextmanager
def _bare(tables: list[str]) -> Iterator[None]:
    """On PostgreSQL, the tables' secondary indexes and unique constraints are dropped while
    the copies go in and built again after: one sorted build each instead of millions of
    insertions into every index. Inside the fill's transaction (DDL is transactional there)."""
    if not _postgres():
        yield
        return
    saved = []
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks pending ones: ALTER needs none
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
                "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            quoted = connection.ops.quote_name(table)
            for name, _ in constraints:
                cursor.execute(
                    f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}"
                )
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            saved.append((quoted, constraints, indexes))
        yield
        for quoted, constraints, indexes in saved:
            for _, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                name = connection.ops.quote_name(name)
                cursor.execute(f"ALTER TABLE {quoted} ADD CONSTRAINT {name} {definition}")


def _replicate(records: int) -> None:
    """Copy the templates until there are ``records`` records."""
    ids = list(AgencyRecord.objects.order_by("pk").values_list("pk", flat=True))
    per_copy = len(ids)
    copies = -(-records // per_copy)  # copy 0 is the templates themselves
    if copies <= 1:
        return
    types: type[models.Model] = AgencyRecord.violence_types.through
    modalities: type[models.Model] = AgencyRecord.modalities.through
    copied: list[type[models.Model]] = [Person, AgencyRecord, ReportedIdentity, Alert]
    strides = {m: _stride(m) for m in (*copied, types, modalities)}
    tables = [m._meta.db_table for m in (*copied, types, modalities)]
    with transaction.atomic(), connection.cursor() as cursor, _bare(tables):
        if _postgres():  # the copies are consistent by construction: no FK triggers per row
            cursor.execute("SET LOCAL session_replication_role = replica")
        for name in ("bench_copy", "bench_template"):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute("CREATE TABLE bench_copy (c INTEGER PRIMARY KEY)")
        cursor.execute("CREATE TABLE bench_template (id BIGINT PRIMARY KEY, ord INTEGER)")
        cursor.executemany("INSERT INTO bench_copy VALUES (%s)", [(c,) for c in range(1, copies)])
        cursor.executemany(
            "INSERT INTO bench_template VALUES (%s, %s)", [(pk, n) for n, pk in enumerate(ids)]
        )
        # a copy is whole except the last one: template ``ord`` < records - c * per_copy
        keep = f"t.ord < {records} - k.c * {per_copy}"
        template, copy_of = "JOIN bench_template t ON t.id = s", "CROSS JOIN bench_copy k"
        rec = strides[AgencyRecord]
        people = strides[Person]
        # the templates are linked (identities point at their woman): merged persons stay behind
        _copy(Person, {"id": f"s.id + k.c * {people}"},
              "CROSS JOIN bench_copy k WHERE s.merged_into_id IS NULL")  # fmt: skip
        _copy(AgencyRecord, {
            "id": f"s.id + k.c * {rec}",
            "agency_record_id": "s.agency_record_id || '~' || k.c",
            "occurred_at": _shift("s.occurred_at", "k.c % 12"),
            "registered_by_id": "NULL",
        }, f"{template}.id {copy_of} WHERE {keep}")  # fmt: skip
        _copy(ReportedIdentity, {
            "id": f"s.id + k.c * {strides[ReportedIdentity]}",
            "record_id": f"s.record_id + k.c * {rec}",
            "person_id": f"s.person_id + k.c * {people}",
            "alcaldia_id": "s.alcaldia_id",
        }, f"{template}.record_id {copy_of} WHERE {keep}")  # fmt: skip
        for through in (types, modalities):
            _copy(through, {
                "id": f"s.id + k.c * {strides[through]}",
                "agencyrecord_id": f"s.agencyrecord_id + k.c * {rec}",
            }, f"{template}.agencyrecord_id {copy_of} WHERE {keep}")  # fmt: skip
        _copy(Alert, {
            "id": f"s.id + k.c * {strides[Alert]}",
            "person_id": f"s.person_id + k.c * {people}",
            "cause_key": "s.cause_key || '~' || k.c",
            "created_at": _shift("s.created_at", "k.c % 12"),
            "deadline": _shift("s.deadline", "k.c % 12"),
            "acknowledged_by_id": "NULL",
            "closed_by_id": "NULL",
        }, "CROSS JOIN bench_copy k")  # fmt: skip
        cursor.execute("DROP TABLE bench_copy")
        cursor.execute("DROP TABLE bench_template")
        for sql in connection.ops.sequence_reset_sql(no_style(), [*copied, types, modalities]):
            cursor.execute(sql)
