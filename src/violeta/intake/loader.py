"""The one import path: an agency's file → mapping → validation → ``record_register``.

The demo, ``violeta import`` and the upload page (``jobs.py``) all come through here. The whole
file is checked first (``files.open_file``: format, encoding, delimiter, required columns,
quoting): a problem of the file raises :class:`FileProblem` before a single row is stored.
Rows are then streamed in batches of ``BATCH``, each batch one transaction; a bad row is
reported (row, field, reason) and skipped without holding back the good ones; a row already
imported is recognised by the agency's record id, so importing the same file again (or again
after a crash half-way) creates nothing twice. Memory does not grow with the file: rejections
and warnings go to ``on_batch`` as they come; the report keeps counts and the first ones.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from tqdm import tqdm

from violeta.agencies.models import Agency, User
from violeta.intake.files import TOO_MANY_CELLS, FileProblem, iter_rows, open_file
from violeta.intake.mapping import FieldError, compile_mapping, translate_row
from violeta.records.bulk import records_create_bulk
from violeta.records.choices import RecordSource
from violeta.records.models import AgencyRecord
from violeta.records.services import record_register
from violeta.records.validation import Catalogs, RecordInput, RecordInvalid, validate_record

BATCH = 500
KEEP = 1000  # rejections and warnings kept in the report (all of them go to ``on_batch``)

__all__ = ["BATCH", "FileProblem", "ImportReport", "import_file", "write_rejections"]


@dataclass
class ImportReport:
    agency: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows up to ``resume_after``, committed by an earlier run
    total_rows: int = 0
    last_row: int = 0
    rejected_rows: int = 0
    warning_count: int = 0
    rejected: list[FieldError] = field(default_factory=list)  # the first KEEP
    warnings: list[FieldError] = field(default_factory=list)  # the first KEEP

    def summary(self) -> str:
        return (
            f"{self.agency} {self.file}: {self.rows} rows, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.rejected_rows} rejected, "
            f"{self.warning_count} warnings" + (f", {self.skipped} skipped" if self.skipped else "")
        )


def _batches(
    rows: Iterator[tuple[int, dict[str, str]]],
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _validate(
    batch: list[tuple[int, dict[str, str]]],
    *,
    mapping: dict[str, Any],
    agency: Agency,
    cats: Catalogs,
    report: ImportReport,
    rejected: list[FieldError],
) -> list[tuple[int, RecordInput]]:
    """Translate and validate a batch; bad rows go to ``rejected`` with row, field, reason."""
    valid: list[tuple[int, RecordInput]] = []
    for row_number, row in batch:
        report.rows += 1
        errors = _row_errors(row_number, row, mapping, agency, cats, valid)
        if errors:
            rejected.extend(errors)
            report.rejected_rows += 1
    warnings = [FieldError(n, name, m) for n, data in valid for name, m in data.warnings]
    report.warning_count += len(warnings)
    report.warnings.extend(warnings[: max(0, KEEP - len(report.warnings))])
    report.rejected.extend(rejected[: max(0, KEEP - len(report.rejected))])
    return valid


def _row_errors(
    row_number: int,
    row: dict[str, str],
    mapping: dict[str, Any],
    agency: Agency,
    cats: Catalogs,
    valid: list[tuple[int, RecordInput]],
) -> list[FieldError]:
    if TOO_MANY_CELLS in row:
        width = len(row) - 1
        message = (
            f"la fila tiene {row[TOO_MANY_CELLS]} celdas y el encabezado {width} columnas "
            "(¿un separador dentro de un texto sin comillas?)"
        )
        return [FieldError(row_number, "fila", message)]
    canonical, errors = translate_row(mapping, row, row_number)
    if errors or canonical is None:
        return errors
    if canonical.get("agency") not in (None, "", agency.code):
        message = f"la fila es de {canonical['agency']}, no de {agency.code}"
        return [FieldError(row=row_number, field="agency", message=message)]
    try:
        data = validate_record(canonical, agency=agency, cats=cats, keep_invalid_curp=True)
    except RecordInvalid as invalid:
        return [
            FieldError(row_number, name, str(m))
            for name, messages in invalid.errors.items()
            for m in messages
        ]
    valid.append((row_number, data))
    return []


def _store_one(data: RecordInput, actor: User | None, report: ImportReport) -> None:
    with transaction.atomic():  # a savepoint: a failing row leaves nothing behind
        outcome = record_register(actor=actor, data=data, source=RecordSource.IMPORT)
    if outcome.created:
        report.created += 1
    elif outcome.changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _store(
    valid: list[tuple[int, RecordInput]],
    *,
    agency: Agency,
    actor: User | None,
    report: ImportReport,
) -> None:
    """New records in bulk; records already there (updates) one by one, with history."""
    ids = [data.agency_record_id for _row, data in valid]
    existing = set(
        AgencyRecord.objects.filter(agency=agency, agency_record_id__in=ids).values_list(
            "agency_record_id", flat=True
        )
    )
    fresh: list[RecordInput] = []
    one_by_one: list[RecordInput] = []
    for _row, data in valid:
        if data.agency_record_id in existing:
            one_by_one.append(data)
        else:
            fresh.append(data)
            existing.add(data.agency_record_id)  # a repeated id later in the batch updates it
    if fresh:
        try:
            with transaction.atomic():
                records_create_bulk(actor=actor, items=fresh, source=RecordSource.IMPORT)
            report.created += len(fresh)
        except IntegrityError:
            # Somebody registered one of them meanwhile: fall back to one by one.
            one_by_one = fresh + one_by_one
    for data in one_by_one:
        _store_one(data, actor, report)


OnBatch = Callable[[ImportReport, list[FieldError]], None]


def import_file(
    *,
    agency: Agency,
    path: Path,
    actor: User | None = None,
    mapping: dict[str, Any] | None = None,
    progress: bool = False,
    resume_after: int = 0,
    on_batch: OnBatch | None = None,
) -> ImportReport:
    """Import one agency file (CSV or XLSX); returns counts and the first rejected rows.

    Raises :class:`FileProblem` (nothing stored) when the file as a whole is unusable.
    ``resume_after``: rows up to that line were committed by an earlier run and are skipped.
    ``on_batch(report, rejected)`` runs inside each batch's transaction after its rows are
    stored, with that batch's rejections: what it writes commits (or not) with them.
    """
    if mapping is None:
        from violeta.intake.selectors import mapping_active

        mapping, _version = mapping_active(agency.code)
    compiled = compile_mapping(mapping)
    source = open_file(path, mapping, [compiled.kind, *compiled.fields])
    cats = Catalogs.load()
    report = ImportReport(agency=agency.code, file=path.name, total_rows=source.rows)
    bar = tqdm(
        desc=f"{agency.code} {path.name}", unit=" rows", total=source.rows, disable=not progress
    )
    rows = iter_rows(source)
    next(rows, None)  # the header, checked by open_file
    for batch in _batches(rows):
        if batch[-1][0] <= resume_after:
            report.skipped += len(batch)
            bar.update(len(batch))
            continue
        report.skipped += sum(1 for n, _row in batch if n <= resume_after)
        batch = [(n, row) for n, row in batch if n > resume_after]
        rejected: list[FieldError] = []
        valid = _validate(
            batch, mapping=mapping, agency=agency, cats=cats, report=report, rejected=rejected
        )
        with transaction.atomic():
            _store(valid, agency=agency, actor=actor, report=report)
            report.last_row = batch[-1][0]
            if on_batch is not None:
                on_batch(report, rejected)
        bar.update(len(batch))
    bar.close()
    return report


class RejectionWriter:
    """The rejected rows as CSV, written as they come: row number, field and reason."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(["fila", "campo", "motivo"])

    def __call__(self, report: ImportReport, rejected: list[FieldError]) -> None:
        self.writer.writerows([e.row, e.field, e.message] for e in rejected)
        self.handle.flush()

    def close(self) -> None:
        self.handle.close()


def write_rejections(report: ImportReport, path: Path) -> None:
    """The report's rejected rows (the first ``KEEP``) as CSV: row number, field and reason
    (no names or narratives: a message quotes at most the unreadable cell)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["fila", "campo", "motivo"])
        for error in report.rejected:
            writer.writerow([error.row, error.field, error.message])
