"""Text normalisation shared by every cleaner: whitespace, invisible characters, entities, NFC."""

from __future__ import annotations

import html
import re
import unicodedata

# INVISIBLE: characters that carry no text (zero-width, bidi controls and isolates, BOM, C0/C1 controls, soft
# hyphen), the one set the body invariants forbid too.
from schemas.characters import INVISIBLE

# A CJK character or full-width punctuation: a raw newline between two of these joins them without a space.
CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
NEWLINE_BETWEEN_CJK = re.compile(f"(?<=[{CJK}])[ \t]*\n[ \t\n]*(?=[{CJK}])")
SPACES = re.compile("[ \t\r\n\f\v\u00a0\u2000-\u200a\u202f\u205f]+")
ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
EDGE_SPACE = " \t\u3000\u00a0"
# Plain-text bodies (text straight under the wrapper, no <p>): a raw newline is a paragraph break only
# after sentence-final punctuation or before a list item; anywhere else it is layout and folds away.
PARAGRAPH_BREAK = "\u2029"
SENTENCE_END = "。！？!?；;：:…」』”）)】"
LIST_ITEM = r"(?:\d{1,3}[.、．)）]|[（(]\d{1,3}[）)]|[一二三四五六七八九十]{1,3}、|[-*•·●▪]\s)"
PLAIN_BREAK = re.compile(f"(?<=[{SENTENCE_END}])[ \t\u3000]*\n\\s*|[ \t\u3000]*\n\\s*(?={LIST_ITEM})")


def decode_entities(text: str) -> str:
    """Decode entities left in text (double-escaped ``&amp;#123;`` included), at most three rounds."""
    for _ in range(3):
        if "&" not in text or not ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def mark_plain_breaks(raw: str) -> str:
    """Mark the raw newlines of a plain-text run that end a paragraph (see ``PLAIN_BREAK``)."""
    return PLAIN_BREAK.sub(PARAGRAPH_BREAK, raw) if "\n" in raw else raw


def inline_text(raw: str) -> str:
    """One paragraph of running text: entities decoded, whitespace folded, invisible characters gone."""
    text = INVISIBLE.sub("", decode_entities(raw))
    if "\n" in text:  # the lookbehind scan is costly; most runs have no newline at all
        text = NEWLINE_BETWEEN_CJK.sub("", text)
    text = SPACES.sub(" ", text).strip(EDGE_SPACE + " ")
    return unicodedata.normalize("NFC", text)


def code_text(raw: str) -> str:
    """A code block: lines kept with their indentation, trailing spaces and blank-line runs removed."""
    text = INVISIBLE.sub("", decode_entities(raw).replace("\r\n", "\n").replace("\t", "    "))
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return unicodedata.normalize("NFC", text)
