"""``zh-rss-posts validate [DIR]``: load a build and hold every row to the pandera models."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from builders.commands.arguments import add_dataset_argument, not_a_build


def run(args: argparse.Namespace) -> int:
    from builders.release.validate import (
        PublishedSchemaError,
        card_header,
        check_frame,
        format_violations,
        label_names_of,
        load_frame,
    )

    folder = Path(args.dir)
    if not_a_build(folder):
        return 2
    try:
        frame = load_frame(folder)
        names = label_names_of(card_header(folder))
    except PublishedSchemaError as error:
        print(f"FAILED: {folder} is not published as FEATURES: {error}", file=sys.stderr)
        return 1
    violations = check_frame(frame, label_names=names)
    print(format_violations(violations, frame.height))
    return 1 if violations else 0


def add_command(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser("validate", help="check a built dataset against the pandera models")
    add_dataset_argument(validate)
    validate.set_defaults(run=run)
