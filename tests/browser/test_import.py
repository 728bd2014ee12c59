"""In a real browser: a supervisor uploads her agency's file, watches it import (the worker
runs meanwhile), sees the rejected rows as text and downloads them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import login
from violeta.agencies.models import User
from violeta.intake.jobs import import_jobs_drain
from violeta.intake.models import ImportJob, ImportStatus
from violeta.intake.tests.test_loader import HEADER, _row
from violeta.records.models import AgencyRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_progress_and_rejected_rows_in_a_browser(
    page: Any, live_server: Any, make_user: Callable[..., User], tmp_path: Path
) -> None:
    base = live_server.url
    supervisor = make_user("supervisor", "SEMUJERES")
    hostile = _row("B-1").replace(",Miguel Hidalgo,Jesús", ",<img src=x onerror=alert(1)>,Jesús")
    path = tmp_path / "registro semujeres.csv"
    path.write_text("\n".join([HEADER, _row("A-1"), hostile]) + "\n", encoding="utf-8")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog {dialog.message}"))

    login(page, base, supervisor)
    page.click("text=Importar archivo")
    page.set_input_files("#id_file", str(path))
    page.click("text=Subir e importar")
    page.wait_for_url(f"{base}/importar/*/")
    assert "En espera" in page.locator("#import-status").inner_text()

    import_jobs_drain(worker="browser-test")  # the worker, beside the server
    page.locator("#import-status >> text=Terminada").wait_for(timeout=10000)  # polled
    status = page.locator("#import-status").inner_text()
    assert "Filas rechazadas" in status
    cell = page.locator("#import-status td", has_text="onerror")
    assert "valor no reconocido: «<img src=x onerror=alert(1)>»" in cell.inner_text()
    assert page.locator("#import-status img").count() == 0  # shown as text, never as markup
    with page.expect_download() as download:
        page.click("text=Descargar las filas rechazadas (CSV)")
    saved = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert saved.splitlines()[1].startswith("registro semujeres.csv,3,victim.alcaldia,")
    assert errors == []
    assert ImportJob.objects.get().status == ImportStatus.DONE
    assert list(AgencyRecord.objects.values_list("agency_record_id", flat=True)) == ["A-1"]
