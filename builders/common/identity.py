"""Stable record ids and split assignment: both depend only on a post's identity, never on order."""

from __future__ import annotations

import hashlib

ID_NAMESPACE = "zh-rss-posts/v1\x00"
SPLITS: tuple[str, ...] = ("train", "validation", "test")
# Buckets out of 1000: 90% train, 5% validation, 5% test.
SPLIT_BOUNDS: tuple[tuple[str, int], ...] = (("train", 900), ("validation", 950), ("test", 1000))


def record_id(raw_path: str) -> str:
    """20 hex digits of SHA-256 over the NFC raw_path (which names feed and title)."""
    return hashlib.sha256((ID_NAMESPACE + raw_path).encode("utf-8")).hexdigest()[:20]


def split_of(key_id: str) -> str:
    """The split of a new cluster whose canonical id is ``key_id``. Records released before keep their split
    whatever their cluster becomes (``builders.write.ledger``): this hash routes only clusters no release has seen."""
    bucket = int(hashlib.sha256(("split\x00" + key_id).encode("ascii")).hexdigest()[:8], 16) % 1000
    return next(name for name, bound in SPLIT_BOUNDS if bucket < bound)
