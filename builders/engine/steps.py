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
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datatrove.io import DataFolder, get_datafolder
from datatrove.pipeline.base import PipelineStep

from builders.dedup.finder import EPOCH, NO_DATE, DuplicateFinder
from builders.dedup.lsh import band_keys_of, band_pairs, band_params, candidate_threshold, near_codes
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


def _matrix(sig: pa.FixedSizeBinaryArray) -> np.ndarray:
    """A column of signatures as one (n, ``NUM_PERM``) uint32 matrix, a view of its data buffer."""
    if len(sig) == 0:
        return np.empty((0, NUM_PERM), dtype="<u4")
    data = np.frombuffer(sig.buffers()[1], dtype="<u4")
    return data[sig.offset * NUM_PERM : (sig.offset + len(sig)) * NUM_PERM].reshape(-1, NUM_PERM)


def _sketches(folder: DataFolder, parse_tasks: int, ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Signature matrix and shingle counts of ``ids`` (distinct), row for row: each parse task's sketch file is
    read once and only the rows asked for are kept (placed by a hash lookup of their ids, no sort)."""
    signatures = np.empty((len(ids), NUM_PERM), dtype="<u4")
    shingles = np.empty(len(ids), dtype=np.int64)
    found = np.zeros(len(ids), dtype=bool)
    for rank in range(parse_tasks):
        table = read_table(folder, f"parse/sketches/{rank:05d}.parquet", ["id", "size", "sig"]).combine_chunks()
        at = pc.fill_null(pc.index_in(table.column("id"), value_set=ids), -1).to_numpy()
        wanted = at >= 0
        rows = at[wanted]
        sig = table.column("sig").chunk(0) if table.num_rows else pa.array([], SKETCH_SCHEMA.field("sig").type)
        if found[rows].any() or sig.is_null().to_numpy(zero_copy_only=False)[wanted].any():
            raise EngineError(f"work dir: parse/sketches/{rank:05d}.parquet repeats an id or lacks a signature")
        signatures[rows] = _matrix(sig)[wanted]
        shingles[rows] = pc.fill_null(table.column("size"), 0).to_numpy()[wanted]
        found[rows] = True
    if not found.all():
        raise EngineError("work dir: the band files name records that no sketch file holds; rerun the build")
    return signatures, shingles


def _bucket_rows(table: pa.Table) -> tuple[pa.Array, np.ndarray]:
    """Ids, sorted, and band keys of the rows of a band's ``table`` that share a bucket with another, one per
    exact-duplicate group of a bucket (its smallest id): the rows of the task's search, numbered in id order."""
    table = table.sort_by("id")
    bkeys = table.column("bkey").to_numpy()
    if not len(bkeys):
        return pa.array([], pa.string()), bkeys
    xkeys = pc.dictionary_encode(table.column("xkey").combine_chunks(), null_encoding="encode").indices.to_numpy()
    order = np.lexsort((xkeys, bkeys))  # stable: the rows of an exact-duplicate group stay in id order
    by_bkey, by_xkey = bkeys[order], xkeys[order]
    first = order[np.r_[True, (by_bkey[1:] != by_bkey[:-1]) | (by_xkey[1:] != by_xkey[:-1])]]
    keys = bkeys[first]
    sizes = np.diff(np.r_[np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]), len(keys)])
    rows = np.sort(first[np.repeat(sizes > 1, sizes)])
    return table.column("id").take(rows).combine_chunks(), bkeys[rows]


class MergeBand(EngineStep):
    """Stage 2, ``bands * ranges`` tasks: task (band, range) merges that band's signature files of every parse
    task for band keys in its hash range, keeps one record per exact-duplicate group in each bucket (the
    smallest id), takes the candidate pairs of each bucket and keeps those passing the near-duplicate rule.

    The search is ``builders.dedup.lsh``'s (``band_pairs``, ``near_codes``) over integer rows: the records of
    buckets with company, numbered in id order, so that pair codes sort as the pairs of ids do; ids come
    back only for the pairs kept."""

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
            bkeys = table.column("bkey").to_numpy()
            tables.append(table.filter(pa.array((bkeys >= np.uint64(low)) & (bkeys <= np.uint64(high - 1)))))
        ids, keys = _bucket_rows(pa.concat_tables(tables))
        codes = kept = np.empty(0, np.int64)
        if len(ids):
            signatures, shingles = _sketches(folder, self.parse_tasks, ids)
            codes = band_pairs(keys, band, bands, band_keys_of(signatures, rows))
            kept = near_codes(codes, signatures, shingles, self.threshold)
        self.stat_update("candidates", value=len(codes))
        self.stat_update("pairs", value=len(kept))
        left, right = np.divmod(kept, max(len(ids), 1))
        write_table(
            folder, f"pairs/{rank:05d}.parquet", pa.table({"a": ids.take(left), "b": ids.take(right)}, PAIR_SCHEMA)
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
