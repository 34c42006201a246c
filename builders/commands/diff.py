"""``zh-rss-posts diff OLD NEW``: records added/removed/changed, schema changes, the minimum semver bump."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    from builders.release.diff import diff_builds, format_diff

    try:
        result = diff_builds(Path(args.old), Path(args.new))
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_diff(result, limit=args.limit))
    return 1 if args.check and not result.version_ok else 0


def add_command(commands: argparse._SubParsersAction) -> None:
    diff = commands.add_parser("diff", help="compare two builds: records, schema, counts, minimum semver bump")
    diff.add_argument("old", help="the earlier build folder")
    diff.add_argument("new", help="the later build folder")
    diff.add_argument("--limit", type=int, default=50, help="records listed per section (default 50)")
    diff.add_argument("--check", action="store_true", help="exit 1 when NEW's version is not bumped enough")
    diff.set_defaults(run=run)
