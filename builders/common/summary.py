"""What a build counts as data flows: the summary every later stage (card, manifest, command) reads.

Plain data only (no Arrow, no datasets), so that every room can import it without pulling anything heavy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from builders.common.quarantine import Ignored, Rejection


@dataclass(frozen=True)
class DedupStats:
    """Figures of one dedup resolve, for the summary and the card."""

    threshold: float
    records: int
    clusters: int  # clusters of two or more records
    clustered: int  # records in those clusters
    exact: int
    near: int


@dataclass
class Routing:
    """How the records of a build got their splits (the build's summary prints it, the manifest keeps it)."""

    by_ledger: int = 0  # released before: kept their split
    by_cluster: int = 0  # new, joined a cluster with released records
    by_hash: int = 0  # new cluster: hash of its canonical id
    # cluster id -> the splits its released records are in, for clusters spanning more than one split
    bridges: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "by_ledger": self.by_ledger,
            "by_cluster": self.by_cluster,
            "by_hash": self.by_hash,
            "bridges": {cluster: splits for cluster, splits in sorted(self.bridges.items())},
        }


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
    dedup_threshold: float | None = None  # the near-duplicate threshold the build ran with
    cleaning: dict[str, dict[str, int]] = field(default_factory=dict)  # rule -> posts, lines, chars, fields
    empty_bodies: int = 0  # records whose body has no text of its own (image or link only), apart from quarantine
    # the `topics` config's ClassLabel names, in id order (``builders.write.topics.label_names``)
    label_names: list[str] = field(default_factory=list)

    def count_rows(
        self,
        split: str,
        categories: Iterable[str],
        duplicates: Iterable[bool],
        sizes: Iterable[int],
        kinds: Iterable[str | None],
    ) -> None:
        """Count rows of one split: each row's category, duplicate flag, size in bytes and duplicate kind."""
        for category, duplicate, size, kind in zip(categories, duplicates, sizes, kinds, strict=True):
            self.records += 1
            self.per_split[split] += 1
            self.per_category[category] += 1
            self.duplicates += duplicate
            cell = self.cells.setdefault((category, split, duplicate), [0, 0])
            cell[0] += 1
            cell[1] += size
            if kind == "exact":
                self.exact_duplicates[category] += 1
            elif kind == "near":
                self.near_duplicates[category] += 1

    def reconciles(self) -> bool:
        return self.files_seen == self.records + len(self.quarantined) + len(self.ignored)
