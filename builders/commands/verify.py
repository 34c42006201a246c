"""``zh-rss-posts verify [DIR]``: recompute a build's checksums and figures against its MANIFEST.json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builders.commands.arguments import add_dataset_argument


def run(args: argparse.Namespace) -> int:
    from builders.release.verify import verify

    if args.rebuild and not args.raw:
        print("error: --rebuild needs --raw RAW", file=sys.stderr)
        return 2
    report = verify(
        Path(args.dir),
        version=args.version,
        raw=Path(args.raw) if args.raw else None,
        against=Path(args.against) if args.against else None,
        rebuild=args.rebuild,
    )
    print(report.format(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def add_command(commands: argparse._SubParsersAction) -> None:
    verify_parser = commands.add_parser(
        "verify", help="recompute a build's checksums and figures against MANIFEST.json"
    )
    add_dataset_argument(verify_parser)
    verify_parser.add_argument("--version", help="fail unless the build is this dataset version (X.Y.Z)")
    verify_parser.add_argument("--raw", help="also recompute the input fingerprint from this raw root")
    verify_parser.add_argument(
        "--against", metavar="OLD", help="the previous release's folder: no released record may change split"
    )
    verify_parser.add_argument(
        "--rebuild", action="store_true", help="with --raw: rebuild in a temporary folder and compare fingerprints"
    )
    verify_parser.set_defaults(run=run)
