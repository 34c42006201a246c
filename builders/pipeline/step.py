"""The per-file step: one raw file in, one record (with its dedup features) or one rejection out.

A pure function of the file's bytes and path. ``rejecting`` is the one place where an exception becomes
a rejection; ``process_all`` runs the step over many files in the worker pool (``builders.pipeline.pool``),
whose timeouts and dead workers become ``timeout`` and ``worker_died`` rejections here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from builders.annotate import annotate
from builders.cleaners import Cleaned, cleaner_for, counts_as_dict
from builders.cleaners.html import UnparsableBody
from builders.cleaners.urls import real_image
from builders.common.identity import record_id
from builders.common.quarantine import FileRejected, Reason, Rejection, snippet_of
from builders.dedup.features import DedupFeatures, features_of
from builders.pipeline.dates import parse_date
from builders.pipeline.discover import RawFile, is_safe_raw_path
from builders.pipeline.front_matter import read_front_matter, split_post
from builders.pipeline.pool import NO_LIMITS, Budget, Task, run_all, run_one
from builders.pipeline.read import MAX_BODY_BYTES, MAX_FILE_BYTES, decode_file, read_raw
from schemas.record import Post, is_http_url

__all__ = ["MAX_BODY_BYTES", "MAX_ELEMENTS", "MAX_FILE_BYTES", "Outcome", "Processed", "process_all", "process_file"]

# Start tags in a body. The largest real post of the sample has ~200; 20,000 keeps the parse of the
# worst body within the limits near one second and ~100 MB (see benchmarks/hostile_html.py), whatever
# the nesting: the cleaner's walk is iterative, so depth itself costs no stack.
MAX_ELEMENTS = 20_000
START_TAG = re.compile(r"<[A-Za-z]")


def dataset_url(url: str | None) -> str | None:
    """``url`` when it passes the dataset's URL rule, else None: a URL field never fails the record."""
    return url if is_http_url(url) else None


def check_body(body: str) -> None:
    """Refuse bodies no real post has: over the size limit, or with absurdly many elements."""
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise FileRejected(Reason.BODY_TOO_LARGE, f"body is {size} bytes, over the {MAX_BODY_BYTES} byte limit")
    for elements, match in enumerate(START_TAG.finditer(body), start=1):
        if elements > MAX_ELEMENTS:
            raise FileRejected(
                Reason.MARKUP_TOO_COMPLEX,
                f"body has over {MAX_ELEMENTS} elements (no real post has a hundredth of that)",
                snippet_of(body, match.start()),
            )


def build_post(data: bytes, raw_path: str) -> tuple[Post, Cleaned]:
    """Parse, clean and validate one post (and what cleaning did to it); raises ``FileRejected`` when the file
    cannot be a record."""
    text = decode_file(data)
    front_matter_source, body = split_post(text)
    meta = read_front_matter(front_matter_source)
    check_body(body)
    cleaner = cleaner_for(meta.category, meta.source, meta.feed)
    try:
        cleaned = cleaner.clean(body)
    except UnparsableBody as error:
        raise FileRejected(error.reason, f"{cleaner.name} cleaner: {error}"[:500]) from None
    except Exception as error:  # RecursionError and MemoryError included: the file is the problem, not the run
        raise FileRejected(
            Reason.CLEANER_ERROR, f"{cleaner.name} cleaner: {type(error).__name__}: {error}"[:500]
        ) from None
    published_at, date_kind = parse_date(meta.date)
    found = cleaned.found
    annotations = annotate(cleaned.text)  # PII masked; script and language of the masked text, the one that ships
    text = annotations.text
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
            text=text,
            char_count=len(text),
            empty_body=not text,
            script=annotations.script,
            language=annotations.language,
            language_score=annotations.language_score,
            pii_masked=annotations.pii_total,
            label=0,  # the topic id of `category`: set by the build once it knows every category (topics.with_labels)
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
        ), cleaned
    except ValidationError as error:
        raise FileRejected(Reason.INVALID_RECORD, f"record fails the schema: {error}"[:500]) from None


Kept = TypeVar("Kept")


def rejecting(raw_path: str, work: Callable[[], Kept]) -> Kept | Rejection:
    """``work()``, or the rejection its exception stands for: the one place exceptions become rejections.

    Anything unexpected (a bug in date parsing, a cleaner registry error) costs this file only: it is
    quarantined as ``internal_error`` with the exception type, and the build goes on.
    """
    try:
        return work()
    except FileRejected as rejected:
        return Rejection(raw_path, rejected.reason, rejected.message, rejected.snippet)
    except Exception as error:
        return Rejection(raw_path, Reason.INTERNAL_ERROR, f"{type(error).__name__}: {error}"[:500])


def _post(data: bytes, raw_path: str) -> tuple[Post, Cleaned] | Rejection:
    raw_path = unicodedata.normalize("NFC", raw_path)
    if not is_safe_raw_path(raw_path):
        return Rejection(raw_path, Reason.BAD_FILE_NAME, "raw_path is not a relative path below the posts root")
    return rejecting(raw_path, lambda: build_post(data, raw_path))


def process_file(data: bytes, raw_path: str) -> Post | Rejection:
    """A record, or a rejection with its reason, from a file's bytes. Never raises an ``Exception``."""
    result = _post(data, raw_path)
    return result if isinstance(result, Rejection) else result[0]


@dataclass(frozen=True, slots=True)
class Processed:
    """A file that became a record: the record as a plain dict (cheap to pickle), its dedup features, and what
    each cleaning rule did to it (counts per rule, a few samples per rule: ``builders.cleaners.audit``)."""

    row: dict[str, Any]
    features: DedupFeatures
    cleaning: dict[str, dict[str, int]]
    samples: dict[str, list[str]]


Outcome = Processed | Rejection


def _processed(item: RawFile) -> Outcome:
    result = _post(read_raw(item.path), item.raw_path)
    if isinstance(result, Rejection):
        return result
    post, cleaned = result
    features = features_of(post.text)  # MinHash here, in the workers, in parallel
    return Processed(post.model_dump(), features, counts_as_dict(cleaned.counts), cleaned.samples)


def _process(item: RawFile) -> Outcome:
    if item.problem is not None:
        return Rejection(item.raw_path, item.problem, item.problem_message or str(item.problem))
    return rejecting(item.raw_path, lambda: _processed(item))


def _timed_out(item: RawFile, seconds: float | None) -> Outcome:
    return Rejection(item.raw_path, Reason.TIMEOUT, f"processing took over the {seconds} s budget per file")


def _died(item: RawFile, how: str) -> Outcome:
    return Rejection(item.raw_path, Reason.WORKER_DIED, f"the worker process died on this file ({how})")


STEP: Task[RawFile, Outcome] = Task(_process, _timed_out, _died)


def process_one(item: RawFile, budget: Budget = NO_LIMITS) -> Outcome:
    """One discovered file, whatever happens to it, in this process."""
    return run_one(STEP, item, budget)


def process_all(
    files: list[RawFile], workers: int, budget: Budget | None = None, isolated: bool = False
) -> Iterator[Outcome]:
    """Every discovered file's outcome, in input order, from ``workers`` isolated processes (in this process
    when ``workers <= 1``, unless ``isolated``)."""
    return run_all(STEP, files, workers, budget, isolated)
