"""``zh-rss-posts release [DIR]``: record a verified build as a release in the release history."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builders.commands.arguments import add_dataset_argument


def run(args: argparse.Namespace) -> int:
    from builders.release.history import CARD_PATH, RELEASES_PATH, ReleaseError, record_release

    card = CARD_PATH if args.card is None else Path(args.card) if args.card else None
    try:
        message = record_release(
            Path(args.dir),
            Path(args.releases) if args.releases else RELEASES_PATH,
            against=Path(args.against) if args.against else None,
            card_path=card,
        )
    except ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(message)
    return 0


def add_command(commands: argparse._SubParsersAction) -> None:
    release = commands.add_parser("release", help="record a verified build as a release in releases.json")
    add_dataset_argument(release)
    release.add_argument("--against", help="the previous release's build: decide the required bump by a full diff")
    release.add_argument("--releases", help="release history (default: the repository's releases.json)")
    release.add_argument("--card", help="card whose release table to update (default: DATASET_CARD.md; '' for none)")
    release.set_defaults(run=run)
