"""``generate()``: synthetic agency files plus the ground truth, deterministic by seed."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

from tqdm import tqdm

from violeta.synth.config import CorruptionConfig, corruption_config
from violeta.synth.model import AGENCIES, Person, Record
from violeta.synth.pools import build_pools
from violeta.synth.story import Aggressors, tell_story
from violeta.synth.writer_base import Ctx, when, year_of
from violeta.synth.writers_a import C5_HEADER, FGJ_HEADER, SSC_HEADER, c5_row, fgj_row, ssc_row
from violeta.synth.writers_b import (
    LINEA_HEADER,
    SEDESA_HEADER,
    SEMUJERES_HEADER,
    linea_row,
    sedesa_row,
    semujeres_row,
    semujeres_unit,
)


@dataclass(frozen=True)
class AgencyFormat:
    code: str
    encoding: str  # as Python names it ("utf-8-sig" writes a BOM)
    delimiter: str
    header: tuple[str, ...]
    row: Callable[[Record, Ctx], list[str]]
    accents: bool  # its staff type accents (C5's system does not)
    curp_share: float  # how often it has the CURP at all (× CorruptionConfig.curp_present)


FORMATS = {
    f.code: f
    for f in (
        AgencyFormat("C5", "utf-8", ",", C5_HEADER, c5_row, False, 0.0),
        AgencyFormat("SSC", "utf-8", ";", SSC_HEADER, ssc_row, True, 0.0),
        AgencyFormat("FGJ", "utf-8", ",", FGJ_HEADER, fgj_row, True, 1.0),
        AgencyFormat("SEMUJERES", "utf-8", ",", SEMUJERES_HEADER, semujeres_row, True, 1.0),
        AgencyFormat("SEDESA", "latin-1", ",", SEDESA_HEADER, sedesa_row, True, 1.0),
        AgencyFormat("LINEA", "utf-8-sig", ",", LINEA_HEADER, linea_row, True, 0.5),
    )
}


@dataclass
class GenerateSummary:
    out_dir: Path
    seed: int
    women: int
    aggressors: int
    escalating_women: int
    persistent_aggressors: int  # aggressors with two or more victims
    records: dict[str, int] = field(default_factory=dict)  # per agency
    files: list[Path] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    def __str__(self) -> str:
        per_agency = ", ".join(f"{k} {v}" for k, v in self.records.items())
        return (
            f"{self.women} women, {self.aggressors} aggressors, {self.total_records} records "
            f"({per_agency}) in {self.elapsed_seconds:.1f} s"
        )


def _assign_ids(agency: str, records: list[Record]) -> None:
    """Folios in time order, numbered per year as the agencies do."""
    counters: dict[str, int] = {}
    crus: dict[tuple[str, str], str] = {}
    for record in records:
        year = year_of(record.ts)
        prefix = {
            "C5": "C5",
            "SSC": "IPH",
            "FGJ": _FGJ_PREFIX.get(record.kind, "CI"),
            "SEMUJERES": "SMU",
            "SEDESA": "NOM046",
            "LINEA": "765",
        }[agency]
        key = f"{prefix}-{year}"
        counters[key] = number = counters.get(key, 0) + 1
        record.rid = f"{key}-{number:07d}" if agency in {"C5", "LINEA"} else f"{key}-{number:06d}"
        if record.kind == "complaint":
            place = record.inc.alcaldia[2:]
            record.extra["carpeta"] = (
                f"CI-FIDVF/{place}/UI-{1 + number % 3} C/D/{number:05d}/{_month(record)}-{year}"
            )
        elif record.kind in {"protection_order", "justice_event"}:
            complaint = record.extra.get("complaint")  # none for a missing-woman report
            record.extra["carpeta"] = complaint.extra["carpeta"] if complaint else ""
        elif agency == "SEMUJERES":
            unit = (record.woman.pid, semujeres_unit(record))
            if unit not in crus:
                counters[f"CRU-{year}"] = n = counters.get(f"CRU-{year}", 0) + 1
                crus[unit] = f"CRU-{year}-{n:06d}"
            record.extra["cru"] = crus[unit]


_FGJ_PREFIX = {"complaint": "CI", "protection_order": "OP", "justice_event": "EJ"}


def _month(record: Record) -> str:
    return when(record.ts)[0][3:5]


def _write_agency(
    fmt: AgencyFormat, records: list[Record], out_dir: Path, seed: int, cfg: CorruptionConfig
) -> tuple[Path, list[tuple[str, str, str, str]]]:
    ctx = Ctx(Random(f"{seed}:{fmt.code}"), cfg, fmt.accents, fmt.curp_share)
    path = out_dir / f"{fmt.code}.csv"
    with path.open("w", encoding=fmt.encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=fmt.delimiter, lineterminator="\r\n")
        writer.writerow(fmt.header)
        row = fmt.row
        writer.writerows(row(record, ctx) for record in records)
    return path, ctx.truth


def _write_people(path: Path, women: list[Person], aggressors: list[Person]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["person_id", "role", "given_names", "first_surname", "second_surname", "sex",
             "birth_date", "birth_state", "curp", "escalating", "linked_ids", "severe_event_at"]
        )  # fmt: skip
        for role, people in (("victim", women), ("aggressor", aggressors)):
            for p in people:
                writer.writerow(
                    [p.pid, role, p.given, p.first, p.second, p.sex, p.birth.isoformat(),
                     p.state, p.curp, int(p.escalating), ";".join(p.links), _moment(p.severe_at)]
                )  # fmt: skip


def _moment(minute: int) -> str:
    """ISO local date and time ("2024-05-04T21:30") of a minute offset; "" for none (-1)."""
    if minute < 0:
        return ""
    date, clock = when(minute)
    return f"{date[6:]}-{date[3:5]}-{date[:2]}T{clock}"


def generate(
    out_dir: Path,
    *,
    women: int = 2000,
    seed: int = 42,
    records_per_woman: float = 5.0,
    corruption: CorruptionConfig | str = "default",
    escalating_share: float = 0.1,
    progress: bool = False,
) -> GenerateSummary:
    """Write ``<AGENCY>.csv`` for the six agencies, ``truth.csv`` (which person each record is
    about), ``truth_people.csv`` (the true identities) and ``README.txt`` into ``out_dir``.
    The same arguments always give byte-identical files."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cfg = corruption_config(corruption)
    pools = build_pools(seed)
    rng = Random(seed)
    aggressors = Aggressors()
    everyone: list[Person] = []
    by_agency: dict[str, list[Record]] = {code: [] for code in AGENCIES}
    sequence = 0
    for number in tqdm(range(1, women + 1), desc="women", disable=not progress):
        woman, records = tell_story(
            number, rng, pools, cfg, aggressors,
            records_per_woman=records_per_woman, escalating_share=escalating_share,
        )  # fmt: skip
        everyone.append(woman)
        for record in records:
            sequence += 1
            record.seq = sequence
            by_agency[record.agency].append(record)
    summary = GenerateSummary(
        out_dir=out_dir,
        seed=seed,
        women=women,
        aggressors=len(aggressors.people),
        escalating_women=sum(w.escalating for w in everyone),
        persistent_aggressors=sum(len(a.links) > 1 for a in aggressors.people),
    )
    truth_path = out_dir / "truth.csv"
    with truth_path.open("w", encoding="utf-8", newline="") as truth_handle:
        truth = csv.writer(truth_handle, lineterminator="\n")
        truth.writerow(["agency", "agency_record_id", "role", "person_id"])
        for code in tqdm(AGENCIES, desc="files", disable=not progress):
            records = by_agency[code]
            records.sort(key=lambda r: (r.ts, r.seq))
            _assign_ids(code, records)
            path, rows = _write_agency(FORMATS[code], records, out_dir, seed, cfg)
            truth.writerows(rows)
            summary.records[code] = len(records)
            summary.files.append(path)
    summary.files.append(truth_path)
    people_path = out_dir / "truth_people.csv"
    _write_people(people_path, everyone, aggressors.people)
    summary.files.append(people_path)
    summary.elapsed_seconds = time.perf_counter() - started
    readme = out_dir / "README.txt"
    readme.write_text(_readme(summary, cfg, records_per_woman, escalating_share), "utf-8")
    summary.files.append(readme)
    return summary


def _readme(
    summary: GenerateSummary, cfg: CorruptionConfig, per_woman: float, escalating: float
) -> str:
    lines = [
        "Violeta synthetic data: invented people only. See docs/generator.md.",
        f"seed={summary.seed} women={summary.women} records_per_woman={per_woman} "
        f"escalating_share={escalating}",
        f"corruption={cfg}",
        f"aggressors={summary.aggressors} escalating_women={summary.escalating_women} "
        f"persistent_aggressors={summary.persistent_aggressors}",
        *(f"{code}.csv: {count} rows" for code, count in summary.records.items()),
    ]
    return "\n".join(lines) + "\n"


# Records an escalating woman leaves on average (4–7 incidents, each with its cascade, and
# the breaches, releases and missing reports of her story).
ESCALATING_RECORDS = 26.0


def expected_records(women: int, records_per_woman: float = 5.0, escalating: float = 0.1) -> float:
    """About how many records ``generate`` writes for these arguments."""
    return women * ((1 - escalating) * records_per_woman + escalating * ESCALATING_RECORDS)


def bench_generate(records: int, out_dir: Path | None = None, seed: int = 42) -> GenerateSummary:
    """Generate about ``records`` records with the default knobs and return the summary;
    ``elapsed_seconds`` is the figure to report. Writes to a temporary folder by default."""
    import tempfile

    women = max(1, round(records / expected_records(1)))
    if out_dir is not None:
        return generate(out_dir, women=women, seed=seed)
    with tempfile.TemporaryDirectory(prefix="violeta-bench-") as tmp:
        return generate(Path(tmp), women=women, seed=seed)
