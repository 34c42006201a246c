"""煎蛋: a translated piece ends with the bare address of the article it translates."""

from __future__ import annotations

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.rules import bare_url


@register
class JandanCleaner(Cleaner):
    name = "jandan"
    sources = frozenset({"煎蛋"})

    # Rule source_url: a last paragraph that is one bare URL is the original article's address.
    def tidy(self, paragraphs: list[str], found: Found) -> list[str]:
        if paragraphs:
            url = bare_url(paragraphs[-1])
            if url is not None:
                found.set_url(url)
                return paragraphs[:-1]
        return paragraphs
