"""``zh-rss-posts validate``: load a built dataset and hold every row to the pandera models."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandera.errors
import pandera.polars as pa
import polars as pl
import pyarrow.parquet as pq
from datasets import ClassLabel, Features

from builders.common.configs import CONFIG_COLUMNS, TOPICS_CONFIG
from builders.release.verify import readme_header
from schemas.features import FEATURES, topics_features
from schemas.frames import PostBody, PostMetadata
from schemas.regex_checks import nfc_suspects

MODELS = (PostMetadata, PostBody)


@dataclass(frozen=True)
class Violation:
    model: str
    check: str
    column: str | None
    failures: int
    examples: list[str]


ALL_CONFIG = "all"


class PublishedSchemaError(ValueError):
    """What ``load_dataset`` would see differs from ``schemas.features.FEATURES`` (or cannot be read)."""


def card_header(folder: Path) -> dict[str, Any]:
    """The YAML header of the dataset card; ``PublishedSchemaError`` when there is none."""
    header = readme_header(folder)
    if header is None:
        raise PublishedSchemaError("README.md is missing or has no YAML header")
    return header


def all_config_shards(folder: Path, header: dict[str, Any]) -> list[Path]:
    """The parquet files of the card's ``all`` config, split by split in the card's order, each split's
    pattern resolved the way ``load_dataset`` resolves a local glob (sorted)."""
    configs = {config.get("config_name"): config for config in header.get("configs", [])}
    config = configs.get(ALL_CONFIG)
    if config is None:
        raise PublishedSchemaError(f"README.md has no {ALL_CONFIG!r} config")
    if config.get("filters"):
        raise PublishedSchemaError(f"the {ALL_CONFIG!r} config filters rows: it must hold every row")
    shards: list[Path] = []
    for entry in config.get("data_files", []):
        patterns = entry["path"] if isinstance(entry["path"], list) else [entry["path"]]
        for pattern in patterns:
            shards.extend(sorted(folder.glob(pattern)))
    return shards


def published_schema_problems(folder: Path, header: dict[str, Any], shards: list[Path]) -> list[str]:
    """Cheap stand-in for ``load_dataset``'s typing: every shard's Arrow schema (and the Features stored in
    its metadata) and the card's ``dataset_info`` features of every config must equal ``FEATURES``.
    (``verify`` checks the shards against the manifest; this checks both against the code.)"""
    problems: list[str] = []
    expected = FEATURES.arrow_schema.remove_metadata()
    for path in shards:
        schema = pq.read_schema(path)
        name = path.relative_to(folder).as_posix()
        if not schema.remove_metadata().equals(expected):
            problems.append(f"shard {name} has Arrow schema {schema.remove_metadata()}, FEATURES say {expected}")
        elif Features.from_arrow_schema(schema) != FEATURES:
            problems.append(f"shard {name} stores other Features in its metadata than FEATURES")
    for info in header.get("dataset_info", []):
        name = info.get("config_name")
        declared = Features._from_yaml_list(info.get("features", []))
        if name == TOPICS_CONFIG:
            label = declared.get("label")
            names = list(label.names) if isinstance(label, ClassLabel) else []
            if declared != topics_features(names, CONFIG_COLUMNS[name]):
                problems.append(
                    f"README dataset_info features of config {name} are not FEATURES' {list(CONFIG_COLUMNS[name])} "
                    "with `label` a ClassLabel"
                )
        elif declared != FEATURES:
            problems.append(f"README dataset_info features of config {name} differ from FEATURES")
    configs = {config.get("config_name"): config for config in header.get("configs", [])}
    for name, columns in CONFIG_COLUMNS.items():
        if name in configs and configs[name].get("columns") != list(columns):
            problems.append(f"README config {name} loads columns {configs[name].get('columns')}, not {list(columns)}")
    return problems


def label_names_of(header: dict[str, Any]) -> list[str] | None:
    """The `topics` config's ClassLabel names as the card declares them (None: the card has no topics config)."""
    for info in header.get("dataset_info", []):
        if info.get("config_name") == TOPICS_CONFIG:
            label = Features._from_yaml_list(info.get("features", [])).get("label")
            return list(label.names) if isinstance(label, ClassLabel) else []
    return None


def label_violations(frame: pl.DataFrame, names: list[str], max_examples: int = 3) -> list[Violation]:
    """Every row's `label` names its `category` in the card's ClassLabel ``names`` (duplicates included)."""
    named = frame.select(
        "category",
        "label",
        pl.col("label")
        .replace_strict(list(range(len(names))), names, default=None, return_dtype=pl.String)
        .alias("name"),
    )
    wrong = named.filter(pl.col("name").is_null() | (pl.col("name") != pl.col("category")))
    if wrong.is_empty():
        return []
    examples = [
        f"label {label} ({name}) for category {category}"
        for category, label, name in wrong.head(max_examples).iter_rows()
    ]
    return [Violation("topics", "label_names_category", "label", wrong.height, examples)]


def load_frame(folder: Path) -> pl.DataFrame:
    """Every row of the build (the card's ``all`` config, every split, in order) as one polars frame, read
    straight from the parquet shards after checking that ``load_dataset`` would type them as ``FEATURES``.
    Raises ``PublishedSchemaError`` when it would not."""
    header = card_header(folder)
    shards = all_config_shards(folder, header)
    problems = published_schema_problems(folder, header, shards)
    if problems:
        raise PublishedSchemaError("; ".join(problems))
    if not shards:
        empty = pl.from_arrow(FEATURES.arrow_schema.empty_table())
        assert isinstance(empty, pl.DataFrame)
        return empty
    return pl.read_parquet([str(path) for path in shards])


BODY_SLICES = 4  # PostBody's rules are row by row: it runs on row slices in parallel (a fixed count: same report)


def _failure_cases(model: type[pa.DataFrameModel], frame: pl.DataFrame) -> pl.DataFrame | None:
    try:
        model.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        return errors.failure_cases
    return None


def _rule_order(model: type[pa.DataFrameModel]) -> dict[str, int]:
    """Each check's rank in the model's table of rules (column checks, then dataframe checks)."""
    schema = model.to_schema()
    names = [check.name for column in schema.columns.values() for check in column.checks]
    names += [check.name for check in schema.checks]
    return {name: rank for rank, name in reversed(list(enumerate(names)))}


def check_frame(frame: pl.DataFrame, max_examples: int = 3, label_names: list[str] | None = None) -> list[Violation]:
    """Run both models with data-level checks (eager frames: pandera checks data, not only the schema).

    ``PostMetadata`` (it holds uniqueness rules) sees the whole frame; ``PostBody``, whose rules hold row by row,
    runs on ``BODY_SLICES`` row slices. The runs go in parallel threads (polars releases the GIL); failure
    cases are joined in row order, so counts and examples are those of one run over the whole frame. With
    ``label_names`` (the card's topics ClassLabel), every row's `label` must name its `category` there."""
    nfc_suspects()  # built once, before the threads
    body = frame.select(list(PostBody.to_schema().columns))
    size = -(-frame.height // BODY_SLICES) or 1
    jobs: list[tuple[type[pa.DataFrameModel], pl.DataFrame]] = [(PostMetadata, frame)]
    jobs += [(PostBody, body.slice(offset, size)) for offset in range(0, max(body.height, 1), size)]
    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
        results = list(pool.map(lambda job: _failure_cases(*job), jobs))
    violations: list[Violation] = []
    for model in MODELS:
        found = [cases for (job_model, _), cases in zip(jobs, results, strict=True) if job_model is model]
        found = [cases for cases in found if cases is not None]
        if not found:
            continue
        order = _rule_order(model)
        found_here: list[Violation] = []
        for key, group in pl.concat(found, how="diagonal_relaxed").group_by(["check", "column"], maintain_order=True):
            check, column = key
            examples = [str(v)[:160] for v in group["failure_case"].head(max_examples).to_list()]
            found_here.append(Violation(model.__name__, str(check), column, group.height, examples))
        violations += sorted(found_here, key=lambda v: order.get(v.check, -1))
    if label_names is not None:
        violations += label_violations(frame, label_names, max_examples)
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
