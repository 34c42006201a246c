"""``zh-rss-posts stats [DIR]``: statistics and plots of a built dataset into ``DIR/stats/``."""

from __future__ import annotations

import argparse
from pathlib import Path

from builders.commands.arguments import add_dataset_argument, not_a_build


def run(args: argparse.Namespace) -> int:
    from builders.describe.stats import STATS_DIR, write_stats

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
