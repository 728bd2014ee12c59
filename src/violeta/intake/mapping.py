"""One agency's CSV row → Violeta's canonical record, driven by a mapping file (data, not code).

Pure Python, no Django. A mapping (``mappings/<AGENCY>.json``; format in ``docs/generator.md``,
"Agency mapping format") says, for each canonical field, which column it comes from and how to
read it. A cell that cannot be read becomes a :class:`FieldError` naming the canonical field;
nothing here raises on bad data (a broken *mapping* raises :class:`MappingError`).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from violeta.intake.files import SourceFile, detect_encoding, iter_rows

MAPPINGS_DIR = Path(__file__).with_name("mappings")

RECORD_FIELDS = (
    "agency_record_id", "kind", "occurred_at", "alcaldia", "colonia", "violence_types",
    "modalities", "relationship", "weapons", "risk_level", "narrative",
)  # fmt: skip
LIST_FIELDS = frozenset({"violence_types", "modalities", "weapons"})
PARTY_FIELDS = (
    "given_names", "first_surname", "second_surname", "birth_date", "age", "sex", "curp",
    "phone", "address", "colonia", "alcaldia",
)  # fmt: skip
TYPES = frozenset(
    {"text", "upper", "constant", "int", "bool", "date", "datetime", "code", "codes", "phone",
     "curp", "full_name"}
)  # fmt: skip
PARTICLES = frozenset({"DE", "DEL", "LA", "LAS", "LOS", "Y", "MC", "MAC", "VAN", "VON"})
# Given names that start with a particle: "MARÍA DEL CARMEN LÓPEZ" has one surname, not
# "DEL CARMEN" and "LÓPEZ". A mapping may replace the list ("given_name_phrases").
GIVEN_NAME_PHRASES = (
    "DEL CARMEN", "DE LOS ANGELES", "DE JESUS", "DE LA LUZ", "DEL ROSARIO", "DE LOURDES",
    "DEL SOCORRO", "DEL PILAR", "DE GUADALUPE", "DE FATIMA", "DE LA CONCEPCION", "DE LA PAZ",
    "DEL REFUGIO", "DE LOS REYES",
)  # fmt: skip


@dataclass(frozen=True)
class FieldError:
    """One reason a row cannot be stored: its line in the file, the canonical field, why."""

    row: int
    field: str
    message: str


class MappingError(ValueError):
    """The mapping itself is wrong (an administrator's error, not the file's)."""


@lru_cache(maxsize=65536)
def normalize_label(value: str) -> str:
    """Upper case, accents and Ñ folded, inner spaces collapsed: how labels are compared."""
    decomposed = unicodedata.normalize("NFKD", value.strip().upper())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def load_mapping(agency_code: str) -> dict[str, Any]:
    """The mapping shipped for ``agency_code`` (``mappings/<CODE>.json``)."""
    path = MAPPINGS_DIR / f"{agency_code.upper()}.json"
    if not path.is_file():
        raise MappingError(f"no hay correspondencia para la institución «{agency_code}»")
    mapping: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return mapping


def read_rows(path: Path, mapping: dict[str, Any]) -> Iterator[tuple[int, dict[str, str]]]:
    """Stream the file's rows (CSV or XLSX) as ``(line number, {column: cell})``. The header is
    line 1; a row is numbered by the line it starts on. Short rows are padded with empty cells.
    The encoding is detected (``files.detect_encoding``); the delimiter is the mapping's. No
    checks of the whole file: the loader uses ``files.open_file`` for those."""
    path = Path(path)
    if path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        kind = "xlsx" if handle.read(4) == b"PK\x03\x04" else "csv"
    encoding = detect_encoding(path, mapping.get("encoding", "")) if kind == "csv" else ""
    source = SourceFile(path, kind, encoding, mapping.get("delimiter", ","))
    rows = iter_rows(source)
    next(rows, None)  # the header
    yield from rows


def split_full_name(
    value: str, *, order: str = "given_first", phrases: tuple[str, ...] = GIVEN_NAME_PHRASES
) -> tuple[str, str, str]:
    """Split "GUADALUPE HERNÁNDEZ LÓPEZ" into (given names, first surname, second surname).
    Particles stay with the word they introduce ("MARÍA DE LA CRUZ DEL RÍO" → "MARÍA",
    "DE LA CRUZ", "DEL RÍO"). Two words are a given name and one surname; one word a given
    name. ``order="surnames_first"`` reads "HERNÁNDEZ LÓPEZ, GUADALUPE" or without comma."""
    if order == "surnames_first":
        if "," in value:
            surnames, given = value.split(",", 1)
            groups = [*_groups(surnames.split()), "", ""]
            return " ".join(given.split()), groups[0], " ".join(groups[1:]).strip()
        groups = _groups(value.split())
        if len(groups) <= 2:
            return " ".join(groups[1:]), groups[0] if groups else "", ""
        return " ".join(groups[2:]), groups[0], groups[1]
    groups = _groups(value.split())
    if len(groups) <= 1:
        return (groups[0] if groups else ""), "", ""
    if len(groups) == 2:
        return groups[0], groups[1], ""
    normalized_phrases = {normalize_label(p) for p in phrases}
    if normalize_label(groups[-2]) in normalized_phrases:
        return " ".join(groups[:-1]), groups[-1], ""
    return " ".join(groups[:-2]), groups[-2], groups[-1]


def _groups(tokens: list[str]) -> list[str]:
    """Words with the particles in front of them glued on: DE LA CRUZ is one group."""
    groups: list[str] = []
    pending: list[str] = []
    for token in tokens:
        pending.append(token)
        if normalize_label(token) not in PARTICLES:
            groups.append(" ".join(pending))
            pending = []
    if pending:  # trailing particles: keep them with the last word
        if groups:
            groups[-1] = " ".join([groups[-1], *pending])
        else:
            groups.append(" ".join(pending))
    return groups


@lru_cache(maxsize=32768)
def _strptime(text: str, fmt: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - agencies write local time
    except ValueError:
        return None


def _human_format(fmt: str) -> str:
    for code, text in (("%d", "dd"), ("%m", "mm"), ("%Y", "aaaa"), ("%y", "aa"),
                       ("%H", "HH"), ("%M", "MM"), ("%S", "SS")):  # fmt: skip
        fmt = fmt.replace(code, text)
    return fmt


_SIMPLE: dict[str, Callable[[str], str]] = {
    "text": lambda raw: " ".join(raw.split()),
    "upper": lambda raw: " ".join(raw.upper().split()),
    "curp": lambda raw: "".join(raw.upper().split()).replace("-", ""),
    "phone": lambda raw: "".join(c for c in raw if c.isdigit()),
}


class _Field:
    """One compiled entry of the mapping: where to put the value and how to read it."""

    def __init__(self, target: str, spec: dict[str, Any], mapping: dict[str, Any]) -> None:
        self.target = target
        self.spec = spec
        self.type = spec.get("type", "text")
        if self.type not in TYPES:
            raise MappingError(f"{target}: tipo desconocido «{self.type}»")
        self.column = spec.get("column", "")
        if self.type != "constant" and not self.column:
            raise MappingError(f"{target}: falta «column»")
        self.required = bool(spec.get("required", False))
        self.optional_column = bool(spec.get("optional_column", False))
        self.default = str(spec.get("default", ""))
        self.when_kind = set(spec.get("when_kind", []))
        self.empty = {normalize_label(v) for v in mapping.get("empty_values", [])}
        self.codes: dict[str, Any] = {}
        if self.type in {"code", "codes", "bool"} or "codes" in spec:
            self.codes = _code_list(target, spec, mapping)
        self.formats = spec.get("formats") or [spec.get("format", "%d/%m/%Y")]
        self.time_column = spec.get("time_column", "")
        self.time_format = spec.get("time_format", "%H:%M")

    def cell(self, row: dict[str, str], column: str, default: str = "") -> str | None:
        if column not in row:
            return None
        value = (row[column] or "").strip()
        if self.empty and normalize_label(value) in self.empty:
            value = ""
        return value or default

    def read(self, row: dict[str, str]) -> tuple[Any, str | None]:
        if self.type == "constant":
            return self.spec.get("value"), None
        raw = self.cell(row, self.column, self.default)
        if raw is None:
            if not self.optional_column:
                return None, f"falta la columna «{self.column}» en el archivo"
            raw = ""
        if not raw:
            if self.required:
                return None, f"campo obligatorio vacío (columna «{self.column}»)"
            return self.empty_value(), None
        if self.type in _SIMPLE:
            return _SIMPLE[self.type](raw), None
        return getattr(self, f"_read_{self.type}")(raw, row)

    def empty_value(self) -> Any:
        empty: dict[str, Any] = {"codes": [], "int": None, "bool": None, "full_name": ("", "", "")}
        return empty.get(self.type, "")

    def _read_int(self, raw: str, row: dict[str, str]) -> tuple[Any, str | None]:
        try:
            number = int(raw)
        except ValueError:
            return None, f"número entero inválido: «{raw}»"
        low, high = self.spec.get("min"), self.spec.get("max")
        if (low is not None and number < low) or (high is not None and number > high):
            return None, f"número fuera de rango: «{raw}» (entre {low} y {high})"
        return number, None

    def _read_bool(self, raw: str, row: dict[str, str]) -> tuple[Any, str | None]:
        value = self.codes.get(normalize_label(raw))
        if not isinstance(value, bool):
            choices = ", ".join(sorted(k for k, v in self.codes.items() if isinstance(v, bool)))
            return None, f"valor no reconocido: «{raw}» (se espera {choices})"
        return value, None

    def _read_date(self, raw: str, row: dict[str, str]) -> tuple[Any, str | None]:
        for fmt in self.formats:
            moment = _strptime(raw, fmt)
            if moment is not None:
                return moment.date().isoformat(), None
        expected = " o ".join(_human_format(f) for f in self.formats)
        return None, f"fecha inválida: «{raw}» (se espera {expected})"

    def _read_datetime(self, raw: str, row: dict[str, str]) -> tuple[Any, str | None]:
        clock, text, suffix = None, raw, ""
        if self.time_column:
            time = self.cell(row, self.time_column)
            if time is None:
                return None, f"falta la columna «{self.time_column}» en el archivo"
            time = time or self.spec.get("default_time", "")
            if not time:
                return None, f"falta la hora (columna «{self.time_column}»)"
            clock = _strptime(time, self.time_format)
            text, suffix = f"{raw} {time}", f" {_human_format(self.time_format)}"
        for fmt in self.formats:
            moment = _strptime(raw, fmt)
            if moment is not None and (clock is not None or not self.time_column):
                if clock is not None:
                    moment = dt.datetime.combine(moment.date(), clock.time())
                return moment.isoformat(timespec="seconds"), None
        expected = " o ".join(_human_format(f) + suffix for f in self.formats)
        return None, f"fecha y hora inválidas: «{text}» (se espera {expected})"

    def _read_code(self, raw: str, row: dict[str, str]) -> tuple[Any, str | None]:
        key = normalize_label(raw)
        if key not in self.codes:
            name = self.spec.get("codes")
            listed = name if isinstance(name, str) else self.target
            return None, f"valor no reconocido: «{raw}» (lista «{listed}»)"
        return self.codes[key], None

    def _read_codes(self, raw: str, row: dict[str, str]) -> tuple[Any, str | None]:
        separator = self.spec.get("separator", ",")
        found: list[str] = []
        for piece in raw.split(separator) if separator else [raw]:
            if not piece.strip():
                continue
            value, error = self._read_code(piece.strip(), row)
            if error:
                return None, error
            for code in value if isinstance(value, list) else [value]:
                if code and code not in found:
                    found.append(code)
        return found, None

    def _read_full_name(self, raw: str, row: dict[str, str]) -> tuple[Any, str | None]:
        phrases = tuple(self.spec.get("given_name_phrases", GIVEN_NAME_PHRASES))
        order = self.spec.get("order", "given_first")
        return split_full_name(raw, order=order, phrases=phrases), None


def _code_list(target: str, spec: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    if spec.get("type") == "bool" and "codes" not in spec:
        table: Any = {**{t: True for t in spec.get("true", [])},
                      **{f: False for f in spec.get("false", [])}}  # fmt: skip
    else:
        table = spec.get("codes")
        if isinstance(table, str):
            lists = mapping.get("codes", {})
            if table not in lists:
                raise MappingError(f"{target}: no existe la lista de códigos «{table}»")
            table = lists[table]
    if not isinstance(table, dict) or not table:
        raise MappingError(f"{target}: falta la lista de códigos")
    return {normalize_label(k): v for k, v in table.items()}


def _check_target(target: str) -> None:
    head, _, rest = target.partition(".")
    known = (
        (not rest and head in RECORD_FIELDS)
        or (head == "details" and rest)
        or (head in {"victim", "aggressor"} and (rest in PARTY_FIELDS or rest == "full_name"))
    )
    if not known:
        raise MappingError(f"campo canónico desconocido «{target}»")


@dataclass
class _Compiled:
    agency: str
    kind: _Field
    fields: list[_Field]
    has_aggressor: bool


_CACHE: dict[int, tuple[dict[str, Any], _Compiled]] = {}


def compile_mapping(mapping: dict[str, Any]) -> _Compiled:
    """Check and prepare a mapping (cached while the same dict object is in use)."""
    cached = _CACHE.get(id(mapping))
    if cached is not None and cached[0] is mapping:
        return cached[1]
    specs = mapping.get("fields")
    if not isinstance(specs, dict):
        raise MappingError("la correspondencia no tiene «fields»")
    for required in ("agency_record_id", "kind", "occurred_at"):
        if required not in specs:
            raise MappingError(f"la correspondencia no dice de dónde sale «{required}»")
    compiled_fields = []
    for target, spec in specs.items():
        _check_target(target)
        compiled_fields.append(_Field(target, spec, mapping))
    kind = next(f for f in compiled_fields if f.target == "kind")
    compiled = _Compiled(
        agency=str(mapping.get("agency", "")),
        kind=kind,
        fields=[f for f in compiled_fields if f is not kind],
        has_aggressor=any(f.target.startswith("aggressor.") for f in compiled_fields),
    )
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[id(mapping)] = (mapping, compiled)
    return compiled


def validate_mapping(mapping: dict[str, Any]) -> list[str]:
    """Problems of a mapping, as messages (empty when it can be used)."""
    try:
        compile_mapping(mapping)
    except MappingError as problem:
        return [str(problem)]
    return []


def empty_party() -> dict[str, Any]:
    party: dict[str, Any] = dict.fromkeys(PARTY_FIELDS, "")
    party["age"] = None
    return party


def translate_row(
    mapping: dict[str, Any], row: dict[str, str], row_number: int
) -> tuple[dict[str, Any] | None, list[FieldError]]:
    """The canonical record of one row, or ``None`` and the reasons it cannot be read."""
    compiled = compile_mapping(mapping)
    errors: list[FieldError] = []
    kind, problem = compiled.kind.read(row)
    if problem:
        errors.append(FieldError(row_number, "kind", problem))
    record: dict[str, Any] = {
        "agency": compiled.agency,
        **{name: [] if name in LIST_FIELDS else "" for name in RECORD_FIELDS},
        "kind": kind or "",
        "details": {},
    }
    parties = {"victim": empty_party(), "aggressor": empty_party()}
    for field in compiled.fields:
        if field.when_kind and kind not in field.when_kind:
            continue
        value, problem = field.read(row)
        if problem:
            errors.append(FieldError(row_number, _error_field(field.target), problem))
            continue
        head, _, rest = field.target.partition(".")
        if head == "details":
            if value not in (None, "", []):
                record["details"][rest] = value
        elif head in parties:
            if rest == "full_name":
                given, first, second = value
                parties[head].update(given_names=given, first_surname=first, second_surname=second)
            else:
                parties[head][rest] = value if value is not None or rest == "age" else ""
        else:
            record[head] = value if value is not None else ""
    if errors:
        return None, errors
    record["victim"] = parties["victim"]
    aggressor = parties["aggressor"]
    recorded = any(v not in (None, "") for v in aggressor.values())
    record["aggressor"] = aggressor if compiled.has_aggressor and recorded else None
    return record, []


def _error_field(target: str) -> str:
    return target.replace(".full_name", ".given_names")
