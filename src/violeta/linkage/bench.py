"""``violeta bench link``: Violeta's linker beside plain Splink on the same generator records.

Both read the same identity frames (agency files through the shipped mappings), both train
without labels on them, both are scored against the generator's truth. "Plain Splink" is what
a competent first attempt looks like, straight from Splink's tutorials: its name and date
comparisons on the columns as typed, exact CURP and phone, connected components at the same
threshold. The difference is what this project adds: the Mexican-name features, the other
party as evidence, the CURP rules and the constrained clustering.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from violeta.linkage import model as link_model
from violeta.linkage.cluster import MIN_EVIDENCE, cluster
from violeta.linkage.evaluate import Quality, pairwise_quality
from violeta.linkage.features import features
from violeta.linkage.source import frames_from_files, truth_from_file
from violeta.synth.generate import expected_records, generate

logger = logging.getLogger(__name__)
THRESHOLD = 0.95
REVIEW_FROM = 0.5


@dataclass
class Run:
    seconds: float
    quality: dict[str, Quality]
    # Recall on the records with enough identity to link at all (``cluster.MIN_EVIDENCE``):
    # the issue forbids linking a record with only a given name or only a phone, so pairs that
    # involve one are out of reach by design; this shows how much of the gap they are.
    linkable: dict[str, Quality]

    def text(self) -> str:
        parts = [
            f"{role} P {q.precision:.4f} R {q.recall:.4f} F1 {q.f1:.4f} "
            f"(R linkable {self.linkable[role].recall:.4f})"
            for role, q in self.quality.items()
        ]
        return f"{self.seconds:.1f} s, " + ", ".join(parts)


def _linkable(predicted: dict[str, str], truth: dict[str, str], linkable: set[str]) -> Quality:
    return pairwise_quality(
        {u: c for u, c in predicted.items() if u in linkable},
        {u: t for u, t in truth.items() if u in linkable},
    )


def violeta_link(
    frames: dict[str, pd.DataFrame],
    truth: dict[str, dict[str, str]],
    threshold: float,
    linkable: dict[str, set[str]],
) -> Run:
    start = time.perf_counter()
    quality: dict[str, Quality] = {}
    reachable: dict[str, Quality] = {}
    women: dict[str, str] = {}
    for role in ("woman", "aggressor"):
        frame = frames[role].copy()
        if role == "aggressor":  # his woman's file, as violeta link does
            frame["partner"] = [women.get(u, "") for u in frame["unique_id"]]
        feats = features(frame)
        model = link_model.train(feats, role)
        pairs = link_model.predict(feats, model, REVIEW_FROM)
        result = cluster(feats, pairs, threshold=threshold, review_from=REVIEW_FROM)
        if role == "woman":
            women = result.cluster_of
        quality[role] = pairwise_quality(result.cluster_of, truth[role])
        linkable[role] = set(feats.loc[feats["evidence"] >= MIN_EVIDENCE, "unique_id"])
        reachable[role] = _linkable(result.cluster_of, truth[role], linkable[role])
    return Run(time.perf_counter() - start, quality, reachable)


def _plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["given_names", "first_surname", "second_surname", "birth_date", "curp", "phone"]
    out = frame[["unique_id", *columns, "alcaldia"]].copy()
    for column in [*columns, "alcaldia"]:
        out[column] = pd.Series([v or None for v in out[column]], dtype=object)
    return out


def plain_splink(
    frames: dict[str, pd.DataFrame],
    truth: dict[str, dict[str, str]],
    threshold: float,
    linkable: dict[str, set[str]],
) -> Run:
    start = time.perf_counter()
    quality: dict[str, Quality] = {}
    reachable: dict[str, Quality] = {}
    for role in ("woman", "aggressor"):
        settings = SettingsCreator(
            link_type="dedupe_only",
            comparisons=[
                cl.NameComparison("given_names"),
                cl.NameComparison("first_surname"),
                cl.NameComparison("second_surname"),
                cl.DateOfBirthComparison("birth_date", input_is_string=True),
                cl.ExactMatch("curp"),
                cl.ExactMatch("phone"),
                cl.ExactMatch("alcaldia"),
            ],
            blocking_rules_to_generate_predictions=[
                block_on("first_surname", "given_names"),
                block_on("birth_date"),
                block_on("curp"),
                block_on("phone"),
            ],
        )
        db_api = DuckDBAPI()
        table = db_api.register(_plain_frame(frames[role]))
        linker = Linker(table, settings, log_level=logging.WARNING)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("curp")], recall=0.5
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
        for rule in (block_on("first_surname", "given_names"), block_on("birth_date")):
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(rule)
            except Exception as error:  # plain Splink as a user runs it
                logger.warning("plain Splink EM session skipped: %s", type(error).__name__)
        pairs = linker.inference.predict(threshold_match_probability=threshold)
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, threshold)
        assigned = clusters.as_pandas_dataframe()
        predicted = dict(
            zip(assigned["unique_id"].astype(str), assigned["cluster_id"].astype(str), strict=True)
        )
        quality[role] = pairwise_quality(predicted, truth[role])
        reachable[role] = _linkable(predicted, truth[role], linkable[role])
    return Run(time.perf_counter() - start, quality, reachable)


def bench_link(records: int, *, corruption: str = "default", seed: int = 42) -> str:
    """Generate about ``records`` records, link them both ways, return the figures line."""
    women = max(1, round(records / expected_records(1)))
    with tempfile.TemporaryDirectory(prefix="violeta-bench-link-") as tmp:
        out = Path(tmp)
        generate(out, women=women, seed=seed, corruption=corruption)
        start = time.perf_counter()
        frames = frames_from_files(out)
        read = time.perf_counter() - start
        truth = truth_from_file(out / "truth.csv")
    linkable: dict[str, set[str]] = {}  # filled by our run, read by plain Splink's
    ours = violeta_link(frames, truth, THRESHOLD, linkable)
    plain = plain_splink(frames, truth, THRESHOLD, linkable)
    sizes = ", ".join(f"{len(f)} {role}" for role, f in frames.items())
    return (
        f"link ({corruption}): {sizes}; read {read:.1f} s; "
        f"violeta {ours.text()}; plain splink {plain.text()}"
    )
