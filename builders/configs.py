"""Dataset configs: `default` and one per top-level category, each an ASCII name selected by filters."""

from __future__ import annotations

import hashlib
import re

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
RESERVED = frozenset({"default", "all"})


def config_name(category: str) -> str:
    """ASCII config name of a category: a known name, an ASCII slug, or a stable hash-based one."""
    if category in CATEGORY_CONFIG_NAMES:
        return CATEGORY_CONFIG_NAMES[category]
    slug = re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")
    if slug and slug.isascii() and slug not in RESERVED and slug not in CATEGORY_CONFIG_NAMES.values():
        return slug
    return "category_" + hashlib.sha256(category.encode("utf-8")).hexdigest()[:8]
