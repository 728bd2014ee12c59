"""Loading official public datasets (``violeta observatory import-official PATH``).

The format is told by the file's header (or ``--source``). Files are streamed (CSV, or CSV
compressed with gzip; UTF-8 with or without BOM, or Latin-1) and aggregated in memory; the
load and its figures are stored in one transaction, and only after the whole file was read
without a problem, so a bad file stores nothing. Victim-level rows (FGJ) are counted into
month × alcaldía × category × age group and never stored. Zeros are not stored (SESNSP files
are full grids, mostly zeros): within a load's first and last period, a missing figure is 0.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone

from violeta.observatory.official_models import OfficialDataset, OfficialFigure, OfficialSource

Key = tuple[str, str, str, str, str]  # period, geo, category, sex, age group

MONTHS = {
    name: f"{n:02d}"
    for n, name in enumerate(
        ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
         "septiembre", "octubre", "noviembre", "diciembre"],
        start=1,
    )
}  # fmt: skip

# INEGI codes of Mexico City's alcaldías, by name without accents, upper case (the FGJ's
# spelling, plus the usual variants).
ALCALDIAS = {
    "AZCAPOTZALCO": "09002",
    "COYOACAN": "09003",
    "CUAJIMALPA DE MORELOS": "09004",
    "CUAJIMALPA": "09004",
    "GUSTAVO A MADERO": "09005",
    "IZTACALCO": "09006",
    "IZTAPALAPA": "09007",
    "LA MAGDALENA CONTRERAS": "09008",
    "MAGDALENA CONTRERAS": "09008",
    "MILPA ALTA": "09009",
    "ALVARO OBREGON": "09010",
    "TLAHUAC": "09011",
    "TLALPAN": "09012",
    "XOCHIMILCO": "09013",
    "BENITO JUAREZ": "09014",
    "CUAUHTEMOC": "09015",
    "MIGUEL HIDALGO": "09016",
    "VENUSTIANO CARRANZA": "09017",
}
NO_PLACE = {"", "NA", "N/A", "SIN DATO", "NO ESPECIFICADO", "ND"}

# Gender-violence crimes in the FGJ's ``Delito`` (normalised), in this order: first match wins.
FGJ_CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("feminicidio", ("FEMINICIDIO",)),
    ("violencia_familiar", ("VIOLENCIA FAMILIAR",)),
    ("violacion", ("VIOLACION",)),
    ("delitos_sexuales", ("ABUSO SEXUAL", "ACOSO SEXUAL", "HOSTIGAMIENTO SEXUAL",
                          "INTIMIDAD SEXUAL", "ESTUPRO", "PORNOGRAFIA")),
    ("amenazas", ("AMENAZAS",)),
    ("obligacion_alimentaria", ("OBLIGACION ALIMENTARIA",)),
]  # fmt: skip
FGJ_LABELS = {
    "feminicidio": "Feminicidio",
    "violencia_familiar": "Violencia familiar",
    "violacion": "Violación",
    "delitos_sexuales": "Abuso, acoso y otros delitos sexuales",
    "amenazas": "Amenazas",
    "obligacion_alimentaria": "Incumplimiento de la obligación alimentaria",
}
WOMEN = "mujeres"
COARSE_AGES = {"0-11": "0_17", "12-17": "0_17", "18-29": "18_29", "30-44": "30_44",
               "45-59": "45_59", "60+": "60_mas", "": "sin_dato"}  # fmt: skip


class OfficialImportError(Exception):
    """A problem with the file, in Spanish, naming the file, row and field."""


def plain(text: str) -> str:
    """No accents or punctuation, upper case: "Gustavo A. Madero" → GUSTAVO A MADERO."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    return " ".join(re.sub(r"[^A-Z0-9+ ]", " ", letters).split())


def slug(text: str) -> str:
    return plain(text).lower().replace(" ", "_")[:80]


def fgj_category(delito: str) -> str:
    name = plain(delito)
    for code, needles in FGJ_CATEGORIES:
        if any(n in name for n in needles):
            return code
    return ""


def age_group(age: int) -> str:
    for limit, group in ((17, "0_17"), (29, "18_29"), (44, "30_44"), (59, "45_59")):
        if age <= limit:
            return group
    return "60_mas"


@dataclass
class Load:
    """What a reader gathers from a file before anything is stored."""

    counts: Counter[Key] = field(default_factory=Counter)
    labels: dict[str, str] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    counted: int = 0


class Row:
    """One CSV row with the helpers that make errors name the file, row and field."""

    def __init__(self, name: str, number: int, values: dict[str, str]) -> None:
        self.name, self.number, self.values = name, number, values

    def fail(self, column: str, problem: str) -> OfficialImportError:
        value = (self.values.get(column) or "")[:40]
        return OfficialImportError(
            f"{self.name}, fila {self.number}, campo «{column}»: {problem} (valor «{value}»)."
        )

    def text(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def integer(self, column: str, *, low: int = 0, high: int = 10**9) -> int:
        value = self.text(column)
        try:
            number = int(float(value)) if re.fullmatch(r"\d+(\.0+)?", value) else int(value)
        except ValueError:
            raise self.fail(column, "no es un número entero") from None
        if not low <= number <= high:
            raise self.fail(column, f"debe estar entre {low} y {high}")
        return number

    def year(self, column: str) -> str:
        return str(self.integer(column, low=1990, high=2100))

    def month_number(self, column: str) -> str:
        return f"{self.integer(column, low=1, high=12):02d}"

    def state(self, column: str) -> str:
        return f"{self.integer(column, low=0, high=33):02d}"  # 00 (or 33): national


# Readers: each adds one row to the load.


def read_fgj(row: Row, load: Load) -> None:
    """FGJ CDMX victims, official 22-column layout: count women victims of gender violence."""
    try:
        day, month, year = (int(part) for part in row.text("FechaInicio").split("/"))
        opened = dt.date(year, month, day)
    except ValueError:
        raise row.fail("FechaInicio", "no es una fecha dd/mm/aaaa") from None
    known = row.text("Edad").upper() not in NO_PLACE
    group = age_group(row.integer("Edad", high=130)) if known else "sin_dato"
    _count_fgj(row, load, f"{opened:%Y-%m}", group)


def read_fgj_coarse(row: Row, load: Load) -> None:
    """The same, minimised: month and age group only."""
    month = row.text("mes_inicio")
    if not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", month):
        raise row.fail("mes_inicio", "no es un mes aaaa-mm")
    value = row.text("grupo_edad")
    group = COARSE_AGES.get("" if value.upper() in NO_PLACE else value)
    if group is None:
        raise row.fail("grupo_edad", "no es un grupo de edad conocido (0-11, 12-17, …, 60+)")
    _count_fgj(row, load, month, group)


def _count_fgj(row: Row, load: Load, month: str, group: str) -> None:
    category = fgj_category(row.text("Delito"))
    if not category:
        load.skipped["otro_delito"] += 1
        return
    if plain(row.text("Sexo")) != "FEMENINO":
        load.skipped["no_mujer"] += 1
        return
    place = plain(row.text("AlcaldiaHechos"))
    if place in NO_PLACE:
        load.skipped["sin_alcaldia"] += 1
        return
    if place not in ALCALDIAS:
        load.skipped["fuera_de_la_cdmx"] += 1
        return
    load.labels[category] = FGJ_LABELS[category]
    load.counts[(month, ALCALDIAS[place], category, WOMEN, group)] += 1
    load.counted += 1


def read_sesnsp_alcaldias(row: Row, load: Load) -> None:
    period = f"{row.year('anio')}-{row.month_number('mes')}"
    geo = row.text("cvegeo").zfill(5)
    if not re.fullmatch(r"\d{5}", geo):
        raise row.fail("cvegeo", "no es una clave INEGI de municipio (5 dígitos)")
    _add(load, row, "tipo_delito", (period, geo), row.integer("carpetas"))


def read_sesnsp_municipal(row: Row, load: Load) -> None:
    year = row.year("Año")
    geo = f"{row.integer('Cve. Municipio', low=1001, high=32999):05d}"
    for name, number in MONTHS.items():
        column = name.capitalize()
        if row.text(column) == "":
            continue  # months not yet published
        key = (f"{year}-{number}", geo)
        _add(load, row, "Tipo de delito", key, row.integer(column), counted=False)
    load.counted += 1


def read_sesnsp_state_victims(row: Row, load: Load) -> None:
    period = f"{row.year('n_year')}-{row.month_number('n_month')}"
    sex = {"MUJER": WOMEN, "HOMBRE": "hombres"}.get(plain(row.text("genero")))
    sex = sex or slug(row.text("genero")) or "sin_dato"
    age = slug(row.text("rango_de_edad")) or "sin_dato"
    key = (period, row.state("cve_ent"))
    _add(load, row, "subtipo_de_delito", key, row.integer("n_victimas"), sex, age)


def read_sesnsp_yearly(row: Row, load: Load) -> None:
    key = (row.year("n_year"), row.state("cve_ent"))
    _add(load, row, "subtipo_de_delito", key, row.integer("n_delitos"))


def read_sesnsp_911(row: Row, load: Load) -> None:
    number = MONTHS.get(plain(row.text("mes")).lower())
    if number is None:
        raise row.fail("mes", "no es el nombre de un mes")
    state = "00" if plain(row.text("entidad")) == "NACIONAL" else row.state("cve_entidad")
    key = (f"{row.year('año')}-{number}", state)
    category = "llamadas_911_violencia_familiar"
    load.labels[category] = "Llamadas al 911 por violencia familiar"
    load.counts[(*key, category, "", "")] += row.integer("vio_fam_911_mensual")
    load.counted += 1


def _add(load: Load, row: Row, column: str, key: tuple[str, str], value: int,
         sex: str = "", age: str = "", *, counted: bool = True) -> None:  # fmt: skip
    label = row.text(column)
    if not label:
        raise row.fail(column, "está vacío")
    category = slug(label)
    load.labels.setdefault(category, label)
    load.counts[(*key, category, sex, age)] += value
    load.counted += counted


@dataclass(frozen=True)
class Format:
    name: str
    source: OfficialSource
    columns: frozenset[str]
    read: Callable[[Row, Load], None]


FORMATS = [
    Format("fgj-victimas", OfficialSource.FGJ_VICTIMS,
           frozenset({"FechaInicio", "Delito", "Sexo", "Edad", "AlcaldiaHechos"}), read_fgj),
    Format("fgj-victimas (reducido)", OfficialSource.FGJ_VICTIMS,
           frozenset({"mes_inicio", "Delito", "Sexo", "grupo_edad", "AlcaldiaHechos"}),
           read_fgj_coarse),
    Format("sesnsp-alcaldias", OfficialSource.SESNSP_ALCALDIAS,
           frozenset({"anio", "mes", "cvegeo", "tipo_delito", "carpetas"}),
           read_sesnsp_alcaldias),
    Format("sesnsp-municipal", OfficialSource.SESNSP_MUNICIPAL,
           frozenset({"Año", "Cve. Municipio", "Tipo de delito",
                      *(m.capitalize() for m in MONTHS)}), read_sesnsp_municipal),
    Format("sesnsp-estatal-victimas", OfficialSource.SESNSP_STATE_VICTIMS,
           frozenset({"n_year", "n_month", "cve_ent", "subtipo_de_delito", "genero",
                      "rango_de_edad", "n_victimas"}), read_sesnsp_state_victims),
    Format("sesnsp-incidencia-anual", OfficialSource.SESNSP_YEARLY,
           frozenset({"n_year", "cve_ent", "subtipo_de_delito", "n_delitos"}),
           read_sesnsp_yearly),
    Format("sesnsp-911", OfficialSource.SESNSP_911,
           frozenset({"cve_entidad", "año", "mes", "vio_fam_911_mensual"}), read_sesnsp_911),
]  # fmt: skip


def detect(header: list[str], name: str, source: str = "auto") -> Format:
    """The format whose columns the header has (the most specific one), or a clear error."""
    present = set(header)
    candidates = [f for f in FORMATS if source in ("auto", f.source.value)]
    complete = [f for f in candidates if f.columns <= present]
    if complete:
        return max(complete, key=lambda f: len(f.columns))
    best = max(candidates, key=lambda f: len(f.columns & present) / len(f.columns))
    if source != "auto" or len(best.columns & present) * 2 >= len(best.columns):
        missing = ", ".join(sorted(best.columns - present))
        raise OfficialImportError(
            f"{name}: parece un archivo «{best.name}» pero le faltan columnas: {missing}."
        )
    shown = ", ".join(header[:8]) + (" …" if len(header) > 8 else "")
    raise OfficialImportError(
        f"{name}: formato desconocido (encabezado: {shown}). Formatos admitidos: "
        + ", ".join(sorted({f.source.value for f in FORMATS}))
        + "."
    )


def _open(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return gzip.open(raw)  # type: ignore[return-value]
    raw.seek(0)
    return raw


def _scan(path: Path) -> tuple[str, str]:
    """One pass over the bytes: the file's SHA-256 and its encoding (UTF-8 or Latin-1)."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 20), b""):
            digest.update(chunk)
    with _open(path) as stream:
        try:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "latin-1"
        except (OSError, EOFError) as error:
            raise OfficialImportError(f"{path.name}: no se puede leer ({error}).") from None
    return digest.hexdigest(), encoding


def _rows(path: Path, encoding: str) -> Iterator[list[str]]:
    with _open(path) as stream:
        yield from _rows_of(io.TextIOWrapper(stream, encoding=encoding, newline=""))


def sniff(path: Path, source: str = "auto") -> Format:
    """The file's format from its header alone (reads only the first line)."""
    with _open(path) as stream:
        first = stream.readline()
    try:
        line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        line = first.decode("latin-1")
    header = next(_rows_of(io.StringIO(line)), [])
    return detect([h.strip() for h in header], path.name, source)


def _rows_of(text: IO[str]) -> Iterator[list[str]]:
    first = text.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    yield from csv.reader(io.StringIO(first), delimiter=delimiter)
    yield from csv.reader(text, delimiter=delimiter)


def read(path: Path, source: str = "auto") -> tuple[Format, Load, str]:
    """Read and aggregate the whole file (nothing stored); raise OfficialImportError."""
    if not path.is_file():
        raise OfficialImportError(f"{path}: no existe o no es un archivo.")
    sha256, encoding = _scan(path)
    rows = _rows(path, encoding)
    try:
        header = [h.strip() for h in next(rows)]
    except StopIteration:
        raise OfficialImportError(f"{path.name}: el archivo está vacío.") from None
    except csv.Error as error:
        raise OfficialImportError(f"{path.name}, fila 1: CSV mal formado ({error}).") from None
    fmt = detect(header, path.name, source)
    load = Load()
    number = 1
    try:
        for number, values in enumerate(rows, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                raise OfficialImportError(
                    f"{path.name}, fila {number}: tiene {len(values)} campos y el encabezado "
                    f"{len(header)}."
                )
            load.rows += 1
            fmt.read(Row(path.name, number, dict(zip(header, values, strict=True))), load)
    except csv.Error as error:
        raise OfficialImportError(
            f"{path.name}, fila {number}: CSV mal formado ({error})."
        ) from None
    except (OSError, EOFError) as error:
        raise OfficialImportError(f"{path.name}: no se puede leer ({error}).") from None
    if not load.counts:
        raise OfficialImportError(f"{path.name}: no hay ninguna cifra que cargar en el archivo.")
    return fmt, load, sha256


def import_official(path: Path, *, source: str = "auto",
                    release_date: dt.date | None = None) -> OfficialDataset:  # fmt: skip
    """Load one file as a new OfficialDataset (older loads of the same source are kept)."""
    fmt, load, sha256 = read(path, source)
    release = release_date or timezone.localdate()
    same = OfficialDataset.objects.filter(
        source=fmt.source, sha256=sha256, release_date=release
    ).first()
    if same is not None:
        raise OfficialImportError(
            f"{path.name}: este archivo ya se cargó con fecha de publicación {release} "
            f"(carga {same.pk}). Para una nueva publicación use otra --release-date."
        )
    periods = sorted({key[0] for key in load.counts})
    with transaction.atomic():
        dataset = OfficialDataset.objects.create(
            source=fmt.source,
            file_name=path.name[:255],
            sha256=sha256,
            rows_read=load.rows,
            rows_counted=load.counted,
            skipped=dict(sorted(load.skipped.items())),
            categories=dict(sorted(load.labels.items())),
            release_date=release,
            first_period=periods[0],
            last_period=periods[-1],
        )
        OfficialFigure.objects.bulk_create(
            (
                OfficialFigure(
                    dataset=dataset, period=p, geo=g, category=c, sex=s, age_group=a, value=v
                )
                for (p, g, c, s, a), v in load.counts.items()
                if v  # zeros are not stored: within the load's periods, no figure is zero
            ),
            batch_size=5000,
        )
    return dataset
