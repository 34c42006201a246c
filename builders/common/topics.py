"""The topic names of the `topics` config, in id order: committed, append-only.

A topic's integer id (its index here) is its `label` in every release: never reorder, rename or remove an
entry. A build whose data has a category missing here appends it after these (sorted, see
``builders.write.topics.label_names``); when that happens, add the category at the end of this list in the
same change that publishes it, so later builds keep its id. A vanished category keeps its name and id.

Seeded with the categories of ``builders.common.configs.CATEGORY_CONFIG_NAMES``, in that order.
"""

from __future__ import annotations

TOPIC_NAMES: tuple[str, ...] = (
    "金融",
    "社交媒体",
    "新媒体",
    "学习",
    "游戏",
    "编程",
    "博客",
    "图片",
    "二次元",
    "科技",
    "新闻",
    "设计",
    "生活",
)
