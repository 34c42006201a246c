"""pandera (polars) models of the built dataset: each reads as a table of rules.

``PostMetadata`` holds the metadata invariants, ``PostBody`` the body-cleanliness invariants of
``text``. ``PostMetadata`` lists every field of ``schemas.record.Post`` with the dtype that
``schemas.features`` derives; ``tests/test_schema_lockstep.py`` fails when they drift apart.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

import pandera.polars as pa
import polars as pl

from schemas.boilerplate import all_phrases
from schemas.characters import INVISIBLE_RANGES
from schemas.markup import HTML_ELEMENTS, element_alternation
from schemas.record import (
    DATE_KINDS,
    HAN_CHARACTER,
    HTTP_URL,
    LANGUAGE_CODE,
    PII_PLACEHOLDERS,
    RECORD_ID,
    SCRIPTS,
    SHA256,
    STOCK_CODE,
    UNDETERMINED_LANGUAGE,
)
from schemas.regex_checks import forbid, forbid_any, forbid_outside_code, nfc_mask, small_classes

EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
TRIMMED = r"^\S(.*\S)?$"

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


class PostMetadata(pa.DataFrameModel):
    """Metadata invariants: identity, provenance, dates, URLs, structured fields."""

    id: str = pa.Field(unique=True, str_matches=RECORD_ID)
    title: str = pa.Field(nullable=True, str_matches=r"\S")
    category: str = pa.Field(str_matches=TRIMMED)
    source: str = pa.Field(str_matches=TRIMMED)
    feed: str = pa.Field(str_matches=TRIMMED)
    published_at: Timestamp = pa.Field(nullable=True, ge=EARLIEST_DATE)
    date_kind: str = pa.Field(isin=list(DATE_KINDS))
    head_image: str = pa.Field(nullable=True, str_matches=HTTP_URL)
    text: str = pa.Field()
    char_count: pl.Int32 = pa.Field(ge=0)
    empty_body: bool = pa.Field()
    script: str = pa.Field(isin=list(SCRIPTS))
    language: str = pa.Field(str_matches=LANGUAGE_CODE)
    language_score: pl.Float32 = pa.Field(in_range={"min_value": 0.0, "max_value": 1.0})
    pii_masked: pl.Int32 = pa.Field(ge=0)
    label: pl.Int32 = pa.Field(ge=0)
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
    raw_sha256: str = pa.Field(str_matches=SHA256)

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
        codes = pl.col(data.key).list.eval(pl.element().str.contains(f"^{STOCK_CODE}$"))
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

    @pa.dataframe_check
    def script_none_iff_no_han_character(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # HAN_CHARACTER is built from HAN_RANGES, the script tagger's own definition of a Han character
        return data.lazyframe.select((pl.col("script") == "none") == ~pl.col("text").str.contains(HAN_CHARACTER))

    @pa.dataframe_check
    def undetermined_language_scores_zero(cls, data: pa.PolarsData) -> pl.LazyFrame:
        undetermined = pl.col("language") == UNDETERMINED_LANGUAGE
        return data.lazyframe.select(~undetermined | (pl.col("language_score") == 0))

    @pa.dataframe_check
    def pii_masked_at_most_placeholders(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # every masked item left one placeholder in `text`, and a placeholder is never masked again
        placeholders = pl.sum_horizontal(
            pl.col("text").str.count_matches(placeholder, literal=True) for placeholder in PII_PLACEHOLDERS.values()
        )
        return data.lazyframe.select(pl.col("pii_masked") <= placeholders)


class PostBody(pa.DataFrameModel):
    """Body-cleanliness invariants of ``text``: no markup, entities, boilerplate or layout whitespace."""

    text: str = pa.Field()

    @pa.check("text")
    def no_markup_tag(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid_outside_code(data, MARKUP_TAG)

    @pa.check("text")
    def no_html_comment(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid(data, HTML_COMMENT)

    @pa.check("text")
    def no_html_entity(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid(data, HTML_ENTITY)

    @pa.check("text")
    def no_css_rule(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid_outside_code(data, CSS_RULE)

    @pa.check("text")
    def no_boilerplate_phrase(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid(data, BOILERPLATE)

    @pa.check("text")
    def no_leading_indent(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid_outside_code(data, LEADING_INDENT)

    @pa.check("text")
    def no_trailing_space(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid(data, TRAILING_SPACE)

    @pa.check("text")
    def no_blank_line_run(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid(data, BLANK_LINE_RUN)

    @pa.check("text")
    def no_invisible_character(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return forbid_any(data, small_classes(INVISIBLE_RANGES))

    @pa.check("text")
    def text_is_nfc(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).map_batches(nfc_mask, return_dtype=pl.Boolean))

    @pa.check("text")
    def text_is_trimmed(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # a text equals its stripped self iff its first and last characters are not whitespace
        first, last = pl.col(data.key).str.head(1), pl.col(data.key).str.tail(1)
        return data.lazyframe.select((first.str.strip_chars() == first) & (last.str.strip_chars() == last))
