"""Everything that describes a written build, in the order each needs the last: the shards' checksums, the
quarantine report, stats and plots, the card, Croissant, and MANIFEST.json (which checksums them all)."""

from __future__ import annotations

import json
from multiprocessing.pool import Pool
from pathlib import Path

from builders.common.summary import BuildSummary
from builders.describe.card import write_card
from builders.describe.croissant import write_croissant
from builders.describe.manifest import describe_shards, start_scan, write_manifest
from builders.describe.stats import write_stats

QUARANTINE_FILE = "quarantine.jsonl"


def write_quarantine(folder: Path, summary: BuildSummary) -> None:
    """One JSON line per quarantined file, sorted by raw_path."""
    with (folder / QUARANTINE_FILE).open("w", encoding="utf-8") as report:
        for rejection in sorted(summary.quarantined, key=lambda r: r.raw_path):
            report.write(json.dumps(rejection.to_json_dict(), ensure_ascii=False, sort_keys=True) + "\n")


def describe_folder(folder: Path, summary: BuildSummary, pool: Pool | None = None) -> None:
    """Describe the build in ``folder`` (its shards closed and listed in ``summary.shards``). With a ``pool``, the
    manifest's scan of every row runs on its processes while this one writes the stats, plots and card."""
    summary.shard_files = describe_shards(folder, summary.shards)
    scan = start_scan(folder, summary.shard_files, pool)
    write_quarantine(folder, summary)
    write_stats(folder)
    write_card(folder, summary)
    write_croissant(folder)
    write_manifest(folder, summary, scan())
