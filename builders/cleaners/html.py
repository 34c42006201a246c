"""The lxml side of cleaning: parse a body into an element tree and read strings off it.

Strings read the way the former BeautifulSoup tree read them, so the text stays byte for byte the same:
a run of ASCII whitespace alone between two nodes counts as one newline (or one space when it holds no
newline), except inside ``<pre>``/``<textarea>``; comments and processing instructions hold no text; text
in ``<script>``, ``<style>``, ``<template>`` and ruby annotations (``<rt>``, ``<rp>``) is not an
element's text (``text_of``).

The parse never fails on a body (``parse_html``):
- first, ``<`` that starts no markup is escaped (``escape_text_brackets``): a name that is no HTML element
  (``EXPOSE <port>``, ``List<T>``) is text, and inside ``<pre>``/``<code>`` every ``<`` but the markup that
  highlighters write is code (``Map<K, V>``, ``<dependency>``, ``a<b``);
- a body with few tags is parsed by libxml2 building its own tree (fastest; its nesting cap of about 2,000
  levels cannot be reached by a body with fewer start tags than that);
- a bigger body is parsed from the parser's events by lxml's ``TreeBuilder``, which has no nesting cap (the
  element cap in ``builders.process`` bounds the size; every walk here is iterative);
- when ``TreeBuilder`` refuses a name libxml2 let through (``<div ?>``, ``<p a"b=1>``), the events go through
  ``SafeTarget``, which drops such names;
- a body that still cannot be parsed raises ``UnparsableBody``: the build quarantines it, never publishes it
  as empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from builders.common.quarantine import Reason
from schemas.markup import CODE_MARKUP_ELEMENTS, HTML_ELEMENTS, OFFICE_PREFIXES, element_alternation

Element = etree._Element

# Bump when the parse (or the escaping before it) changes the tree of some body.
PARSE_VERSION = 2
FEED_CHUNK = 512
# A body with at most this many "<" has fewer start tags, hence fewer nesting levels, than libxml2's own tree
# building keeps with huge_tree (2,046 levels: past them it silently drops the rest of the body).
FAST_PARSE_MAX_TAGS = 1_500
ASCII_SPACES = "\x20\x0a\x09\x0c\x0d"
PRESERVE_WHITESPACE_TAGS = frozenset({"pre", "textarea"})
NOT_TEXT_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})


# --- "<" that is text, not markup ------------------------------------------------------------------
# Outside code, a "<" is markup when a closing tag, a comment/doctype/processing instruction, an HTML element
# name, an office namespace tag (<o:p>) or a custom element with an attribute value (<mpvoice name="x">)
# follows; any other "<" before a name (<port>, <T>, <variable_name>, <String, ?>) is the author's text.
# (A "<" before a space, a digit or "=" is text to libxml2 already.) The most frequent names come first: the
# regex engine tries them in order, and this keeps the scan at ~0.01 ms per body.
_FREQUENT = ("p", "div", "span", "img", "a", "br", "strong", "font", "code", "li", "figure", "figcaption", "pre")
_FREQUENT += ("h2", "h3", "ul", "b", "em", "blockquote", "hr", "ol", "section", "table", "tr", "td", "th", "i")
_ELEMENT_NAMES = "|".join([*_FREQUENT, *sorted(HTML_ELEMENTS - set(_FREQUENT))])
_MARKUP_AFTER_LT = (
    rf"/|!|\?|(?:{_ELEMENT_NAMES})(?=[\s/>]|$)|(?:{'|'.join(OFFICE_PREFIXES)}):[A-Za-z]|[A-Za-z][\w:.-]*\s[^<>=]*="
)
TEXT_LT = re.compile(rf"<(?=[^\s<>=\d])(?!{_MARKUP_AFTER_LT})", re.IGNORECASE)
# Inside code: only the highlighters' markup, lower case, with well-formed attributes; every other "<" is code.
_ATTRIBUTES = r"""(?:\s+[A-Za-z_:][-\w:.]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*"""
_CODE_NAMES = element_alternation(CODE_MARKUP_ELEMENTS)
CODE_LT = re.compile(rf"<(?!(?:{_CODE_NAMES}){_ATTRIBUTES}\s*/?>|/(?:{_CODE_NAMES})\s*>|!--)")
HAS_CODE = re.compile(r"<(?:pre|code|xmp|listing)\b", re.IGNORECASE)
# An opening or closing code tag; "[^<>]*" (not "[^>]*") keeps every scan within the tag: linear on any body.
CODE_TAG = re.compile(r"<(/?)(pre|code|xmp|listing)\b[^<>]*>", re.IGNORECASE)


def _escape_code_regions(body_html: str) -> str:
    """Escape the content of each code region: from an opening code tag to the first closing tag of the same
    name (a <code> inside a <pre> is part of the region). An unclosed region is left as it is. One pass."""
    parts: list[str] = []
    position = 0
    open_name: str | None = None
    for match in CODE_TAG.finditer(body_html):
        closing, name = match.group(1), match.group(2).lower()
        if open_name is None:
            if not closing:
                open_name = name
                parts.append(body_html[position : match.end()])
                position = match.end()
        elif closing and name == open_name:
            parts.append(CODE_LT.sub("&lt;", body_html[position : match.start()]))
            parts.append(match.group(0))
            position = match.end()
            open_name = None
    parts.append(body_html[position:])
    return "".join(parts)


def escape_text_brackets(body_html: str) -> str:
    """The body with every ``<`` that starts no markup written ``&lt;`` (see ``TEXT_LT`` and ``CODE_LT``)."""
    if "<" not in body_html:
        return body_html
    if HAS_CODE.search(body_html):
        body_html = _escape_code_regions(body_html)
    return TEXT_LT.sub("&lt;", body_html)


# --- the parse -------------------------------------------------------------------------------------
class UnparsableBody(Exception):
    """The body holds markup no parser path could turn into a tree: its text cannot be recovered.

    The build quarantines the file with ``reason`` (never publishes it as an empty body)."""

    reason = Reason.UNPARSABLE_BODY


# A name lxml accepts for an element or an attribute (libxml2 lets others through: "?", 'a"b', "x,").
VALID_NAME = re.compile(r"^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?$")


class SafeTarget:
    """Parser events into a ``TreeBuilder``, with the names it would refuse dropped (elements become a
    ``span``, attributes go); used only when the C-level ``TreeBuilder`` fails, so its speed does not matter."""

    def __init__(self) -> None:
        self.builder = etree.TreeBuilder(insert_comments=True, insert_pis=True)
        self.open: list[str] = []
        self.started = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        name = tag if VALID_NAME.match(tag) else "span"
        self.started = True
        self.open.append(name)
        self.builder.start(name, {k: v for k, v in attrib.items() if VALID_NAME.match(k)})

    def end(self, tag: str) -> None:
        if self.open:
            self.builder.end(self.open.pop())

    def data(self, data: str) -> None:
        self.builder.data(data)

    def comment(self, text: str) -> None:
        self.builder.comment(text)

    def pi(self, target: str, data: str | None = None) -> None:
        self.builder.pi(target, data)

    def close(self) -> Any:
        if not self.started:
            return None  # no element at all (a blank body, a lone comment): nothing to read
        while self.open:
            self.builder.end(self.open.pop())
        return self.builder.close()


def _parse_events(body_html: str, target: object) -> Element | None:
    parser = etree.HTMLParser(recover=True, target=target)
    # Fed in 512-character chunks, as BeautifulSoup fed it, so that libxml2's push parser recovers from
    # broken markup at the same points.
    for start in range(0, len(body_html), FEED_CHUNK):
        parser.feed(body_html[start : start + FEED_CHUNK])
    return parser.close()  # type: ignore[no-any-return]


def parse_html(body_html: str) -> Element | None:
    """The body's root element (``<html>``), or None when the body holds nothing at all.

    Raises ``UnparsableBody`` when no parser path can read it (never seen; the build quarantines it)."""
    body_html = escape_text_brackets(body_html)
    if body_html.count("<") <= FAST_PARSE_MAX_TAGS:
        parser = etree.HTMLParser(recover=True, huge_tree=True, remove_blank_text=False)
        try:
            parser.feed(body_html)
            return parser.close()  # type: ignore[no-any-return]
        except etree.XMLSyntaxError:
            if not body_html.strip(ASCII_SPACES):
                return None  # libxml2 reads an empty or blank body as no document at all
    try:
        return _parse_events(body_html, etree.TreeBuilder(insert_comments=True, insert_pis=True))
    except (etree.XMLSyntaxError, AssertionError):
        pass  # a name TreeBuilder refuses (see SafeTarget)
    try:
        return _parse_events(body_html, SafeTarget())
    except Exception as error:  # lxml raises assertion and syntax errors of its own kinds
        raise UnparsableBody(f"no parser path reads the body: {type(error).__name__}: {error}") from error


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
