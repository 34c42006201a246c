"""新浪财经: QR/app and futures-account blocks, stock tags inside words (原标题/责任编辑 are generic rules)."""

from __future__ import annotations

import re

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import Element
from schemas.record import STOCK_CODE

# Rule qr_block: the end-of-article QR promotion and the futures-account (开户) QR block.
QR_CLASSES = frozenset({"appendQr_wrap", "appendQr_normal", "appendQr_normal_txt", "app-kaihu-qr"})
# Rule stock_tag: `<span id="stock_sz000001"><a>星河</a></span><span id="quote_sz000001"></span>乐业`.
STOCK_ID = re.compile(rf"^stock_({STOCK_CODE})$")


@register
class SinaCleaner(Cleaner):
    name = "sina"
    sources = frozenset({"新浪财经"})

    def skip(self, tag: Element, found: Found) -> bool:
        return bool(self.classes(tag) & QR_CLASSES)

    def visit(self, tag: Element, found: Found) -> None:
        if tag.tag == "span":
            match = STOCK_ID.match(str(tag.get("id") or ""))
            if match:
                found.add_stock_code(match.group(1))
