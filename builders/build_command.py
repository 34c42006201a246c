"""``zh-rss-posts build``: raw posts (default: the embedded sample) -> a dataset folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = Path("dataset")


def run(args: argparse.Namespace) -> int:
    from builders.build import SAMPLE_ROOT, AgainstError, build, format_summary
    from builders.publish import PublishError

    raw = Path(args.raw) if args.raw else SAMPLE_ROOT
    if not raw.is_dir():
        print(f"error: raw root {raw} is not a folder", file=sys.stderr)
        return 2
    if not 0.0 < args.dedup_threshold <= 1.0:
        print(f"error: --dedup-threshold must be in (0, 1], got {args.dedup_threshold}", file=sys.stderr)
        return 2
    try:
        summary = build(
            raw,
            Path(args.out),
            workers=args.workers,
            dedup_threshold=args.dedup_threshold,
            against=Path(args.against) if args.against else None,
        )
    except (PublishError, AgainstError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_summary(summary))
    print(f"dataset written to {Path(args.out).resolve()}")
    if args.strict and summary.quarantined:
        print(f"error: --strict and {len(summary.quarantined)} file(s) quarantined", file=sys.stderr)
        return 1
    return 0


def add_command(commands: argparse._SubParsersAction) -> None:
    build = commands.add_parser("build", help="build a raw corpus (default: the embedded sample) into a dataset")
    build.add_argument("raw", nargs="?", help="raw root: a Hexo site, its source/_posts, or a folder of posts")
    build.add_argument("--out", default=str(DEFAULT_OUT), help="dataset folder (default: dataset/)")
    build.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    build.add_argument(
        "--dedup-threshold",
        type=float,
        default=0.8,
        help="Jaccard (and containment) threshold for near duplicates, in (0, 1] (default: 0.8)",
    )
    build.add_argument("--strict", action="store_true", help="fail when any file is quarantined")
    build.add_argument(
        "--against",
        metavar="OLD",
        help="the previous release's folder: its split ledger keeps every released record in its split",
    )
    build.set_defaults(run=run)
