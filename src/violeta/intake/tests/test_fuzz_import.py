"""Property-based fuzzing of the one import path (``import_file``: ``violeta import``, the upload
page's worker, the demo) with hypothesis-generated files.

Files: headers drawn from the SEMUJERES mapping's columns and junk, in any order; cells valid,
hostile (formula injection, markup, SQL, control characters, bidi marks, very long text, wrong
and impossible dates) or random unicode; blank rows, short and long rows; any of the four
delimiters or several mixed; UTF-8 with or without a BOM, Windows-1252, and invalid UTF-8 bytes
spliced in; and plain random bytes. For each: the only exception is ``FileProblem`` (naming the
file, nothing stored); otherwise every row is counted once (created, updated, unchanged or
rejected), every rejection names its row and field, records stored == records created, each new
record has its woman and its audit entry, and the records stored before never change.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from violeta.agencies.models import Agency
from violeta.audit.models import AuditEntry
from violeta.intake.files import MAX_FIELD_CHARS, FileProblem
from violeta.intake.loader import import_file
from violeta.intake.tests.test_loader import HEADER, _row
from violeta.records.models import AgencyRecord, ReportedIdentity

pytestmark = pytest.mark.django_db

COLUMNS = HEADER.split(",")
VALID = _row("X-1", birth="03/05/1990").split(",")
assert len(VALID) == len(COLUMNS)
HOSTILE = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.invalid","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "<script>alert(1)</script>",
    "'; DROP TABLE records_agencyrecord;--",
    "31/02/2019",
    "00/00/0000",
    "99/99/9999",
    "2019-01-11",
    "11/01/2999",
    "1e309",
    "NaN",
    "-1",
    "\ufeff",
    "\u202eabc",
    "\x07\x1b[31m",
    "\r",
    "\n",
    '"',
    "Ñoño Pérez",
    "x" * 5000,
]
EXAMPLES_CSV = 150
EXAMPLES_BYTES = 100
SEEN: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report() -> Iterator[None]:
    yield
    print(f"\nimport fuzz: {dict(sorted(SEEN.items()))}")


NASTY = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.just(""))


def _valid(column: str, number: int) -> str:
    """The column's valid cell (a fresh record id), or junk for a column not in the mapping."""
    if column == "ID_ATENCION":
        return f"F-{number}"
    return VALID[COLUMNS.index(column)] if column in COLUMNS else "x"


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    junk = st.text(max_size=12)
    header = draw(
        st.one_of(
            st.permutations(COLUMNS),
            st.permutations(COLUMNS),
            st.permutations(COLUMNS).map(lambda cols: [*cols, "JUNK", ""]),
            st.lists(st.one_of(st.sampled_from(COLUMNS), junk), max_size=30),
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "|", "\t"]))
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerow(header)
    for _ in range(draw(st.integers(0, 8))):
        if draw(st.integers(0, 9)) == 0:
            out.write(draw(st.sampled_from(["\r\n", "\n", ",,,\r\n", " \r\n"])))  # blank rows
            continue
        number = draw(st.integers(0, 60))
        cells = [_valid(column, number) for column in header]
        for _ in range(
            draw(st.sampled_from([0, 0, 1, 2, 3])) if cells else 0
        ):  # a few cells made bad
            cells[draw(st.integers(0, len(cells) - 1))] = draw(NASTY)
        shape = draw(st.integers(0, 9))
        if shape == 0 and cells:
            cells = cells[: draw(st.integers(0, len(cells)))]  # a short row
        elif shape == 1:
            cells += draw(st.lists(st.text(max_size=5), min_size=1, max_size=3))  # too many
        elif shape == 2 and cells:
            cells[draw(st.integers(0, len(cells) - 1))] = "y" * (MAX_FIELD_CHARS + 1)
        row_delimiter = draw(st.sampled_from([delimiter] * 6 + [";", ","]))  # mixed
        if draw(st.booleans()):
            csv.writer(out, delimiter=row_delimiter, lineterminator="\r\n").writerow(cells)
        else:  # written by hand, unquoted: separators and quotes inside cells break it
            out.write(row_delimiter.join(cells) + draw(st.sampled_from(["\r\n", "\n", "\r"])))
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 3)) == 0:  # invalid UTF-8 spliced in
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at] + draw(st.sampled_from([b"\xff", b"\xc3(", b"\xe2\x82", b"\x81"])) + data[at:]
        )
    return data


@pytest.fixture
def baseline(catalogs: None, tmp_path: Path) -> dict[int, dict[str, Any]]:
    """Records stored before the fuzzing (one agency's, another's), as they are."""
    agency = Agency.objects.get(code="SEMUJERES")
    path = tmp_path / "base.csv"
    rows = [_row("ZZ-BASE-1", birth="03/05/1990"), _row("ZZ-BASE-2")]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    assert import_file(agency=agency, path=path).created == 2
    return _snapshot()


def _snapshot() -> dict[int, dict[str, Any]]:
    records = AgencyRecord.objects.filter(agency_record_id__startswith="ZZ-BASE-")
    state = {r["id"]: r for r in records.values()}
    for party in ReportedIdentity.objects.filter(record_id__in=state).values():
        state[party["record_id"]][f"party {party['role']}"] = party
    return state


def _check(path: Path, data: bytes, baseline: dict[int, dict[str, Any]]) -> None:
    path.write_bytes(data)
    agency = Agency.objects.get(code="SEMUJERES")
    last = AgencyRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = AgencyRecord.objects.count()
    try:
        report = import_file(agency=agency, path=path)
    except FileProblem as problem:  # the documented refusal of a whole file
        SEEN["file refused"] += 1
        SEEN[f"refused: {problem.message.split(':')[0].split('(')[0][:40].strip()}"] += 1
        assert str(problem).startswith(f"{path.name}") and problem.message
        assert AgencyRecord.objects.count() == before
        return
    SEEN["files imported"] += 1
    SEEN["rows"] += report.rows
    SEEN["rows rejected"] += report.rejected_rows
    SEEN["records created"] += report.created
    assert report.rows == (
        report.created + report.updated + report.unchanged + report.rejected_rows
    ), report.summary()
    assert report.rows <= report.total_rows
    assert AgencyRecord.objects.count() - before == report.created
    rejected_rows = {error.row for error in report.rejected}
    assert len(rejected_rows) == report.rejected_rows
    for error in report.rejected:
        assert error.row >= 2 and error.field.strip() and error.message.strip(), error
        SEEN[f"rejected at {error.field}"] += 1
    new = list(AgencyRecord.objects.filter(pk__gt=last).values_list("pk", flat=True))
    assert len(new) == report.created
    victims = ReportedIdentity.objects.filter(record_id__in=new, role="victim")
    assert victims.filter(person__isnull=False).count() == len(new)
    audited = AuditEntry.objects.filter(
        subject_type="record", action="create", subject_id__in=[str(pk) for pk in new]
    )
    assert audited.count() == len(new)
    assert _snapshot() == baseline


FUZZ = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)  # fmt: skip


@settings(FUZZ, max_examples=EXAMPLES_CSV)
@given(data=csv_files())
@example(data=codecs.BOM_UTF8 + b"\xff" + HEADER.encode() + b"\r\n")  # found: a 500 before
@example(data=(HEADER + "\r\n" + _row("F-0") + "\r\n").encode("utf-16"))
def test_generated_csv_files(
    data: bytes, baseline: dict[int, dict[str, Any]], tmp_path: Path
) -> None:
    SEEN["csv examples"] += 1
    _check(tmp_path / "fuzz.csv", data, baseline)


@settings(FUZZ, max_examples=EXAMPLES_BYTES)
@given(
    data=st.one_of(
        st.binary(max_size=4000),
        st.binary(max_size=200).map(lambda tail: HEADER.encode() + b"\r\n" + tail),
        st.binary(max_size=200).map(lambda tail: b"PK\x03\x04" + tail),
    )
)
def test_random_bytes(data: bytes, baseline: dict[int, dict[str, Any]], tmp_path: Path) -> None:
    SEEN["byte examples"] += 1
    _check(tmp_path / "fuzz.csv", data, baseline)
