"""Duplicate marking across the whole build: exact duplicates of the normalised text.

Records are added as they stream out of the workers (only a small key per record is kept); ``resolve``
then picks one canonical record per group, deterministically: earliest ``published_at`` (unknown dates
last), then smallest ``id``. The others get ``is_duplicate`` and ``duplicate_of``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

# Width (full/half) and punctuation/space differences do not make two texts different.
NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalised_text(text: str) -> str:
    """Text as compared for exact duplicates: NFKC (folds full-width forms), lower-case, no punctuation/space."""
    return NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def text_key(text: str) -> str | None:
    """Exact-duplicate key of a text; None for empty texts (image-only posts never match each other)."""
    norm = normalised_text(text)
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:32] if norm else None


@dataclass(frozen=True)
class DuplicateMark:
    """What dedup says of one record."""

    is_duplicate: bool
    duplicate_of: str | None
    near_dup_cluster: str


@dataclass(frozen=True)
class _Entry:
    post_id: str
    published_at: datetime | None
    key: str | None

    def canonical_order(self) -> tuple[bool, str, str]:
        return (self.published_at is None, self.published_at.isoformat() if self.published_at else "", self.post_id)


class DuplicateFinder:
    """Collects records as data flows, then resolves duplicate groups."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []

    def add(self, post_id: str, published_at: datetime | None, text: str) -> None:
        self._entries.append(_Entry(post_id, published_at, text_key(text)))

    def resolve(self) -> dict[str, DuplicateMark]:
        """A mark for every record added."""
        groups: dict[str, list[_Entry]] = {}
        for entry in self._entries:
            if entry.key is not None:
                groups.setdefault(entry.key, []).append(entry)
        marks = {e.post_id: DuplicateMark(False, None, e.post_id) for e in self._entries}
        for members in groups.values():
            if len(members) < 2:
                continue
            canonical = min(members, key=_Entry.canonical_order).post_id
            for member in members:
                duplicate = member.post_id != canonical
                marks[member.post_id] = DuplicateMark(duplicate, canonical if duplicate else None, canonical)
        return marks
