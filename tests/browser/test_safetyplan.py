"""In a real browser: a safety plan made from her file (prefilled from her latest assessment),
a step edited into a new version, the history, and the PDF she takes home."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.browser.helpers import a_woman, login
from violeta.agencies.models import User
from violeta.risk.services import assessment_save, assessment_start
from violeta.risk.versions import instruments_load_shipped
from violeta.safetyplan.models import SafetyPlan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ALTO = {"h4", "h5", "h6", "a1", "g1"}  # weapons, threats to kill, strangulation: 16, Alto
NEW_STEP = "Dejar una copia de sus documentos con su hermana Lucía"
NOTE = "Acordado con ella por teléfono"


def test_a_plan_from_her_file_edited_into_a_version_and_printed_safely(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    caseworker = make_user("caseworker")
    woman = a_woman()  # her record: aggressor Juan Carlos Ramírez Soto, "refiere golpes..."
    vpr = next(o.instrument for o in instruments_load_shipped() if o.instrument.code == "vpr")
    answers = {i.id: "yes" if i.id in ALTO else "no" for i in vpr.parsed.items}
    draft = assessment_start(person=woman, instrument=vpr, actor=caseworker)
    assessment = assessment_save(assessment=draft, answers=answers, complete=True, actor=caseworker)
    assert assessment.assessment.final_level == "alto"
    login(page, base, caseworker)

    # From her file, prefilled from her latest assessment (not her record's "medio").
    page.goto(f"{base}/personas/{woman.pk}/")
    page.click(f"#safety-plans a[href='/planes-seguridad/nuevo/{woman.pk}/']")
    page.wait_for_url(f"{base}/planes-seguridad/nuevo/{woman.pk}/")
    assert page.is_checked("input[name=level][value=alto]")
    assert not page.is_checked("input[name=level][value=medio]")
    for factor in ("weapons", "threats_to_kill", "strangulation"):
        assert page.is_checked(f"input[name=factors][value={factor}]"), factor
    assert not page.is_checked("input[name=factors][value=children]")
    page.check("input[name=factors][value=children]")
    page.click("form.card button[type=submit].primary")
    page.wait_for_url(re.compile(r"/planes-seguridad/\d+/$"))
    plan = SafetyPlan.objects.get(person=woman)
    assert page.url == f"{base}/planes-seguridad/{plan.pk}/"
    assert page.locator("text=Plan de seguridad creado.").count() == 1
    assert plan.based_on["source"] == "assessment" and plan.based_on["level"] == "alto"
    assert "children" in plan.based_on["factors"]
    assert "Alto" in page.locator("#history .meta").inner_text()
    first_step = page.locator("section.card ol li").first.inner_text()
    assert page.locator("#history li").count() == 1

    # Edit the first step: a new version; the first one is kept.
    page.click(f"a[href='/planes-seguridad/{plan.pk}/editar/']")
    page.wait_for_url(f"{base}/planes-seguridad/{plan.pk}/editar/")
    assert page.input_value("#s0-step0") == first_step
    page.fill("#s0-step0", NEW_STEP)
    page.fill("textarea[name=change_note]", NOTE)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/planes-seguridad/{plan.pk}/")
    assert page.locator("text=Se guardó una versión nueva del plan.").count() == 1
    assert page.locator("section.card ol li").first.inner_text() == NEW_STEP
    assert plan.versions.count() == 2
    history = page.locator("#history li").all_inner_texts()
    assert len(history) == 2 and history[0].startswith("Versión 2") and NOTE in history[0]
    assert history[1].startswith("Versión 1")
    page.click(f"#history a[href='/planes-seguridad/{plan.pk}/version/1/']")
    page.wait_for_url(f"{base}/planes-seguridad/{plan.pk}/version/1/")
    assert page.locator("text=Una versión anterior").count() == 1
    assert page.locator("section.card ol li").first.inner_text() == first_step
    assert page.locator(f"a[href='/planes-seguridad/{plan.pk}/editar/']").count() == 0

    # The PDF of the newest version: its steps, nothing about him, her records or the note.
    page.goto(f"{base}/planes-seguridad/{plan.pk}/")
    with page.expect_download() as info:
        page.click(f"a[href='/planes-seguridad/{plan.pk}/version/2/pdf/']")
    download = info.value
    assert download.suggested_filename == f"plan-de-seguridad-{plan.pk}-v2.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(download.path()).pages)
    flat = " ".join(text.split())
    assert NEW_STEP in flat and first_step not in flat
    for secret in ("Ramírez", "Juan Carlos", "refiere golpes", "Sesión de primera", NOTE, "VPR"):
        assert secret not in flat, secret


def test_two_tabs_editing_the_same_version_the_second_save_is_refused_then_kept(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    caseworker = make_user("caseworker")
    woman = a_woman()
    login(page, base, caseworker)
    page.goto(f"{base}/planes-seguridad/nuevo/{woman.pk}/")
    assert page.is_checked("input[name=level][value=medio]")  # no assessment: her record's level
    page.click("form.card button[type=submit].primary")
    page.wait_for_url(re.compile(r"/planes-seguridad/\d+/$"))
    plan = SafetyPlan.objects.get(person=woman)
    edit = f"{base}/planes-seguridad/{plan.pk}/editar/"
    other = page.context.new_page()  # a second tab, same session
    other.goto(edit)
    page.goto(edit)

    page.fill("#s0-step0", "Primera pestaña")
    page.fill("textarea[name=change_note]", "uno")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/planes-seguridad/{plan.pk}/")

    other.fill("#s0-step0", "Segunda pestaña, escrita a la vez")
    other.fill("textarea[name=change_note]", "dos")
    other.click("button[type=submit].primary")
    other.wait_for_selector("text=Alguien guardó la versión 2 mientras tanto")
    assert other.url == edit
    assert plan.versions.count() == 2
    newest = plan.versions.first()
    assert newest is not None and newest.number == 2 and newest.change_note == "uno"
    # What she typed is still on the page; saving again stores it on top of version 2.
    assert other.input_value("#s0-step0") == "Segunda pestaña, escrita a la vez"
    other.click("button[type=submit].primary")
    other.wait_for_url(f"{base}/planes-seguridad/{plan.pk}/")
    newest = plan.versions.first()
    assert newest is not None and newest.number == 3 and newest.change_note == "dos"
    other.close()
