"""Reading every row of a build's shards back: the manifest's row counts, config cells and record hashes.

Light on purpose (pyarrow, json, hashlib): the write stage runs ``scan_part`` on helper processes, which then
load neither ``datasets`` nor polars (``builders.describe.manifest`` holds the rest of the manifest).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from builders.common.configs import config_filters

SCAN_BATCH = 1000
SCAN_PART = 10  # row groups per part of a parallel scan (``builders.describe.manifest.start_scan``)


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept, datetimes as ISO strings."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def record_sha256(row: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(row).encode("utf-8")).hexdigest()


RELEASE_EVERY = 5  # batches read between two returns of Arrow's freed memory to the system


def read_batches(
    path: Path, batch_size: int, columns: list[str] | None = None, row_groups: list[int] | None = None
) -> Iterator[pa.RecordBatch]:
    """The record batches of a parquet file (of its ``row_groups`` only, when given), read in order. Arrow's
    allocator (mimalloc) keeps the pages it freed for reuse, so reading a large file batch by batch would grow
    the process by its size: every ``RELEASE_EVERY`` batches the freed pages go back (a few ms each)."""
    batches = pq.ParquetFile(path).iter_batches(batch_size=batch_size, columns=columns, row_groups=row_groups)
    for index, batch in enumerate(batches):
        if index % RELEASE_EVERY == RELEASE_EVERY - 1:
            pa.default_memory_pool().release_unused()
        yield batch


@dataclass
class ShardScan:
    """What the rows of a set of shards say, recomputed from their content."""

    rows: dict[str, int] = field(default_factory=dict)  # shard path -> rows read
    schemas: dict[str, str] = field(default_factory=dict)  # shard path -> schema fingerprint
    cells: Counter[tuple[str, str, bool]] = field(default_factory=Counter)  # (category, split, duplicate) -> rows
    record_hashes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(self.cells.values())

    @property
    def duplicates(self) -> int:
        return sum(n for (_, _, duplicate), n in self.cells.items() if duplicate)

    def per_split(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (_, split, _), n in self.cells.items():
            counts[split] += n
        return dict(sorted(counts.items()))

    def per_config(self) -> dict[str, dict[str, int]]:
        """Rows per split of every config, by the card's own config rules."""
        categories = Counter(category for category, _, _ in self.cells)
        counts: dict[str, dict[str, int]] = {}
        for name, (_, keep) in config_filters(categories).items():
            per_split: Counter[str] = Counter()
            for (category, split, duplicate), n in self.cells.items():
                if keep(category, duplicate):
                    per_split[split] += n
            counts[name] = dict(sorted(per_split.items()))
        return dict(sorted(counts.items()))


def iter_rows(path: Path, groups: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """The rows of a shard (of its row groups ``groups`` only, when given), in order."""
    for batch in read_batches(path, SCAN_BATCH, row_groups=groups):
        yield from batch.to_pylist()


def scan_part(path: Path, shard: dict[str, Any], groups: list[int]) -> ShardScan:
    """What row groups ``groups`` of one shard say (rows, config cells, record hashes)."""
    scan = ShardScan(rows={shard["path"]: 0})
    for row in iter_rows(path, groups):
        scan.rows[shard["path"]] += 1
        scan.cells[(row["category"], shard["split"], bool(row["is_duplicate"]))] += 1
        scan.record_hashes.append((row["id"], record_sha256(row)))
    return scan
