"""``zh-rss-posts release [DIR]``: record a verified build as a release, in the history the folder carries
(and in the project's ``releases.json`` when run from a checkout, or with ``--history``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builders.commands.arguments import add_dataset_argument


def run(args: argparse.Namespace) -> int:
    from builders.release.history import CARD_PATH, ReleaseError, checkout_history, record_release

    history = Path(args.history) if args.history else checkout_history()
    if args.card is not None:
        card = Path(args.card) if args.card else None
    else:  # the project card follows the project history only
        card = CARD_PATH if history is not None and history == checkout_history() else None
    try:
        message = record_release(
            Path(args.dir),
            history,
            against=Path(args.against) if args.against else None,
            card_path=card,
            note=args.note,
        )
    except ReleaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(message)
    return 0


def add_command(commands: argparse._SubParsersAction) -> None:
    release = commands.add_parser("release", help="record a verified build as a release (history in the folder)")
    add_dataset_argument(release)
    release.add_argument("--against", help="the previous release's folder: decide the bump by a full diff")
    release.add_argument(
        "--history",
        help="the project's releases.json to record the release in too (default: the checkout's, if any)",
    )
    release.add_argument("--releases", dest="history", help=argparse.SUPPRESS)
    release.add_argument(
        "--card", default=None, help="card whose changelog to update (default: the checkout's; '' for none)"
    )
    release.add_argument("--note", help="why this release, in a few words (shown in the changelog)")
    release.set_defaults(run=run)
