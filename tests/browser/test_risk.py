"""In a real browser: a caseworker assesses a woman's risk from her file (draft, missing items,
the explained level), raises a level; a lowering waits for the supervisor, who approves it; the
override report counts them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import a_woman, login, logout, search_row
from violeta.agencies.models import User
from violeta.risk.models import RiskAssessment
from violeta.risk.services import assessment_save, assessment_start, level_override
from violeta.risk.versions import instruments_load_shipped

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ALTO = {"h4", "h5", "h6", "a1", "g1"}  # 3 + 3 + 4 + 3 + 3 = 16: exactly Alto's threshold
EXTREME = {"h3", "h4", "h5", "h6", "a1", "a3", "v5", "g1", "g3"}  # 28


def _vpr() -> Any:
    return next(o.instrument for o in instruments_load_shipped() if o.instrument.code == "vpr")


def _cells(row: Any) -> list[str]:
    return [c.strip() for c in row.locator("td").all_inner_texts()]


def test_a_caseworker_assesses_her_risk_and_the_level_shows_everywhere(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    vpr = _vpr()
    caseworker = make_user("caseworker")
    woman = a_woman()
    login(page, base, caseworker)

    page.goto(f"{base}/personas/{woman.pk}/")
    assert page.locator("#identity .risk").inner_text() == "Medio"  # what her record states
    page.click(f"#risk a[href='/riesgo/nueva/{woman.pk}/']")
    page.wait_for_url(f"{base}/riesgo/nueva/{woman.pk}/")
    assert page.locator("#id_instrument").input_value() == str(vpr.pk)  # VPR suggested first
    page.click("#start-form button[type=submit]")
    page.wait_for_url(re.compile(r"/riesgo/\d+/responder/$"))
    assessment = RiskAssessment.objects.get(person=woman)
    assert page.url == f"{base}/riesgo/{assessment.pk}/responder/"

    # Some answers, kept as a draft.
    partial = {"h1": "no", "h4": "yes", "h5": "yes", "h6": "yes"}
    for item, value in partial.items():
        page.check(f"input[name={item}][value={value}]")
    page.click("#answers-form button[value=save]")
    page.wait_for_selector("text=Borrador guardado.")
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.answer_dict() == partial
    page.reload()
    assert page.is_checked("input[name=h6][value=yes]")
    assert page.is_checked("input[name=h1][value=no]")
    assert not page.is_checked("input[name=h2][value=yes]")

    # Completing with required items unanswered lists them, and it stays a draft.
    page.click("#answers-form button[value=complete]")
    page.wait_for_selector("#missing")
    listed = [t.split(" · ")[0] for t in page.locator("#missing li").all_inner_texts()]
    expected = [i.id for i in vpr.parsed.items if i.required and i.id not in partial]
    assert listed == expected and "g5" in listed and "h6" not in listed
    for href in page.locator("#missing a").evaluate_all("links => links.map(a => a.hash)"):
        assert page.locator(href).count() == 1, href  # each links to its item's answer
    assert page.locator("#answers-form .errorlist").count() == len(expected)
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.completed_at is None

    # Every item answered: completed, and the page explains the level.
    for item in vpr.parsed.items:
        page.check(f"input[name={item.id}][value={'yes' if item.id in ALTO else 'no'}]")
    page.click("#answers-form button[value=complete]")
    page.wait_for_url(f"{base}/riesgo/{assessment.pk}/")
    assert page.locator("text=Valoración completada.").count() == 1
    assessment.refresh_from_db()
    assert assessment.status == "completed" and assessment.computed_level == "alto"
    counted = {
        _cells(r)[0].split(" · ")[0]: _cells(r)[1:] for r in page.locator("#why tr.counted").all()
    }
    assert counted == {
        "h4": ["Sí", "3"],
        "h5": ["Sí", "3"],
        "h6": ["Sí", "4"],
        "a1": ["Sí", "3"],
        "g1": ["Sí", "3"],
    }
    assert page.locator("#why tbody tr").count() == len(vpr.parsed.items)
    assert page.locator("#total").inner_text() == "16"
    threshold = page.locator("#threshold").inner_text()
    assert "Un total de 16 alcanza el umbral de 16 del nivel Alto." in threshold
    assert "El siguiente nivel, Extremo, empieza en 26." in threshold
    assert page.locator("#final-level").inner_text() == "Alto"

    # The level shows on her file and in the search results.
    page.click(f"#levels a[href='/personas/{woman.pk}/']")
    page.wait_for_url(f"{base}/personas/{woman.pk}/")
    assert page.locator("#identity .risk").inner_text() == "Alto"
    history = page.locator("#risk-history tbody tr")
    assert history.count() == 1 and _cells(history.first)[3:5] == ["Alto", "Alto"]
    assert _cells(search_row(page, base, "hernandez", "guadalupe"))[5] == "Alto"

    # She raises it with a reason: at once, the computed level is kept beside it.
    page.goto(f"{base}/riesgo/{assessment.pk}/")
    page.select_option("#override-form select[name=level]", "extremo")
    page.fill("#override-form textarea[name=reason]", "Él compró un arma la semana pasada")
    page.click("#override-form button[type=submit]")
    page.wait_for_selector("text=Se cambió el nivel final.")
    assert page.locator("#final-level").inner_text() == "Extremo"
    levels = page.locator("#levels").inner_text()
    assert "Nivel calculado: Alto" in levels and "Elevado por criterio profesional" in levels
    assert "Él compró un arma la semana pasada" in page.locator("#override").inner_text()
    assert page.locator("#override-form").count() == 0  # one change per assessment
    page.goto(f"{base}/personas/{woman.pk}/")
    assert page.locator("#identity .risk").inner_text() == "Extremo"
    assert "cambiado por criterio profesional" in page.locator("#risk").inner_text()
    assert _cells(page.locator("#risk-history tbody tr").first)[3:5] == ["Alto", "Extremo"]
    assert _cells(search_row(page, base, "hernandez", "guadalupe"))[5] == "Extremo"


def _report_row(page: Any, base: str) -> list[str]:
    page.goto(f"{base}/riesgo/ajustes/")
    row = page.locator("#report tr.agency")
    assert row.count() == 1
    return _cells(row.first)


def test_a_lowering_waits_for_the_supervisor_who_approves_it_in_the_browser(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    vpr = _vpr()
    caseworker, supervisor = make_user("caseworker"), make_user("supervisor")
    answers = {i.id: "yes" if i.id in EXTREME else "no" for i in vpr.parsed.items}
    woman = a_woman("S-1", given_names="María Fernanda", first_surname="Ortega")
    assessment = assessment_start(person=woman, instrument=vpr, actor=caseworker)
    assessment = assessment_save(
        assessment=assessment, answers=answers, complete=True, actor=caseworker
    ).assessment
    other = a_woman("S-2", given_names="Rocío", first_surname="Benítez")
    raised = assessment_start(person=other, instrument=vpr, actor=caseworker)
    low = {i.id: "yes" if i.id == "h1" else "no" for i in vpr.parsed.items}
    raised = assessment_save(assessment=raised, answers=low, complete=True, actor=caseworker)
    level_override(assessment=raised.assessment, level="alto", reason="r", actor=caseworker)
    assert assessment.computed_level == "extremo"

    login(page, base, caseworker)
    page.goto(f"{base}/riesgo/{assessment.pk}/")
    assert page.locator("#decision").count() == 0  # she may not decide
    page.select_option("#override-form select[name=level]", "medio")
    page.fill("#override-form textarea[name=reason]", "Él fue detenido y sigue preso")
    page.click("#override-form button[type=submit]")
    page.wait_for_selector("text=La reducción del nivel espera la aprobación de supervisión.")
    assert page.locator("#final-level").inner_text() == "Extremo"  # not lowered yet
    assert "Reducción solicitada" in page.locator("#override").inner_text()
    page.goto(f"{base}/personas/{woman.pk}/")
    assert page.locator("#identity .risk").inner_text() == "Extremo"
    assert "la reducción espera a supervisión" in page.locator("#risk-history").inner_text()
    logout(page, base)

    login(page, base, supervisor)
    # completed, raised, %, lowered, %, pending, rejected
    assert _report_row(page, base)[2:9] == ["2", "1", "50.0", "0", "0.0", "1", "0"]
    page.goto(f"{base}/riesgo/seguimiento/")
    page.click(f"#pending a[href='/riesgo/{assessment.pk}/']")
    page.wait_for_url(f"{base}/riesgo/{assessment.pk}/")
    page.select_option("#decision select[name=approve]", "1")
    page.fill("#decision input[name=reason]", "De acuerdo")
    page.click("#decision button[type=submit]")
    page.wait_for_selector("text=Decisión registrada.")
    assert page.locator("#final-level").inner_text() == "Medio"
    levels = page.locator("#levels").inner_text()
    assert "Nivel calculado: Extremo" in levels
    assert f"aprobado por {supervisor.username}" in levels
    assert page.locator("#decision").count() == 0
    assessment.refresh_from_db()
    assert assessment.final_level == "medio" and assessment.override_approved_by == supervisor
    page.goto(f"{base}/personas/{woman.pk}/")
    assert page.locator("#identity .risk").inner_text() == "Medio"
    assert _cells(page.locator("#risk-history tbody tr").first)[3:5] == ["Extremo", "Medio"]
    assert _report_row(page, base)[2:9] == ["2", "1", "50.0", "1", "50.0", "0", "0"]


def test_a_rejected_lowering_keeps_the_computed_level_and_may_be_asked_again(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    vpr = _vpr()
    caseworker, supervisor = make_user("caseworker"), make_user("supervisor")
    answers = {i.id: "yes" if i.id in EXTREME else "no" for i in vpr.parsed.items}
    woman = a_woman()
    draft = assessment_start(person=woman, instrument=vpr, actor=caseworker)
    assessment = assessment_save(
        assessment=draft, answers=answers, complete=True, actor=caseworker
    ).assessment
    level_override(assessment=assessment, level="alto", reason="Se mudó", actor=caseworker)

    login(page, base, supervisor)
    page.goto(f"{base}/riesgo/{assessment.pk}/")
    page.select_option("#decision select[name=approve]", "0")
    page.fill("#decision input[name=reason]", "Sigue con acceso a ella")
    page.click("#decision button[type=submit]")
    page.wait_for_selector("text=Decisión registrada.")
    assert page.locator("#final-level").inner_text() == "Extremo"
    assert "Rechazado" in page.locator("#override").inner_text()
    assert page.locator("#decision").count() == 0
    assessment.refresh_from_db()
    assert assessment.override_state == "rejected" and assessment.final_level == "extremo"
    assert _report_row(page, base)[2:9] == ["1", "0", "0.0", "0", "0.0", "0", "1"]
    logout(page, base)

    login(page, base, caseworker)
    page.goto(f"{base}/riesgo/{assessment.pk}/")
    assert page.locator("#override-form").count() == 1  # she may ask again, with new reasons
    page.goto(f"{base}/personas/{woman.pk}/")
    assert page.locator("#identity .risk").inner_text() == "Extremo"
    assert "la reducción espera a supervisión" not in page.locator("#risk-history").inner_text()
