"""Safety plans: made from her file, edited into versions, printed safe to hand to her."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from conftest import login_verified
from violeta.agencies.models import User
from violeta.audit.models import AuditEntry
from violeta.linkage.services import persons_merge
from violeta.linkage.tests.test_services import _register
from violeta.people.models import Person
from violeta.records.models import AgencyRecord
from violeta.safetyplan.models import SafetyPlan, SafetyPlanVersion
from violeta.safetyplan.services import (
    safety_plan_create,
    safety_plan_edit,
    version_sections,
)

pytestmark = pytest.mark.django_db
NARRATIVE = "refiere golpes de su pareja"  # in every factory record's narrative
AGGRESSOR = "Ramírez"  # the factory records' aggressor: Juan Carlos Ramírez Soto


@pytest.fixture
def woman(catalogs: None) -> Person:
    """Guadalupe Hernández López, attended by the women's centre (SEMUJERES) only."""
    return _register("S-1").victim


def _create(client: Client, woman: Person, level: str = "alto", *factors: str) -> SafetyPlan:
    url = reverse("safetyplan:create", args=[woman.pk])
    response = client.post(url, {"level": level, "factors": list(factors)})
    assert response.status_code == 302, response.content.decode()[-800:]
    return SafetyPlan.objects.latest("pk")


def _pdf_text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_a_caseworker_makes_a_plan_from_her_file(
    make_user: Callable[..., User], woman: Person
) -> None:
    client = login_verified(Client(), make_user("caseworker"))
    page = client.get(reverse("records:person_file", args=[woman.pk])).content.decode()
    assert reverse("safetyplan:create", args=[woman.pk]) in page
    AgencyRecord.objects.update(weapons=["arma_blanca"])  # the indicators find weapons
    form = client.get(reverse("safetyplan:create", args=[woman.pk])).content.decode()
    assert re.search(r'value="medio"[^>]*checked', form)  # her newest record states "medio"
    assert re.search(r'value="weapons"[^>]*checked', form)
    assert not re.search(r'value="children"[^>]*checked', form)
    prefill = [e for e in AuditEntry.objects.filter(subject_type="person", action="view")]
    assert any(e.details.get("for") == "safety_plan" for e in prefill)  # reading it is audited

    plan = _create(client, woman, "alto", "children", "weapons")

    assert plan.person_id == woman.pk and plan.agency.code == "SEMUJERES"
    factors = ["children", "weapons"]
    assert plan.based_on == {"source": "manual", "level": "alto", "factors": factors}
    codes = [s.code for s in version_sections(plan.versions.get())]
    assert "children" in codes and "weapons" in codes and "digital" not in codes
    page = client.get(reverse("records:person_file", args=[woman.pk])).content.decode()
    assert reverse("safetyplan:detail", args=[plan.pk]) in page
    created = AuditEntry.objects.get(subject_type="safety_plan", action="create")
    assert created.details["person"] == woman.pk and created.details["level"] == "alto"


def test_editing_makes_a_new_version_and_keeps_the_old_one(
    make_user: Callable[..., User], woman: Person
) -> None:
    client = login_verified(Client(), make_user("caseworker"))
    plan = _create(client, woman, "bajo")
    first = version_sections(plan.versions.get())
    assert first[0].steps[0].code == "call_911"

    response = client.post(
        reverse("safetyplan:edit", args=[plan.pk]),
        {
            "base": 1,
            "change_note": "acordado con ella",
            "s0-step0": "Llama al 911 desde el teléfono de la vecina.",
            "s0-remove2": "1",
            "s1-new": "Ir con su hermana en la colonia Roma.",
        },
    )

    assert response.status_code == 302
    second = plan.versions.get(number=2)
    sections = version_sections(second)
    assert sections[0].steps[0].text == "Llama al 911 desde el teléfono de la vecina."
    assert [s.code for s in sections[0].steps] == ["custom", "sos_765"]  # speed_dial removed
    assert sections[1].steps[-1].text == "Ir con su hermana en la colonia Roma."
    assert second.change_note == "acordado con ella" and second.edited_by.role == "caseworker"
    assert version_sections(plan.versions.get(number=1)) == first  # kept as it was
    old = client.get(reverse("safetyplan:version", args=[plan.pk, 1])).content.decode()
    assert "Guarda el 911" in old  # the removed step, in the old version's page
    assert "Ir con su hermana" not in old
    assert AuditEntry.objects.filter(subject_type="safety_plan", action="update").count() == 1
    assert AuditEntry.objects.filter(subject_type="safety_plan", action="view").exists()


def test_a_bad_edit_stores_nothing_and_says_why(
    make_user: Callable[..., User], woman: Person
) -> None:
    client = login_verified(Client(), make_user("caseworker"))
    plan = _create(client, woman, "no_apreciado")
    steps = sum(len(s.steps) for s in version_sections(plan.versions.get()))
    everything = {f"s{i}-remove{j}": "1" for i in range(3) for j in range(steps)}
    url = reverse("safetyplan:edit", args=[plan.pk])

    empty = client.post(url, {"base": 1, "change_note": "x", **everything})
    typed = {"s0-step0": "   ", "s0-step1": "texto que escribió", "s1-new": "paso nuevo"}
    blank = client.post(url, {"base": 1, "change_note": "x", **typed})
    no_note = client.post(url, {"base": 1, "change_note": ""})
    stale = client.post(url, {"base": 7, "change_note": "x"})

    assert [r.status_code for r in (empty, blank, no_note, stale)] == [400] * 4
    assert "El plan no tiene pasos." in empty.content.decode()
    page = blank.content.decode()
    assert "Sección 1, paso 1: el paso está vacío." in page
    assert "texto que escribió" in page and "paso nuevo" in page  # what she typed is kept
    assert "obligatorio" in no_note.content.decode()  # the note is required
    assert "Alguien guardó la versión 1 mientras tanto" in stale.content.decode()
    assert SafetyPlanVersion.objects.count() == 1


def test_two_tabs_the_second_save_keeps_her_text_and_then_stores_it(
    make_user: Callable[..., User], woman: Person
) -> None:
    client = login_verified(Client(), make_user("caseworker"))
    plan = _create(client, woman, "alto")
    url = reverse("safetyplan:edit", args=[plan.pk])
    first = client.post(url, {"base": 1, "change_note": "uno", "s0-new": "Paso de la pestaña 1."})
    assert first.status_code == 302
    mine = {"base": 1, "change_note": "dos", "s1-new": "Paso de la pestaña 2."}
    refused = client.post(url, mine)
    assert refused.status_code == 400 and SafetyPlanVersion.objects.count() == 2
    page = refused.content.decode()
    assert "Paso de la pestaña 2." in page  # what she typed is still there
    assert re.search(r'name="base" value="2"', page)  # the next save is on top of version 2
    again = client.post(url, {**mine, "base": 2})
    assert again.status_code == 302
    texts = [st.text for s in version_sections(plan.versions.get(number=3)) for st in s.steps]
    assert "Paso de la pestaña 2." in texts and "Paso de la pestaña 1." in texts


def test_the_pdf_holds_the_plan_and_nothing_about_him_her_records_or_the_assessment(
    make_user: Callable[..., User], woman: Person
) -> None:
    client = login_verified(Client(), make_user("supervisor"))
    plan = _create(client, woman, "extremo", "weapons", "digital_harassment", "suicide_risk")
    client.post(
        reverse("safetyplan:edit", args=[plan.pk]),
        {"base": 1, "change_note": "nota interna: él tiene una pistola", "s1-new": "Paso nuevo."},
    )

    text = _pdf_text(client, reverse("safetyplan:pdf", args=[plan.pk]))
    flat = " ".join(text.split())

    assert "Mi plan de seguridad" in flat and "*765" in flat and "911" in flat
    assert "Paso nuevo." in flat and "Seguridad digital" in flat
    assert AGGRESSOR not in flat and "Juan Carlos" not in flat  # nothing about him
    assert NARRATIVE not in flat and "Guadalupe" not in flat  # nor her records or name
    assert "nota interna" not in flat and "pistola" not in flat  # no internal notes
    for internal in ("extremo", "Extremo", "weapons", "suicide_risk", "nivel", "riesgo"):
        assert internal not in flat, internal
    old = _pdf_text(client, reverse("safetyplan:version_pdf", args=[plan.pk, 1]))
    assert "Paso nuevo." not in old
    exports = AuditEntry.objects.filter(subject_type="safety_plan", action="export")
    assert [e.details["version"] for e in exports.order_by("seq")] == [2, 1]


def test_only_her_agencies_caseworkers_and_supervisors_make_and_read_plans(
    make_user: Callable[..., User], woman: Person
) -> None:
    plan = _create(login_verified(Client(), make_user("caseworker")), woman)
    operator = login_verified(Client(), make_user("operator"))
    other = login_verified(Client(), make_user("supervisor", "C5"))
    analyst = login_verified(Client(), make_user("analyst", None))

    for client in (operator, other, analyst):
        assert client.get(reverse("safetyplan:create", args=[woman.pk])).status_code == 403
        for name in ("detail", "edit", "pdf"):
            assert client.get(reverse(f"safetyplan:{name}", args=[plan.pk])).status_code == 403
    page = other.get(reverse("records:person_file", args=[woman.pk])).content.decode()
    assert reverse("safetyplan:detail", args=[plan.pk]) not in page
    assert reverse("safetyplan:create", args=[woman.pk]) not in page  # C5 never attended her
    _register("C5-1", agency="C5")  # now C5 has a record of her
    assert other.get(reverse("safetyplan:create", args=[woman.pk])).status_code == 200
    assert other.get(reverse("safetyplan:detail", args=[plan.pk])).status_code == 403


def test_the_risk_app_calls_the_service_with_what_the_plan_came_from(
    make_user: Callable[..., User], woman: Person
) -> None:
    caseworker = make_user("caseworker")
    based_on = {"instrument": "viogen-vpr", "instrument_version": "1", "assessment": 42}

    plan = safety_plan_create(woman, caseworker, "severe", {"strangulation"}, based_on)

    assert plan.based_on == {**based_on, "level": "severe", "factors": ["strangulation"]}
    stored = json.loads(plan.versions.get().content)
    assert "weapons" in [s["code"] for s in stored]  # strangulation: weapons and threats
    with pytest.raises(ValidationError, match="guns"):
        safety_plan_create(woman, caseworker, "alto", {"guns"}, None)
    with pytest.raises(ValidationError, match="notes"):
        safety_plan_create(woman, caseworker, "alto", set(), {"notes": "él la amenazó"})
    with pytest.raises(PermissionDenied):
        safety_plan_create(woman, make_user("caseworker", "C5"), "alto", set(), None)
    assert SafetyPlan.objects.count() == 1


def test_a_plan_stays_in_her_file_when_another_file_is_merged_into_hers(
    make_user: Callable[..., User], woman: Person
) -> None:
    supervisor = make_user("supervisor")
    other = _register("S-2", given_names="Lupita", birth_date="").victim
    assert other.pk != woman.pk
    plan = safety_plan_create(other, supervisor, "medio", set(), None)

    persons_merge(keep=woman, absorb=other, actor=supervisor, reason="misma persona")

    client = login_verified(Client(), supervisor)
    page = client.get(reverse("records:person_file", args=[woman.pk])).content.decode()
    assert reverse("safetyplan:detail", args=[plan.pk]) in page


def test_a_plan_starts_from_her_latest_risk_assessment(
    make_user: Callable[..., User], woman: Person
) -> None:
    from violeta.risk.selectors import current_level
    from violeta.risk.tests.factories import completed, shipped

    caseworker = make_user("caseworker")
    danger = shipped()["danger"]
    wanted = {"weapons", "children", "threats_to_kill"}
    yes = {i.id for i in danger.parsed.items if wanted & set(i.factors)}
    assessment = completed(woman, caseworker, danger, yes)
    level = current_level(woman.pk)
    assert level is not None and level.assessment_id == assessment.pk
    assert level.equivalent != "medio"  # what her record states: the prefill must differ
    client = login_verified(Client(), caseworker)
    form = client.get(reverse("safetyplan:create", args=[woman.pk])).content.decode()
    # The assessment's level on the common scale, not the record's "medio".
    assert re.search(rf'value="{level.equivalent}"[^>]*checked', form)
    assert re.search(r'value="weapons"[^>]*checked', form)
    assert re.search(r'value="children"[^>]*checked', form)

    plan = _create(client, woman, level.equivalent, "weapons")

    assert plan.based_on["source"] == "assessment"
    assert plan.based_on["assessment"] == assessment.pk
    assert plan.based_on["instrument"] == "danger"
    other = "bajo" if level.equivalent != "bajo" else "alto"
    assert _create(client, woman, other).based_on["source"] == "manual"


def test_two_edits_from_the_same_version_the_second_is_refused_not_lost(
    make_user: Callable[..., User], woman: Person
) -> None:
    user = make_user("caseworker")
    plan = _create(login_verified(Client(), user), woman, "bajo")
    raw = json.loads(plan.versions.get().content)
    safety_plan_edit(plan=plan, user=user, sections=raw, change_note="primera", base=1)
    with translation.override("en"), pytest.raises(ValidationError, match="newer version"):
        safety_plan_edit(plan=plan, user=user, sections=raw, change_note="segunda", base=1)
    assert list(plan.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
