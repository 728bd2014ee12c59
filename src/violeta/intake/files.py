"""Reading an agency's file, CSV or XLSX, as a stream of rows; problems of the whole file.

Pure Python, no Django. :func:`open_file` looks at the file before a single row is stored and
raises :class:`FileProblem` (naming the file, and the row or the column when there is one)
for what makes the whole file unusable: empty, neither CSV nor XLSX, broken quoting, missing
required columns. What it decides on the way:

* **Format** by content, not by name: a ZIP container is XLSX (openpyxl, read-only, streamed),
  an old binary XLS is refused with a message saying how to save it, anything with NUL bytes is
  refused, the rest is CSV.
* **Encoding** (CSV): a UTF-8 byte-order mark → UTF-8 without the mark; otherwise the whole file
  is checked as UTF-8 in one streaming pass; if it is not UTF-8 it is read as Windows-1252 (what
  Excel calls "CSV" in Spanish Windows; a superset of Latin-1), or as Latin-1 when it has bytes
  Windows-1252 does not define. The mapping's ``encoding`` is only a hint for that fallback.
* **Delimiter** (CSV): the mapping's, unless the header splits into more of the mapping's
  columns with another of ``,`` ``;`` ``|`` tab: then that one (agencies re-export with
  another separator; the columns must still be the mapping's, so this cannot misread a file).
* **XLSX cells**: dates and date-times become ``dd/mm/yyyy``, times ``HH:MM``, whole numbers
  lose their ``.0``; text cells are read as written (``dd/mm/yyyy`` text works as in CSV).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DELIMITERS = (",", ";", "|", "\t")
CHUNK = 1 << 20
TOO_MANY_CELLS = "\x00extra"  # key of a row with more cells than the header (their count)


class FileProblem(ValueError):
    """The whole file cannot be imported; nothing of it was stored."""

    def __init__(self, file: str, message: str, *, row: int | None = None, field: str = ""):
        self.file, self.message, self.row, self.field = file, message, row, field
        where = f"{file}" + (f", fila {row}" if row else "") + (f", campo {field}" if field else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SourceFile:
    """What :func:`open_file` found out; :func:`iter_rows` streams the rows with it."""

    path: Path
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ","
    header: tuple[str, ...] = ()
    rows: int = 0  # data rows (blank lines not counted)


# Formats an upload may lie about, told by their first bytes: (signature, name for people).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"\x7fELF", "ELF"),
    (b"MZ\x90\x00", "EXE"),
    (b"\x1f\x8b", "GZIP"),
    (b"7z\xbc\xaf\x27\x1c", "7Z"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"%!PS", "PostScript"),
    (b"{\\rtf", "RTF"),
)
XLS = b"\xd0\xcf\x11\xe0"
# An XLSX whose parts open to more than this is refused before it is read: openpyxl holds the
# shared strings in memory, and a small file can unpack to gigabytes (a "zip bomb").
XLSX_MAX_UNPACKED = 1 << 30
XLSX_MAX_SHARED_STRINGS = 256 << 20


def content_kind(head: bytes) -> str:
    """What the first bytes of a file say it is, whatever its name: ``"empty"``, ``"xlsx"`` (a
    ZIP container, see :func:`xlsx_problem`), ``"xls"``, ``"csv"`` (text), or the name of a
    format that is not a registry (``"PDF"``, ``"PNG"``, ``"ELF"``, ``"binary"``…)."""
    if not head.strip():
        return "empty"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(XLS):
        return "xls"
    for signature, name in SIGNATURES:
        if head.startswith(signature):
            return name
    sample = head[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f")
    if b"\x00" in sample or controls > len(sample) // 10:
        return "binary"
    return "csv"


def xlsx_problem(handle: Any) -> str:
    """Why the ZIP container ``handle`` (a path or a binary file, left at its start) is not an
    XLSX workbook that can be read safely; "" when it is. Reads only the ZIP's directory."""
    import zipfile

    try:
        with zipfile.ZipFile(handle) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "no es un XLSX válido (el archivo ZIP está dañado o incompleto)"
    finally:
        if hasattr(handle, "seek"):
            handle.seek(0)
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names:
        return "es un archivo ZIP, no un libro XLSX"
    unpacked = sum(part.file_size for part in parts)
    shared = sum(p.file_size for p in parts if p.filename.lower() == "xl/sharedstrings.xml")
    if unpacked > XLSX_MAX_UNPACKED or shared > XLSX_MAX_SHARED_STRINGS:
        return (
            f"al abrirse ocuparía {unpacked // (1 << 20)} MB (más de {XLSX_MAX_UNPACKED >> 20} MB,"
            f" o textos compartidos de más de {XLSX_MAX_SHARED_STRINGS >> 20} MB): divídalo o "
            "guárdelo como CSV"
        )
    return ""


def _sniff_kind(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(8192)
    kind = content_kind(head)
    if kind == "empty":
        raise FileProblem(path.name, "el archivo está vacío")
    if kind == "xls":
        raise FileProblem(
            path.name, "es un libro de Excel antiguo (.xls): guárdelo como XLSX o CSV"
        )
    if kind == "xlsx":
        problem = xlsx_problem(path)
        if problem:
            raise FileProblem(path.name, problem)
        return kind
    if kind != "csv":
        what = "datos binarios" if kind == "binary" else f"es un {kind}"
        raise FileProblem(path.name, f"no es un archivo CSV ni XLSX ({what})")
    return "csv"


def detect_encoding(path: Path, hint: str = "") -> str:
    """``utf-8-sig`` with a BOM (FileProblem when the rest is not UTF-8), ``utf-8`` when every
    byte is valid UTF-8, else cp1252 (or the mapping's non-UTF-8 hint), else latin-1. Streams
    the file; memory stays flat."""
    with path.open("rb") as handle:
        bom = handle.read(3) == codecs.BOM_UTF8
    fallback = hint if hint and codecs.lookup(hint).name not in {"utf-8", "utf-8-sig"} else ""
    for candidate in ("utf-8-sig",) if bom else ("utf-8", fallback or "cp1252"):
        decoder = codecs.getincrementaldecoder(candidate)()
        done = 0
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                    done += len(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            if bom:  # it says UTF-8 and is not: no guess would be right
                raise FileProblem(
                    path.name,
                    "empieza con la marca de UTF-8 (BOM) pero no es UTF-8 válido (byte "
                    f"{done + error.start + 1}): guárdelo de nuevo como «CSV UTF-8»",
                ) from error
            continue
        return candidate
    return "latin-1"


def required_columns(fields: list[Any]) -> dict[str, str]:
    """Columns a compiled mapping cannot do without: {column: canonical field}."""
    needed: dict[str, str] = {}
    for field in fields:
        if field.type == "constant" or field.optional_column:
            continue
        needed.setdefault(field.column, field.target)
        if field.time_column:
            needed.setdefault(field.time_column, field.target)
    return needed


def _clean_header(header: list[str]) -> tuple[str, ...]:
    return tuple(str(h or "").lstrip("\ufeff").strip() for h in header)


def _check_header(
    path: Path, header: tuple[str, ...], needed: dict[str, str], delimiter: str
) -> None:
    if not any(header):
        raise FileProblem(path.name, "la primera fila (encabezado) está vacía", row=1)
    missing = [c for c in needed if c not in header]
    if not missing:
        return
    if len(header) == 1 and delimiter:
        raise FileProblem(
            path.name,
            f"el encabezado tiene una sola columna: el archivo no usa «{delimiter}» ni «;», «|» "
            "o tabulador como separador de columnas",
            row=1,
        )
    listed = ", ".join(f"«{c}» ({needed[c]})" for c in missing)
    raise FileProblem(path.name, f"faltan columnas obligatorias: {listed}", row=1)


# The longest cell accepted. The csv module's own limit is process-wide and other libraries
# raise it (frictionless does), so an unclosed quote swallowing the rest of the file is caught
# here whatever that limit is.
MAX_FIELD_CHARS = 100_000


def open_file(path: Path, mapping: dict[str, Any], fields: list[Any]) -> SourceFile:
    """Check the whole file (one streaming pass) and say how to read it; raise FileProblem."""
    path = Path(path)
    if not path.is_file():
        raise FileProblem(path.name, "no existe el archivo")
    kind = _sniff_kind(path)
    needed = required_columns(fields)
    if kind == "xlsx":
        return _open_xlsx(path, needed)
    encoding = detect_encoding(path, mapping.get("encoding", ""))
    declared = mapping.get("delimiter", ",")
    with path.open(encoding=encoding, newline="") as handle:
        first = handle.readline()
    if not first.strip():
        raise FileProblem(path.name, "la primera fila (encabezado) está vacía", row=1)

    def score(delimiter: str) -> int:
        header = _clean_header(next(csv.reader([first], delimiter=delimiter)))
        return sum(1 for c in needed if c in header)

    delimiter = max([declared, *DELIMITERS], key=score)  # the declared one wins ties
    source = SourceFile(path, "csv", encoding, delimiter)
    rows = 0
    try:
        stream = iter_rows(source)
        header = _clean_header(list(next(stream)[1].values()))
        _check_header(path, header, needed, delimiter)
        for _number, row in stream:
            rows += 1
            if any(len(value) > MAX_FIELD_CHARS for value in row.values() if value):
                message = f"CSV mal formado: un campo de más de {MAX_FIELD_CHARS} caracteres"
                raise FileProblem(path.name, f"{message} (¿una comilla sin cerrar?)", row=rows + 1)
    except csv.Error as error:
        raise FileProblem(path.name, f"CSV mal formado: {error}", row=rows + 2) from error
    return SourceFile(path, "csv", encoding, delimiter, header, rows)


def _open_xlsx(path: Path, needed: dict[str, str]) -> SourceFile:
    source = SourceFile(path, "xlsx")
    rows = 0
    try:
        stream = iter_rows(source)
        first = next(stream, None)
        if first is None:
            raise FileProblem(path.name, "la hoja de cálculo está vacía")
        header = _clean_header(list(first[1].values()))
        _check_header(path, header, needed, "")
        for _row in stream:
            rows += 1
    except FileProblem:
        raise
    except Exception as error:
        raise FileProblem(path.name, f"no es un XLSX válido ({type(error).__name__})") from error
    return SourceFile(path, "xlsx", "", "", header, rows)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def iter_rows(source: SourceFile) -> Iterator[tuple[int, dict[str, str]]]:
    """The header first as ``(1, {index: name})``, then ``(line, {column: cell})`` for each
    non-blank row, a row numbered by the line (CSV) or sheet row (XLSX) it starts on. Short
    rows are padded; a row with more non-empty cells than the header carries
    ``TOO_MANY_CELLS`` (their count)."""
    if source.kind == "xlsx":
        yield from _xlsx_rows(source.path)
        return
    with source.path.open(encoding=source.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=source.delimiter)
        header = next(reader, None)
        if header is None:
            return
        yield 1, {str(i): h for i, h in enumerate(header)}
        yield from _data_rows(_clean_header(header), reader, lambda: reader.line_num)


def _data_rows(
    header: tuple[str, ...], cells: Iterator[list[str]], line: Any
) -> Iterator[tuple[int, dict[str, str]]]:
    width = len(header)
    previous = line()
    for values in cells:
        start, previous = previous + 1, line()
        if not values or all(not v.strip() for v in values):
            continue
        row = dict(zip(header, values, strict=False))
        if len(values) < width:
            row.update(dict.fromkeys(header[len(values) :], ""))
        elif len(values) > width and any(v.strip() for v in values[width:]):
            row[TOO_MANY_CELLS] = str(len(values))
        yield start, row


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # some exporters write a wrong "A1:A1"
            sheet.reset_dimensions()
        numbered = iter(sheet.iter_rows(values_only=True))
        counter = {"line": 0}

        def cells() -> Iterator[list[str]]:
            for values in numbered:
                counter["line"] += 1
                yield [_cell_text(v) for v in values]

        stream = cells()
        header = next(stream, None)
        if header is None:
            return
        yield 1, {str(i): h for i, h in enumerate(header)}
        yield from _data_rows(_clean_header(header), stream, lambda: counter["line"])
    finally:
        book.close()
