"""In a real browser: SEMUJERES refers her to SEDESA without sharing the narrative; SEDESA's
caseworker finds it in her queue without the narrative, accepts it and records the outcome."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.helpers import login, logout
from violeta.agencies.models import Agency, User
from violeta.linkage.tests.test_services import _register
from violeta.referrals.models import Referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARRATIVE = "Relato-de-la-canalizacion: la amenazó con un cuchillo"
RECORD_NARRATIVE = "refiere golpes de su pareja"  # in her SEMUJERES and 911 records
REASON = "Valoración médica de lesiones en el brazo"
OUTCOME = "Atendida en urgencias; se le dio cita de seguimiento"


def test_a_referral_without_the_narrative_is_accepted_and_completed_by_the_other_agency(
    page: Any, live_server: Any, make_user: Callable[..., User]
) -> None:
    base = live_server.url
    sender = make_user("caseworker")
    receiver = make_user("caseworker", agency="SEDESA")
    first = _register("S-1")
    assert _register("C5-1", agency="C5").victim.pk == first.victim.pk
    woman, record = first.victim, first.record
    sedesa = Agency.objects.get(code="SEDESA")

    login(page, base, sender)
    page.goto(f"{base}/personas/{woman.pk}/")
    page.click(f"#referrals a[href='/canalizaciones/nueva/{woman.pk}/']")
    page.wait_for_url(f"{base}/canalizaciones/nueva/{woman.pk}/")
    page.select_option("#id_to_agency", str(sedesa.pk))
    page.select_option("#id_service", "medical")
    page.fill("#id_reason", REASON)
    page.fill("#id_narrative", NARRATIVE)
    page.select_option("#id_record", str(record.pk))
    page.check("input[name=consent_given][value=yes]")
    page.select_option("#id_consent_method", "verbal")
    for share in ("identity", "attentions", "violence", "risk"):  # not the narrative
        page.check(f"input[name=consent_scope][value={share}]")
    assert not page.is_checked("input[name=consent_scope][value=narrative]")
    page.click("#referral-form button[type=submit]")
    page.wait_for_url(re.compile(r"/canalizaciones/\d+/$"))
    referral = Referral.objects.get()
    assert page.url == f"{base}/canalizaciones/{referral.pk}/"
    assert page.locator("text=Canalización enviada.").count() == 1
    assert referral.to_agency == sedesa and referral.status == "pending"
    assert referral.shared_scope == {"identity", "attentions", "violence", "risk"}
    assert NARRATIVE in page.content()  # the sender sees what she wrote
    logout(page, base)

    # The receiving agency's queue: her name, the service, pending; never the narrative.
    login(page, base, receiver)
    page.click("nav a[href='/canalizaciones/recibidas/']")
    page.wait_for_url(f"{base}/canalizaciones/recibidas/")
    row = page.locator(f"#referral-{referral.pk}")
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[1:4] == ["SEMUJERES", "Atención médica", "Guadalupe Hernández López"]
    assert cells[5] == "Pendiente"
    queue = page.content()
    assert NARRATIVE not in queue and "Relato-de-la-canalizacion" not in queue
    assert RECORD_NARRATIVE not in queue

    row.locator(f"a[href='/canalizaciones/{referral.pk}/']").click()
    page.wait_for_url(f"{base}/canalizaciones/{referral.pk}/")
    detail = page.content()
    assert REASON in detail
    assert NARRATIVE not in detail and RECORD_NARRATIVE not in detail
    assert page.locator("#shared-narrative").count() == 0
    assert "Guadalupe Hernández López" in page.locator("#shared-identity").inner_text()
    assert "Medio" in page.locator("#shared-risk").inner_text()
    assert page.locator("#shared-attentions li").count() == 2
    page.click(f"#as-received a[href='/personas/{woman.pk}/']")  # her file, from the referral
    page.wait_for_url(f"{base}/personas/{woman.pk}/")
    assert page.locator("h1").inner_text() == "Guadalupe Hernández López"
    assert NARRATIVE not in page.content() and RECORD_NARRATIVE not in page.content()
    page.go_back()
    page.wait_for_url(f"{base}/canalizaciones/{referral.pk}/")

    page.click(f"form[action='/canalizaciones/{referral.pk}/aceptar/'] button")
    page.wait_for_selector("text=Canalización aceptada.")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.responded_by == receiver
    assert page.locator("#referral .status").inner_text() == "Aceptada"
    page.fill(f"form[action='/canalizaciones/{referral.pk}/concluir/'] textarea", OUTCOME)
    page.click(f"form[action='/canalizaciones/{referral.pk}/concluir/'] button")
    page.wait_for_selector("text=Resultado registrado; la canalización está concluida.")
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.outcome == OUTCOME
    assert referral.completed_by == receiver
    assert OUTCOME in page.locator("#referral").inner_text()
    assert page.locator(f"form[action='/canalizaciones/{referral.pk}/concluir/']").count() == 0
    assert NARRATIVE not in page.content()

    page.goto(f"{base}/canalizaciones/recibidas/")
    assert page.locator("text=No hay canalizaciones abiertas.").count() == 1
    assert page.locator(f"#referral-{referral.pk} .status").inner_text() == "Completada"
    assert NARRATIVE not in page.content()

    # The referring caseworker sees the answer in her sent referrals and on the referral.
    logout(page, base)
    login(page, base, sender)
    page.goto(f"{base}/canalizaciones/enviadas/")
    row = page.locator(f"#referral-{referral.pk}")
    assert row.locator(".status").inner_text() == "Completada"
    row.locator(f"a[href='/canalizaciones/{referral.pk}/']").click()
    page.wait_for_url(f"{base}/canalizaciones/{referral.pk}/")
    assert OUTCOME in page.locator("#referral").inner_text()
    assert page.locator(f"form[action='/canalizaciones/{referral.pk}/cancelar/']").count() == 0
