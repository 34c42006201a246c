"""``zh-rss-posts stats [DIR]``: the figures of a build, computed from its shards and quarantine list.

Writes ``DIR/stats/stats.json`` (machine-readable, sorted, no wall-clock time: a rebuild of the same input
gives the same bytes) and the PNG plots drawn from it (see ``builders.describe.plots``). The build runs it before
the card is written, and the card takes its numbers from ``stats.json``.

The figures are computed columnar (polars), one shard at a time, from the few columns they need: memory
stays flat whatever the size of the build, and no Python object is made per row.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from builders.common.configs import config_name
from builders.common.dataset import DATASET_VERSION
from builders.common.identity import SPLITS
from builders.describe.cleaning import read_cleaning
from schemas.record import PII_PLACEHOLDERS

STATS_DIR = "stats"
STATS_FILE = "stats.json"
PERCENTILES: tuple[int, ...] = (5, 10, 25, 50, 75, 90, 95, 99)
COLUMNS: tuple[str, ...] = (
    "category",
    "source",
    "feed",
    "published_at",
    "date_kind",
    "char_count",
    "empty_body",
    "truncated",
    "is_duplicate",
    "near_dup_cluster",
    "cleaner",
    "script",
    "language",
    "pii_masked",
)


def shard_paths(folder: Path) -> list[tuple[str, Path]]:
    """(split, path) of every parquet shard of a build, in a fixed order."""
    shards = []
    for path in sorted((folder / "data").glob("*.parquet")):
        split = path.name.split("-", 1)[0]
        if split in SPLITS:
            shards.append((split, path))
    return shards


@dataclass
class Tallies:
    """What the statistics need from the shards, aggregated shard by shard: counts per group, not rows.

    Group keys keep the shards' values (a null key is ``None``), so ``compute_stats`` ranks them exactly as
    the per-row definition would. Only lengths and cluster sizes stay columnar until the end: percentiles
    need every length, and a near-duplicate cluster may span shards.
    """

    records: int = 0
    splits: Counter[str] = field(default_factory=Counter)
    per_feed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    duplicates_per_category: Counter[str] = field(default_factory=Counter)
    per_month: dict[tuple[int, int], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    first: datetime | None = None
    last: datetime | None = None
    date_kinds: Counter[str] = field(default_factory=Counter)
    cleaners: Counter[str] = field(default_factory=Counter)
    empty_body: int = 0
    truncated: int = 0
    duplicates: int = 0
    lengths: list[pl.DataFrame] = field(default_factory=list)
    clusters: list[pl.DataFrame] = field(default_factory=list)
    language_script: Counter[tuple[str, str]] = field(default_factory=Counter)
    pii_records: int = 0
    pii_items: int = 0
    # PII category (email, phone, ...) -> [records with a placeholder of it, placeholders]
    pii_per_category: dict[str, list[int]] = field(default_factory=lambda: {c: [0, 0] for c in PII_PLACEHOLDERS})

    def add_pii_texts(self, texts: pl.Series) -> None:
        """Count the placeholders of each PII category in the texts of records with ``pii_masked > 0``."""
        for category, placeholder in PII_PLACEHOLDERS.items():
            found = texts.str.count_matches(placeholder, literal=True)
            self.pii_per_category[category][0] += int((found > 0).sum())
            self.pii_per_category[category][1] += int(found.sum())

    def add(self, split: str, shard: pl.DataFrame) -> None:
        """Fold one shard (the ``COLUMNS`` of its rows) into the tallies."""
        self.records += shard.height
        self.splits[split] += shard.height
        self.per_feed.update(_counts(shard, ["category", "source", "feed"]))
        self.duplicates_per_category.update(_counts(shard.filter(pl.col("is_duplicate")), ["category"]))
        dated = shard.filter(pl.col("published_at").is_not_null())
        months = dated.select(
            pl.col("published_at").dt.year().alias("year"), pl.col("published_at").dt.month().alias("month"), "category"
        )
        for (year, month, category), count in _counts(months, ["year", "month", "category"]).items():
            self.per_month[(year, month)][category] += count
        if dated.height:
            first, last = dated["published_at"].min(), dated["published_at"].max()
            self.first = first if self.first is None else min(self.first, first)
            self.last = last if self.last is None else max(self.last, last)
        self.date_kinds.update(_counts(shard, ["date_kind"]))
        self.cleaners.update(_counts(shard, ["cleaner"]))
        self.empty_body += int(shard["empty_body"].sum())
        self.truncated += int(shard["truncated"].sum())
        self.duplicates += int(shard["is_duplicate"].sum())
        self.lengths.append(shard.filter(pl.col("empty_body").fill_null(False).not_()).select("category", "char_count"))
        self.clusters.append(shard.group_by("near_dup_cluster").len())
        self.language_script.update(_counts(shard, ["language", "script"]))
        self.pii_records += int((shard["pii_masked"] > 0).sum())
        self.pii_items += int(shard["pii_masked"].sum())

    def length_frame(self) -> pl.DataFrame:
        """(category, char_count) of every non-empty body, sorted by length."""
        if not self.lengths:
            return pl.DataFrame(schema={"category": pl.String, "char_count": pl.Int64})
        return pl.concat(self.lengths).sort("char_count")

    def clusters_with_copies(self) -> int:
        if not self.clusters:
            return 0
        sizes = pl.concat(self.clusters).group_by("near_dup_cluster").agg(pl.col("len").sum())
        return sizes.filter(pl.col("len") > 1).height


def _key(values: tuple[Any, ...]) -> Any:
    return values[0] if len(values) == 1 else values


def _counts(frame: pl.DataFrame, keys: list[str]) -> Counter[Any]:
    """Rows per distinct value of ``keys`` (one key: the value; several: a tuple), nulls as ``None``."""
    counted = frame.group_by(keys).len()
    return Counter({_key(row[:-1]): row[-1] for row in counted.iter_rows()})


def tally_shards(folder: Path) -> Tallies:
    """Read the columns the statistics need, one shard at a time, into ``Tallies``; the text only of the records
    that had PII masked (to count the placeholders per category)."""
    tallies = Tallies()
    for split, path in shard_paths(folder):
        shard = pl.read_parquet(path, columns=list(COLUMNS))
        tallies.add(split, shard)
        if shard["pii_masked"].sum():
            masked = pl.scan_parquet(path).filter(pl.col("pii_masked") > 0).select("text").collect()
            tallies.add_pii_texts(masked["text"])
    return tallies


def read_quarantine(folder: Path) -> Counter[str]:
    """Quarantine reasons of the build; unreadable lines count as ``unreadable_report_line``."""
    reasons: Counter[str] = Counter()
    report = folder / "quarantine.jsonl"
    if not report.is_file():
        return reasons
    for line in report.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            reasons[str(json.loads(line)["reason"])] += 1
        except (ValueError, KeyError, TypeError):
            reasons["unreadable_report_line"] += 1
    return reasons


def nearest_rank(sorted_values: Sequence[int], q: float) -> int:
    """The q-th percentile by the nearest-rank method: always a value that occurs in the data."""
    if len(sorted_values) == 0:
        return 0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return int(sorted_values[rank - 1])


def length_summary(sorted_values: Sequence[int]) -> dict[str, int]:
    """Count, min, max and nearest-rank percentiles of lengths already sorted ascending."""
    count = len(sorted_values)
    summary = {
        "count": count,
        "min": int(sorted_values[0]) if count else 0,
        "max": int(sorted_values[-1]) if count else 0,
    }
    summary.update({f"p{q}": nearest_rank(sorted_values, q) for q in PERCENTILES})
    return summary


def ranked(counter: Counter[Any]) -> list[tuple[Any, int]]:
    """Most frequent first, ties in key order: the same input always ranks the same way."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def compute_stats(tallies: Tallies, quarantine: Counter[str]) -> dict[str, Any]:
    """Every figure the card and the plots show, as plain JSON-ready values."""
    per_category: Counter[str] = Counter()
    per_source: Counter[tuple[str, str]] = Counter()
    for (category, source, _feed), count in tallies.per_feed.items():
        per_category[category] += count
        per_source[(category, source)] += count
    per_month = {
        datetime(year, month, 1).strftime("%Y-%m"): counts for (year, month), counts in tallies.per_month.items()
    }
    per_language: Counter[str] = Counter()
    per_script: Counter[str] = Counter()
    for (language, script), count in tallies.language_script.items():
        per_language[language] += count
        per_script[script] += count
    lengths = tallies.length_frame()
    per_category_lengths = {
        category: length_summary(lengths.filter(pl.col("category") == category)["char_count"])
        for category in sorted(lengths["category"].unique().to_list())
    }
    return {
        "version": DATASET_VERSION,
        "records": tallies.records,
        "splits": {split: tallies.splits[split] for split in SPLITS},
        "categories": [
            {
                "category": category,
                "config": config_name(category),
                "records": count,
                "duplicates": tallies.duplicates_per_category[category],
            }
            for category, count in ranked(per_category)
        ],
        "sources": [{"category": c, "source": s, "records": n} for (c, s), n in ranked(per_source)],
        "feeds": [{"category": c, "source": s, "feed": f, "records": n} for (c, s, f), n in ranked(tallies.per_feed)],
        "dates": {
            "kinds": dict(sorted(tallies.date_kinds.items())),
            "first": tallies.first.strftime("%Y-%m-%d") if tallies.first else None,
            "last": tallies.last.strftime("%Y-%m-%d") if tallies.last else None,
            "per_month": {month: dict(sorted(per_month[month].items())) for month in sorted(per_month)},
        },
        "length": {
            "unit": "Unicode code points of `text`, empty bodies left out",
            "all": length_summary(lengths["char_count"]),
            "per_category": per_category_lengths,
        },
        "flags": {"empty_body": tallies.empty_body, "truncated": tallies.truncated},
        "languages": {
            "per_language": dict(ranked(per_language)),
            "per_script": dict(ranked(per_script)),
            "per_language_script": [
                {"language": language, "script": script, "records": n}
                for (language, script), n in ranked(tallies.language_script)
            ],
        },
        "pii": {
            "records": tallies.pii_records,
            "items": tallies.pii_items,
            "unit": "items: placeholders left in `text` by the masker, in the records with pii_masked > 0",
            "per_category": {
                category: {"records": records, "items": items}
                for category, (records, items) in tallies.pii_per_category.items()
            },
        },
        "cleaners": dict(ranked(tallies.cleaners)),
        "duplicates": {
            "records": tallies.duplicates,
            "clusters_with_copies": tallies.clusters_with_copies(),
            "per_category": dict(sorted(tallies.duplicates_per_category.items())),
        },
        "quarantine": {"files": sum(quarantine.values()), "reasons": dict(ranked(quarantine))},
    }


def stats_of(folder: Path) -> dict[str, Any]:
    """The statistics of a build, computed from its shards and quarantine list, and what cleaning removed
    (``stats/cleaning.json``, written by the build) under ``cleaning`` (no file written)."""
    stats = compute_stats(tally_shards(folder), read_quarantine(folder))
    stats["cleaning"] = read_cleaning(folder)
    return stats


def write_stats(folder: Path) -> dict[str, Any]:
    """Compute the build's statistics, write ``stats/stats.json`` and the plots; return the statistics."""
    from builders.describe.plots import write_plots

    stats = stats_of(folder)
    out = folder / STATS_DIR
    out.mkdir(exist_ok=True)
    stats["plots"] = write_plots(stats, out)
    (out / STATS_FILE).write_text(json.dumps(stats, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")
    return stats


def load_stats(folder: Path) -> dict[str, Any] | None:
    path = folder / STATS_DIR / STATS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
