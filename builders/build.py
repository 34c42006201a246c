"""The build: raw root -> records (in parallel) -> dedup -> split shards -> card, quarantine, manifest.

Stages, in order, each streaming into the next so memory does not grow with the corpus:
1. ``discover`` lists the files (sorted by raw_path: the order never depends on the file system);
2. ``process_file`` runs on each file in worker processes, results come back in input order and are
   appended to a staging parquet file, rejections to the quarantine list; dedup keys are collected;
3. ``DuplicateFinder.resolve`` marks duplicates;
4. the staging file is streamed again, each row marked and routed to its split's shard writer;
5. the card (README.md), quarantine.jsonl and MANIFEST.json are written, and the folder is published.

Splits: with ``against`` (the previous release's folder) the records are routed by its split ledger
(``builders.ledger``: a released record never changes split); the new ledger and the release history
(``releases.json``, copied from ``against``) are written into the folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from builders.dedup import DEDUP_FEATURES, DEFAULT_THRESHOLD, DedupStats, DuplicateFinder, DuplicateMark
from builders.discover import Ignored, discover
from builders.identity import SPLITS
from builders.ledger import LEDGER_NAME, Routing, merged, read_ledger, route, write_ledger
from builders.publish import staging_folder
from builders.quarantine import Rejection
from builders.shards import ARROW_SCHEMA, SplitWriter, read_batches, row_bytes, rows_to_table
from builders.workers import process_all

STAGING_BATCH = 500
# The staging file is read once and deleted: fast compression, not small files.
STAGING_OPTIONS: dict[str, Any] = {"compression": "lz4", "use_dictionary": False}
SAMPLE_ROOT = Path(__file__).parent / "sample"


@dataclass
class BuildSummary:
    """Counts that reconcile: files seen = records + quarantined + ignored."""

    files_seen: int = 0
    records: int = 0
    ignored: list[Ignored] = field(default_factory=list)
    quarantined: list[Rejection] = field(default_factory=list)
    per_category: Counter[str] = field(default_factory=Counter)
    per_split: Counter[str] = field(default_factory=Counter)
    # (category, split, is_duplicate) -> (rows, approximate bytes): the basis of every config's split sizes
    cells: dict[tuple[str, str, bool], list[int]] = field(default_factory=dict)
    duplicates: int = 0
    exact_duplicates: Counter[str] = field(default_factory=Counter)  # per category
    near_duplicates: Counter[str] = field(default_factory=Counter)  # per category
    dedup: DedupStats | None = None
    shards: dict[str, list[str]] = field(default_factory=dict)
    # (raw_path, raw_sha256) of every post file, quarantined ones included: the manifest's input fingerprint
    input_files: list[tuple[str, str]] = field(default_factory=list)
    # per shard: path, split, sha256, bytes, rows (filled once the shards are closed; the card and manifest use it)
    shard_files: list[dict[str, Any]] = field(default_factory=list)
    routing: Routing = field(default_factory=Routing)  # how records got their splits (ledger, cluster, hash)
    against: dict[str, Any] | None = None  # the previous release built against: version, ledger sha256
    dedup_threshold: float = DEFAULT_THRESHOLD

    def count_rows(self, table: pa.Table, split: str, kinds: list[str | None]) -> None:
        """Count the rows of ``table`` (all of one split); ``kinds`` gives each row's duplicate kind."""
        categories = table.column("category").to_pylist()
        duplicates = table.column("is_duplicate").to_pylist()
        self.records += table.num_rows
        self.per_split[split] += table.num_rows
        self.per_category.update(categories)
        self.duplicates += sum(duplicates)
        for category, duplicate, size, kind in zip(
            categories, duplicates, row_bytes(table).tolist(), kinds, strict=True
        ):
            cell = self.cells.setdefault((category, split, duplicate), [0, 0])
            cell[0] += 1
            cell[1] += size
            if kind == "exact":
                self.exact_duplicates[category] += 1
            elif kind == "near":
                self.near_duplicates[category] += 1

    def reconciles(self) -> bool:
        return self.files_seen == self.records + len(self.quarantined) + len(self.ignored)


def with_marks(table: pa.Table, marks: list[DuplicateMark]) -> pa.Table:
    """``table`` with its dedup columns set from ``marks`` (one per row, in order)."""
    columns = {
        "is_duplicate": [mark.is_duplicate for mark in marks],
        "duplicate_of": [mark.duplicate_of for mark in marks],
        "near_dup_cluster": [mark.near_dup_cluster for mark in marks],
    }
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, table.schema.field(index), pa.array(values, table.schema.field(index).type))
    return table


def _progress(items: Iterable[Any], total: int, desc: str) -> Iterable[Any]:
    return tqdm(items, total=total, desc=desc, unit="file", disable=None, file=sys.stderr, dynamic_ncols=True)


HISTORY_NAME = "releases.json"


class AgainstError(ValueError):
    """``--against`` is not a previous release's folder with a split ledger."""


def previous_ledger(against: Path | None) -> tuple[dict[str, str], dict[str, Any] | None]:
    """The split ledger of the previous release (empty without one) and what identifies it."""
    from builders.ledger import LedgerError
    from builders.manifest import MANIFEST_NAME, read_manifest, sha256_file

    if against is None:
        return {}, None
    path = against / LEDGER_NAME
    if not (against / MANIFEST_NAME).is_file() or not path.is_file():
        raise AgainstError(f"--against {against}: not a build with a split ledger ({MANIFEST_NAME}, {LEDGER_NAME})")
    try:
        ledger = read_ledger(path)
    except LedgerError as error:
        raise AgainstError(f"--against {against}: {error}") from None
    identity = {"version": read_manifest(against)["dataset_version"], "ledger_sha256": sha256_file(path)}
    return ledger, identity


def build(
    raw_root: Path,
    out_dir: Path,
    workers: int | None = None,
    dedup_threshold: float = DEFAULT_THRESHOLD,
    against: Path | None = None,
) -> BuildSummary:
    """Build ``raw_root`` into the dataset folder ``out_dir``, published atomically; ``against``: the previous
    release's folder, whose split ledger routes the records and whose history the new folder carries on."""
    from builders.card import write_card
    from builders.croissant import write_croissant
    from builders.manifest import describe_shards, raw_file_sha256, write_manifest
    from builders.stats import write_stats

    workers = workers or os.cpu_count() or 1
    old_ledger, against_identity = previous_ledger(against)
    _, files, ignored = discover(raw_root)
    summary = BuildSummary(
        files_seen=len(files) + len(ignored), ignored=ignored, against=against_identity, dedup_threshold=dedup_threshold
    )
    with staging_folder(out_dir) as work:
        staging_path = work / "staging.parquet.partial"
        finder = DuplicateFinder(dedup_threshold)
        staging = pq.ParquetWriter(staging_path, ARROW_SCHEMA, **STAGING_OPTIONS)
        batch: list[dict[str, Any]] = []
        results = zip(files, process_all(files, workers), strict=True)  # one result per file, in order
        for item, result in _progress(results, len(files), "parse+clean"):
            if isinstance(result, Rejection):
                summary.quarantined.append(result)
                summary.input_files.append((result.raw_path, raw_file_sha256(item.path)))
                continue
            summary.input_files.append((item.raw_path, result["raw_sha256"]))  # the file list's string: no copy
            finder.add_features(result["id"], result["published_at"], result.pop(DEDUP_FEATURES))
            batch.append(result)
            if len(batch) >= STAGING_BATCH:
                staging.write_table(rows_to_table(batch))
                batch = []
        if batch:
            staging.write_table(rows_to_table(batch))
        staging.close()

        marks = finder.resolve()
        summary.dedup = finder.stats
        del finder  # its sketches (~520 B a post) are not needed past this point
        split_by_id, summary.routing = route({pid: mark.near_dup_cluster for pid, mark in marks.items()}, old_ledger)
        data_dir = work / "data"
        data_dir.mkdir()
        writers = {split: SplitWriter(data_dir, split) for split in SPLITS}
        for record_batch in read_batches(staging_path, STAGING_BATCH):
            marked = [marks[post_id] for post_id in record_batch.column("id").to_pylist()]
            table = with_marks(pa.Table.from_batches([record_batch]), marked)
            splits = np.array([split_by_id[post_id] for post_id in record_batch.column("id").to_pylist()])
            for split in SPLITS:
                chosen = np.flatnonzero(splits == split)
                if len(chosen):
                    part = table.take(chosen)
                    writers[split].write(part)
                    summary.count_rows(part, split, [marked[i].kind for i in chosen])
        staging_path.unlink()
        del marks
        pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed pages: the card needs none
        for split, writer in writers.items():
            summary.shards[split] = [f"data/{p.name}" for p in writer.close()]
        summary.shard_files = describe_shards(work, summary.shards)
        write_ledger(work / LEDGER_NAME, merged(old_ledger, split_by_id))
        del split_by_id, old_ledger
        if against is not None and (against / HISTORY_NAME).is_file():
            shutil.copyfile(against / HISTORY_NAME, work / HISTORY_NAME)  # the history travels with the data

        with (work / "quarantine.jsonl").open("w", encoding="utf-8") as report:
            for rejection in sorted(summary.quarantined, key=lambda r: r.raw_path):
                report.write(json.dumps(rejection.to_json_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        write_stats(work)
        write_card(work, summary)
        write_croissant(work)
        write_manifest(work, summary)
    return summary


def format_summary(summary: BuildSummary) -> str:
    """The human summary printed at the end of a build."""
    lines = [
        f"files seen:   {summary.files_seen}",
        f"records:      {summary.records} ({summary.duplicates} marked duplicate: "
        f"{summary.exact_duplicates.total()} exact, {summary.near_duplicates.total()} near)",
        f"quarantined:  {len(summary.quarantined)}",
        f"ignored:      {len(summary.ignored)}",
        "splits:       " + ", ".join(f"{s} {summary.per_split.get(s, 0)}" for s in SPLITS),
        f"split routing: {summary.routing.by_ledger} kept (ledger), {summary.routing.by_cluster} joined a released "
        f"cluster, {summary.routing.by_hash} by hash; {len(summary.routing.bridges)} bridge(s)"
        + (f" (against {summary.against['version']})" if summary.against else ""),
        "per category:",
        *(f"  {category}: {count}" for category, count in sorted(summary.per_category.items())),
    ]
    reasons = Counter(str(r.reason) for r in summary.quarantined)
    if reasons:
        lines.append("quarantine reasons:")
        lines.extend(f"  {reason}: {count}" for reason, count in sorted(reasons.items()))
    if not summary.reconciles():
        lines.append("WARNING: counts do not reconcile")
    return "\n".join(lines)
