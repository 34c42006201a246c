"""The record: the single source of truth for what one row of the dataset is.

Every other description of a row (the Hugging Face ``Features``, the pandera models, the card's field
list, the Croissant record set) is derived from ``Post`` or held in lockstep with it by tests.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# --- patterns used in more than one place (the pandera models, the cleaners, the build) -------------
DateKind = Literal["published", "crawled", "missing"]
DATE_KINDS: tuple[str, ...] = get_args(DateKind)
RECORD_ID = r"^[0-9a-f]{20}$"
SHA256 = r"^[0-9a-f]{64}$"
# A stock id as Sina tags it: exchange letters, then the code (`sh601899`, `hk00700`, `usAAPL`, `gb.dji`).
STOCK_CODE = r"[a-z]{2}[0-9A-Za-z.]{1,10}"

# Han script of a text (ISO 15924): `builders.annotate.script` decides it, `schemas.frames` checks it.
Script = Literal["Hans", "Hant", "mixed", "none"]
SCRIPTS: tuple[str, ...] = get_args(Script)
#: Inclusive code point ranges counted as Han characters, by the script tagger and by the pandera rule that
#: `script == "none"` iff the text has none: 々, 〇, Extension A, Unified Ideographs, Compatibility,
#: Extensions B-F, I and Compatibility Supplement, Extensions G-H. Radicals and strokes are not.
HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x3005, 0x3005),
    (0x3007, 0x3007),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
    (0x30000, 0x323AF),
)
#: A regex class of the characters of HAN_RANGES, written with the characters themselves so that Python's `re`
#: and polars' Rust `regex` read it alike.
HAN_CHARACTER = "[" + "".join(f"{chr(first)}-{chr(last)}" for first, last in HAN_RANGES) + "]"
# The language code of a record: ISO 639-1, or `und` when the identifier cannot tell.
UNDETERMINED_LANGUAGE = "und"
LANGUAGE_CODE = r"^([a-z]{2}|und)$"
#: What the PII masker writes in `text` in place of each category it masks (`builders.annotate.pii`). Bracketed
#: upper-case words: no `@`, no digit, so a placeholder is never detected again (masking is idempotent).
PII_PLACEHOLDERS: dict[str, str] = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "id_number": "[ID_NUMBER]",
    "bank_card": "[BANK_CARD]",
}
PII_PLACEHOLDER = "|".join(re.escape(placeholder) for placeholder in PII_PLACEHOLDERS.values())


class Int32:
    """Marker: store this integer as a 32-bit column."""


class Float32:
    """Marker: store this float as a 32-bit column."""


# The dataset's one URL rule (absolute http(s) with a host; no userinfo, no IPv6 literal, numeric port):
# the record model and the pandera models hold every URL field to it, and the build keeps only URLs that
# pass it (``is_http_url``), dropping the others.
HTTP_URL = r"^https?://[^\s/?#:@]+(:\d+)?([/?#]\S*)?$"
_HTTP_URL = re.compile(HTTP_URL)


def is_http_url(value: str | None) -> bool:
    return value is not None and _HTTP_URL.fullmatch(value) is not None


def check_http_url(value: str) -> str:
    """Accept only URLs that pass ``HTTP_URL``; anything else (javascript:, data:, relative) fails."""
    if not is_http_url(value):
        raise ValueError(f"not an http(s) URL with a host (the dataset's URL rule): {value[:80]!r}")
    return value


HttpUrl = Annotated[str, AfterValidator(check_http_url)]


class Post(BaseModel):
    """One post of the corpus, cleaned. Field order is column order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        pattern=RECORD_ID,
        description="Stable identifier: a hash of the post's identity (its raw_path), never of processing order.",
    )
    title: str | None = Field(
        description="Title from the front matter, entities decoded, NFC; null when the crawler wrote a blank one.",
    )
    category: str = Field(min_length=1, description="Top-level category (first `categories` level), e.g. 金融.")
    source: str = Field(min_length=1, description="Site or publisher (second `categories` level), e.g. 新浪财经.")
    feed: str = Field(min_length=1, description="Feed within the source (third `categories` level).")
    published_at: datetime | None = Field(
        description="Publication time in UTC (microseconds); the crawl time when the feed gave none; null when unknown.",
    )
    date_kind: DateKind = Field(
        description="Where published_at came from: `published` (feed pubDate), `crawled` (crawl time), `missing`.",
    )
    head_image: HttpUrl | None = Field(
        description="Lead image URL, proxies unwrapped; null for placeholders and missing images.",
    )
    text: str = Field(description="The cleaned body: the author's words, one paragraph per line, NFC, no markup.")
    char_count: Annotated[int, Int32] = Field(ge=0, description="Length of `text` in Unicode code points.")
    empty_body: bool = Field(description="True when the post has no text of its own (e.g. image-only posts).")
    script: Script = Field(
        description="Han script of `text` (ISO 15924): `Hans`, `Hant`, `mixed`, or `none` when it has no Han "
        "character; decided from OpenCC's character tables, the text is never converted.",
    )
    language: str = Field(
        pattern=LANGUAGE_CODE,
        description="Language of `text` (ISO 639-1, `zh` for both scripts) from CLD2; `und` when undetermined.",
    )
    language_score: Annotated[float, Float32] = Field(
        ge=0.0,
        le=1.0,
        description="CLD2's share (0-1) of the text's UTF-8 bytes in `language`; 0 when `language` is `und`.",
    )
    pii_masked: Annotated[int, Int32] = Field(
        ge=0,
        description="Personal data items masked in `text` (e-mail, mobile, ID and bank card numbers), in total; "
        "each is replaced by its placeholder (`[EMAIL]`, `[PHONE]`, `[ID_NUMBER]`, `[BANK_CARD]`).",
    )
    label: Annotated[int, Int32] = Field(
        ge=0,
        description="Topic id of `category`: its index in the `topics` config's ClassLabel names, which are "
        "append-only across releases (an id never changes meaning).",
    )
    truncated: bool = Field(description="True when the feed cut the body off mid-text.")
    editor: str | None = Field(description="Responsible editor named in the body (Sina 责任编辑, 财联社 编辑).")
    byline: str | None = Field(description="Named writer of the piece when the body states it (reporter, answerer).")
    original_title: str | None = Field(description="Original title when the body gives one (Sina 原标题).")
    attribution: str | None = Field(description="Source statement of a republished piece (36kr 编者按).")
    url: HttpUrl | None = Field(description="Address of the original post when the body carries it.")
    images: list[HttpUrl] = Field(
        description="Real image URLs of the body in order, proxies unwrapped, placeholders dropped."
    )
    stock_codes: list[str] = Field(
        description="Stock ids tagged in the body (Sina), e.g. `sh601899`, in order, unique."
    )
    is_duplicate: bool = Field(
        description="True when another record is the canonical copy of this post (exact or near)."
    )
    duplicate_of: str | None = Field(description="`id` of the canonical copy when is_duplicate, else null.")
    near_dup_cluster: str = Field(
        description="`id` of the canonical record of this post's near-duplicate cluster (itself when alone)."
    )
    cleaner: str = Field(min_length=1, description="Name of the body cleaner that produced `text`.")
    raw_path: str = Field(min_length=1, description="Path of the raw file relative to the posts root, NFC.")
    raw_sha256: str = Field(pattern=SHA256, description="SHA-256 of the raw file's bytes.")


FIELD_NAMES: tuple[str, ...] = tuple(Post.model_fields)
