"""Administrators load instrument files without code: the command and the admin page."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.risk.models import InstrumentVersion
from violeta.risk.tests.factories import a_woman, completed
from violeta.risk.versions import SHIPPED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _danger(**changes: object) -> dict[str, object]:
    data: dict[str, object] = json.loads((SHIPPED / "danger.json").read_text(encoding="utf-8"))
    return data | changes


def test_the_command_loads_shipped_files_reports_errors_and_retires(
    make_user: Callable[..., User], tmp_path: Path
) -> None:
    out = StringIO()
    call_command("risk_instrument_load", "--shipped", stdout=out)
    assert "danger v1 created" in out.getvalue()
    assert set(InstrumentVersion.objects.values_list("code", flat=True)) == {
        "vpr",
        "vper",
        "danger",
    }
    bad = _danger(version="2")
    bad["items"][6]["weights"] = {"yes": "three", "no": 0}  # type: ignore[index]
    path = tmp_path / "danger-2.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("risk_instrument_load", str(path), stderr=err)
    assert 'item "d7" "weights" "yes": must be a whole number' in err.getvalue()
    assert not InstrumentVersion.objects.filter(code="danger", version="2").exists()

    danger = InstrumentVersion.objects.get(code="danger")
    completed(a_woman(), make_user("caseworker"), danger, set())
    path.write_text(json.dumps(_danger(notes="weights changed")), encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("risk_instrument_load", str(path), stderr=err)
    assert "in use" in err.getvalue()
    call_command("risk_instrument_load", "--retire", "danger", "1", stdout=out)
    danger.refresh_from_db()
    assert danger.retired_at is not None


def test_the_admin_upload_page_checks_the_file_and_loads_it(
    make_user: Callable[..., User],
) -> None:
    from django.test import Client

    client = login_verified(Client(), make_user("administrator", None))
    url = reverse("admin:risk_instrumentversion_upload")
    assert client.get(url).status_code == 200
    bad = _danger(levels=[])
    upload = SimpleUploadedFile("d.json", json.dumps(bad).encode(), "application/json")
    page = client.post(url, {"file": upload}).content.decode()
    assert 'id="instrument-errors"' in page and "&quot;levels&quot;" in page
    assert not InstrumentVersion.objects.exists()
    good = SimpleUploadedFile("d.json", json.dumps(_danger()).encode(), "application/json")
    assert client.post(url, {"file": good}).status_code == 302
    listing = client.get(reverse("admin:risk_instrumentversion_changelist")).content.decode()
    assert "danger" in listing and url in listing
    caseworker = login_verified(Client(), make_user("caseworker"))
    assert caseworker.get(url).status_code == 302  # not staff: to the admin login
