"""The Spark backend scores with the same model as DuckDB: same pairs, same probabilities,
same persons. Runs pyspark in local mode (a Java 17 runtime; ``.ci/run`` installs one)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from violeta.agencies.models import Agency
from violeta.intake.loader import import_file
from violeta.linkage import model as link_model
from violeta.linkage import spark as link_spark
from violeta.linkage.features import features
from violeta.linkage.management.commands import link as link_command
from violeta.linkage.source import frames_from_files
from violeta.records.choices import PartyRole
from violeta.records.models import ReportedIdentity
from violeta.synth.generate import generate

pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),  # pyspark on pandas 3
]

KEY = ["unique_id_l", "unique_id_r"]


def test_the_saved_duckdb_sql_is_translated_to_spark() -> None:
    jw = 'jaro_winkler_similarity("surname1_l", "surname1_r") >= 0.92'
    assert link_spark.to_spark_sql(jw) == (
        "VIOLETA_JARO_WINKLER(`surname1_l`, `surname1_r`) >= 0.92"
    )
    tokens = 'array_length(list_intersect("given_tokens_l", "given_tokens_r")) >= 1'
    assert link_spark.to_spark_sql(tokens) == (
        "SIZE(ARRAY_INTERSECT(`given_tokens_l`, `given_tokens_r`)) >= 1"
    )
    assert link_spark.to_spark_sql("ELSE") == "ELSE"
    model = link_spark.spark_model(
        {
            "sql_dialect": "duckdb",
            "comparisons": [{"comparison_levels": [{"sql_condition": '"dob_l" = "dob_r"'}]}],
            "blocking_rules_to_generate_predictions": [
                {"blocking_rule": 'l."curp" = r."curp"', "sql_dialect": "duckdb"}
            ],
        }
    )
    assert model["sql_dialect"] == "spark"
    assert model["comparisons"][0]["comparison_levels"][0]["sql_condition"] == "`dob_l` = `dob_r`"
    # The saved model's rules give way to the code's current ones, in Spark's dialect.
    rules = model["blocking_rules_to_generate_predictions"]
    assert len(rules) == len(link_model.BLOCKING_RULES)
    assert {r["sql_dialect"] for r in rules} == {"spark"}
    assert rules[0]["blocking_rule"] == "l.curp = r.curp"
    near = f"ABS(l.birth_year - r.birth_year) <= {link_model.BLOCK_YEARS}"
    assert any(near in r["blocking_rule"] for r in rules)


def test_the_jaro_winkler_udf_is_duckdbs_not_splinks_scala_one() -> None:
    session = link_spark.spark_session()
    row = session.sql(
        "SELECT violeta_jaro_winkler('ESMERSLDA', 'ESMERALDA') AS ours, "
        "violeta_jaro_winkler('GOMEZ', NULL) AS missing"
    ).collect()[0]
    assert row["ours"] == pytest.approx(0.9305555555, abs=1e-9)  # DuckDB's; the jar says 0.918
    assert row["missing"] is None


def test_spark_scores_the_same_pairs_as_duckdb(tmp_path: Path) -> None:
    generate(tmp_path, women=200, seed=5, corruption="hard")
    feats = features(frames_from_files(tmp_path)["woman"])
    model = link_model.train(feats, "woman")
    on_duckdb = link_model.predict(feats, model, 0.0)
    on_spark = link_spark.predict(feats, model, 0.0)

    assert len(on_duckdb) > 1000
    assert list(on_spark.columns) == list(on_duckdb.columns)
    both = on_duckdb.merge(on_spark, on=KEY, how="outer", suffixes=("_duck", "_spark"))
    assert len(both) == len(on_duckdb) == len(on_spark)  # the same pairs, none more or less
    difference = (both["match_probability_duck"] - both["match_probability_spark"]).abs()
    assert difference.max() < 1e-6
    weights = (both["match_weight_duck"] - both["match_weight_spark"]).abs()
    assert weights.max() < 1e-6


def _partition() -> set[frozenset[int]]:
    files: dict[int, set[int]] = {}
    for pk, person in ReportedIdentity.objects.values_list("pk", "person_id"):
        files.setdefault(person, set()).add(pk)
    return {frozenset(members) for members in files.values()}


@pytest.mark.django_db(transaction=True)
def test_link_on_spark_gives_the_same_persons(
    catalogs: None, tmp_path: Path, settings: Any
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.SPARK_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    out = tmp_path / "synthetic"
    generate(out, women=150, seed=11)
    for path in sorted(out.glob("*.csv")):
        if path.stem not in {"truth", "truth_people"}:
            import_file(agency=Agency.objects.get(code=path.stem), path=path)
    call_command("link", stdout=StringIO(), stderr=StringIO())
    on_duckdb = _partition()
    assert any(len(members) > 1 for members in on_duckdb)

    printed = StringIO()
    call_command("link", backend="spark", stdout=printed, stderr=StringIO())

    assert _partition() == on_duckdb
    assert "0 moved, 0 new" in printed.getvalue()  # for both roles: nobody's file changed
    assert printed.getvalue().count("0 moved, 0 new") == 2
    victims = ReportedIdentity.objects.filter(role=PartyRole.VICTIM).count()
    assert f"woman: {victims} records" in printed.getvalue()
    # Splink's tables went where we said, and the run removed them (names in clear).
    assert (tmp_path / "checkpoints").is_dir()
    assert not list((tmp_path / "checkpoints").iterdir())


def test_spark_that_cannot_start_is_a_clear_command_error(
    catalogs: None, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    generate(tmp_path, women=5, seed=3)
    import_file(agency=Agency.objects.get(code="FGJ"), path=tmp_path / "FGJ.csv")

    def no_java(*_args: Any) -> pd.DataFrame:
        raise link_spark.SparkUnavailable("cannot start Spark on local[2]: no Java")

    monkeypatch.setitem(link_command.BACKENDS, "spark", no_java)
    with pytest.raises(CommandError, match="cannot start Spark"):
        call_command("link", backend="spark", stdout=StringIO(), stderr=StringIO())
