"""Two caseworkers of one agency answer the same draft assessment in the browser.

Both load the form; the first to save wins; the second sees, in Spanish, that someone else
saved meanwhile and which items differ, with her own answers kept in the form and nothing of
the first's lost; saving again stores hers on top. On PostgreSQL the two saves also race in
threads with a connection each. A level already changed is answered with a clear message."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from conftest import login_verified
from violeta.agencies.models import User
from violeta.risk.services import assessment_start
from violeta.risk.tests.factories import a_woman, all_answers, completed, shipped

CONFLICT = "Otra persona guardó esta valoración mientras usted la respondía"


def _two(make_user: Callable[..., User], role: str = "caseworker") -> tuple[Client, Client]:
    ana = make_user(role, username=f"semujeres.{role}.ana")
    bea = make_user(role, username=f"semujeres.{role}.bea")
    return login_verified(Client(), ana), login_verified(Client(), bea)


def _loaded_version(client: Client, url: str) -> str:
    page = client.get(url).content.decode()
    found = re.search(r'name="edited_version" value="(\d+)"', page)
    assert found, "the form carries the version it was loaded at"
    return found.group(1)


@pytest.mark.django_db
def test_the_second_save_of_a_draft_is_refused_with_her_answers_kept(
    make_user: Callable[..., User],
) -> None:
    vpr = shipped()["vpr"]
    ana, bea = _two(make_user)
    draft = assessment_start(
        person=a_woman(),
        instrument=vpr,
        actor=User.objects.get(username="semujeres.caseworker.ana"),
    )
    url = reverse("risk:answer", args=[draft.pk])
    version_a, version_b = _loaded_version(ana, url), _loaded_version(bea, url)
    assert version_a == version_b == "1"

    hers_a = {"h1": "yes", "h2": "yes", "h3": "no"}
    hers_b = {"h1": "no", "h2": "yes", "h4": "yes"}
    saved = ana.post(url, {**hers_a, "edited_version": version_a, "action": "save"})
    assert saved.status_code == 302

    refused = bea.post(url, {**hers_b, "edited_version": version_b, "action": "save"})
    assert refused.status_code == 409
    page = refused.content.decode()
    assert CONFLICT in page and "no se guardaron" in page
    differ = [item.id for item, _theirs in refused.context["conflict"]]
    assert differ == ["h1", "h3", "h4"]  # h2 is the same in both
    form = refused.context["form"]
    assert {k: form.data[k] for k in hers_b} == hers_b  # her answers, in the form again
    assert form.data["edited_version"] == "2"  # now built on the version saved meanwhile
    assert 'value="2"' in page
    draft.refresh_from_db()
    assert (draft.answer_dict(), draft.version) == (hers_a, 2)  # nothing of the first lost

    # Completing from the stale page is refused the same way (nothing scored).
    stale_complete = bea.post(url, {**hers_b, "edited_version": "1", "action": "complete"})
    assert stale_complete.status_code == 409
    draft.refresh_from_db()
    assert (draft.status, draft.version) == ("draft", 2)

    # She looked at it; saving again stores hers on top of the first's.
    again = bea.post(url, {**hers_b, "edited_version": "2", "action": "save"})
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.answer_dict(), draft.version) == (hers_b, 3)


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_instant_one_wins_one_is_told(
    make_user: Callable[..., User],
) -> None:
    vpr = shipped()["vpr"]
    clients = _two(make_user)
    ana = User.objects.get(username="semujeres.caseworker.ana")
    draft = assessment_start(person=a_woman(), instrument=vpr, actor=ana)
    url = reverse("risk:answer", args=[draft.pk])
    bodies = [
        {**all_answers(vpr, {"h1"}), "edited_version": "1", "action": "save"},
        {**all_answers(vpr, {"h2"}), "edited_version": "1", "action": "save"},
    ]
    results: dict[int, int] = {}
    start = threading.Barrier(2)

    def save(n: int) -> None:
        try:
            start.wait(10)
            results[n] = clients[n].post(url, bodies[n]).status_code
        finally:
            connections.close_all()

    if connection.vendor == "sqlite":  # one writer at a time on SQLite: in turn
        for n in (0, 1):
            results[n] = clients[n].post(url, bodies[n]).status_code
    else:
        threads = [threading.Thread(target=save, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(results.values()) == [302, 409]
    winner = next(n for n, status in results.items() if status == 302)
    draft.refresh_from_db()
    expected = {k: v for k, v in bodies[winner].items() if k not in ("edited_version", "action")}
    assert (draft.answer_dict(), draft.version) == (expected, 2)


@pytest.mark.django_db
def test_a_level_changed_meanwhile_is_answered_with_a_clear_message(
    make_user: Callable[..., User],
) -> None:
    supervisors = _two(make_user, "supervisor")
    vpr = shipped()["vpr"]
    assessment = completed(a_woman(), make_user("caseworker"), vpr, {"h1"})
    url = reverse("risk:override", args=[assessment.pk])
    first = supervisors[0].post(url, {"level": "extremo", "reason": "Amenazas recientes"})
    assert first.status_code == 302
    second = supervisors[1].post(url, {"level": "alto", "reason": "Otra razón"}, follow=True)
    text = second.content.decode()
    assert "El nivel de esta valoración ya se cambió o hay un cambio en espera." in text
    assessment.refresh_from_db()
    assert (assessment.final_level, assessment.override_level) == ("extremo", "extremo")
