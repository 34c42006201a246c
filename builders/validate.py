"""``zh-rss-posts validate``: load a built dataset and hold every row to the pandera models."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pandera.errors
import polars as pl

from builders.cli import add_dataset_argument, not_a_build
from schemas.frames import PostBody, PostMetadata

MODELS = (PostMetadata, PostBody)


@dataclass(frozen=True)
class Violation:
    model: str
    check: str
    column: str | None
    failures: int
    examples: list[str]


def load_frame(folder: Path) -> pl.DataFrame:
    """Every row of the build (the `all` config, every split) as one polars frame, via ``load_dataset``."""
    from datasets import load_dataset

    dataset = load_dataset(str(folder), "all")
    tables = [dataset[split].data.table for split in dataset]
    frames = [pl.from_arrow(table) for table in tables]
    return pl.concat([f for f in frames if isinstance(f, pl.DataFrame)], how="vertical")


def check_frame(frame: pl.DataFrame, max_examples: int = 3) -> list[Violation]:
    """Run both models with data-level checks (eager frames: pandera checks data, not only the schema)."""
    violations: list[Violation] = []
    for model in MODELS:
        columns = list(model.to_schema().columns)
        try:
            model.validate(frame.select(columns) if model is PostBody else frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            cases = errors.failure_cases
            for key, group in cases.group_by(["check", "column"], maintain_order=True):
                check, column = key
                examples = [str(v)[:160] for v in group["failure_case"].head(max_examples).to_list()]
                violations.append(Violation(model.__name__, str(check), column, group.height, examples))
    return violations


def format_violations(violations: list[Violation], rows: int) -> str:
    if not violations:
        return f"OK: {rows} rows pass {', '.join(m.__name__ for m in MODELS)}"
    lines = [f"FAILED: {len(violations)} rule(s) violated over {rows} rows"]
    for v in violations[:50]:
        lines.append(f"- {v.model}.{v.check} [{v.column}]: {v.failures} failure(s)")
        lines.extend(f"    e.g. {example!r}" for example in v.examples)
    if len(violations) > 50:
        lines.append(f"... and {len(violations) - 50} more")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not_a_build(folder):
        return 2
    frame = load_frame(folder)
    violations = check_frame(frame)
    print(format_violations(violations, frame.height))
    return 1 if violations else 0


def add_command(commands: argparse._SubParsersAction) -> None:
    validate = commands.add_parser("validate", help="check a built dataset against the pandera models")
    add_dataset_argument(validate)
    validate.set_defaults(run=run)
