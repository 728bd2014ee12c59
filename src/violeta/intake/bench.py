"""``violeta bench import``: the generator's agency files imported (with linkage) into a fresh
SQLite and a fresh PostgreSQL database, beside PostgreSQL's own ``COPY`` of the same files into
bare tables (text columns, no index, no constraint): the physical limit of getting those bytes
into that server. One final line of figures.

Each import runs in a child process of its own pointed at its database (created fresh, migrated,
catalogs and agencies loaded: none of that is timed), so its peak memory (``ru_maxrss``) is the
import's alone and is printed with it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command

from violeta.intake.mapping import load_mapping

AGENCIES = ("C5", "FGJ", "LINEA", "SEDESA", "SEMUJERES", "SSC")


def agency_files(folder: Path) -> list[Path]:
    return [folder / f"{code}.csv" for code in AGENCIES if (folder / f"{code}.csv").is_file()]


def child_import(folder: Path) -> str:
    """In the bench's database (this process): prepare it, then time the import of every file.
    Prints ``rows seconds peak_MB``."""
    from violeta.agencies.models import Agency
    from violeta.agencies.services import agencies_load
    from violeta.catalogs.services import catalogs_load
    from violeta.intake.loader import import_file

    call_command("migrate", verbosity=0)
    catalogs_load()
    agencies_load()
    rows = created = 0
    start = time.perf_counter()
    for path in agency_files(folder):
        report = import_file(agency=Agency.objects.get(code=path.stem), path=path)
        rows, created = rows + report.rows, created + report.created
    seconds = time.perf_counter() - start
    return f"{rows} {created} {seconds:.2f} {peak_megabytes():.0f}"


def peak_megabytes() -> float:
    """This process's peak resident memory. Linux's ``VmHWM`` (of this program's memory only):
    ``ru_maxrss`` keeps the maximum across ``exec``, so a child spawned by a large parent
    reports the parent's size (the 1,000,000-row runs printed ~950 MB while the child itself,
    sampled every 30 s, never passed 252 MB). ``ru_maxrss`` where there is no ``/proc``."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def postgres_server() -> dict[str, Any]:
    """Where the PostgreSQL runs go: the configured database's server when it is PostgreSQL,
    else ``VIOLETA_BENCH_POSTGRES_URL`` (default postgres://postgres:postgres@127.0.0.1:5432)."""
    import dj_database_url

    current = settings.DATABASES["default"]
    if current["ENGINE"].endswith("postgresql"):
        return dict(current)
    url = os.environ.get(
        "VIOLETA_BENCH_POSTGRES_URL", "postgres://postgres:postgres@127.0.0.1:5432/postgres"
    )
    return dict(dj_database_url.parse(url))


def _connect(server: dict[str, Any], dbname: str = "postgres") -> Any:
    import psycopg

    return psycopg.connect(
        dbname=dbname,
        host=str(server.get("HOST") or "127.0.0.1"),
        port=int(server.get("PORT") or 5432),
        user=str(server.get("USER") or ""),
        password=str(server.get("PASSWORD") or ""),
        autocommit=True,
    )


def fresh_database(engine: str, name: str) -> str:
    """A new empty database (dropped first if there); its URL."""
    if engine == "sqlite":
        path = Path(settings.DATA_DIR) / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    server = postgres_server()
    with _connect(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    user, password = server.get("USER"), server.get("PASSWORD")
    auth = f"{user}:{password}@" if user else ""
    host, port = server.get("HOST") or "127.0.0.1", server.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{name}"


def run_child(url: str, folder: Path) -> tuple[int, int, float, float]:
    env = {**os.environ, "DATABASE_URL": url, "VIOLETA_BENCH_DATABASE": "1"}
    argv = [sys.executable, "-m", "violeta.cli", "bench", "import", "--files", str(folder)]
    done = subprocess.run(  # noqa: S603 - our own command, no shell
        argv, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    rows, created, seconds, peak = done.stdout.strip().splitlines()[-1].split()
    return int(rows), int(created), float(seconds), float(peak)


def postgres_copy(folder: Path, name: str) -> tuple[int, float]:
    """COPY each file into a bare table of text columns; (rows, seconds)."""
    fresh_database("postgres", name)
    rows, seconds = 0, 0.0
    with _connect(postgres_server(), name) as db:
        for path in agency_files(folder):
            mapping = load_mapping(path.stem)
            encoding = "LATIN1" if mapping.get("encoding", "").startswith("latin") else "UTF8"
            delimiter = mapping.get("delimiter", ",")
            with path.open(encoding=mapping.get("encoding", "utf-8"), newline="") as handle:
                header = handle.readline().lstrip("\ufeff").rstrip("\r\n").split(delimiter)
            columns = ", ".join(f'"c{i}" text' for i in range(len(header)))
            db.execute(f'CREATE TABLE "bare_{path.stem.lower()}" ({columns})')
            start = time.perf_counter()
            with db.cursor() as cursor:
                sql = (
                    f'COPY "bare_{path.stem.lower()}" FROM STDIN WITH (FORMAT csv, HEADER true, '
                    f"DELIMITER '{delimiter}', ENCODING '{encoding}')"
                )
                with cursor.copy(sql) as copy, path.open("rb") as raw:
                    while chunk := raw.read(1 << 20):
                        copy.write(chunk)
            seconds += time.perf_counter() - start
            table = f"bare_{path.stem.lower()}"  # one of AGENCIES
            counted = db.execute(f'SELECT count(*) FROM "{table}"').fetchone()  # noqa: S608
            rows += counted[0]
    return rows, seconds


def bench_import(rows: int, *, database: str = "both", seed: int = 42) -> str:
    from violeta.synth.generate import bench_generate

    engines = ["sqlite", "postgres"] if database == "both" else [database]
    parts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="violeta-bench-import-") as tmp:
        folder = Path(tmp)
        bench_generate(rows, out_dir=folder, seed=seed)
        size = sum(p.stat().st_size for p in agency_files(folder))
        total = 0
        for engine in engines:
            url = fresh_database(engine, f"violeta_bench_import_{rows}_{seed}")
            total, created, seconds, peak = run_child(url, folder)
            parts.append(
                f"{engine} {seconds:.1f} s {total / seconds:,.0f} rows/s "
                f"({created} records, peak {peak:.0f} MB)"
            )
        if "postgres" in engines:
            copied, seconds = postgres_copy(folder, f"violeta_bench_copy_{rows}_{seed}")
            total = total or copied
            parts.append(f"postgres COPY {seconds:.2f} s {copied / seconds:,.0f} rows/s")
    return f"import: {total} rows, {size / 1e6:.0f} MB of CSV; " + "; ".join(parts)
