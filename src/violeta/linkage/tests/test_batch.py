"""``violeta link`` end to end: generator files → import → link → quality against the truth."""

from __future__ import annotations

import gc
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from violeta.agencies.models import Agency
from violeta.audit.models import AuditEntry
from violeta.intake.loader import import_file
from violeta.linkage import model as link_model
from violeta.linkage.batch import evaluate_database, identities_frame, link_all
from violeta.linkage.features import FEATURES_VERSION, base_features, blob_features
from violeta.linkage.models import Decision, LinkDecision, LinkMethod
from violeta.linkage.realtime import _features_of, _model_scorer, candidates_for
from violeta.linkage.scoring import model_path
from violeta.people.identity import IdentityInput
from violeta.people.models import Person, PersonKind
from violeta.records.choices import PartyRole
from violeta.records.models import ReportedIdentity
from violeta.synth.generate import generate

pytestmark = pytest.mark.django_db(transaction=True)


def _indexes(table: str) -> set[str]:
    """The table's indexes, as their definitions (PostgreSQL) or names (SQLite)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s", [table])
        return {str(row[0]) for row in cursor.fetchall()}


@pytest.fixture
def imported(catalogs: None, tmp_path: Path, settings: Any) -> Path:
    settings.DATA_DIR = tmp_path / "data"  # this test's trained models, nobody else's
    out = tmp_path / "synthetic"
    generate(out, women=250, seed=11)
    for path in sorted(out.glob("*.csv")):
        if path.stem in {"truth", "truth_people"}:
            continue
        import_file(agency=Agency.objects.get(code=path.stem), path=path)
    return out / "truth.csv"


def test_link_beats_deterministic_linking_and_keeps_files_stable(imported: Path) -> None:
    before = evaluate_database(imported)
    out = StringIO()
    tables = [ReportedIdentity._meta.db_table, Person._meta.db_table]
    indexes = {table: _indexes(table) for table in tables}
    # The first run after an import moves most identities: with --rebuild-indexes, both
    # tables' indexes are set aside during the writes and come back the same.
    with CaptureQueriesContext(connection) as first:
        call_command("link", "--rebuild-indexes", stdout=out, stderr=StringIO())
    after = evaluate_database(imported)
    assert {table: _indexes(table) for table in tables} == indexes
    if connection.vendor == "postgresql":
        dropped = [q["sql"].split()[-1].strip('"') for q in first if "DROP INDEX" in q["sql"]]
        owners = {
            table
            for table in tables
            for name in dropped
            if any(f"INDEX {name} ON" in definition for definition in indexes[table])
        }
        assert owners == set(tables), dropped
        # The written columns' foreign keys were set aside too, and came back (checked).
        keys = [q["sql"] for q in first if "ADD CONSTRAINT" in q["sql"]]
        columns = {k.split(" FOREIGN KEY ")[1].split(" REFERENCES ")[0] for k in keys}
        assert columns == {"(merged_into_id)", "(person_id)"}

    assert "woman:" in out.getvalue() and "aggressor:" in out.getvalue()
    for role in ("woman", "aggressor"):
        assert after[role].precision >= 0.99, after[role].line()
        assert after[role].recall > before[role].recall + 0.2, (before[role], after[role])
    assert after["woman"].recall >= 0.93, after["woman"].line()
    assert model_path(PartyRole.VICTIM).exists() and model_path(PartyRole.AGGRESSOR).exists()
    assert AuditEntry.objects.filter(action="link", subject_type="linkage").count() == 2

    # Persons left without records point at a person with records; persons in use are not
    # marked as merged (a used person wrongly marked is revived by the next run).
    used = set(ReportedIdentity.objects.values_list("person_id", flat=True))
    emptied = Person.objects.exclude(pk__in=used)
    assert emptied.exists() and not emptied.filter(merged_into__isnull=True).exists()
    assert set(emptied.values_list("merged_into_id", flat=True)) <= used
    assert not Person.objects.filter(pk__in=used, merged_into__isnull=False).exists()
    wrongly = min(used)
    Person.objects.filter(pk=wrongly).update(merged_into_id=max(used))

    # A second run with the saved models changes nobody's file.
    persons = dict(ReportedIdentity.objects.values_list("pk", "person_id"))
    with CaptureQueriesContext(connection) as queries:
        reports = link_all()
    assert [r.moved for r in reports] == [0, 0]
    table = ReportedIdentity._meta.db_table
    # Nothing moved, so nothing is written ("N times: UPDATE …" for an executemany).
    assert not [q for q in queries if "UPDATE" in q["sql"] and table in q["sql"]]
    assert dict(ReportedIdentity.objects.values_list("pk", "person_id")) == persons
    assert Person.objects.get(pk=wrongly).merged_into_id is None

    printed = StringIO()
    call_command("link", evaluate=imported, stdout=printed)
    assert f"precision {after['woman'].precision:.4f}" in printed.getvalue()


def test_a_human_decision_is_never_overturned(imported: Path, make_user: object) -> None:
    link_all()
    linked = (
        ReportedIdentity.objects.filter(role=PartyRole.VICTIM, link_method=LinkMethod.MODEL)
        .order_by("pk")
        .first()
    )
    assert linked is not None
    other = (
        ReportedIdentity.objects.filter(person_id=linked.person_id, role=PartyRole.VICTIM)
        .exclude(pk=linked.pk)
        .order_by("pk")
        .first()
    )
    assert other is not None
    supervisor = make_user("supervisor")  # type: ignore[operator]
    a, b = sorted((linked.pk, other.pk))
    LinkDecision.objects.create(
        identity_a_id=a, identity_b_id=b, decision=Decision.DIFFERENT, decided_by=supervisor
    )

    link_all()

    linked.refresh_from_db()
    other.refresh_from_db()
    assert linked.person_id != other.person_id


@override_settings(LINKAGE_THRESHOLD=0.999999)
def test_a_stricter_threshold_links_less(imported: Path) -> None:
    link_all()
    strict = evaluate_database(imported)["woman"]
    link_all(threshold=0.9)
    loose = evaluate_database(imported)["woman"]
    assert strict.predicted_pairs < loose.predicted_pairs


def test_a_run_pauses_the_garbage_collector_and_restores_it_even_on_failure(
    imported: Path,
) -> None:
    seen: list[bool] = []

    def scored(feats: pd.DataFrame, model: dict[str, Any], threshold: float) -> pd.DataFrame:
        seen.append(gc.isenabled())
        return link_model.predict(feats, model, threshold)

    assert gc.isenabled()
    link_all(score=scored)
    assert seen == [False, False]  # women and aggressors scored with the collector off
    assert gc.isenabled()

    def failing(feats: pd.DataFrame, model: dict[str, Any], threshold: float) -> pd.DataFrame:
        raise RuntimeError("scoring failed")

    with pytest.raises(RuntimeError, match="scoring failed"):
        link_all(score=failing)
    assert gc.isenabled()


def test_real_time_candidates_are_scored_by_the_trained_model(imported: Path) -> None:
    link_all()
    identity = (
        ReportedIdentity.objects.filter(role=PartyRole.VICTIM, link_method=LinkMethod.MODEL)
        .exclude(first_surname="")
        .order_by("pk")
        .first()
    )
    assert identity is not None
    data = IdentityInput(
        given_names=identity.given_names,
        first_surname=identity.first_surname,
        second_surname=identity.second_surname,
        birth_date=identity.birth_date or None,
        phone=identity.phone,
    )
    found = candidates_for(data=data)
    assert found and found[0].person.pk == identity.person_id
    assert _model_scorer(PersonKind.WOMAN) is not None
    # The model's probability, not the provisional hand weights.
    assert found[0].score == pytest.approx(
        _model_scorer(PersonKind.WOMAN)
        .score(  # type: ignore[union-attr]
            _features_of(data, ""),
            _features_of(
                found[0].person,
                found[0].person.alcaldia.inegi_code if found[0].person.alcaldia else "",
            ),
        )
        .probability
    )


def test_the_stored_features_are_those_of_the_fields_and_stale_ones_are_recomputed(
    imported: Path,
) -> None:
    identities = list(
        ReportedIdentity.objects.filter(role=PartyRole.VICTIM)
        .select_related("record", "alcaldia")
        .order_by("pk")
    )
    assert all(i.link_features for i in identities)  # written at import
    expected = {
        i.pk: base_features(
            {
                **{f: getattr(i, f) for f in ("given_names", "first_surname", "second_surname")},
                **{f: getattr(i, f) for f in ("birth_date", "age", "curp", "phone", "address")},
                "colonia": i.colonia,
                "occurred_at": i.record.occurred_at.isoformat(),
                "alcaldia": i.alcaldia.inegi_code if i.alcaldia else "",
            }
        )
        for i in identities
    }
    stale = [i.pk for i in identities[:40]]
    ReportedIdentity.objects.filter(pk__in=stale[:20]).update(link_features="")
    ReportedIdentity.objects.filter(pk__in=stale[20:30]).update(
        link_features=json.dumps({"v": FEATURES_VERSION - 1})  # the field encrypts it
    )
    ReportedIdentity.objects.filter(pk__in=stale[30:]).update(link_features="not json")

    frame, base = identities_frame(PartyRole.VICTIM)

    assert dict(zip(frame["pk"], base, strict=True)) == expected
    assert not ReportedIdentity.objects.filter(pk__in=stale, link_features="").exists()
    for pk in (stale[0], stale[25], stale[35]):
        refreshed = ReportedIdentity.objects.get(pk=pk).link_features
        assert blob_features(refreshed) == expected[pk]
