"""The risk pages through the browser-free test client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import login_verified
from violeta.agencies.models import Agency, Unit, User
from violeta.audit.models import AuditEntry
from violeta.risk.models import RiskAssessment
from violeta.risk.services import level_override
from violeta.risk.tests.factories import a_woman, all_answers, completed, shipped

pytestmark = pytest.mark.django_db
EXTREME = {"h3", "h4", "h5", "h6", "a1", "a3", "v5", "g1", "g3"}  # 28


def _client(user: User) -> Client:
    return login_verified(Client(), user)


def test_a_caseworker_assesses_from_her_file_draft_missing_items_then_why(
    make_user: Callable[..., User],
) -> None:
    vpr = shipped()["vpr"]
    woman = a_woman()
    client = _client(make_user("caseworker"))
    page = client.get(reverse("records:person_file", args=[woman.pk])).content.decode()
    assert 'id="risk"' in page and reverse("risk:start", args=[woman.pk]) in page

    start = client.get(reverse("risk:start", args=[woman.pk]))
    assert start.status_code == 200 and start.context["form"].initial["instrument"] == vpr.pk
    response = client.post(reverse("risk:start", args=[woman.pk]), {"instrument": vpr.pk})
    assessment = RiskAssessment.objects.get()
    assert response["Location"] == reverse("risk:answer", args=[assessment.pk])
    form = client.get(response["Location"]).content.decode()
    assert "h6 · " in form and 'name="h6"' in form

    answers = all_answers(vpr, {"h6"})
    del answers["g5"]
    draft = client.post(response["Location"], {**answers, "action": "save"})
    assert draft.status_code == 302
    missing = client.post(response["Location"], {**answers, "action": "complete"})
    text = missing.content.decode()
    assert missing.status_code == 200 and 'id="missing"' in text and "g5 · " in text
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.answer_dict()["h6"] == "yes"

    bad = client.post(response["Location"], {**answers, "a1": "quizá", "action": "complete"})
    assert bad.status_code == 200 and "quizá" in bad.content.decode()
    assessment.refresh_from_db()
    assert "a1" not in assessment.answer_dict() or assessment.answer_dict()["a1"] != "quizá"

    answers |= {"g5": "no", "a1": "yes", "g1": "yes"}
    done = client.post(response["Location"], {**answers, "action": "complete"})
    assert done["Location"] == reverse("risk:detail", args=[assessment.pk])
    why = client.get(done["Location"]).content.decode()
    assert 'id="total">10<' in why  # 4 + 3 + 3
    assert "Un total de 10 alcanza el umbral de 8 del nivel Medio." in why
    assert "El siguiente nivel, Alto, empieza en 16." in why
    assert "<td>h6 · Ha intentado estrangularla o asfixiarla</td><td>Sí</td><td>4</td>" in why
    file_page = client.get(reverse("records:person_file", args=[woman.pk])).content.decode()
    assert "risk risk-medio" in file_page and 'id="risk-history"' in file_page
    again = client.get(reverse("risk:start", args=[woman.pk])).context["form"]
    assert again.initial["instrument"] == shipped()["vper"].pk  # a follow-up form next


def test_raise_and_lower_through_the_pages(make_user: Callable[..., User]) -> None:
    caseworker, supervisor = make_user("caseworker"), make_user("supervisor")
    done = completed(a_woman(), caseworker, shipped()["vpr"], EXTREME)
    client = _client(caseworker)
    url = reverse("risk:override", args=[done.pk])
    client.post(url, {"level": "medio", "reason": ""})
    done.refresh_from_db()
    assert done.override_state == ""  # no reason: nothing changed
    client.post(url, {"level": "medio", "reason": "Él fue detenido"})
    done.refresh_from_db()
    assert done.override_state == "pending" and done.final_level == "extremo"

    boss = _client(supervisor)
    queue = boss.get(reverse("risk:follow_up")).content.decode()
    assert reverse("risk:detail", args=[done.pk]) in queue
    lists = AuditEntry.objects.filter(subject_type="risk_assessment", action="search")
    listed = lists.latest("seq")
    assert listed.details["pending"] == [done.pk]  # the names shown are an audited reading
    assert 'id="decision"' in boss.get(reverse("risk:detail", args=[done.pk])).content.decode()
    boss.post(reverse("risk:decide", args=[done.pk]), {"approve": "1", "reason": "ok"})
    done.refresh_from_db()
    assert done.final_level == "medio" and done.override_approved_by == supervisor


def test_a_rejected_lowering_says_who_rejected_it(make_user: Callable[..., User]) -> None:
    caseworker, supervisor = make_user("caseworker"), make_user("supervisor")
    done = completed(a_woman(), caseworker, shipped()["vpr"], EXTREME)
    _client(caseworker).post(
        reverse("risk:override", args=[done.pk]), {"level": "medio", "reason": "Él se mudó"}
    )
    boss = _client(supervisor)
    boss.post(reverse("risk:decide", args=[done.pk]), {"approve": "0", "reason": "no"})
    done.refresh_from_db()
    assert done.override_state == "rejected" and done.final_level == "extremo"
    page = boss.get(reverse("risk:detail", args=[done.pk])).content.decode()
    line = page[page.index('id="override"') :].split("</p>")[0]
    assert "rechazado por" in line and "aprobado por" not in line


def test_other_roles_and_agencies_are_refused(make_user: Callable[..., User]) -> None:
    done = completed(a_woman(), make_user("caseworker"), shipped()["vpr"], set())
    woman_id = done.person_id
    other_agency = _client(make_user("caseworker", "FGJ"))
    assert other_agency.get(reverse("risk:detail", args=[done.pk])).status_code == 403
    assert other_agency.get(reverse("risk:answer", args=[done.pk])).status_code == 403
    response = other_agency.post(
        reverse("risk:override", args=[done.pk]), {"level": "alto", "reason": "x"}
    )
    assert response.status_code == 403
    file_page = other_agency.get(reverse("records:person_file", args=[woman_id])).content.decode()
    assert "No apreciado" in file_page  # the level is shared, the answers are not
    assert reverse("risk:detail", args=[done.pk]) not in file_page
    analyst = _client(make_user("analyst"))
    assert analyst.get(reverse("risk:start", args=[woman_id])).status_code == 403
    assert analyst.get(reverse("risk:follow_up")).status_code == 403
    c5 = _client(make_user("operator", "C5"))
    assert c5.post(reverse("risk:start", args=[woman_id]), {"instrument": 1}).status_code == 403
    caseworker = _client(make_user("caseworker", "SSC"))
    assert caseworker.get(reverse("risk:overrides")).status_code == 403
    assert RiskAssessment.objects.count() == 1


def test_the_override_report_counts_raises_and_lowerings_by_agency_and_unit(
    make_user: Callable[..., User],
) -> None:
    vpr = shipped()["vpr"]
    unit = Unit.objects.create(agency=Agency.objects.get(code="SEMUJERES"), name="Centro Norte")
    caseworker = make_user("caseworker")
    caseworker.unit = unit
    caseworker.save(update_fields=["unit"])
    supervisor = make_user("supervisor")
    raised = completed(a_woman("S-1"), caseworker, vpr, {"h1"})
    level_override(assessment=raised, level="alto", reason="r", actor=caseworker)
    lowered = completed(a_woman("S-2"), supervisor, vpr, EXTREME)
    level_override(assessment=lowered, level="alto", reason="r", actor=supervisor)
    completed(a_woman("S-3"), caseworker, vpr, set())
    completed(a_woman("S-4"), make_user("operator", "SSC"), vpr, set())

    response = _client(make_user("analyst")).get(reverse("risk:overrides"))
    assert response.status_code == 200
    rows = {(r.scope, r.agency, r.unit): r for r in response.context["rows"]}
    norte = rows[("unit", "SEMUJERES", "Centro Norte")]
    assert (norte.completed, norte.raised, norte.lowered, norte.raised_rate) == (2, 1, 0, 50.0)
    semujeres = rows[("agency", "SEMUJERES", "")]
    assert (semujeres.completed, semujeres.raised, semujeres.lowered) == (3, 1, 1)
    total = rows[("total", "", "")]
    assert (total.completed, total.lowered, total.lowered_rate) == (4, 1, 25.0)
    assert "Centro Norte" in response.content.decode()


def test_the_overdue_list_per_unit_and_professional(make_user: Callable[..., User]) -> None:
    vpr = shipped()["vpr"]
    unit = Unit.objects.create(agency=Agency.objects.get(code="SEMUJERES"), name="Centro Sur")
    mine = make_user("caseworker")
    mine.unit = unit
    mine.save(update_fields=["unit"])
    other = make_user("caseworker", username="otra")
    late = completed(a_woman("S-1"), mine, vpr, EXTREME)
    rosa, ana = (
        a_woman("S-2", given_names="Rosa", first_surname="Díaz"),
        a_woman("S-3", given_names="Ana", first_surname="Luna"),
    )
    on_time = completed(rosa, other, vpr, EXTREME)
    replaced = completed(ana, other, vpr, {"h1"})
    past = timezone.now() - dt.timedelta(hours=1)
    RiskAssessment.objects.filter(pk__in=[late.pk, replaced.pk]).update(next_reassessment_due=past)
    completed(replaced.person, mine, vpr, {"h1"})  # re-assessed: no longer overdue

    client = _client(mine)
    response = client.get(reverse("risk:follow_up"))
    assert [a.pk for a in response.context["rows"]] == [late.pk]
    assert response.context["by_unit"] == [("Centro Sur", 1)]
    assert on_time.pk not in [a.pk for a in response.context["rows"]]
    by_unit = client.get(reverse("risk:follow_up"), {"unit": unit.pk + 1})
    assert by_unit.context["rows"] == []
    assert client.get(reverse("risk:follow_up"), {"mine": "1"}).context["rows"] == [late]
    page = client.get(reverse("records:person_file", args=[late.person_id])).content.decode()
    assert "overdue" in page or "vencida" in page


def test_search_results_show_each_womans_level(make_user: Callable[..., User]) -> None:
    user = make_user("caseworker")
    woman = a_woman()
    completed(woman, user, shipped()["danger"], {"d2", "d5", "d6", "d10", "d13", "d18"})
    page = _client(user).post(reverse("records:search"), {"first_surname": "Hernández"})
    text = page.content.decode()
    assert reverse("records:person_file", args=[woman.pk]) in text
    assert "risk risk-alto" in text and "Peligro grave" in text


@pytest.mark.parametrize("value", ["²", "abc", "-1", "99999999999999999999999", " 3"])
def test_odd_filters_on_the_overdue_list_are_ignored_not_a_500(
    make_user: Callable[..., User], value: str
) -> None:
    client = _client(make_user("caseworker"))
    response = client.get(reverse("risk:follow_up"), {"unit": value, "assessor": value})
    assert response.status_code == 200 and response.context["unit_id"] is None


@pytest.mark.parametrize("value", ["\x00", "nope", "vpr\x00"])
def test_an_unknown_instrument_on_the_override_report_means_all_not_a_500(
    make_user: Callable[..., User], value: str
) -> None:
    shipped()
    client = _client(make_user("analyst"))
    response = client.get(reverse("risk:overrides"), {"instrument": value})
    assert response.status_code == 200 and response.context["code"] == ""
    assert client.get(reverse("risk:overrides"), {"instrument": "vpr"}).context["code"] == "vpr"
