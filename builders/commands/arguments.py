"""What several subcommands share: the dataset folder argument and the check that it holds a build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_DATASET = "dataset"


def add_dataset_argument(parser: argparse.ArgumentParser) -> None:
    """The optional DIR argument of every command that reads a built dataset."""
    parser.add_argument("dir", nargs="?", default=DEFAULT_DATASET, help=f"dataset folder (default: {DEFAULT_DATASET}/)")


def not_a_build(folder: Path) -> bool:
    """True, after saying so on stderr, when ``folder`` holds no build (its MANIFEST.json is missing)."""
    if (folder / "MANIFEST.json").is_file():
        return False
    print(f"error: {folder} is not a built dataset (no MANIFEST.json); run `zh-rss-posts build` first", file=sys.stderr)
    return True
