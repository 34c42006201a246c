"""``zh-rss-posts publish [DIR] --repo ORG/NAME``: upload a recorded release to the Hub as one commit, tag it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builders.commands.arguments import add_dataset_argument


def run(args: argparse.Namespace) -> int:
    from builders.release.history import checkout_history
    from builders.release.hub import plan_publish, publish

    history = Path(args.history) if args.history else checkout_history()
    plan = plan_publish(Path(args.dir), args.repo, history)
    print(plan.format())
    if plan.problems:
        return 1
    if args.dry_run:
        print("dry run: nothing sent")
        return 0
    try:
        oid = publish(plan, private=args.private)
    except Exception as error:  # network, auth, existing tag: report, never a traceback
        print(f"error: publishing failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"published {plan.version} as {plan.tag} (commit {oid}), recorded in {plan.history}")
    return 0


def add_command(commands: argparse._SubParsersAction) -> None:
    hub = commands.add_parser("publish", help="upload a recorded release to the Hugging Face Hub and tag it vX.Y.Z")
    add_dataset_argument(hub)
    hub.add_argument("--repo", required=True, help="dataset repository on the Hub, e.g. ORG/zh-rss-posts")
    hub.add_argument("--dry-run", action="store_true", help="print the plan only (no network)")
    hub.add_argument("--private", action="store_true", help="create the repository private if it does not exist")
    hub.add_argument(
        "--history", help="the project's releases.json, where the commit is recorded (default: the checkout's)"
    )
    hub.add_argument("--releases", dest="history", help=argparse.SUPPRESS)
    hub.set_defaults(run=run)
