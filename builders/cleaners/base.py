"""The cleaner interface: one pass over the lxml element tree turns a body into text and typed fields.

A site cleaner is a small subclass of ``Cleaner`` that names the feeds it serves and overrides the
hooks it needs:
- ``skip(tag, found)``: drop this element and everything inside it (boilerplate blocks), possibly
  lifting what it holds into ``found`` first (an answerer's name, an original-post link);
- ``visit(tag, found)``: look at an element on the way (lift a stock code, a URL, an editor);
- ``tidy(paragraphs, found)``: rules over the rendered paragraphs (``责任编辑：`` lines and the like).
Everything else, the walk itself, images, code blocks and whitespace, is shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from builders.cleaners.audit import Audit, RuleCount, snapshot
from builders.cleaners.found import Found
from builders.cleaners.html import Element, first, parse_html, strings_and_children, text_of
from builders.cleaners.rules import GENERIC_RULES
from builders.cleaners.text import PARAGRAPH_BREAK, code_text, inline_text, mark_plain_breaks

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
        "tfoot",
        "thead",
        "tr",
        "ul",
    ]
)
# Table cells: a row is one paragraph, its cells separated by a space.
CELL_TAGS = frozenset({"td", "th"})
# Blocks that hold running text: text outside all of them (straight under the wrapper <div>) is plain text.
TEXT_BLOCK_TAGS = frozenset(
    ["p", "li", "dd", "dt", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "caption"]
)
CODE_LANGUAGE = re.compile(
    r"(?:^|[\s;])(?:language-|lang-|brush:)([A-Za-z0-9_+#-]{1,20})(?=[\s;]|$)|^([A-Za-z0-9_+#]{1,20})$"
)
IMAGE_ATTRIBUTES = ("src", "data-src", "data-original", "data-actualsrc")


# The generic rules with the names their counts go under.
NAMED_RULES = tuple((f"generic.{rule.__name__}", rule) for rule in GENERIC_RULES)


@dataclass(frozen=True)
class Cleaned:
    """A cleaned body, with what each rule did to it (see ``builders.cleaners.audit``): ``counts`` maps a rule
    name to its ``RuleCount`` (only the rules that changed this post), ``samples`` a rule name to the first
    few texts it removed or lifted (``field=value`` for a lifted field)."""

    text: str
    found: Found
    counts: dict[str, RuleCount] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)


class Cleaner:
    """The generic cleaner; site cleaners subclass it and override hooks."""

    name: ClassVar[str] = "generic"
    # Bump when the cleaner's own hooks change what they produce (the generic rules have their own versions).
    version: ClassVar[int] = 1
    # The `source` levels (second `categories` level) this cleaner serves, and optionally only some feeds.
    sources: ClassVar[frozenset[str]] = frozenset()
    feeds: ClassVar[frozenset[str]] = frozenset()

    # --- selection ------------------------------------------------------------------------------
    @classmethod
    def serves(cls, category: str, source: str, feed: str) -> bool:
        return source in cls.sources and (not cls.feeds or feed in cls.feeds)

    # --- hooks ----------------------------------------------------------------------------------
    def skip(self, tag: Element, found: Found) -> bool:
        """True to drop ``tag`` with its whole subtree (after lifting what it holds into ``found``)."""
        return False

    def visit(self, tag: Element, found: Found) -> None:
        """Called for every element that is kept, before its children."""

    def tidy(self, paragraphs: list[str], found: Found) -> list[str]:
        """Paragraph-level rules of the site."""
        return paragraphs

    @staticmethod
    def classes(tag: Element) -> frozenset[str]:
        """The element's CSS classes (empty when it has none)."""
        return frozenset((tag.get("class") or "").split())

    # --- the shared pass ------------------------------------------------------------------------
    def clean(self, body_html: str) -> Cleaned:
        root = parse_html(body_html)
        found = Found()
        audit = Audit()
        before = snapshot(found)
        paragraphs = self.render(root, found, audit) if root is not None else []
        audit.lifted(f"{self.name}.walk", before, found)
        paragraphs = audit.run(f"{self.name}.tidy", self.tidy, paragraphs, found)
        for name, rule in NAMED_RULES:
            paragraphs = audit.run(name, rule, paragraphs, found)
        text = "\n".join(p for p in paragraphs if p)
        return Cleaned(text=text, found=found, counts=audit.counts, samples=audit.samples)

    def render(self, root: Element, found: Found, audit: Audit | None = None) -> list[str]:
        """Walk the tree iteratively (deep nesting cannot overflow the stack) into paragraphs."""
        skip_rule = f"{self.name}.skip"
        paragraphs: list[str] = []
        inline: list[str] = []

        def flush() -> None:
            if inline:
                joined = "".join(inline)
                inline.clear()
                for part in joined.split(PARAGRAPH_BREAK) if PARAGRAPH_BREAK in joined else (joined,):
                    text = inline_text(part)
                    if text:
                        paragraphs.append(text)

        text_depth = 0  # how many text blocks (p, li, ...) enclose the current node

        # Stack items: an element to enter, a string (text or an element's tail, which belongs to the
        # parent and so survives when the element is skipped), or a marker ending a block/cell element.
        stack: list[object] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, str):
                inline.append(node if text_depth else mark_plain_breaks(node))
                continue
            if node is _BLOCK_END:
                flush()
                continue
            if node is _CELL_END:
                inline.append(" ")
                continue
            if node is _TEXT_BLOCK_END:
                text_depth -= 1
                continue
            element: Element = node  # type: ignore[assignment]
            name = element.tag
            if not isinstance(name, str) or name in SKIP_TAGS:
                continue  # comments and processing instructions are never text
            if self.skip(element, found):
                if audit is not None:
                    audit.dropped(skip_rule, inline_text(text_of(element)))
                continue
            self.visit(element, found)
            if name == "img":
                found.add_image(next((element.get(a) for a in IMAGE_ATTRIBUTES if element.get(a)), None))
                continue
            if name == "br":
                flush()
                continue
            if name == "pre":
                flush()
                block = self.code_block(element)
                if block:
                    paragraphs.append(block)
                continue
            if name in BLOCK_TAGS:
                flush()
                stack.append(_BLOCK_END)
            elif name in CELL_TAGS:
                stack.append(_CELL_END)
            if name in TEXT_BLOCK_TAGS:
                text_depth += 1
                stack.append(_TEXT_BLOCK_END)
            stack.extend(reversed(list(strings_and_children(element))))
        flush()
        return paragraphs

    @staticmethod
    def code_block(pre: Element) -> str:
        """A ``<pre>`` as a fenced code block (```lang ... ```), its lines and indentation kept."""
        code = code_text(text_of(pre))
        if not code:
            return ""
        code_element = first(pre, "code")
        classes = (code_element if code_element is not None else pre).get("class")
        match = CODE_LANGUAGE.search(classes or "")
        language = (match.group(1) or match.group(2)).lower() if match else ""
        return f"```{language}\n{code.replace('```', 'ʼʼʼ')}\n```"


_BLOCK_END = object()
_CELL_END = object()
_TEXT_BLOCK_END = object()
