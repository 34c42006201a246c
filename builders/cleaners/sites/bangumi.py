"""Bangumi 放送列表: a cover image and a list of where-to-watch links; no prose of its own."""

from __future__ import annotations

from bs4 import Tag

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found


@register
class BangumiCleaner(Cleaner):
    name = "bangumi"
    sources = frozenset({"Bangumi"})

    # Rule platform_links: a list whose items are only links (番组计划, 哔哩哔哩 ...) is navigation.
    def skip(self, tag: Tag, found: Found) -> bool:
        if tag.name not in ("ul", "ol"):
            return False
        items = tag.find_all("li", recursive=False)
        return bool(items) and all(
            item.find("a") is not None and item.get_text(strip=True) == item.find("a").get_text(strip=True)
            for item in items
        )
