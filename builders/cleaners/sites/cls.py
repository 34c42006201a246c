"""财联社 (电报 and 深度): the dateline names the editor `（编辑 X）` or the reporter `（记者 X）`."""

from __future__ import annotations

import re

from builders.cleaners import register
from builders.cleaners.base import Cleaner
from builders.cleaners.found import Found

# Rule dateline_credit: in the dateline `财联社5月2日讯（编辑 林某）` / `财联社（上海，记者 陈某）讯`; the
# dateline stays in the text (it is part of the sentence), the names are lifted.
DATELINE = re.compile(r"^(?:【[^】]{0,80}】)?财联社[^，。]{0,40}?[（(]([^）)]{1,40})[）)]")
EDITOR = re.compile(r"编辑\s*[:：]?\s*([^\s，,、）)]+(?:[ 、][^\s，,、）)]+)*)")
# Rule closing_credit: a 电报 ends with `（编辑 林晓）`; the name goes to editor, the tag out of the text.
CLOSING_CREDIT = re.compile(r"\s*[（(](编辑|记者)\s*[:：]?\s*([^（）()]{1,20})[）)]$")
REPORTER = re.compile(r"记者\s*[:：]?\s*([^\s，,、）)]+(?:[ 、][^\s，,、）)]+)*)")


@register
class ClsCleaner(Cleaner):
    name = "cls"
    sources = frozenset({"财联社"})

    def tidy(self, paragraphs: list[str], found: Found) -> list[str]:
        for paragraph in paragraphs[:2]:
            dateline = DATELINE.match(paragraph)
            if dateline:
                credit = dateline.group(1)
                editor = EDITOR.search(credit)
                reporter = REPORTER.search(credit)
                if editor and found.editor is None:
                    found.editor = editor.group(1)
                if reporter and found.byline is None:
                    found.byline = reporter.group(1)
                break
        if paragraphs:
            closing = CLOSING_CREDIT.search(paragraphs[-1])
            if closing:
                role, name = closing.group(1), closing.group(2).strip()
                if role == "编辑" and found.editor is None:
                    found.editor = name
                elif role == "记者" and found.byline is None:
                    found.byline = name
                rest = paragraphs[-1][: closing.start()]
                paragraphs = paragraphs[:-1] + ([rest] if rest else [])
        return paragraphs
