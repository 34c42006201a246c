"""One raw file in, one record or one rejection out: a pure function of the file's bytes and path."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from pydantic import ValidationError

from builders.cleaners import cleaner_for
from builders.dates import parse_date
from builders.discover import is_safe_raw_path
from builders.front_matter import read_front_matter, split_post
from builders.identity import record_id
from builders.quarantine import Reason, Rejected, Rejection, snippet_of
from builders.urls import real_image
from schemas.record import HTTP_URL, Post

MAX_BODY_BYTES = 2 * 1024 * 1024
# A file this large is not read at all: the body limit plus room for any sane front matter.
MAX_FILE_BYTES = MAX_BODY_BYTES + 256 * 1024
# Start tags in a body. The largest real post of the sample has ~200; 20,000 keeps the parse of the
# worst body within the limits near one second and ~100 MB (see benchmarks/hostile_html.py), whatever
# the nesting: the cleaner's walk is iterative, so depth itself costs no stack.
MAX_ELEMENTS = 20_000
START_TAG = re.compile(r"<[A-Za-z]")
# The dataset's URL rule (the pandera one, stricter than "http(s) with a host": no userinfo, no IPv6
# literal, numeric port). A URL field only ever holds a URL that passes it; others are dropped.
DATASET_URL = re.compile(HTTP_URL)


def dataset_url(url: str | None) -> str | None:
    return url if url is not None and DATASET_URL.fullmatch(url) else None


def decode_file(data: bytes) -> str:
    """The file as text; binary and non-UTF-8 files are rejected, never guessed at."""
    if len(data) > MAX_FILE_BYTES:
        raise Rejected(Reason.FILE_TOO_LARGE, f"file is {len(data)} bytes, over the {MAX_FILE_BYTES} byte limit")
    if b"\x00" in data:
        at = data.index(b"\x00")
        raise Rejected(Reason.BINARY, f"file contains NUL bytes (first at byte {at}): binary, not a post")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Rejected(
            Reason.NOT_UTF8,
            f"not valid UTF-8 at byte {error.start}: {error.reason}",
            repr(data[max(0, error.start - 20) : error.start + 20]),
        ) from None


def check_body(body: str) -> None:
    """Refuse bodies no real post has: over the size limit, or with absurdly many elements."""
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise Rejected(Reason.BODY_TOO_LARGE, f"body is {size} bytes, over the {MAX_BODY_BYTES} byte limit")
    for elements, match in enumerate(START_TAG.finditer(body), start=1):
        if elements > MAX_ELEMENTS:
            raise Rejected(
                Reason.MARKUP_TOO_COMPLEX,
                f"body has over {MAX_ELEMENTS} elements (no real post has a hundredth of that)",
                snippet_of(body, match.start()),
            )


def build_post(data: bytes, raw_path: str) -> Post:
    """Parse, clean and validate one post; raises ``Rejected`` when the file cannot be a record."""
    text = decode_file(data)
    front_matter_source, body = split_post(text)
    meta = read_front_matter(front_matter_source)
    check_body(body)
    cleaner = cleaner_for(meta.category, meta.source, meta.feed)
    try:
        cleaned = cleaner.clean(body)
    except Exception as error:  # RecursionError and MemoryError included: the file is the problem, not the run
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
            head_image=dataset_url(real_image(meta.head_image)) or dataset_url(real_image(meta.thumbnail)),
            text=cleaned.text,
            char_count=len(cleaned.text),
            empty_body=not cleaned.text,
            truncated=found.truncated,
            editor=found.editor,
            byline=found.byline,
            original_title=found.original_title,
            attribution=found.attribution,
            url=dataset_url(found.url),
            images=[url for url in found.images if dataset_url(url)],
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
    """The per-file pipeline step: a record, or a rejection with its reason. Never raises an ``Exception``.

    Anything unexpected (a bug in date parsing, a cleaner registry error) costs this file only: it is
    quarantined as ``internal_error`` with the exception type, and the build goes on.
    """
    raw_path = unicodedata.normalize("NFC", raw_path)
    if not is_safe_raw_path(raw_path):
        return Rejection(raw_path, Reason.BAD_FILE_NAME, "raw_path is not a relative path below the posts root")
    try:
        return build_post(data, raw_path)
    except Rejected as rejected:
        return Rejection(raw_path, rejected.reason, rejected.message, rejected.snippet)
    except Exception as error:
        return Rejection(raw_path, Reason.INTERNAL_ERROR, f"{type(error).__name__}: {error}"[:500])
