"""Phrases that must never appear in a cleaned ``text``: site boilerplate the cleaners remove.

A maintained list: when a new boilerplate phrase is found in the corpus, add it here (the body
invariants then catch any leak) and teach the cleaner of its site, or the generic cleaner, to remove it.
"""

from __future__ import annotations

BOILERPLATE_PHRASES: dict[str, tuple[str, ...]] = {
    "generic": (
        "referrerpolicy",
        "查看原文",
        "阅读原文",
    ),
    "sina": (
        "海量资讯、精准解读，尽在新浪财经APP",
        "责任编辑：",
        "原标题：",
        "新浪财经APP",
    ),
    "zhihu": (
        "查看知乎原文",
        "查看知乎讨论",
    ),
    "36kr": ("编者按：",),
}


def all_phrases() -> tuple[str, ...]:
    """Every phrase of every site, sorted, without repeats."""
    return tuple(sorted({phrase for phrases in BOILERPLATE_PHRASES.values() for phrase in phrases}))
