"""Why a raw file did not become a record: a fixed set of reasons, and the rejection that carries one."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Every reason a file can be quarantined for. Codes are stable: reports and tests key on them."""

    NOT_UTF8 = "not_utf8"
    BINARY = "binary"
    NO_FRONT_MATTER = "no_front_matter"
    YAML_SYNTAX = "yaml_syntax"
    YAML_UNSAFE = "yaml_unsafe"
    NOT_A_MAPPING = "not_a_mapping"
    NO_TITLE = "no_title"
    BAD_CATEGORIES = "bad_categories"
    BODY_TOO_LARGE = "body_too_large"
    CLEANER_ERROR = "cleaner_error"
    INVALID_RECORD = "invalid_record"
    WORKER_DIED = "worker_died"


class Rejected(Exception):
    """Raised inside the per-file pipeline; caught once and turned into a ``Rejection``."""

    def __init__(self, reason: Reason, message: str, snippet: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.snippet = snippet


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
