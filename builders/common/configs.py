"""Dataset configs: `default`, `all`, `topics` and one per top-level category, each an ASCII name selected by
filters; `topics` also selects columns (`id`, `text`, `label`, the label a ClassLabel over the topic names)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from typing import Any

CATEGORY_CONFIG_NAMES: dict[str, str] = {
    "金融": "finance",
    "社交媒体": "social_media",
    "新媒体": "new_media",
    "学习": "learning",
    "游戏": "games",
    "编程": "programming",
    "博客": "blogs",
    "图片": "pictures",
    "二次元": "anime",
    "科技": "technology",
    "新闻": "news",
    "设计": "design",
    "生活": "lifestyle",
}
TOPICS_CONFIG = "topics"
TOPICS_COLUMNS: tuple[str, ...] = ("id", "text", "label")
#: Configs that load some columns only (every other config loads every column).
CONFIG_COLUMNS: dict[str, tuple[str, ...]] = {TOPICS_CONFIG: TOPICS_COLUMNS}
RESERVED = frozenset({"default", "all", TOPICS_CONFIG})
NOT_DUPLICATE = ["is_duplicate", "==", False]
# A config: its parquet filters (None: every row), and the same rule as a predicate over (category, is_duplicate).
ConfigRule = tuple[list[list[Any]] | None, Callable[[str, bool], bool]]


def config_name(category: str) -> str:
    """ASCII config name of a category: a known name, an ASCII slug, or a stable hash-based one."""
    if category in CATEGORY_CONFIG_NAMES:
        return CATEGORY_CONFIG_NAMES[category]
    slug = re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")
    if slug and slug.isascii() and slug not in RESERVED and slug not in CATEGORY_CONFIG_NAMES.values():
        return slug
    return "category_" + hashlib.sha256(category.encode("utf-8")).hexdigest()[:8]


def config_filters(categories: Iterable[str]) -> dict[str, ConfigRule]:
    """Every config of a build with these categories: ``default``, ``all``, ``topics`` (the default config's rows,
    ``TOPICS_COLUMNS`` only), then one per category."""
    configs: dict[str, ConfigRule] = {
        "default": ([NOT_DUPLICATE], lambda category, duplicate: not duplicate),
        "all": (None, lambda category, duplicate: True),
        TOPICS_CONFIG: ([NOT_DUPLICATE], lambda category, duplicate: not duplicate),
    }
    for category in sorted(set(categories)):
        configs[config_name(category)] = (
            [["category", "==", category], NOT_DUPLICATE],
            lambda cat, duplicate, wanted=category: cat == wanted and not duplicate,
        )
    return configs
