"""``violeta link``: re-link every reported identity of one role, end to end.

read (decrypting) → features → score pairs (Splink, DuckDB) → cluster (with CURP rules and
human decisions) → write: each cluster keeps the person most of its records already point to,
so files keep their ids across runs; new clusters get a new person; a person left empty is
marked as merged into the one that took her records. Human decisions always win.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet, TextField
from django.db.models.functions import Cast

from violeta.audit.services import audit_log
from violeta.core.bulk_sql import indexes_rebuilt, update_from_values
from violeta.core.crypto import decrypt_many
from violeta.linkage import model as link_model
from violeta.linkage.assign import assign_persons
from violeta.linkage.cluster import Clusters, cluster
from violeta.linkage.evaluate import pairwise_quality
from violeta.linkage.features import blob_features, blob_party_key, features, stored_blob
from violeta.linkage.models import Decision, LinkDecision, LinkMethod, ReviewPair, ReviewReason
from violeta.linkage.scoring import ROLE_NAMES, model_path, model_read, model_write
from violeta.linkage.source import truth_from_file
from violeta.linkage.source import uid as source_uid
from violeta.people.models import Person
from violeta.people.services import identities_copy_to_new_persons, merged_chains_flatten
from violeta.records.choices import PartyRole
from violeta.records.models import ReportedIdentity

METHODS = {
    "curp": LinkMethod.CURP,
    "model": LinkMethod.MODEL,
    "incident": LinkMethod.INCIDENT,
    "human": LinkMethod.HUMAN,
    "single": LinkMethod.SINGLE,
    "unlinked": LinkMethod.UNLINKED,
}
Progress = Callable[[str], None]
# Scores the blocked pairs: features, saved model, lowest probability kept → pairs frame
# (model.predict on DuckDB, spark.predict on a Spark cluster).
Score = Callable[[pd.DataFrame, dict[str, Any], float], pd.DataFrame]

# One role's identities as read: the frame (ids, person, method; "partner" once known) and
# each row's base features.
Read = tuple[pd.DataFrame, list[dict[str, Any]]]

# The columns read besides the features, with their SQL types (for PostgreSQL's COPY).
META_TYPES = {
    "pk": "int8",
    "record_id": "int8",
    "person_id": "int8",
    "link_method": "text",
    "link_probability": "float8",
}
META_COLUMNS = list(META_TYPES)
WRITE_BATCH = 5000
# With ``rebuild_indexes``, a table's indexes are dropped and built again around a write that
# rewrites at least this share of the role's identities (the first run after a bulk import).
REBUILD_SHARE = 0.2


@dataclass
class LinkReport:
    role: str
    identities: int = 0
    persons: int = 0
    moved: int = 0
    new_persons: int = 0
    review_pairs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return (
            f"{self.role}: {self.identities} records → {self.persons} people "
            f"({self.moved} moved, {self.new_persons} new, {self.review_pairs} to review; {stages})"
        )


def identities_frame(role: PartyRole) -> Read:
    """Every reported identity of ``role``: a frame of what the run needs besides the
    features (ids, current person and method, the other party) and the base features of each
    row, from the encrypted blob stored with the identity (one value to decrypt, on every
    core). An identity whose blob is missing or of an older version is computed from its
    fields, and its blob written back for the next run."""
    return _with_partner(_read(role), _other_party(role))


def _read(role: PartyRole) -> Read:
    """``identities_frame`` without the other party."""
    rows = (
        ReportedIdentity.objects.filter(role=role, person__anonymised__isnull=True)  # lifecycle
        .annotate(token=Cast("link_features", TextField()))
        .values_list(*META_COLUMNS, "token")
    )
    frame = pd.DataFrame.from_records(
        _fetched(rows, [*META_TYPES.values(), "text"]), columns=[*META_COLUMNS, "token"]
    )
    stored = [blob_features(b) for b in decrypt_many(frame["token"].tolist())]
    frame = frame.drop(columns=["token"])
    frame["unique_id"] = frame["pk"].astype(str)
    stale = [pk for pk, b in zip(frame["pk"], stored, strict=True) if b is None]
    fresh = _refresh_blobs(stale) if stale else {}
    base = [b if b is not None else fresh[pk] for pk, b in zip(frame["pk"], stored, strict=True)]
    return frame, base


def _fetched(
    rows: QuerySet[Any, tuple[Any, ...]], types: Sequence[str]
) -> Iterable[tuple[Any, ...]]:
    """The rows of a ``values_list`` query (``types``: the SQL type of each of its columns):
    on PostgreSQL by ``COPY … TO STDOUT`` (a million identities in 5 s, against 14 s through
    the cursor's row by row fetch), else by Django's iterator."""
    if connection.vendor != "postgresql":
        return rows.iterator(chunk_size=10_000)
    sql, params = rows.query.sql_with_params()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy,
    ):
        copy.set_types(list(types))
        return list(copy.rows())


def _with_partner(read: Read, other: dict[int, str]) -> Read:
    frame, base = read
    frame["partner"] = [other.get(r, "") for r in frame["record_id"]]
    return frame, base


def _refresh_blobs(pks: list[int]) -> dict[int, dict[str, Any]]:
    """Base features of identities stored before their blob existed (or under an older
    version of the features), computed from their fields and stored back."""
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(pks), WRITE_BATCH):
        chunk = ReportedIdentity.objects.filter(pk__in=pks[start : start + WRITE_BATCH])
        identities = list(chunk.select_related("record", "alcaldia"))
        for identity in identities:
            identity.link_features = stored_blob(identity, identity.record.occurred_at)
            out[identity.pk] = blob_features(identity.link_features) or {}
        ReportedIdentity.objects.bulk_update(identities, ["link_features"], batch_size=1000)
    return out


def _party_keys(aggressors: Read) -> dict[int, str]:
    """Each record's aggressor as a key, from his stored features."""
    frame, base = aggressors
    return {int(r): blob_party_key(b) for r, b in zip(frame["record_id"], base, strict=True)}


def _other_party(role: PartyRole) -> dict[int, str]:
    """For each record, the other side: a woman's aggressor by name; an aggressor's woman by
    her person (women are linked first, so this is her file)."""
    if role == PartyRole.VICTIM:
        return _party_keys(_read(PartyRole.AGGRESSOR))
    women = ReportedIdentity.objects.filter(role=PartyRole.VICTIM, person__isnull=False)
    files = women.values_list("record_id", "person_id")
    return {r: str(p) for r, p in _fetched(files, ["int8", "int8"])}


def human_decisions(role: PartyRole) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    same: list[tuple[str, str]] = []
    different: list[tuple[str, str]] = []
    decisions = LinkDecision.objects.filter(identity_a__role=role).values_list(
        "identity_a_id", "identity_b_id", "decision"
    )
    for a, b, decision in decisions:
        (same if decision == Decision.SAME else different).append((str(a), str(b)))
    # The operator's choice while registering stands too: with the file she chose (paired
    # with the first other identity of that file).
    chosen = dict(
        ReportedIdentity.objects.filter(
            role=role, link_method=LinkMethod.OPERATOR, person__isnull=False
        ).values_list("pk", "person_id")
    )
    others: dict[int, list[int]] = {}
    in_files = ReportedIdentity.objects.filter(role=role, person_id__in=set(chosen.values()))
    for pk, person_id in in_files.order_by("pk").values_list("pk", "person_id"):
        others.setdefault(person_id, []).append(pk)
    for pk, person_id in chosen.items():
        other = next((o for o in others[person_id] if o != pk), None)
        if other is not None:
            same.append((str(pk), str(other)))
    return same, different


def _by_uid(frame: pd.DataFrame, column: str) -> dict[str, Any]:
    """``column`` of each identity, None where missing (lists, not the Series' own iteration:
    three times faster on a million rows)."""
    values = frame[column].astype(object).where(frame[column].notna(), None).tolist()
    return dict(zip(frame["unique_id"].tolist(), values, strict=True))


def _current_persons(frame: pd.DataFrame) -> dict[str, int | None]:
    return {u: None if p is None else int(p) for u, p in _by_uid(frame, "person_id").items()}


def write_links(rows: Sequence[tuple[int, str, float | None, int]]) -> None:
    """Person, method and probability of many identities (rows: person, method, probability,
    identity), a few thousand per statement."""
    update_from_values(
        ReportedIdentity._meta.db_table,
        "id",
        [
            ("person_id", "bigint"),
            ("link_method", "text"),
            ("link_probability", "double precision"),
        ],
        [(pk, person, method, probability) for person, method, probability, pk in rows],
    )


def _write_merges(used: set[int], merged_into: dict[int, int]) -> None:
    """Persons in use again lose their "merged into" mark; persons left without records point
    at the person that took most of them. Bounded statements, whatever the number of persons:
    a million-id ``IN`` list breaks SQLite's variable limit and one UPDATE per person is a
    million round trips."""
    marked = Person.objects.filter(merged_into__isnull=False).values_list("pk", flat=True)
    revived = [pk for pk in marked.iterator(chunk_size=10_000) if pk in used]
    for start in range(0, len(revived), WRITE_BATCH):
        Person.objects.filter(pk__in=revived[start : start + WRITE_BATCH]).update(merged_into=None)
    update_from_values(
        Person._meta.db_table,
        "id",
        [("merged_into_id", "bigint")],
        [(old, new) for old, new in merged_into.items()],
        where="t.merged_into_id IS NULL AND t.id <> v.c0",
    )
    merged_chains_flatten()


def _review_rows(clusters: Clusters, known: set[tuple[int, int]]) -> list[ReviewPair]:
    reasons = {"uncertain": ReviewReason.UNCERTAIN, "curp_conflict": ReviewReason.CURP_CONFLICT}
    rows = []
    for a, b, p, why in clusters.review:
        first, second = sorted((int(a), int(b)))
        if (first, second) in known:
            continue
        known.add((first, second))
        rows.append(
            ReviewPair(
                identity_a_id=first, identity_b_id=second, probability=p, reason=reasons[why]
            )
        )
    return rows


def link_role(
    role: PartyRole,
    *,
    retrain: bool = False,
    threshold: float | None = None,
    progress: Progress | None = None,
    score: Score = link_model.predict,
    read: Callable[[], Read] | None = None,
    read_seconds: float = 0.0,
    rebuild_indexes: bool = False,
) -> LinkReport:
    """Re-link every identity of ``role``; returns what changed and how long each stage took.
    ``read`` gives the identities when the caller has read them already (``read_seconds``
    earlier), else ``identities_frame``. ``rebuild_indexes``: see ``link_all``."""
    say = progress or (lambda _stage: None)
    threshold = threshold if threshold is not None else settings.LINKAGE_THRESHOLD
    report = LinkReport(role=ROLE_NAMES[role])
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.seconds[stage] = now - clock
        clock = now
        say(stage)

    frame, base = read() if read else identities_frame(role)
    report.identities = len(frame)
    lap("read")
    report.seconds["read"] += read_seconds
    if frame.empty:
        return report
    feats = features(frame, base)
    lap("features")
    path = model_path(role)
    if retrain or not path.exists():
        model = link_model.train(feats, ROLE_NAMES[role])
        model_write(model, path)
        lap("train")
    else:
        model = model_read(path)
    pairs = score(feats, model, settings.LINKAGE_REVIEW_FROM)
    lap("score")
    same, different = human_decisions(role)
    clusters = cluster(
        feats,
        pairs,
        threshold=threshold,
        review_from=settings.LINKAGE_REVIEW_FROM,
        same=same,
        different=different,
    )
    lap("cluster")
    _write(role, frame, clusters, report, lap, rebuild_indexes=rebuild_indexes)
    return report


def _write(
    role: PartyRole,
    frame: pd.DataFrame,
    clusters: Clusters,
    report: LinkReport,
    lap: Callable[[str], None],
    *,
    rebuild_indexes: bool = False,
) -> None:
    """Persons, links and review pairs in one transaction: all of the run or none of it
    (``lap`` times each part: new persons, links, merges, review pairs)."""
    current = _current_persons(frame)
    person_of, need_new, merged_into = assign_persons(current, clusters.cluster_of)
    old_methods = _by_uid(frame, "link_method")
    old_probability = _by_uid(frame, "link_probability")
    with transaction.atomic():
        if need_new:
            first = [int(uids[0]) for _c, uids in need_new]
            identities = ReportedIdentity.objects.select_related("alcaldia").in_bulk(first)
            persons = identities_copy_to_new_persons([identities[pk] for pk in first])
            for (_cluster_id, uids), person in zip(need_new, persons, strict=True):
                for uid in uids:
                    person_of[uid] = person.pk
            report.new_persons = len(persons)
        lap("write persons")
        rows = []
        for uid, person_id in person_of.items():
            method = METHODS[clusters.method[uid]]
            chosen = old_methods[uid] in {LinkMethod.HUMAN, LinkMethod.OPERATOR}
            if chosen and person_id == current[uid]:
                continue  # a person's choice stands while the clustering agrees with it
            probability = clusters.probability.get(uid)
            if (person_id, str(method), probability) == (
                current[uid],
                old_methods[uid],
                old_probability[uid],
            ):
                continue  # unchanged: a re-run writes only what moved
            if person_id != current[uid]:
                report.moved += 1
            rows.append((person_id, str(method), probability, int(uid)))
        large = REBUILD_SHARE * len(frame) if rebuild_indexes else math.inf
        with _rebuilt(ReportedIdentity._meta.db_table, "person_id", len(rows) >= large):
            write_links(rows)
        lap("write links")
        with _rebuilt(Person._meta.db_table, "merged_into_id", len(merged_into) >= large):
            _write_merges(set(person_of.values()), merged_into)
        lap("write merges")
        known = set(
            ReviewPair.objects.filter(identity_a__role=role).values_list(
                "identity_a_id", "identity_b_id"
            )
        )
        pending = _review_rows(clusters, known)
        ReviewPair.objects.bulk_create(pending, batch_size=WRITE_BATCH)
        report.review_pairs = len(pending)
        report.persons = len(set(person_of.values()))
        audit_log(
            actor=None,
            actor_label="system:link",
            action="link",
            subject_type="linkage",
            subject_id=ROLE_NAMES[role],
            details={
                "identities": report.identities,
                "persons": report.persons,
                "moved": report.moved,
                "new_persons": report.new_persons,
                "review_pairs": report.review_pairs,
            },
        )
    lap("write review")


def _rebuilt(table: str, written: str, rebuild: bool) -> AbstractContextManager[int]:
    """The ``table``'s indexes, and the foreign key of the ``written`` column, set aside
    around a write when ``rebuild`` (see ``indexes_rebuilt``)."""
    return indexes_rebuilt(table, foreign_keys=[written]) if rebuild else nullcontext(0)


def link_all(
    *,
    retrain: bool = False,
    threshold: float | None = None,
    progress: Progress | None = None,
    score: Score = link_model.predict,
    rebuild_indexes: bool = False,
) -> list[LinkReport]:
    """Women first (an aggressor's woman is evidence about him), then aggressors. The
    aggressors are read once, before the women: their names are the women's other party.

    ``rebuild_indexes`` (``violeta link --rebuild-indexes``, for the first run after a bulk
    import): where a write rewrites a large share of the identities or persons, their table's
    indexes are built again after it instead of updated row by row. On PostgreSQL that locks
    the table, reads included, until the run commits: a maintenance window's option."""
    with collector_paused():
        return _link_all(
            retrain=retrain,
            threshold=threshold,
            progress=progress,
            score=score,
            rebuild_indexes=rebuild_indexes,
        )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a run, and one collection after it.

    A run holds millions of small objects (ids, pairs, the clustering's sets and tuples) for
    minutes; each time enough of them have been allocated the collector walks the whole heap
    looking for cycles, and almost none of these objects can be in one. One run of ``cluster``
    on 1,000,000 generator women: 41.4 s with the collector, 34.1 s without. What cycles a run
    does make (Splink's SQL trees) are freed by the collection at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def _link_all(
    *,
    retrain: bool,
    threshold: float | None,
    progress: Progress | None,
    score: Score,
    rebuild_indexes: bool,
) -> list[LinkReport]:
    run = partial(
        link_role,
        retrain=retrain,
        threshold=threshold,
        progress=progress,
        score=score,
        rebuild_indexes=rebuild_indexes,
    )
    clock = time.perf_counter()
    aggressors = _read(PartyRole.AGGRESSOR)
    read_aggressors = time.perf_counter() - clock
    women = run(
        PartyRole.VICTIM,
        read=lambda: _with_partner(_read(PartyRole.VICTIM), _party_keys(aggressors)),
    )
    men = run(
        PartyRole.AGGRESSOR,
        read=lambda: _with_partner(aggressors, _other_party(PartyRole.AGGRESSOR)),
        read_seconds=read_aggressors,
    )
    return [women, men]


def evaluate_database(truth_path: Path) -> dict[str, Any]:
    """Pairwise quality of the stored links against a generator truth file, per role."""
    truth = truth_from_file(truth_path)
    rows = ReportedIdentity.objects.values_list(
        "record__agency__code", "record__agency_record_id", "role", "person_id"
    )
    predicted: dict[str, dict[str, str]] = {name: {} for name in ROLE_NAMES.values()}
    for agency, record_id, role, person_id in rows.iterator(chunk_size=10_000):
        key = source_uid(agency, record_id)
        predicted[ROLE_NAMES[PartyRole(role)]][key] = str(person_id or f"none:{key}")
    return {role: pairwise_quality(predicted[role], truth[role]) for role in predicted}
