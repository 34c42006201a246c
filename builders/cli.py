"""The ``zh-rss-posts`` command line: each subcommand is registered by the module that implements it."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

# Modules that define `add_command(commands: argparse._SubParsersAction) -> None`.
COMMAND_MODULES: tuple[str, ...] = (
    "builders.build_command",
    "builders.validate",
    "builders.verify",
    "builders.diff",
    "builders.release",
    "builders.hub",
    "builders.stats",
)


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


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="zh-rss-posts", description="Build, check and release the zh-rss-posts dataset."
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_command(commands)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
