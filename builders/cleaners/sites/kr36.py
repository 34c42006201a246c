"""36kr: 神译局 banner, 编者按 source statements, 相关阅读 link lists; project-link words stay inline."""

from __future__ import annotations

import re

from lxml import etree

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import Element, is_element

# Rule source_statement: "编者按：本文来自微信公众号“X”（ID:...），作者：Y，编辑：Z，36氪经授权发布。" (with or
# without the 编者按 label, at the start or the end) goes to attribution; 作者 to byline, 编辑 to editor.
SOURCE_STATEMENT = re.compile(
    r"^(?:编者按\s*[:：]\s*)?(本文(?:来自|来源于|转载自|经授权转载自)[^\n]{2,200}?(?:授权|发布|转载)[^\n]{0,10})$"
)
AUTHOR = re.compile(r"作者\s*[:：]\s*([^，,。；;）)]{1,30})")
EDITOR = re.compile(r"编辑\s*[:：]\s*([^，,。；;）)]{1,30})")
# Rule editor_note: an editor's note with content keeps its words, without the "编者按：" label.
EDITOR_NOTE = re.compile(r"^编者按\s*[:：]\s*")
# Rule shenyiju_banner: the 神译局 self-description.
BANNER = re.compile(r"^神译局是36氪旗下编译团队")
# Rule related_reading: the "相关阅读：" label and the 36kr article links under it.
RELATED_LABEL = re.compile(r"^(?:相关阅读|延伸阅读|推荐阅读)\s*[:：]?$")
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

    def tidy(self, paragraphs: list[str], found: Found) -> list[str]:
        kept: list[str] = []
        for paragraph in paragraphs:
            if BANNER.match(paragraph) or RELATED_LABEL.match(paragraph):
                continue
            statement = SOURCE_STATEMENT.match(paragraph)
            if statement:
                text = statement.group(1)
                found.attribution = found.attribution or text
                author, editor = AUTHOR.search(text), EDITOR.search(text)
                if author and found.byline is None:
                    found.byline = author.group(1).strip()
                if editor and found.editor is None:
                    found.editor = editor.group(1).strip()
                continue
            paragraph = EDITOR_NOTE.sub("", paragraph)
            if paragraph:
                kept.append(paragraph)
        return kept


def _contents(tag: Element) -> list[str | Element]:
    """The paragraph's strings and child nodes in order; a comment counts as its text."""
    contents: list[str | Element] = [tag.text] if tag.text else []
    for child in tag:
        contents.append(child if is_element(child) or child.tag is not etree.Comment else child.text or "")
        if child.tail:
            contents.append(child.tail)
    return contents
