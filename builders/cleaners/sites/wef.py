"""世界经济论坛 报告: the "Download PDF" link is the report itself."""

from __future__ import annotations

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import Element, text_of


@register
class WefCleaner(Cleaner):
    name = "wef"
    sources = frozenset({"世界经济论坛"})

    # Rule report_link: the "Download PDF" anchor goes to url, its label out of the text.
    def skip(self, tag: Element, found: Found) -> bool:
        if tag.tag == "a" and text_of(tag, strip=True).lower() == "download pdf":
            found.set_url(str(tag.get("href") or ""))
            return True
        return False
