"""The dataset folder's README.md: Hub YAML metadata (configs, dataset_info) + the rendered card.

``DATASET_CARD.md`` (repository root, shipped in the package) is the human-written card. Between the
markers ``<!-- build:NAME -->`` and ``<!-- /build:NAME -->`` the build fills in figures from this build,
so a rebuild changes those blocks and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from datasets import DatasetInfo, SplitDict, SplitInfo

from builders.configs import config_name
from builders.dedup import dedup_markdown
from builders.identity import SPLITS
from builders.version import DATASET_VERSION
from schemas.features import FEATURES

if TYPE_CHECKING:
    from builders.build import BuildSummary

BLOCK = re.compile(r"(<!-- build:(?P<name>[a-z_]+) -->\n).*?(\n<!-- /build:(?P=name) -->)", re.DOTALL)
NOT_DUPLICATE = ["is_duplicate", "==", False]


def card_template() -> str:
    return resources.files("builders").joinpath("DATASET_CARD.md").read_text(encoding="utf-8")


def config_filters(summary: BuildSummary) -> dict[str, tuple[list[list[Any]] | None, Callable[[str, bool], bool]]]:
    """Every config: its parquet filters, and the same rule as a predicate over (category, is_duplicate)."""
    configs: dict[str, tuple[list[list[Any]] | None, Callable[[str, bool], bool]]] = {
        "default": ([NOT_DUPLICATE], lambda category, duplicate: not duplicate),
        "all": (None, lambda category, duplicate: True),
    }
    for category in sorted(summary.per_category):
        configs[config_name(category)] = (
            [["category", "==", category], NOT_DUPLICATE],
            lambda cat, duplicate, wanted=category: cat == wanted and not duplicate,
        )
    return configs


def yaml_header(summary: BuildSummary) -> dict[str, Any]:
    """The card's YAML metadata block, as a dict."""
    configs = []
    infos = []
    for name, (filters, keep) in config_filters(summary).items():
        sizes = {
            split: [
                sum(c[i] for (cat, s, dup), c in summary.cells.items() if s == split and keep(cat, dup)) for i in (0, 1)
            ]
            for split in SPLITS
        }
        # A split with no rows under this config is left out: `datasets` cannot load an empty split.
        present = [split for split in SPLITS if sizes[split][0] > 0]
        entry: dict[str, Any] = {
            "config_name": name,
            "data_files": [{"split": split, "path": f"data/{split}-*.parquet"} for split in present],
            "version": DATASET_VERSION,
        }
        if name == "default":
            entry["default"] = True
        if filters is not None:
            entry["filters"] = filters
        configs.append(entry)
        splits = SplitDict()
        for split in present:
            splits.add(SplitInfo(name=split, num_bytes=sizes[split][1], num_examples=sizes[split][0]))
        info = DatasetInfo(
            features=FEATURES, splits=splits, config_name=name, dataset_size=sum(s.num_bytes for s in splits.values())
        )
        infos.append(info._to_yaml_dict())
    return {
        "pretty_name": "zh-rss-posts",
        "language": ["zh"],
        "license": "other",
        "license_name": "third-party-texts",
        "license_details": "Texts belong to their publishers; see the card's Licensing section.",
        "multilinguality": "monolingual",
        "task_categories": ["text-generation", "text-classification"],
        "size_categories": [size_category(summary.records)],
        "tags": ["chinese", "news", "rss", "finance", "social-media"],
        "configs": configs,
        "dataset_info": infos,
    }


def size_category(rows: int) -> str:
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if rows < bound:
            return label
    return "1M<n<10M"


def figures(summary: BuildSummary) -> dict[str, str]:
    """Markdown for each build block of the card."""
    per_category = "\n".join(
        f"| {category} | `{config_name(category)}` | {count} |"
        for category, count in sorted(summary.per_category.items())
    )
    splits = " / ".join(f"{split} {summary.per_split.get(split, 0)}" for split in SPLITS)
    return {
        "counts": (
            f"- records: **{summary.records}** ({summary.duplicates} marked duplicate)\n"
            f"- splits: {splits}\n"
            f"- quarantined files: {len(summary.quarantined)}; ignored non-posts: {len(summary.ignored)}\n\n"
            "| category | config | records |\n|---|---|---|\n" + per_category
        ),
        "dedup": dedup_markdown(summary.dedup, summary.exact_duplicates, summary.near_duplicates),
    }


def render_card(template: str, blocks: dict[str, str]) -> str:
    """Fill every build block the template has; blocks this build has no figures for are left as they are."""
    return BLOCK.sub(
        lambda m: m.group(1) + blocks.get(m.group("name"), m.group(0)[len(m.group(1)) : -len(m.group(3))]) + m.group(3),
        template,
    )


class _NoAliasDumper(yaml.SafeDumper):
    """Writes repeated values out in full: the Hub's YAML reader should not need anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_card(folder: Path, summary: BuildSummary) -> None:
    header = yaml.dump(yaml_header(summary), Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=1000)
    body = render_card(card_template(), figures(summary))
    (folder / "README.md").write_text(f"---\n{header}---\n\n{body}", encoding="utf-8")
