"""Mastodon: link-shortening spans and image-only toots (which come out empty, flagged empty_body)."""

from __future__ import annotations

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import Element


@register
class MastodonCleaner(Cleaner):
    name = "mastodon"
    sources = frozenset({"Mastodon"})

    # Rule invisible_span: Mastodon hides parts of long links in `span.invisible` ("https://", the tail).
    def skip(self, tag: Element, found: Found) -> bool:
        return tag.tag == "span" and "invisible" in self.classes(tag)
