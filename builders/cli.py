"""The ``zh-rss-posts`` command line: each subcommand is registered by the module that implements it."""

from __future__ import annotations

import argparse
import importlib

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
