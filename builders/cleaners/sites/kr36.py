"""36kr: 相关阅读 link lists go; project-link words stay inline.

The 编者按 source statement, the 编者按 label and the 神译局 banner are generic rules (``rules.py``:
``lift_source_statement``, ``strip_editor_note_label``, ``drop_column_banner``): 36kr articles are reposted
under other feeds, and those lines must go whichever cleaner serves the feed.
"""

from __future__ import annotations

import re

from lxml import etree

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import Element, is_element

# Rule related_reading: the 36kr article links under a "相关阅读：" label (the label itself is the generic
# ``drop_noise_line``'s).
INTERNAL_LINK = re.compile(r"^https?://(?:www\.)?36kr\.com/p/")


@register
class Kr36Cleaner(Cleaner):
    name = "kr36"
    sources = frozenset({"36kr"})

    def skip(self, tag: Element, found: Found) -> bool:
        if tag.tag != "p":
            return False
        # What the paragraph holds, blank strings (and blank comments) aside: exactly one <a> element.
        children = [c for c in _contents(tag) if not (isinstance(c, str) and not c.strip())]
        return (
            len(children) == 1
            and is_element(children[0])
            and children[0].tag == "a"
            and bool(INTERNAL_LINK.match(str(children[0].get("href") or "")))
        )


def _contents(tag: Element) -> list[str | Element]:
    """The paragraph's strings and child nodes in order; a comment counts as its text."""
    contents: list[str | Element] = [tag.text] if tag.text else []
    for child in tag:
        contents.append(child if is_element(child) or child.tag is not etree.Comment else child.text or "")
        if child.tail:
            contents.append(child.tail)
    return contents
