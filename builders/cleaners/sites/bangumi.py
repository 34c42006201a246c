"""Bangumi 放送列表: a cover image and a list of where-to-watch links; no prose of its own."""

from __future__ import annotations

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import Element, first, text_of


@register
class BangumiCleaner(Cleaner):
    name = "bangumi"
    sources = frozenset({"Bangumi"})

    # Rule platform_links: a list whose items are only links (番组计划, 哔哩哔哩 ...) is navigation.
    def skip(self, tag: Element, found: Found) -> bool:
        if tag.tag not in ("ul", "ol"):
            return False
        items = [child for child in tag if child.tag == "li"]
        return bool(items) and all(_only_a_link(item) for item in items)


def _only_a_link(item: Element) -> bool:
    link = first(item, "a")
    return link is not None and text_of(item, strip=True) == text_of(link, strip=True)
