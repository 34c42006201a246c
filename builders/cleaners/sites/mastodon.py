"""Mastodon: link-shortening spans and image-only toots (which come out empty, flagged empty_body)."""

from __future__ import annotations

from bs4 import Tag

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found


@register
class MastodonCleaner(Cleaner):
    name = "mastodon"
    sources = frozenset({"Mastodon"})

    # Rule invisible_span: Mastodon hides parts of long links in `span.invisible` ("https://", the tail).
    def skip(self, tag: Tag, found: Found) -> bool:
        return tag.name == "span" and "invisible" in self.classes(tag)
