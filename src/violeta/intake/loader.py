"""The one import path: an agency's file → mapping → validation → ``record_register``.

The demo, ``violeta import`` and (later) the upload page all come through here. Each row is
stored in its own savepoint, so a bad row is reported and skipped without holding back the
good ones; a row already imported is recognised by the agency's record id, so importing the
same file again (or again after a crash half-way) creates nothing twice.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from tqdm import tqdm

from violeta.agencies.models import Agency, User
from violeta.intake.mapping import FieldError, load_mapping, read_rows, translate_row
from violeta.records.bulk import records_create_bulk
from violeta.records.choices import RecordSource
from violeta.records.models import AgencyRecord
from violeta.records.services import record_register
from violeta.records.validation import Catalogs, RecordInput, RecordInvalid, validate_record

BATCH = 500


@dataclass
class ImportReport:
    agency: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.rejected})

    def summary(self) -> str:
        return (
            f"{self.agency} {self.file}: {self.rows} rows, {self.created} created, "
            f"{self.updated} updated, {self.unchanged} unchanged, {self.rejected_rows} rejected, "
            f"{len(self.warnings)} warnings"
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
) -> list[tuple[int, RecordInput]]:
    """Translate and validate a batch; bad rows go to the report with row, field and reason."""
    valid = []
    for row_number, row in batch:
        report.rows += 1
        canonical, errors = translate_row(mapping, row, row_number)
        if errors or canonical is None:
            report.rejected.extend(errors)
            continue
        if canonical.get("agency") not in (None, "", agency.code):
            message = f"la fila es de {canonical['agency']}, no de {agency.code}"
            report.rejected.append(FieldError(row=row_number, field="agency", message=message))
            continue
        try:
            data = validate_record(canonical, agency=agency, cats=cats, keep_invalid_curp=True)
        except RecordInvalid as invalid:
            for name, messages in invalid.errors.items():
                report.rejected.extend(FieldError(row_number, name, m) for m in messages)
            continue
        report.warnings.extend(FieldError(row_number, name, m) for name, m in data.warnings)
        valid.append((row_number, data))
    return valid


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


def import_file(
    *,
    agency: Agency,
    path: Path,
    actor: User | None = None,
    mapping: dict[str, Any] | None = None,
    progress: bool = False,
) -> ImportReport:
    """Import one agency file; returns counts and every rejected row's field and reason."""
    mapping = mapping or load_mapping(agency.code)
    cats = Catalogs.load()
    report = ImportReport(agency=agency.code, file=path.name)
    bar = tqdm(desc=f"{agency.code} {path.name}", unit=" rows", disable=not progress)
    for batch in _batches(read_rows(path, mapping)):
        valid = _validate(batch, mapping=mapping, agency=agency, cats=cats, report=report)
        with transaction.atomic():
            _store(valid, agency=agency, actor=actor, report=report)
        bar.update(len(batch))
    bar.close()
    return report


def write_rejections(report: ImportReport, path: Path) -> None:
    """The rejected rows as CSV: row number, field and reason (no values from the row)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["fila", "campo", "motivo"])
        for error in report.rejected:
            writer.writerow([error.row, error.field, error.message])
