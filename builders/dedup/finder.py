"""Duplicate marking across the whole build: exact duplicates and near duplicates (MinHash LSH).

Per record, the worker computes ``DedupFeatures`` (``builders.dedup.features``): a hash of the normalised text and,
for texts long enough, a MinHash sketch of its character 5-grams (``builders.dedup.minhash``). Only these
travel to the ``DuplicateFinder`` (about 600 bytes a record). ``resolve`` then
1. joins records with the same non-empty normalised text (exact duplicates);
2. joins near-duplicate pairs found by LSH and checked by the rule of ``is_near_duplicate``;
3. takes the connected components as clusters, and picks one canonical record per cluster: earliest
   ``published_at`` (unknown dates last), then smallest ``id``. Every other member gets
   ``is_duplicate`` and ``duplicate_of = canonical``; every record gets ``near_dup_cluster = canonical``.
Records are processed in ``id`` order, so the result does not depend on worker count or file order.
Empty texts (image-only posts) never match anything.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from builders.common.summary import DedupStats
from builders.dedup.features import DedupFeatures, features_of
from builders.dedup.lsh import near_duplicate_pairs
from builders.dedup.minhash import NUM_PERM

DEFAULT_THRESHOLD = 0.8
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_DATE = 2**62  # sorts after every real date
ID_BYTES = 10  # a record id is 20 hex digits
KEY_BYTES = 16  # an exact-duplicate key is 32 hex digits
NO_KEY = bytes(KEY_BYTES)


@dataclass(frozen=True)
class DuplicateMark:
    """What dedup says of one record; ``kind`` is "exact" or "near" for duplicates, else None."""

    is_duplicate: bool
    duplicate_of: str | None
    near_dup_cluster: str
    kind: str | None = None


def time_key(published_at: datetime | None) -> int:
    if published_at is None:
        return NO_DATE
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)
    return (published_at - EPOCH) // timedelta(microseconds=1)


class DuplicateFinder:
    """Collects records as data flows (compactly), then resolves duplicate clusters."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"dedup threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        # Compact columns (about 570 bytes a record, the sketch included): ids as text are only rebuilt in resolve.
        self._ids = bytearray()  # ID_BYTES per record
        self._times = array("q")
        self._keys = bytearray()  # KEY_BYTES per record; all zero for an empty text (no key)
        self._sketch_row = array("q")  # row in _signatures, -1 when the text has no sketch
        self._signatures = bytearray()
        self._sizes = array("q")
        self.stats: DedupStats | None = None

    def add(self, post_id: str, published_at: datetime | None, text: str) -> None:
        self.add_features(post_id, published_at, features_of(text))

    def add_features(self, post_id: str, published_at: datetime | None, features: DedupFeatures) -> None:
        self._ids += bytes.fromhex(post_id)
        self._times.append(time_key(published_at))
        self._keys += bytes.fromhex(features.key) if features.key else NO_KEY
        if features.sketch is None:
            self._sketch_row.append(-1)
        else:
            self._sketch_row.append(len(self._sizes))
            self._signatures += features.sketch.hashvalues
            self._sizes.append(features.sketch.shingles)

    def _id_bytes(self, index: int) -> bytes:
        return bytes(self._ids[index * ID_BYTES : (index + 1) * ID_BYTES])

    def _id(self, index: int) -> str:
        return self._id_bytes(index).hex()

    def _key_of(self, index: int) -> bytes | None:
        key = bytes(self._keys[index * KEY_BYTES : (index + 1) * KEY_BYTES])
        return None if key == NO_KEY else key

    def _near_pairs(self, order: list[int]) -> list[tuple[int, int]]:
        """Near-duplicate pairs among records with a sketch, one per exact group (in id order)."""
        seen: set[bytes | None] = set()
        members: list[int] = []
        for index in order:
            key = self._key_of(index)
            if self._sketch_row[index] < 0 or key in seen:
                continue
            seen.add(key)
            members.append(index)
        if len(members) < 2:
            return []
        rows = np.fromiter((self._sketch_row[i] for i in members), dtype=np.int64, count=len(members))
        signatures = np.frombuffer(self._signatures, dtype="<u4").reshape(-1, NUM_PERM)[rows]
        sizes = np.frombuffer(self._sizes, dtype=np.int64)[rows]
        pairs = near_duplicate_pairs(signatures, sizes, self.threshold)
        return [(members[a], members[b]) for a, b in pairs.tolist()]

    def resolve(self, near_pairs: list[tuple[int, int]] | None = None) -> dict[str, DuplicateMark]:
        """A mark for every record added. ``near_pairs`` (indices in the order records were added), when given,
        replaces the search over the sketches: the engine finds them in file stages."""
        count = len(self._times)
        order = sorted(range(count), key=self._id_bytes)
        parent = list(range(count))

        def find(index: int) -> int:
            while parent[index] != index:
                parent[index] = parent[parent[index]]
                index = parent[index]
            return index

        def union(a: int, b: int) -> None:
            root_a, root_b = find(a), find(b)
            if root_a != root_b:
                parent[max(root_a, root_b)] = min(root_a, root_b)

        first_of_key: dict[bytes, int] = {}
        for index in order:
            key = self._key_of(index)
            if key is not None:
                union(first_of_key.setdefault(key, index), index)
        for a, b in self._near_pairs(order) if near_pairs is None else near_pairs:
            union(a, b)

        clusters: dict[int, list[int]] = {}
        for index in order:
            clusters.setdefault(find(index), []).append(index)
        marks: dict[str, DuplicateMark] = {}
        exact = near = grouped = clustered = 0
        for members in clusters.values():
            canonical = min(members, key=lambda i: (self._times[i], self._id_bytes(i)))
            canonical_id = self._id(canonical)
            if len(members) > 1:
                grouped += 1
                clustered += len(members)
            for member in members:
                if member == canonical:
                    marks[self._id(member)] = DuplicateMark(False, None, canonical_id)
                    continue
                kind = "exact" if self._key_of(member) == self._key_of(canonical) else "near"
                exact += kind == "exact"
                near += kind == "near"
                marks[self._id(member)] = DuplicateMark(True, canonical_id, canonical_id, kind)
        self.stats = DedupStats(self.threshold, count, grouped, clustered, exact, near)
        return marks
