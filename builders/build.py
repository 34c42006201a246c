"""The build: raw root -> records (in parallel) -> dedup -> split shards -> card, quarantine, manifest.

Stages, in order, each streaming into the next so memory does not grow with the corpus:
1. ``discover`` lists the files (sorted by raw_path: the order never depends on the file system);
2. the per-file step (``builders.pipeline.step``) runs on each file in worker processes, results come back in input order and are
   appended to a staging parquet file, rejections to the quarantine list; dedup keys are collected;
3. ``DuplicateFinder.resolve`` marks duplicates; ``label_names`` fixes the topic ids from the categories seen;
4. the staging file is streamed again, each row marked and labelled and routed to its split's shard writer;
5. the card (README.md), quarantine.jsonl and MANIFEST.json are written, and the folder is published.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from builders.common.identity import SPLITS, split_of
from builders.common.quarantine import Rejection
from builders.common.summary import BuildSummary
from builders.dedup.finder import DEFAULT_THRESHOLD, DuplicateFinder, DuplicateMark
from builders.describe.card import write_card
from builders.describe.croissant import write_croissant
from builders.describe.manifest import describe_shards, raw_file_sha256, write_manifest
from builders.describe.stats import write_stats
from builders.pipeline.discover import discover
from builders.pipeline.step import Processed, process_all
from builders.write.atomic import staging_folder
from builders.write.invariants import hold_to_rules
from builders.write.shards import ARROW_SCHEMA, SplitWriter, read_batches, row_bytes, rows_to_table
from builders.write.topics import label_names, with_labels

STAGING_BATCH = 500
# The staging file is read once and deleted: fast compression, not small files.
STAGING_OPTIONS: dict[str, Any] = {"compression": "lz4", "use_dictionary": False}
SAMPLE_ROOT = Path(__file__).parent / "sample"


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


def stage(
    batch: list[Processed],
    finder: DuplicateFinder,
    staging: pq.ParquetWriter,
    summary: BuildSummary,
    categories: set[str],
) -> None:
    """Hold a batch of records to the rules; stage those that keep them for dedup and the shards (and collect
    their categories), quarantine the others."""
    kept, rejections = hold_to_rules(rows_to_table([processed.row for processed in batch]))
    categories.update(kept.column("category").to_pylist())
    summary.quarantined.extend(rejections)
    rejected = {rejection.raw_path for rejection in rejections}
    for processed in batch:
        row = processed.row
        if row["raw_path"] not in rejected:
            finder.add_features(row["id"], row["published_at"], processed.features)
    staging.write_table(kept)


def _progress(items: Iterable[Any], total: int, desc: str) -> Iterable[Any]:
    return tqdm(items, total=total, desc=desc, unit="file", disable=None, file=sys.stderr, dynamic_ncols=True)


def build(
    raw_root: Path,
    out_dir: Path,
    workers: int | None = None,
    dedup_threshold: float = DEFAULT_THRESHOLD,
    previous_label_names: Sequence[str] | None = None,
) -> BuildSummary:
    """Build ``raw_root`` into the dataset folder ``out_dir``, published atomically.

    ``previous_label_names``: the `topics` ClassLabel names of the release this build follows (its ids are kept);
    None when no release is known."""
    workers = workers or os.cpu_count() or 1
    _, files, ignored = discover(raw_root)
    summary = BuildSummary(files_seen=len(files) + len(ignored), ignored=ignored)
    with staging_folder(out_dir) as work:
        staging_path = work / "staging.parquet.partial"
        finder = DuplicateFinder(dedup_threshold)
        staging = pq.ParquetWriter(staging_path, ARROW_SCHEMA, **STAGING_OPTIONS)
        batch: list[Processed] = []
        categories: set[str] = set()

        results = zip(files, process_all(files, workers), strict=True)  # one result per file, in order
        for item, result in _progress(results, len(files), "parse+clean"):
            if isinstance(result, Rejection):
                summary.quarantined.append(result)
                summary.input_files.append((result.raw_path, raw_file_sha256(item.path)))
                continue
            summary.input_files.append((item.raw_path, result.row["raw_sha256"]))  # the file list's string: no copy
            batch.append(result)
            if len(batch) >= STAGING_BATCH:
                stage(batch, finder, staging, summary, categories)
                batch = []
        if batch:
            stage(batch, finder, staging, summary, categories)
        staging.close()

        marks = finder.resolve()
        summary.label_names = label_names(categories, previous=previous_label_names)
        summary.dedup = finder.stats
        del finder  # its sketches (~520 B a post) are not needed past this point
        data_dir = work / "data"
        data_dir.mkdir()
        writers = {split: SplitWriter(data_dir, split) for split in SPLITS}
        for record_batch in read_batches(staging_path, STAGING_BATCH):
            marked = [marks[post_id] for post_id in record_batch.column("id").to_pylist()]
            table = with_labels(with_marks(pa.Table.from_batches([record_batch]), marked), summary.label_names)
            splits = np.array([split_of(mark.near_dup_cluster) for mark in marked])
            for split in SPLITS:
                chosen = np.flatnonzero(splits == split)
                if len(chosen):
                    part = table.take(chosen)
                    writers[split].write(part)
                    summary.count_rows(
                        split,
                        part.column("category").to_pylist(),
                        part.column("is_duplicate").to_pylist(),
                        row_bytes(part).tolist(),
                        [marked[i].kind for i in chosen],
                    )
        staging_path.unlink()
        del marks
        pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed pages: the card needs none
        for split, writer in writers.items():
            summary.shards[split] = [f"data/{p.name}" for p in writer.close()]
        summary.shard_files = describe_shards(work, summary.shards)

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
