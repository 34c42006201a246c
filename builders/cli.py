"""The ``zh-rss-posts`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = Path("dataset")


def _build(args: argparse.Namespace) -> int:
    from builders.build import SAMPLE_ROOT, build, format_summary

    raw = Path(args.raw) if args.raw else SAMPLE_ROOT
    if not raw.is_dir():
        print(f"error: raw root {raw} is not a folder", file=sys.stderr)
        return 2
    summary = build(raw, Path(args.out), workers=args.workers)
    print(format_summary(summary))
    print(f"dataset written to {Path(args.out).resolve()}")
    if args.strict and summary.quarantined:
        print(f"error: --strict and {len(summary.quarantined)} file(s) quarantined", file=sys.stderr)
        return 1
    return 0


def _validate(args: argparse.Namespace) -> int:
    from builders.validate import check_frame, format_violations, load_frame

    folder = Path(args.dir)
    if not (folder / "README.md").is_file():
        print(f"error: {folder} is not a built dataset (no README.md); run `zh-rss-posts build` first", file=sys.stderr)
        return 2
    frame = load_frame(folder)
    violations = check_frame(frame)
    print(format_violations(violations, frame.height))
    return 1 if violations else 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="zh-rss-posts", description=__doc__)
    commands = main_parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build a raw corpus (default: the embedded sample) into a dataset")
    build.add_argument("raw", nargs="?", help="raw root: a Hexo site, its source/_posts, or a folder of posts")
    build.add_argument("--out", default=str(DEFAULT_OUT), help="dataset folder (default: dataset/)")
    build.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    build.add_argument("--strict", action="store_true", help="fail when any file is quarantined")
    build.set_defaults(run=_build)

    validate = commands.add_parser("validate", help="check a built dataset against the pandera models")
    validate.add_argument("dir", nargs="?", default=str(DEFAULT_OUT))
    validate.set_defaults(run=_validate)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
