"""pandera (polars) models of the built dataset: each reads as a table of rules.

``PostMetadata`` holds the metadata invariants, ``PostBody`` the body-cleanliness invariants of
``text``. ``PostMetadata`` lists every field of ``schemas.record.Post`` with the dtype that
``schemas.features`` derives; ``tests/test_schema_lockstep.py`` fails when they drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from functools import cache
from typing import Annotated

import pandera.polars as pa
import polars as pl

from schemas.boilerplate import all_phrases
from schemas.characters import INVISIBLE_RANGES
from schemas.markup import HTML_ELEMENTS, element_alternation
from schemas.record import HTTP_URL

EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
TRIMMED = r"^\S(.*\S)?$"
RECORD_ID = r"^[0-9a-f]{20}$"

Timestamp = Annotated[pl.Datetime, "us", "UTC"]
Strings = Annotated[pl.List, pl.Utf8]

# --- body-cleanliness patterns: each names what it forbids in `text` ------------------------------
# Only a real HTML element name is leftover markup (``<p>``, ``</div>``, ``<a href=x>``): ``List<T>``,
# ``EXPOSE <port>`` and a pom's ``<dependency>`` are the author's text; inside fenced code nothing is markup.
MARKUP_TAG = rf"(?i:</?(?:{element_alternation(HTML_ELEMENTS)})(?:\s[^<>]*)?/?>)"
# Comment syntax: every comment opens with `<!--`; a stray closer shows as `]-->` / `--->` glued to markup
# debris. A bare `-->` after a space is an arrow in prose ("构思 -->实现") and stays the author's.
HTML_COMMENT = r"(?m)<!--|[\]\-/]-->|^-->"
HTML_ENTITY = r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
CSS_RULE = r"\{\s*[a-z-]+\s*:\s*[^;{}\n]+;"
LEADING_INDENT = r"(?m)^[ \t\u3000\u00a0]"
TRAILING_SPACE = r"(?m)[ \t\u3000\u00a0]$"
BLANK_LINE_RUN = r"\n\n\n"
INVISIBLE = "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in INVISIBLE_RANGES) + "]"  # the polars spelling
BOILERPLATE = "|".join(re.escape(phrase) for phrase in all_phrases())


# A fenced code block: ``` up to the nearest following ```, i.e. what r"(?s)```.*?```" matches, written without a
# lazy quantifier (the body holds no ``` and does not end with `) so the regex engine's fast automaton can run it.
CODE_FENCE = r"```(?:[^`]|`[^`]|``[^`])*```"


@cache
def nfc_suspects() -> str:
    """A regex class of every character that can make a text non-NFC: characters that are not NFC on their own
    and characters that can combine with a neighbour (combining marks, Hangul vowel and final jamo). A text
    without any of them is NFC, so the exact (slow) normalisation only runs on the few texts that have one."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x30000):  # beyond: unassigned planes and tags, all NFC-stable
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if unicodedata.combining(char) or 0x1161 <= code <= 0x11C2 or not unicodedata.is_normalized("NFC", char):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


def nfc_mask(texts: pl.Series) -> pl.Series:
    """True where a text is NFC: a vectorised pre-filter, then ``unicodedata`` on the suspects only."""
    ok = [True] * len(texts)
    suspects = texts.str.contains(nfc_suspects()).fill_null(False)
    for index in suspects.arg_true().to_list():
        ok[index] = unicodedata.is_normalized("NFC", texts[index])
    return pl.Series(texts.name, ok, dtype=pl.Boolean)


# The regex engine (Rust `regex`, in polars) searches a class of at most 10 characters by its literals (a fast
# scan); a bigger class runs the automaton over every byte: for the 81 invisible characters, 9 classes of 10 take
# 0.3 s on 100,000 posts, one class 1 s, and classes of 12 were slower still (measured with polars 2.1).
PREFILTERED_CLASS_SIZE = 10


def small_classes(ranges: tuple[tuple[int, int], ...], size: int = PREFILTERED_CLASS_SIZE) -> list[str]:
    """The characters of ``ranges`` as regex classes of at most ``size`` characters each. A text matches one of
    them iff it matches the whole class; each small class is searched by its literals (a fast scan), where one
    big class without a literal prefix runs the regex automaton over every byte."""
    chars = [code for low, high in ranges for code in range(low, high + 1)]
    groups = [chars[i : i + size] for i in range(0, len(chars), size)]
    return ["[" + "".join(f"\\x{{{code:x}}}" for code in group) + "]" for group in groups]


def _forbid(data: pa.PolarsData, pattern: str) -> pl.LazyFrame:
    """True for every row whose column does not match ``pattern``."""
    return data.lazyframe.select(~pl.col(data.key).str.contains(pattern).fill_null(False))


def _forbid_any(data: pa.PolarsData, patterns: list[str]) -> pl.LazyFrame:
    """True for every row whose column matches none of ``patterns``."""
    hits = [pl.col(data.key).str.contains(pattern).fill_null(False) for pattern in patterns]
    return data.lazyframe.select(~pl.any_horizontal(hits))


def prose_matches(texts: pl.Series, pattern: str) -> pl.Series:
    """True where a text matches ``pattern`` once its fenced code blocks are removed. Only the texts holding a
    fence are rewritten; the others are searched as they are."""
    hits = texts.str.contains(pattern)
    fenced = texts.str.contains("```", literal=True).fill_null(False).arg_true()
    if len(fenced):
        hits = hits.scatter(fenced, texts.gather(fenced).str.replace_all(CODE_FENCE, "").str.contains(pattern))
    return hits


def _forbid_outside_code(data: pa.PolarsData, pattern: str) -> pl.LazyFrame:
    """Like ``_forbid``, but code blocks (fenced with ```) may match: code keeps its indentation."""
    hits = pl.col(data.key).map_batches(lambda texts: prose_matches(texts, pattern), return_dtype=pl.Boolean)
    return data.lazyframe.select(~hits.fill_null(False))


class PostMetadata(pa.DataFrameModel):
    """Metadata invariants: identity, provenance, dates, URLs, structured fields."""

    id: str = pa.Field(unique=True, str_matches=RECORD_ID)
    title: str = pa.Field(nullable=True, str_matches=r"\S")
    category: str = pa.Field(str_matches=TRIMMED)
    source: str = pa.Field(str_matches=TRIMMED)
    feed: str = pa.Field(str_matches=TRIMMED)
    published_at: Timestamp = pa.Field(nullable=True, ge=EARLIEST_DATE)
    date_kind: str = pa.Field(isin=["published", "crawled", "missing"])
    head_image: str = pa.Field(nullable=True, str_matches=HTTP_URL)
    text: str = pa.Field()
    char_count: pl.Int32 = pa.Field(ge=0)
    empty_body: bool = pa.Field()
    truncated: bool = pa.Field()
    editor: str = pa.Field(nullable=True, str_matches=TRIMMED)
    byline: str = pa.Field(nullable=True, str_matches=TRIMMED)
    original_title: str = pa.Field(nullable=True, str_matches=TRIMMED)
    attribution: str = pa.Field(nullable=True, str_matches=TRIMMED)
    url: str = pa.Field(nullable=True, str_matches=HTTP_URL)
    images: Strings = pa.Field()
    stock_codes: Strings = pa.Field()
    is_duplicate: bool = pa.Field()
    duplicate_of: str = pa.Field(nullable=True, str_matches=RECORD_ID)
    near_dup_cluster: str = pa.Field(str_matches=RECORD_ID)
    cleaner: str = pa.Field(str_matches=r"^[a-z0-9_]+$")
    raw_path: str = pa.Field(unique=True, str_matches=r"(?s)^[^/].*\.md$")  # (?s): names may hold newlines
    raw_sha256: str = pa.Field(str_matches=r"^[0-9a-f]{64}$")

    class Config:
        strict = True
        ordered = True

    @pa.check("published_at")
    def published_at_not_in_future(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_null() | (pl.col(data.key) <= datetime.now(UTC)))

    @pa.check("images")
    def images_are_http_urls(cls, data: pa.PolarsData) -> pl.LazyFrame:
        urls = pl.col(data.key).list.eval(pl.element().str.contains(HTTP_URL))
        return data.lazyframe.select(urls.list.all())

    @pa.check("stock_codes")
    def stock_codes_are_exchange_ids(cls, data: pa.PolarsData) -> pl.LazyFrame:
        codes = pl.col(data.key).list.eval(pl.element().str.contains(r"^[a-z]{2}[0-9A-Za-z.]{1,10}$"))
        return data.lazyframe.select(codes.list.all())

    @pa.dataframe_check
    def char_count_is_text_length(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("char_count") == pl.col("text").str.len_chars())

    @pa.dataframe_check
    def published_at_null_iff_date_missing(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("published_at").is_null() == (pl.col("date_kind") == "missing"))

    @pa.dataframe_check
    def duplicate_of_set_iff_duplicate(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("duplicate_of").is_not_null() == pl.col("is_duplicate"))

    @pa.dataframe_check
    def empty_body_iff_no_text(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("empty_body") == (pl.col("char_count") == 0))


class PostBody(pa.DataFrameModel):
    """Body-cleanliness invariants of ``text``: no markup, entities, boilerplate or layout whitespace."""

    text: str = pa.Field()

    @pa.check("text")
    def no_markup_tag(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid_outside_code(data, MARKUP_TAG)

    @pa.check("text")
    def no_html_comment(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid(data, HTML_COMMENT)

    @pa.check("text")
    def no_html_entity(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid(data, HTML_ENTITY)

    @pa.check("text")
    def no_css_rule(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid_outside_code(data, CSS_RULE)

    @pa.check("text")
    def no_boilerplate_phrase(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid(data, BOILERPLATE)

    @pa.check("text")
    def no_leading_indent(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid_outside_code(data, LEADING_INDENT)

    @pa.check("text")
    def no_trailing_space(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid(data, TRAILING_SPACE)

    @pa.check("text")
    def no_blank_line_run(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid(data, BLANK_LINE_RUN)

    @pa.check("text")
    def no_invisible_character(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _forbid_any(data, small_classes(INVISIBLE_RANGES))

    @pa.check("text")
    def text_is_nfc(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).map_batches(nfc_mask, return_dtype=pl.Boolean))

    @pa.check("text")
    def text_is_trimmed(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # a text equals its stripped self iff its first and last characters are not whitespace
        first, last = pl.col(data.key).str.head(1), pl.col(data.key).str.tail(1)
        return data.lazyframe.select((first.str.strip_chars() == first) & (last.str.strip_chars() == last))
