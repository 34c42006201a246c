"""The lxml side of cleaning: parse a body into an element tree and read strings off it.

Strings read the way the former BeautifulSoup tree read them, so the text stays byte for byte the same:
a run of ASCII whitespace alone between two nodes counts as one newline (or one space when it holds no
newline), except inside ``<pre>``/``<textarea>``; comments and processing instructions hold no text; text
in ``<script>``, ``<style>``, ``<template>`` and ruby annotations (``<rt>``, ``<rp>``) is not an
element's text (``text_of``). The tree is built from the parser's events by lxml's ``TreeBuilder``
(as BeautifulSoup built its tree from them): libxml2's own tree building drops what lies past its
nesting cap, the events do not; the element cap in ``builders.pipeline.step`` bounds the size, and every
walk here is iterative.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

Element = etree._Element

FEED_CHUNK = 512
ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
PRESERVE_WHITESPACE_TAGS = frozenset({"pre", "textarea"})
NOT_TEXT_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})


def parse_html(body_html: str) -> Element | None:
    """The body's root element (``<html>``), or None when the body holds no element at all."""
    parser = etree.HTMLParser(recover=True, target=etree.TreeBuilder(insert_comments=True, insert_pis=True))
    try:
        # Fed in 512-character chunks, as BeautifulSoup fed it, so that libxml2's push parser recovers
        # from broken markup at the same points and the tree (and text) stays the same.
        for start in range(0, len(body_html), FEED_CHUNK):
            parser.feed(body_html[start : start + FEED_CHUNK])
        return parser.close()
    except etree.XMLSyntaxError:
        return None


def normalised(text: str | None, preserve: bool = False) -> str | None:
    """A string as the tree holds it: whitespace-only runs become one newline or one space."""
    if not text or preserve or text.strip(ASCII_SPACES):
        return text or None
    return "\n" if "\n" in text else " "


def is_element(node: object) -> bool:
    """True for a real element (not a comment, processing instruction or entity)."""
    return isinstance(node, Element) and isinstance(node.tag, str)


def strings_and_children(element: Element) -> Iterator[str | Element]:
    """The element's content in order: its text, then each child followed by that child's tail."""
    text = normalised(element.text)
    if text:
        yield text
    for child in element:
        yield child
        tail = normalised(child.tail)
        if tail:
            yield tail


def strings(element: Element, strip: bool = False) -> list[str]:
    """The text strings under ``element`` in document order (its own tail aside)."""
    found: list[str] = []
    # Stack items: (element, preserve) to enter, or a plain string to take.
    stack: list[tuple[Element, bool] | str] = [(element, element.tag in PRESERVE_WHITESPACE_TAGS)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            text = item.strip() if strip else item
            if text:
                found.append(text)
            continue
        node, preserve = item
        pending: list[tuple[Element, bool] | str] = []
        text = normalised(node.text, preserve)
        if text:
            pending.append(text)
        for child in node:
            if is_element(child) and child.tag not in NOT_TEXT_CONTAINERS:
                pending.append((child, preserve or child.tag in PRESERVE_WHITESPACE_TAGS))
            tail = normalised(child.tail, preserve)
            if tail:
                pending.append(tail)
        stack.extend(reversed(pending))
    return found


def text_of(element: Element, strip: bool = False) -> str:
    """All the element's text joined (each string stripped first when ``strip``), like ``get_text``."""
    return "".join(strings(element, strip))


def first(element: Element, name: str) -> Element | None:
    """The first descendant element named ``name`` (the element itself aside)."""
    return next(element.iterdescendants(name), None)
