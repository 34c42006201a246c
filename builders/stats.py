"""``zh-rss-posts stats [DIR]``: the figures of a build, computed from its shards and quarantine list.

Writes ``DIR/stats/stats.json`` (machine-readable, sorted, no wall-clock time: a rebuild of the same input
gives the same bytes) and the PNG plots drawn from it (see ``builders.plots``). The build runs it before
the card is written, and the card takes its numbers from ``stats.json``.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from builders.cli import add_dataset_argument, not_a_build
from builders.configs import config_name
from builders.identity import SPLITS
from builders.version import DATASET_VERSION

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
)


def shard_paths(folder: Path) -> list[tuple[str, Path]]:
    """(split, path) of every parquet shard of a build, in a fixed order."""
    shards = []
    for path in sorted((folder / "data").glob("*.parquet")):
        split = path.name.split("-", 1)[0]
        if split in SPLITS:
            shards.append((split, path))
    return shards


def read_rows(folder: Path) -> list[dict[str, Any]]:
    """The columns the statistics need (never the text), each row tagged with its split."""
    rows: list[dict[str, Any]] = []
    for split, path in shard_paths(folder):
        for row in pq.read_table(path, columns=list(COLUMNS)).to_pylist():
            row["split"] = split
            rows.append(row)
    return rows


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


def nearest_rank(sorted_values: list[int], q: float) -> int:
    """The q-th percentile by the nearest-rank method: always a value that occurs in the data."""
    if not sorted_values:
        return 0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def length_summary(lengths: list[int]) -> dict[str, int]:
    values = sorted(lengths)
    summary = {"count": len(values), "min": values[0] if values else 0, "max": values[-1] if values else 0}
    summary.update({f"p{q}": nearest_rank(values, q) for q in PERCENTILES})
    return summary


def ranked(counter: Counter[Any]) -> list[tuple[Any, int]]:
    """Most frequent first, ties in key order: the same input always ranks the same way."""
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def compute_stats(rows: list[dict[str, Any]], quarantine: Counter[str]) -> dict[str, Any]:
    """Every figure the card and the plots show, as plain JSON-ready values."""
    per_category: Counter[str] = Counter(r["category"] for r in rows)
    duplicates_per_category: Counter[str] = Counter(r["category"] for r in rows if r["is_duplicate"])
    per_source: Counter[tuple[str, str]] = Counter((r["category"], r["source"]) for r in rows)
    per_feed: Counter[tuple[str, str, str]] = Counter((r["category"], r["source"], r["feed"]) for r in rows)
    per_month: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["published_at"] is not None:
            per_month[r["published_at"].strftime("%Y-%m")][r["category"]] += 1
    dated = sorted(r["published_at"] for r in rows if r["published_at"] is not None)
    lengths: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if not r["empty_body"]:
            lengths[r["category"]].append(r["char_count"])
    cluster_sizes = Counter(r["near_dup_cluster"] for r in rows)
    return {
        "version": DATASET_VERSION,
        "records": len(rows),
        "splits": {split: sum(r["split"] == split for r in rows) for split in SPLITS},
        "categories": [
            {
                "category": category,
                "config": config_name(category),
                "records": count,
                "duplicates": duplicates_per_category[category],
            }
            for category, count in ranked(per_category)
        ],
        "sources": [{"category": c, "source": s, "records": n} for (c, s), n in ranked(per_source)],
        "feeds": [{"category": c, "source": s, "feed": f, "records": n} for (c, s, f), n in ranked(per_feed)],
        "dates": {
            "kinds": dict(sorted(Counter(r["date_kind"] for r in rows).items())),
            "first": dated[0].strftime("%Y-%m-%d") if dated else None,
            "last": dated[-1].strftime("%Y-%m-%d") if dated else None,
            "per_month": {month: dict(sorted(per_month[month].items())) for month in sorted(per_month)},
        },
        "length": {
            "unit": "Unicode code points of `text`, empty bodies left out",
            "all": length_summary([n for values in lengths.values() for n in values]),
            "per_category": {category: length_summary(lengths[category]) for category in sorted(lengths)},
        },
        "flags": {
            "empty_body": sum(bool(r["empty_body"]) for r in rows),
            "truncated": sum(bool(r["truncated"]) for r in rows),
        },
        "cleaners": dict(ranked(Counter(r["cleaner"] for r in rows))),
        "duplicates": {
            "records": sum(bool(r["is_duplicate"]) for r in rows),
            "clusters_with_copies": sum(1 for size in cluster_sizes.values() if size > 1),
            "per_category": dict(sorted(duplicates_per_category.items())),
        },
        "quarantine": {"files": sum(quarantine.values()), "reasons": dict(ranked(quarantine))},
    }


def write_stats(folder: Path) -> dict[str, Any]:
    """Compute the build's statistics, write ``stats/stats.json`` and the plots; return the statistics."""
    from builders.plots import write_plots

    stats = compute_stats(read_rows(folder), read_quarantine(folder))
    out = folder / STATS_DIR
    out.mkdir(exist_ok=True)
    stats["plots"] = write_plots(stats, out)
    (out / STATS_FILE).write_text(json.dumps(stats, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")
    return stats


def load_stats(folder: Path) -> dict[str, Any] | None:
    path = folder / STATS_DIR / STATS_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not_a_build(folder):
        return 2
    stats = write_stats(folder)
    print(f"{stats['records']} records; statistics and {len(stats['plots'])} plot(s) in {folder / STATS_DIR}")
    return 0


def add_command(commands: argparse._SubParsersAction) -> None:
    stats = commands.add_parser("stats", help="write statistics and plots of a built dataset into DIR/stats/")
    add_dataset_argument(stats)
    stats.set_defaults(run=run)
