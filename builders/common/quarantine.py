"""Why a raw file did not become a record: a fixed set of reasons, the rejection that carries one, and
the files that are no post at all (``Ignored``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

SNIPPET_CHARS = 120


class Reason(StrEnum):
    """Every reason a file can be quarantined for. Codes are stable: reports and tests key on them."""

    # the file as bytes
    UNREADABLE = "unreadable"  # the file could not be read (permissions, vanished, I/O error)
    FILE_TOO_LARGE = "file_too_large"  # the whole file is over MAX_FILE_BYTES: not even read
    BAD_FILE_NAME = "bad_file_name"  # the file name is not valid UTF-8: it cannot be a raw_path
    PATH_COLLISION = "path_collision"  # two files have the same raw_path once NFC-normalised
    NOT_UTF8 = "not_utf8"
    BINARY = "binary"
    # the front matter
    NO_FRONT_MATTER = "no_front_matter"
    YAML_SYNTAX = "yaml_syntax"
    YAML_UNSAFE = "yaml_unsafe"
    NOT_A_MAPPING = "not_a_mapping"
    NO_TITLE = "no_title"
    BAD_CATEGORIES = "bad_categories"
    # the body
    BODY_TOO_LARGE = "body_too_large"
    MARKUP_TOO_COMPLEX = "markup_too_complex"  # more elements than any real post has, by far
    CLEANER_ERROR = "cleaner_error"
    UNPARSABLE_BODY = "unparsable_body"  # no parser path reads the body: its text cannot be recovered
    # the record and the run
    INVALID_RECORD = "invalid_record"  # the record fails the pydantic model or a PostMetadata rule
    BODY_INVARIANT = (
        "body_invariant"  # the cleaned text breaks a PostBody rule (markup, boilerplate ...): never published
    )
    TIMEOUT = "timeout"  # the per-file time budget ran out
    INTERNAL_ERROR = "internal_error"  # an unexpected exception outside the cleaner (a bug: the type is named)
    WORKER_DIED = "worker_died"  # the worker process died on this file (crash, kill, hard time limit)


class FileRejected(Exception):
    """Raised inside the per-file pipeline; caught once and turned into a ``Rejection``."""

    def __init__(self, reason: Reason, message: str, snippet: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.snippet = snippet


def snippet_of(text: str, start: int = 0) -> str:
    """A short, printable piece of ``text`` from ``start`` for a quarantine row."""
    return text[start : start + SNIPPET_CHARS]


@dataclass(frozen=True)
class Rejection:
    """One quarantined file: a line of ``quarantine.jsonl``."""

    raw_path: str
    reason: Reason
    message: str
    snippet: str | None = None

    def to_json_dict(self) -> dict[str, str | None]:
        row = asdict(self)
        row["reason"] = str(self.reason)
        return row


@dataclass(frozen=True, order=True)
class Ignored:
    """A file under the root that is not a post, with why."""

    raw_path: str
    why: str
