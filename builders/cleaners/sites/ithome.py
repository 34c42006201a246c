"""IT之家: the `s_tag` topic links stay as words; the 广告声明 (ad disclosure) footer goes."""

from __future__ import annotations

import re

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found

# Rule ad_disclosure: "广告声明：文内含有的对外跳转链接……IT之家所有文章均包含本声明。"
AD_DISCLOSURE = re.compile(r"^广告声明\s*[:：]")


@register
class IthomeCleaner(Cleaner):
    name = "ithome"
    sources = frozenset({"IT 之家", "IT之家"})

    def tidy(self, paragraphs: list[str], found: Found) -> list[str]:
        return [p for p in paragraphs if not AD_DISCLOSURE.match(p)]
