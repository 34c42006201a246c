"""The build's stages as datatrove pipeline steps: one small class per stage, one ``run`` each.

Each step reads and writes files of one run folder of the work dir (a local path or an fsspec URL, opened
through datatrove's ``DataFolder``); see ``builders.engine`` for the layout. A task writes every output
under a temporary name and renames it, then writes its ``done`` sidecar (counts of what it wrote): a task
that dies mid-write leaves no sidecar and no completion marker, and the rerun redoes it. Readers check the
sidecars, so a half-written run is an error with a message, never data.
"""

from __future__ import annotations

import io
import json
import os
import signal
from collections.abc import Iterator
from datetime import timedelta
from itertools import combinations
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datatrove.io import DataFolder, get_datafolder
from datatrove.pipeline.base import PipelineStep

from builders.dedup.finder import EPOCH, NO_DATE, DuplicateFinder
from builders.dedup.lsh import MAX_BUCKET, band_keys, band_params, candidate_threshold, is_near_duplicate
from builders.dedup.minhash import NUM_PERM

BATCH = 500
LZ4: dict[str, Any] = {"compression": "lz4", "use_dictionary": False}
KILL_AT = "ZH_ENGINE_KILL_AT"  # "stage:rank": that task kills the driver and itself mid-write (fault tests only)
DRIVER_PID = "ZH_ENGINE_DRIVER_PID"  # set in a task's child process: the driver's pid
FILES_SCHEMA = pa.schema(
    # ``path`` as the file system's bytes: a file name that is not UTF-8 is still a file to quarantine
    [("raw_path", pa.string()), ("path", pa.binary()), ("problem", pa.string()), ("problem_message", pa.string())]
)
SKETCH_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("time", pa.int64()),
        ("key", pa.string()),
        ("size", pa.int64()),
        ("sig", pa.binary(4 * NUM_PERM)),
    ]
)
BAND_SCHEMA = pa.schema([("bkey", pa.uint64()), ("xkey", pa.string()), ("id", pa.string())])
PAIR_SCHEMA = pa.schema([("a", pa.string()), ("b", pa.string())])
MARK_SCHEMA = pa.schema(
    [("id", pa.string()), ("duplicate_of", pa.string()), ("cluster", pa.string()), ("kind", pa.string())]
)
INPUT_SCHEMA = pa.schema([("raw_path", pa.string()), ("raw_sha256", pa.string())])


class EngineError(RuntimeError):
    """The work dir or a stage's output is not what this build expects."""


def bands_of(threshold: float) -> tuple[int, int]:
    return band_params(candidate_threshold(threshold))


def die_here(stage: str, rank: int) -> None:
    """Fault tests only: at ``KILL_AT``'s stage and rank, SIGKILL the driver (``DRIVER_PID``), then this task."""
    if os.environ.get(KILL_AT) == f"{stage}:{rank}":
        os.kill(int(os.environ.get(DRIVER_PID, os.getpid())), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)


def write_bytes(folder: DataFolder, path: str, data: bytes) -> None:
    """Write ``path`` under a temporary name, then rename it into place."""
    partial = f"{path}.partial-{os.getpid()}"
    with folder.open(partial, "wb") as handle:
        handle.write(data)
    folder.mv(partial, path)


def write_table(folder: DataFolder, path: str, table: pa.Table, **options: Any) -> None:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **(options or LZ4))
    write_bytes(folder, path, buffer.getvalue())


def read_table(folder: DataFolder, path: str, columns: list[str] | None = None) -> pa.Table:
    try:
        with folder.open(path, "rb") as handle:
            return pq.read_table(handle, columns=columns)
    except (OSError, pa.ArrowException) as error:
        raise EngineError(f"work dir: {path} cannot be read ({error}); delete the work dir to start over") from None


def read_done(folder: DataFolder, stage: str, rank: int) -> dict[str, Any]:
    path = f"{stage}/done/{rank:05d}.json"
    if not folder.isfile(path):
        raise EngineError(f"work dir: stage {stage} task {rank} did not finish (no {path}); rerun the build")
    with folder.open(path, "rt") as handle:
        return json.load(handle)


def write_done(folder: DataFolder, stage: str, rank: int, counts: dict[str, Any]) -> None:
    write_bytes(folder, f"{stage}/done/{rank:05d}.json", json.dumps(counts, sort_keys=True).encode())


class EngineStep(PipelineStep):
    """A stage of the build working on the files of one run folder."""

    type = "zh-rss-posts"

    def __init__(self, run_url: str) -> None:
        super().__init__()
        self.run_url = run_url

    @property
    def folder(self) -> DataFolder:
        return get_datafolder(self.run_url)


def _signatures(folder: DataFolder, parse_tasks: int, ids: set[str]) -> dict[str, tuple[np.ndarray, int]]:
    """Signature and shingle count of each of ``ids``, read from the sketch files."""
    found: dict[str, tuple[np.ndarray, int]] = {}
    if not ids:
        return found
    wanted = pa.array(sorted(ids), pa.string())
    for rank in range(parse_tasks):
        table = read_table(folder, f"parse/sketches/{rank:05d}.parquet", ["id", "size", "sig"])
        table = table.filter(pc.is_in(table.column("id"), value_set=wanted))
        for post_id, size, sig in zip(*(table.column(c).to_pylist() for c in ("id", "size", "sig")), strict=True):
            found[post_id] = (np.frombuffer(sig, dtype="<u4"), size)
    return found


def bucket_pairs(
    members: list[str], band: int, bands: int, rows: int, signatures: dict[str, tuple[np.ndarray, int]]
) -> list[tuple[str, str]]:
    """Candidate pairs of one LSH bucket (ids sorted), the rule of ``builders.dedup_minhash._bucket_pairs``:
    all pairs of a bucket of at most ``MAX_BUCKET`` members; a crowded one is split by the next bands' keys,
    and members agreeing on every band are joined to the first of them."""
    if len(members) <= MAX_BUCKET:
        return list(combinations(members, 2))
    next_band = band + 1
    if next_band >= bands:
        return [(members[0], other) for other in members[1:]]
    keys = band_keys(np.stack([signatures[m][0] for m in members]), next_band, rows)
    groups: dict[int, list[str]] = {}
    for member, key in zip(members, keys.tolist(), strict=True):
        groups.setdefault(key, []).append(member)
    found: list[tuple[str, str]] = []
    for group in groups.values():
        if len(group) > 1:
            found += bucket_pairs(sorted(group), next_band, bands, rows, signatures)
    return found


class MergeBand(EngineStep):
    """Stage 2, ``bands * ranges`` tasks: task (band, range) merges that band's signature files of every parse
    task for band keys in its hash range, keeps one record per exact-duplicate group in each bucket (the
    smallest id), takes the candidate pairs of each bucket and keeps those passing the near-duplicate rule."""

    name = "merge"

    def __init__(self, run_url: str, parse_tasks: int, ranges: int, threshold: float) -> None:
        super().__init__(run_url)
        self.parse_tasks = parse_tasks
        self.ranges = ranges
        self.threshold = threshold

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        folder = self.folder
        band, part = divmod(rank, self.ranges)
        bands, rows = bands_of(self.threshold)
        low, high = part * 2**64 // self.ranges, (part + 1) * 2**64 // self.ranges
        tables = []
        for task in range(self.parse_tasks):
            read_done(folder, "parse", task)
            table = read_table(folder, f"bands/{band:03d}/{task:05d}.parquet")
            keys = table.column("bkey").to_numpy()
            tables.append(table.filter(pa.array((keys >= np.uint64(low)) & (keys <= np.uint64(high - 1)))))
        table = pa.concat_tables(tables).sort_by([("bkey", "ascending"), ("xkey", "ascending"), ("id", "ascending")])
        bkeys = table.column("bkey").to_numpy()
        xkeys = np.array(table.column("xkey").to_pylist(), dtype=object)
        first = np.r_[True, (bkeys[1:] != bkeys[:-1]) | (xkeys[1:] != xkeys[:-1])] if len(bkeys) else np.empty(0, bool)
        table = table.filter(pa.array(first)).sort_by([("bkey", "ascending"), ("id", "ascending")])
        bkeys = table.column("bkey").to_numpy()
        ids = table.column("id").to_pylist()
        starts = np.flatnonzero(np.r_[True, bkeys[1:] != bkeys[:-1]]) if len(bkeys) else np.empty(0, np.int64)
        sizes = np.diff(np.r_[starts, len(bkeys)])
        buckets = [ids[s : s + n] for s, n in zip(starts.tolist(), sizes.tolist(), strict=True) if n > 1]
        crowded = {m for bucket in buckets if len(bucket) > MAX_BUCKET for m in bucket}
        signatures = _signatures(folder, self.parse_tasks, crowded)
        candidates: set[tuple[str, str]] = set()
        for bucket in buckets:
            candidates.update(bucket_pairs(bucket, band, bands, rows, signatures))
        self.stat_update("candidates", value=len(candidates))
        signatures.update(
            _signatures(folder, self.parse_tasks, {m for pair in candidates for m in pair} - set(signatures))
        )
        pairs = sorted(candidates)
        kept: list[tuple[str, str]] = []
        if pairs:
            left = np.stack([signatures[a][0] for a, _ in pairs])
            right = np.stack([signatures[b][0] for _, b in pairs])
            jaccard = (left == right).mean(axis=1)
            size_a = np.array([signatures[a][1] for a, _ in pairs])
            size_b = np.array([signatures[b][1] for _, b in pairs])
            near = is_near_duplicate(jaccard, size_a, size_b, self.threshold)
            kept = [pair for pair, keep in zip(pairs, near.tolist(), strict=True) if keep]
        self.stat_update("pairs", value=len(kept))
        write_table(
            folder,
            f"pairs/{rank:05d}.parquet",
            pa.table({"a": [a for a, _ in kept], "b": [b for _, b in kept]}, PAIR_SCHEMA),
        )
        die_here(self.name, rank)
        write_done(folder, "merge", rank, {"band": band, "range": part, "pairs": len(kept)})
        return
        yield


class Components(EngineStep):
    """Stage 3, one task: exact groups and near pairs joined (union-find) into clusters, the canonical member
    chosen by ``builders.dedup.DuplicateFinder``'s rule (earliest date, then smallest id: it depends only on
    the cluster's members); the marks of clustered records and the dedup figures are written."""

    name = "components"

    def __init__(self, run_url: str, parse_tasks: int, merge_tasks: int, threshold: float) -> None:
        super().__init__(run_url)
        self.parse_tasks = parse_tasks
        self.merge_tasks = merge_tasks
        self.threshold = threshold

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        folder = self.folder
        parts = []
        for task in range(self.parse_tasks):
            expected = read_done(folder, "parse", task)["sketches"]
            table = read_table(folder, f"parse/sketches/{task:05d}.parquet", ["id", "time", "key"])
            if table.num_rows != expected:
                raise EngineError(
                    f"work dir: parse task {task} wrote {table.num_rows} sketches, its sidecar says {expected}"
                )
            parts.append(table)
        table = pa.concat_tables(parts).sort_by("id")
        ids = table.column("id").to_pylist()
        finder = DuplicateFinder(self.threshold)
        from builders.dedup.features import DedupFeatures

        for post_id, time, key in zip(
            ids, table.column("time").to_pylist(), table.column("key").to_pylist(), strict=True
        ):
            published = None if time == NO_DATE else EPOCH + timedelta(microseconds=time)
            finder.add_features(post_id, published, DedupFeatures(key, None))
        order = np.array(ids, dtype=object)
        pairs: list[tuple[int, int]] = []
        for task in range(self.merge_tasks):
            read_done(folder, "merge", task)
            found = read_table(folder, f"pairs/{task:05d}.parquet")
            a = np.searchsorted(order, np.array(found.column("a").to_pylist(), dtype=object))
            b = np.searchsorted(order, np.array(found.column("b").to_pylist(), dtype=object))
            pairs += list(zip(a.tolist(), b.tolist(), strict=True))
        self.stat_update("near_pairs", value=len(pairs))
        marks = finder.resolve(near_pairs=sorted(set(pairs)))
        stats = finder.stats
        del finder
        clustered = sorted(
            (post_id, mark) for post_id, mark in marks.items() if mark.is_duplicate or mark.near_dup_cluster != post_id
        )
        mark_table = pa.table(
            {
                "id": [p for p, _ in clustered],
                "duplicate_of": [m.duplicate_of for _, m in clustered],
                "cluster": [m.near_dup_cluster for _, m in clustered],
                "kind": [m.kind for _, m in clustered],
            },
            MARK_SCHEMA,
        )
        write_table(folder, "components/marks.parquet", mark_table)
        write_bytes(folder, "components/stats.json", json.dumps(stats.__dict__, sort_keys=True).encode())
        self.stat_update("clustered", value=len(clustered))
        die_here(self.name, rank)
        write_done(folder, "components", rank, {"marks": len(clustered)})
        return
        yield
