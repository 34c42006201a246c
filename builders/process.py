"""One raw file in, one record or one rejection out: a pure function of the file's bytes and path."""

from __future__ import annotations

import hashlib
import unicodedata

from pydantic import ValidationError

from builders.cleaners import cleaner_for
from builders.dates import parse_date
from builders.front_matter import read_front_matter, split_post
from builders.identity import record_id
from builders.quarantine import Reason, Rejected, Rejection
from builders.urls import real_image
from schemas.record import Post

MAX_BODY_BYTES = 2 * 1024 * 1024


def decode_file(data: bytes) -> str:
    """The file as text; binary and non-UTF-8 files are rejected, never guessed at."""
    if b"\x00" in data:
        raise Rejected(Reason.BINARY, "file contains NUL bytes: binary, not a post")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Rejected(
            Reason.NOT_UTF8,
            f"not valid UTF-8 at byte {error.start}: {error.reason}",
            repr(data[max(0, error.start - 20) : error.start + 20]),
        ) from None


def build_post(data: bytes, raw_path: str) -> Post:
    """Parse, clean and validate one post; raises ``Rejected`` when the file cannot be a record."""
    text = decode_file(data)
    front_matter_source, body = split_post(text)
    meta = read_front_matter(front_matter_source)
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise Rejected(Reason.BODY_TOO_LARGE, f"body is over the {MAX_BODY_BYTES} byte limit")
    cleaner = cleaner_for(meta.category, meta.source, meta.feed)
    try:
        cleaned = cleaner.clean(body)
    except RecursionError as error:  # RecursionError is a RuntimeError: name it before the general case
        raise Rejected(Reason.CLEANER_ERROR, f"{cleaner.name} cleaner: RecursionError: {error}") from None
    except Exception as error:
        raise Rejected(Reason.CLEANER_ERROR, f"{cleaner.name} cleaner: {type(error).__name__}: {error}"[:500]) from None
    published_at, date_kind = parse_date(meta.date)
    found = cleaned.found
    post_id = record_id(raw_path)
    try:
        return Post(
            id=post_id,
            title=meta.title,
            category=meta.category,
            source=meta.source,
            feed=meta.feed,
            published_at=published_at,
            date_kind=date_kind,
            head_image=real_image(meta.head_image) or real_image(meta.thumbnail),
            text=cleaned.text,
            char_count=len(cleaned.text),
            empty_body=not cleaned.text,
            truncated=found.truncated,
            editor=found.editor,
            byline=found.byline,
            original_title=found.original_title,
            attribution=found.attribution,
            url=found.url,
            images=found.images,
            stock_codes=found.stock_codes,
            is_duplicate=False,
            duplicate_of=None,
            near_dup_cluster=post_id,
            cleaner=cleaner.name,
            raw_path=raw_path,
            raw_sha256=hashlib.sha256(data).hexdigest(),
        )
    except ValidationError as error:
        raise Rejected(Reason.INVALID_RECORD, f"record fails the schema: {error}"[:500]) from None


def process_file(data: bytes, raw_path: str) -> Post | Rejection:
    """The per-file pipeline step: a record, or a rejection with its reason. Never raises for bad input."""
    raw_path = unicodedata.normalize("NFC", raw_path)
    try:
        return build_post(data, raw_path)
    except Rejected as rejected:
        return Rejection(raw_path, rejected.reason, rejected.message, rejected.snippet)
