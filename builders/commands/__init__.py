"""The ``zh-rss-posts`` command line: one module per subcommand (argparse, printing, exit codes).

The library never imports this package. Each subcommand module defines ``add_command(commands)``, which
registers its parser and the function that runs it; a subcommand imports its library only when it runs,
so ``--help`` stays light.
"""

from __future__ import annotations

import argparse
import importlib

# The subcommands, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = ("build", "validate", "verify", "diff", "release", "publish", "stats")


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="zh-rss-posts", description="Build, check and release the zh-rss-posts dataset."
    )
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}").add_command(commands)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))
