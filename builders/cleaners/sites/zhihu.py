"""知乎: 知乎日报 answer headers (avatar, name, bio, original link, discussion link) and 知乎热榜 `X的回答`."""

from __future__ import annotations

import re

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import NOT_TEXT_CONTAINERS, Element, text_of

# Rule answer_header (知乎日报): avatar and bio dropped, the answerer's name to byline, originUrl to url;
# the "查看知乎讨论" footer, the empty image placeholder and the question title (it is the post title) dropped.
# (Reposted under another feed, its link labels and header line go by the generic lift_zhihu_answer_header.)
DROPPED_CLASSES = frozenset({"avatar", "bio", "view-more", "img-place-holder", "question-title"})
NAME_TRAIL = "，,：: \u3000"
# Rule answerer_line (知乎热榜): the first line `晨风的回答` names the answerer.
ANSWERER_LINE = re.compile(r"^(.{1,40}?)\s*的回答$")


@register
class ZhihuCleaner(Cleaner):
    name = "zhihu"
    sources = frozenset({"知乎"})

    def skip(self, tag: Element, found: Found) -> bool:
        classes = self.classes(tag)
        if not classes:
            return False
        if "originUrl" in classes:
            found.set_url(str(tag.get("href") or ""))
            return True
        if "author" in classes:
            name = text_of(tag).strip(NAME_TRAIL)
            if name and found.byline is None:
                found.byline = name
            return True
        return bool(classes & DROPPED_CLASSES)

    # Rule question_text (知乎日报): the question written straight into `div.question` is the post's
    # title (reworded), not the answer: its bare text is dropped before the walk reads it.
    def visit(self, tag: Element, found: Found) -> None:
        if tag.tag == "div" and "question" in self.classes(tag):
            if any(ancestor.tag in NOT_TEXT_CONTAINERS for ancestor in tag.iterancestors()):
                return  # its strings are annotation text, not the question
            if tag.text and tag.text.strip():
                tag.text = None
            for child in tag:
                if child.tail and child.tail.strip():
                    child.tail = None

    def tidy(self, paragraphs: list[str], found: Found) -> list[str]:
        if paragraphs:
            answerer = ANSWERER_LINE.match(paragraphs[0])
            if answerer:
                if found.byline is None:
                    found.byline = answerer.group(1)
                return paragraphs[1:]
        return paragraphs
