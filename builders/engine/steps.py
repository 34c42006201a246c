"""The build's stages as datatrove pipeline steps: one small class per stage, one ``run`` each.

Each step reads and writes files of one run folder of the work dir (a local path or an fsspec URL, opened
through datatrove's ``DataFolder``); see ``builders.engine`` for the layout. A task writes every output
under a temporary name and renames it, then writes its ``done`` sidecar (counts of what it wrote): a task
that dies mid-write leaves no sidecar and no completion marker, and the rerun redoes it. Readers check the
sidecars, so a half-written run is an error with a message, never data.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import signal
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from datatrove.io import DataFolder, get_datafolder
from datatrove.pipeline.base import PipelineStep

from builders.common.quarantine import Ignored, Reason, Rejection
from builders.common.summary import BuildSummary, DedupStats, Routing
from builders.dedup.finder import EPOCH, NO_DATE, DuplicateFinder, DuplicateMark, time_key
from builders.dedup.lsh import band_keys, band_keys_of, band_pairs, band_params, candidate_threshold, near_codes
from builders.dedup.minhash import NUM_PERM
from builders.describe.changelog import HISTORY_NAME
from builders.describe.cleaning import CleaningTally, write_audit, write_cleaning
from builders.describe.folder import describe_folder
from builders.pipeline.discover import RawFile
from builders.write.atomic import staging_folder
from builders.write.invariants import hold_to_rules
from builders.write.ledger import LEDGER_NAME, merged, previous_ledger, route, write_ledger
from builders.write.shards import ARROW_SCHEMA, rows_to_table
from builders.write.splits import SplitRouter
from builders.write.topics import label_names, previous_label_names, with_labels

BATCH = 500
LZ4: dict[str, Any] = {"compression": "lz4", "use_dictionary": False}
KILL_AT = "ZH_ENGINE_KILL_AT"  # "stage:rank": the task SIGKILLs its own process mid-write (fault tests only)
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


def _die_here(stage: str, rank: int) -> None:
    if os.environ.get(KILL_AT) == f"{stage}:{rank}":
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


class ParseFiles(EngineStep):
    """Stage 1, ``tasks`` tasks: task r takes the r-th contiguous slice of the sorted file list, runs the
    per-file step with per-file isolation (``builders.workers``, always in worker processes: a file that
    hangs or kills its process is its own ``timeout`` / ``worker_died`` rejection), using the outcome cache,
    and writes records, rejections, inputs, dedup sketches and per-band signatures."""

    name = "parse"

    def __init__(
        self, run_url: str, processes: int, threshold: float, cache_dir: str | None, soft_limit: float | None = None
    ) -> None:
        super().__init__(run_url)
        self.processes = processes
        self.threshold = threshold
        self.cache_dir = cache_dir
        self.soft_limit = soft_limit

    def _slice(self, rank: int, world_size: int) -> list[RawFile]:
        table = read_table(self.folder, "input/files.parquet")
        count = table.num_rows
        rows = table.slice(rank * count // world_size, (rank + 1) * count // world_size - rank * count // world_size)
        return [
            RawFile(
                r["raw_path"],
                os.fsdecode(r["path"]),
                Reason(r["problem"]) if r["problem"] else None,
                r["problem_message"],
            )
            for r in rows.to_pylist()
        ]

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        from builders.describe.manifest import raw_file_sha256
        from builders.engine import cache
        from builders.pipeline.pool import Budget
        from builders.pipeline.read import read_raw
        from builders.pipeline.step import process_all

        folder = self.folder
        items = self._slice(rank, world_size)
        outcomes: list[Any] = [None] * len(items)
        shas: dict[int, str] = {}
        cache_dir = Path(self.cache_dir) if self.cache_dir else None
        if cache_dir is not None:
            keys: dict[int, str] = {}
            for index, item in enumerate(items):
                if item.problem is None:
                    try:
                        shas[index] = hashlib.sha256(read_raw(item.path)).hexdigest()
                    except Exception:  # unreadable, too large, not a file: the per-file step says why
                        continue
                    keys[index] = cache.entry_key(item.raw_path, shas[index])
            found = cache.lookup(cache_dir, set(keys.values()))
            for message in found.messages:
                self.stat_update("cache_corrupt")
                print(f"warning: {message}")
            self.stat_update("cache_stale", value=found.stale)
            for index, key in keys.items():
                if key in found.hits:
                    outcomes[index] = found.hits[key]
        todo = [index for index, outcome in enumerate(outcomes) if outcome is None]
        self.stat_update("cache_hits", value=len(items) - len(todo))
        self.stat_update("cache_misses", value=len(todo))
        budget = Budget() if self.soft_limit is None else Budget(self.soft_limit, max(self.soft_limit * 3, 5.0))
        new_entries = []
        with self.track_time("file"):
            for index, result in zip(
                todo, process_all([items[i] for i in todo], self.processes, budget, isolated=True), strict=True
            ):
                if isinstance(result, Rejection):
                    outcome: Any = result
                    sha = shas.get(index)
                else:
                    outcome = (result.row, result.features, result.cleaning, result.samples)
                    sha = result.row["raw_sha256"]
                outcomes[index] = outcome
                if cache_dir is not None and sha is not None and cache.cacheable(outcome):
                    new_entries.append((cache.entry_key(items[index].raw_path, sha), outcome))
        if cache_dir is not None:
            cache.write_segment(cache_dir, new_entries)

        records: list[dict[str, Any]] = []
        audits: list[tuple[str, dict[str, dict[str, int]], dict[str, list[str]]]] = []  # raw_path, counts, samples
        sketches: list[dict[str, Any]] = []
        rejections: list[bytes] = []
        inputs: list[tuple[str, str]] = []
        for item, outcome in zip(items, outcomes, strict=True):
            if isinstance(outcome, Rejection):
                sha = raw_file_sha256(item.path)
                inputs.append((outcome.raw_path, sha))
                line = {**outcome.to_json_dict(), "raw_sha256": sha}
                rejections.append(json.dumps(line, ensure_ascii=False, sort_keys=True).encode() + b"\n")
                self.stat_update("rejections")
                continue
            row, features, cleaning, samples = outcome
            inputs.append((item.raw_path, row["raw_sha256"]))
            records.append(row)
            audits.append((row["raw_path"], cleaning, samples))
            sketch = features.sketch
            sketches.append(
                {
                    "id": row["id"],
                    "time": time_key(row["published_at"]),
                    "key": features.key,
                    "size": sketch.shingles if sketch else None,
                    "sig": sketch.hashvalues if sketch else None,
                }
            )
            self.stat_update("records")
        self.stat_update("files", value=len(items))
        # Invariants at build time: a record that breaks a pandera rule is quarantined here, never published.
        records_table, broken = hold_to_rules(rows_to_table(records)) if records else (ARROW_SCHEMA.empty_table(), [])
        if broken:
            shas_of = {row["raw_path"]: row["raw_sha256"] for row in records}
            for rejection in broken:
                line = {**rejection.to_json_dict(), "raw_sha256": shas_of[rejection.raw_path]}
                rejections.append(json.dumps(line, ensure_ascii=False, sort_keys=True).encode() + b"\n")
            failed = {rejection.raw_path for rejection in broken}
            kept_ids = {row["id"] for row in records if row["raw_path"] not in failed}
            sketches = [sketch for sketch in sketches if sketch["id"] in kept_ids]
            audits = [audit for audit in audits if audit[0] not in failed]
            self.stat_update("rejections", value=len(broken))
            self.stat_update("records", value=-len(broken))

        name = f"{rank:05d}"
        write_table(folder, f"parse/records/{name}.parquet", records_table)
        _die_here(self.name, rank)
        write_bytes(folder, f"parse/rejections/{name}.jsonl", b"".join(rejections))
        tally = CleaningTally()
        for raw_path, counts, samples in audits:
            tally.add(counts, {rule: [[raw_path, text] for text in texts] for rule, texts in samples.items()})
        write_bytes(folder, f"parse/cleaning/{name}.json", json.dumps(tally.as_json(), sort_keys=True).encode())
        inputs_table = pa.table(
            {"raw_path": [p for p, _ in inputs], "raw_sha256": [s for _, s in inputs]}, INPUT_SCHEMA
        )
        write_table(folder, f"parse/inputs/{name}.parquet", inputs_table)
        sketch_table = pa.Table.from_pylist(sketches, schema=SKETCH_SCHEMA).sort_by("id")
        write_table(folder, f"parse/sketches/{name}.parquet", sketch_table)
        with_sig = sketch_table.filter(pc.is_valid(sketch_table.column("sig")))
        bands, rows = bands_of(self.threshold)
        signatures = np.frombuffer(
            b"".join(with_sig.column("sig").to_pylist()) if with_sig.num_rows else b"", dtype="<u4"
        ).reshape(-1, NUM_PERM)
        for band in range(bands):
            table = pa.table(
                {
                    "bkey": band_keys(signatures, band, rows),
                    "xkey": with_sig.column("key"),
                    "id": with_sig.column("id"),
                },
                schema=BAND_SCHEMA,
            ).sort_by([("bkey", "ascending"), ("id", "ascending")])
            write_table(folder, f"bands/{band:03d}/{name}.parquet", table)
        write_done(
            folder,
            "parse",
            rank,
            {
                "files": len(items),
                "records": records_table.num_rows,
                "rejections": len(rejections),
                "sketches": len(sketches),
                "cache_hits": len(items) - len(todo),
                "cache_misses": len(todo),
            },
        )
        return
        yield


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
        _die_here(self.name, rank)
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
        _die_here(self.name, rank)
        write_done(folder, "components", rank, {"marks": len(clustered)})
        return
        yield


class WriteDataset(EngineStep):
    """Stage 4, one task, on the machine holding the output: marks joined back to the records (read in
    the file list's order), split routing, shards, quarantine, stats, card, croissant and manifest, written
    into a staging folder published atomically (``builders.publish``)."""

    name = "write"

    def __init__(
        self,
        run_url: str,
        parse_tasks: int,
        out_dir: str,
        threshold: float,
        against: str | None = None,
        audit: str | None = None,
    ) -> None:
        super().__init__(run_url)
        self.parse_tasks = parse_tasks
        self.out_dir = out_dir
        self.threshold = threshold
        self.against = against
        self.audit = audit
        self.summary: Any = None

    def _splits(
        self, marks: dict[str, DuplicateMark], old_ledger: dict[str, str]
    ) -> tuple[dict[str, str], Routing, set[str]]:
        """Every record's split, routed by the previous release's ledger (a released record keeps its split), and
        the build's categories (the topic labels)."""
        clusters: dict[str, str] = {}
        categories: set[str] = set()
        for task in range(self.parse_tasks):
            table = read_table(self.folder, f"parse/records/{task:05d}.parquet", ["id", "category"])
            categories.update(table.column("category").to_pylist())
            for post_id in table.column("id").to_pylist():
                mark = marks.get(post_id)
                clusters[post_id] = mark.near_dup_cluster if mark else post_id
        split_by_id, routing = route(clusters, old_ledger)
        return split_by_id, routing, categories

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        folder = self.folder
        read_done(folder, "components", 0)
        with folder.open("input/ignored.jsonl", "rt") as handle:
            ignored = [Ignored(**json.loads(line)) for line in handle if line.strip()]
        files = read_table(folder, "input/files.parquet", ["raw_path"]).num_rows
        marks = {
            row["id"]: DuplicateMark(row["duplicate_of"] is not None, row["duplicate_of"], row["cluster"], row["kind"])
            for row in read_table(folder, "components/marks.parquet").to_pylist()
        }
        with folder.open("components/stats.json", "rt") as handle:
            stats = DedupStats(**json.load(handle))
        against = Path(self.against) if self.against else None
        old_ledger, against_identity = previous_ledger(against)
        summary = BuildSummary(
            files_seen=files + len(ignored), ignored=ignored, against=against_identity, dedup_threshold=self.threshold
        )
        summary.dedup = stats
        split_by_id, summary.routing, categories = self._splits(marks, old_ledger)
        summary.label_names = label_names(categories, previous=previous_label_names(against))
        with staging_folder(Path(self.out_dir)) as work:
            data_dir = work / "data"
            data_dir.mkdir()
            router = SplitRouter(data_dir, summary)
            for task in range(self.parse_tasks):
                done = read_done(folder, "parse", task)
                with folder.open(f"parse/rejections/{task:05d}.jsonl", "rt", encoding="utf-8") as handle:
                    for line in handle:
                        row = json.loads(line)
                        summary.quarantined.append(
                            Rejection(row["raw_path"], Reason(row["reason"]), row["message"], row["snippet"])
                        )
                inputs = read_table(folder, f"parse/inputs/{task:05d}.parquet")
                summary.input_files += zip(
                    inputs.column("raw_path").to_pylist(), inputs.column("raw_sha256").to_pylist(), strict=True
                )
                seen = 0
                with folder.open(f"parse/records/{task:05d}.parquet", "rb") as handle:
                    for record_batch in pq.ParquetFile(handle).iter_batches(batch_size=BATCH):
                        seen += record_batch.num_rows
                        ids = record_batch.column("id").to_pylist()
                        marked = [marks.get(i) or DuplicateMark(False, None, i) for i in ids]
                        table = with_labels(pa.Table.from_batches([record_batch]), summary.label_names)
                        router.write(table, marked, [split_by_id[i] for i in ids])
                if seen != done["records"]:
                    raise EngineError(
                        f"work dir: parse task {task} holds {seen} records, its sidecar says {done['records']}"
                    )
            del marks
            pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed pages: the card needs none
            router.close()
            tally = CleaningTally()  # tasks in order: the first samples of each rule are the build's first
            for task in range(self.parse_tasks):
                with folder.open(f"parse/cleaning/{task:05d}.json", "rt") as handle:
                    part = json.load(handle)
                tally.add(part["counts"], part["samples"])
            summary.cleaning = tally.as_json()["counts"]
            write_cleaning(work, summary.cleaning)
            if self.audit:
                write_audit(Path(self.audit), tally.samples)
            write_ledger(work / LEDGER_NAME, merged(old_ledger, split_by_id))
            del split_by_id, old_ledger
            if against is not None and (against / HISTORY_NAME).is_file():
                shutil.copyfile(against / HISTORY_NAME, work / HISTORY_NAME)  # the history travels with the data
            describe_folder(work, summary)
        self.stat_update("records", value=summary.records)
        self.summary = summary
        return
        yield
