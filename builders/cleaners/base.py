"""The cleaner interface: one pass over the parsed HTML tree turns a body into text and typed fields.

A site cleaner is a small subclass of ``Cleaner`` that names the feeds it serves and overrides the
hooks it needs:
- ``skip(tag)``: drop this element and everything inside it (boilerplate blocks);
- ``visit(tag, found)``: look at an element on the way (lift a stock code, a URL, an editor);
- ``tidy(paragraphs, found)``: rules over the rendered paragraphs (``责任编辑：`` lines and the like).
Everything else, the walk itself, images, code blocks and whitespace, is shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import CData, Comment, Declaration, Doctype, ProcessingInstruction, Script, Stylesheet

from builders.cleaners.text import code_text, inline_text
from builders.urls import real_image

# Elements whose content is never text.
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "param",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "input",
        "button",
        "select",
        "option",
        "textarea",
        "form",
        "svg",
        "math",
        "canvas",
        "video",
        "audio",
        "source",
        "track",
        "map",
        "area",
    ]
)
# Elements that start and end a paragraph.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
CELL_TAGS = frozenset({"td", "th"})
NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction, CData, Script, Stylesheet)
CODE_LANGUAGE = re.compile(r"(?:^|\s)(?:language-|lang-)?([A-Za-z0-9_+#-]{1,20})(?:\s|$)")
IMAGE_ATTRIBUTES = ("src", "data-src", "data-original", "data-actualsrc")
# Paragraphs that are nothing but an image's stand-in or a link label.
GENERIC_NOISE_LINES = frozenset({"image", "img", "图片", "图", "查看原文", "阅读原文", "点击查看原文", "[图片]"})


@dataclass
class Found:
    """What a cleaner finds besides the text itself; fields of the record."""

    images: list[str] = field(default_factory=list)
    stock_codes: list[str] = field(default_factory=list)
    editor: str | None = None
    byline: str | None = None
    original_title: str | None = None
    attribution: str | None = None
    url: str | None = None
    truncated: bool = False

    def add_image(self, raw: str | None) -> None:
        url = real_image(raw)
        if url is not None and url not in self.images:
            self.images.append(url)

    def add_stock_code(self, code: str) -> None:
        if code not in self.stock_codes:
            self.stock_codes.append(code)


@dataclass(frozen=True)
class Cleaned:
    """A cleaned body."""

    text: str
    found: Found


class Cleaner:
    """The generic cleaner; site cleaners subclass it and override hooks."""

    name: ClassVar[str] = "generic"
    # The `source` levels (second `categories` level) this cleaner serves, and optionally only some feeds.
    sources: ClassVar[frozenset[str]] = frozenset()
    feeds: ClassVar[frozenset[str]] = frozenset()

    # --- selection ------------------------------------------------------------------------------
    @classmethod
    def serves(cls, category: str, source: str, feed: str) -> bool:
        return source in cls.sources and (not cls.feeds or feed in cls.feeds)

    # --- hooks ----------------------------------------------------------------------------------
    def skip(self, tag: Tag) -> bool:
        """True to drop ``tag`` with its whole subtree."""
        return False

    def visit(self, tag: Tag, found: Found) -> None:
        """Called for every element that is kept, before its children."""

    def tidy(self, paragraphs: list[str], found: Found) -> list[str]:
        """Paragraph-level rules of the site."""
        return paragraphs

    # --- the shared pass ------------------------------------------------------------------------
    def clean(self, body_html: str) -> Cleaned:
        soup = BeautifulSoup(body_html, "lxml")
        found = Found()
        paragraphs = self.render(soup, found)
        paragraphs = [p for p in self.tidy(paragraphs, found) if p and p not in GENERIC_NOISE_LINES]
        return Cleaned(text="\n".join(paragraphs), found=found)

    def render(self, root: Tag, found: Found) -> list[str]:
        """Walk the tree iteratively (deep nesting cannot overflow the stack) into paragraphs."""
        paragraphs: list[str] = []
        inline: list[str] = []

        def flush() -> None:
            if inline:
                text = inline_text("".join(inline))
                inline.clear()
                if text:
                    paragraphs.append(text)

        # Stack items: a node to enter, or a string marking the end of a block/cell element.
        stack: list[object] = [root]
        while stack:
            node = stack.pop()
            if node is _BLOCK_END:
                flush()
                continue
            if node is _CELL_END:
                inline.append(" ")
                continue
            if isinstance(node, NavigableString):
                if not isinstance(node, NOT_TEXT):
                    inline.append(str(node))
                continue
            if not isinstance(node, Tag):
                continue
            name = (node.name or "").lower()
            if name in SKIP_TAGS or self.skip(node):
                continue
            self.visit(node, found)
            if name == "img":
                found.add_image(next((node.get(a) for a in IMAGE_ATTRIBUTES if node.get(a)), None))  # type: ignore[arg-type]
                continue
            if name == "br":
                flush()
                continue
            if name == "pre":
                flush()
                block = self.code_block(node)
                if block:
                    paragraphs.append(block)
                continue
            if name in BLOCK_TAGS:
                flush()
                stack.append(_BLOCK_END)
            elif name in CELL_TAGS:
                stack.append(_CELL_END)
            stack.extend(reversed(node.contents))
        flush()
        return paragraphs

    @staticmethod
    def code_block(pre: Tag) -> str:
        """A ``<pre>`` as a fenced code block (```lang ... ```), its lines and indentation kept."""
        code = code_text(pre.get_text())
        if not code:
            return ""
        classes = pre.code.get("class") if pre.code is not None else pre.get("class")
        match = CODE_LANGUAGE.search(" ".join(classes or []) if isinstance(classes, list) else str(classes or ""))
        language = match.group(1).lower() if match else ""
        return f"```{language}\n{code.replace('```', 'ʼʼʼ')}\n```"


_BLOCK_END = object()
_CELL_END = object()
