"""Scoring on Spark: the same trained model, for a national registry on a cluster.

``violeta link --backend spark`` scores pairs here instead of :func:`violeta.linkage.model.predict`
and returns the same frame (``unique_id_l``, ``unique_id_r``, ``match_probability``,
``match_weight``, the level of each comparison), so clustering and writing run unchanged.

The model is the one :func:`violeta.linkage.model.train` saved: Splink settings JSON whose SQL
(every level's condition, every blocking rule) is written in DuckDB's dialect. Splink does not
translate a saved condition to another backend (read with Spark's rules, ``"surname1_l"`` is a
string literal, not a column), so :func:`spark_model` transpiles each one with sqlglot, the
parser Splink itself uses, and renames the few functions the two engines spell differently.
The m and u probabilities, the prior and the term-frequency settings are untouched.

Functions the comparisons need on Spark:

- ``damerau_levenshtein``: Splink's own Scala UDF, in the jar shipped with Splink
  (:func:`splink.backends.spark.similarity_jar_location`). The session adds the jar
  (``spark.jars``, so executors get it too) and :class:`splink.SparkAPI` registers it. It
  counts a transposition as DuckDB does (true Damerau–Levenshtein: "CA"/"ABC" is 2).
- Jaro–Winkler: NOT Splink's Scala ``jaro_winkler``. It finds fewer matching characters than
  DuckDB's ``jaro_winkler_similarity`` when a character repeats (ESMERSLDA/ESMERALDA: 0.918
  against DuckDB's 0.931), which puts pairs on either side of the 0.92 "typing slip" level
  and moves their probability by up to 0.9. :func:`_register_jaro_winkler` registers a
  pandas UDF on rapidfuzz's Jaro–Winkler instead: the one :mod:`violeta.linkage.scoring`
  uses in real time, whose levels a test checks against DuckDB's on every pair. Executors
  need Python with pandas, pyarrow and rapidfuzz (not Violeta: the UDF is pickled by value).
- ``array_intersect`` and ``size``: Spark built-ins (DuckDB's ``list_intersect`` and
  ``array_length``).

pyspark is an optional dependency (``uv sync --extra spark``): imported here only, when a run
asks for Spark, so the web process and the DuckDB path never load it.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import sys
import tempfile
from typing import TYPE_CHECKING, Any

import pandas as pd
import sqlglot
from django.conf import settings
from sqlglot import expressions as exp

from violeta.linkage.features import FEATURE_COLUMNS
from violeta.linkage.model import with_current_blocking

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

logger = logging.getLogger(__name__)

APP_NAME = "violeta-link"
# DuckDB functions (as sqlglot parses them when it has no own node for them) → Spark's name.
RENAMED = {"list_intersect": "array_intersect"}
JARO_WINKLER_UDF = "violeta_jaro_winkler"
LOCAL_SHUFFLE_PARTITIONS = "8"  # Spark's default 200 is for clusters; tiny tasks locally


class SparkUnavailable(RuntimeError):
    """pyspark (or Java) is missing: ``uv sync --extra spark`` and a Java 17 runtime."""


def _rename(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this=JARO_WINKLER_UDF, expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and node.name.lower() in RENAMED:
        return exp.Anonymous(this=RENAMED[node.name.lower()], expressions=node.expressions)
    return node


def to_spark_sql(condition: str) -> str:
    """One SQL condition of the saved (DuckDB) model, in Spark's dialect."""
    if condition.strip().upper() == "ELSE":
        return condition
    tree = sqlglot.parse_one(condition, read="duckdb")
    return tree.transform(_rename).sql(dialect="spark")


def spark_model(model: dict[str, Any]) -> dict[str, Any]:
    """The saved model with every level condition and blocking rule in Spark's dialect."""
    out = copy.deepcopy(with_current_blocking(model))
    out["sql_dialect"] = "spark"
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = to_spark_sql(level["sql_condition"])
    rules = []
    for rule in out.get("blocking_rules_to_generate_predictions", []):
        sql = rule["blocking_rule"] if isinstance(rule, dict) else rule
        converted = dict(rule) if isinstance(rule, dict) else {}
        converted.update(blocking_rule=to_spark_sql(sql), sql_dialect="spark")
        rules.append(converted)
    out["blocking_rules_to_generate_predictions"] = rules
    return out


def spark_session() -> SparkSession:
    """The Spark session of this process (created once): ``settings.SPARK_MASTER``, with
    Splink's similarity jar shipped to the executors."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise SparkUnavailable("pyspark is not installed: uv sync --extra spark") from error
    master = settings.SPARK_MASTER
    builder = (
        SparkSession.builder.appName(APP_NAME)
        .master(master)
        .config("spark.jars", similarity_jar_location())
    )
    if master.startswith("local"):
        # The UDF's Python workers: this interpreter (its packages), not whatever python3
        # comes first on the PATH.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = builder.config("spark.sql.shuffle.partitions", LOCAL_SHUFFLE_PARTITIONS)
        builder = builder.config("spark.ui.enabled", "false")
    try:
        session = builder.getOrCreate()
    except Exception as error:  # Java missing or the master unreachable: py4j's own errors
        raise SparkUnavailable(f"cannot start Spark on {master}: {error}") from error
    session.sparkContext.setLogLevel("ERROR")
    _register_jaro_winkler(session)
    return session


def _register_jaro_winkler(session: SparkSession) -> None:
    """``violeta_jaro_winkler(a, b)``: DuckDB's Jaro–Winkler similarity on Spark (see the
    module's docstring for why not Splink's). Vectorised through Arrow, a batch at a time;
    null when either side is null, as in SQL."""
    from pyspark.sql.functions import pandas_udf

    def similarity(left: pd.Series, right: pd.Series) -> pd.Series:
        # Imported inside: the function is pickled by value, executors import only these
        # (pyspark reads its type hints, so pandas is imported at the module's top).
        from rapidfuzz.distance import JaroWinkler

        values = [
            None if pd.isna(a) or pd.isna(b) else JaroWinkler.similarity(a, b)
            for a, b in zip(left, right, strict=True)
        ]
        return pd.Series(values, dtype="float64")

    session.udf.register(JARO_WINKLER_UDF, pandas_udf(similarity, "double"))  # type: ignore[call-overload]


def predict(features: pd.DataFrame, model: dict[str, Any], threshold: float) -> pd.DataFrame:
    """Every blocked pair scoring at least ``threshold``, as :func:`model.predict` returns
    them, scored on Spark (``settings.SPARK_MASTER``)."""
    session = spark_session()  # first: a clear SparkUnavailable when pyspark is missing
    from splink import Linker, SparkAPI

    own_dir = not settings.SPARK_CHECKPOINT_DIR
    checkpoint = settings.SPARK_CHECKPOINT_DIR or tempfile.mkdtemp(prefix="violeta-spark-")
    # Splink writes each intermediate table (blocked pairs, TF tables, scores) as parquet
    # under the checkpoint directory to cut Spark's lineage; Spark makes a folder of its own
    # for this run in it.
    session.sparkContext.setCheckpointDir(checkpoint)
    try:
        db_api = SparkAPI(spark_session=session)
        table = db_api.register(features[FEATURE_COLUMNS].copy())
        linker = Linker(table, spark_model(model), log_level=logging.WARNING)
        pairs = linker.inference.predict(threshold_match_probability=threshold)
        frame = pairs.as_pandas_dataframe()
        pairs.drop_table_from_database_and_remove_from_cache()
    finally:
        _remove_run_tables(session)
        if own_dir:
            shutil.rmtree(checkpoint, ignore_errors=True)
    logger.info("spark scored %d pairs on %s", len(frame), settings.SPARK_MASTER)
    return frame


def _remove_run_tables(session: SparkSession) -> None:
    """Delete this run's folder under the checkpoint directory: its tables hold names, dates
    and phones in clear. Through Hadoop's file system API, so hdfs:// and s3a:// too."""
    context = session.sparkContext
    current = context._jsc.sc().getCheckpointDir()
    jvm = context._jvm
    if current.isEmpty() or jvm is None:
        return
    path = jvm.org.apache.hadoop.fs.Path(current.get())
    path.getFileSystem(context._jsc.hadoopConfiguration()).delete(path, True)
