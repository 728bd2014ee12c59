"""A dump of the database (SQLite and PostgreSQL) holds no name, CURP or phone in clear."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from violeta.agencies.models import Agency
from violeta.catalogs.models import Alcaldia
from violeta.intake.loader import import_file
from violeta.intake.mapping import load_mapping, read_rows, translate_row
from violeta.synth import generate


def _dump() -> str:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = [
        "pg_dump",
        "-h",
        settings["HOST"] or "127.0.0.1",
        "-p",
        str(settings["PORT"] or 5432),
        "-U",
        settings["USER"] or "postgres",
        settings["NAME"],
    ]
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def _secrets(out_dir: Path) -> set[str]:
    """Every surname, CURP and phone of the generated files, as the agencies typed them."""
    found: set[str] = set()
    for agency in Agency.objects.all():
        path = out_dir / f"{agency.code}.csv"
        mapping = load_mapping(agency.code)
        for number, row in read_rows(path, mapping):
            canonical, _errors = translate_row(mapping, row, number)
            for role in ("victim", "aggressor"):
                party = (canonical or {}).get(role) or {}
                for key in ("first_surname", "curp", "phone", "given_names"):
                    value = str(party.get(key) or "")
                    if len(value) >= 6:  # short strings occur by chance in ciphertext
                        found.add(value)
    return found


@pytest.mark.django_db(transaction=True)
def test_database_dump_has_no_identity_in_clear(catalogs: None, tmp_path: Path) -> None:
    generate(tmp_path, women=40, seed=7)
    for agency in Agency.objects.all():
        import_file(agency=agency, path=tmp_path / f"{agency.code}.csv")
    # A surname that is also part of a public catalog entry ("La Magdalena Contreras") is not
    # a leak: the catalog is in the dump by design.
    public = " ".join(Alcaldia.objects.values_list("name", flat=True))
    secrets = {s for s in _secrets(tmp_path) if s not in public}
    assert len(secrets) > 50
    dump = _dump()
    assert "INSERT" in dump or "COPY" in dump
    leaked = sorted(s for s in secrets if s in dump)
    assert leaked == []
