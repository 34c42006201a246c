"""Duplicate marking across the whole build: exact duplicates and near duplicates (MinHash LSH).

Per record, the worker computes ``DedupFeatures`` (``features_of``): a hash of the normalised text and,
for texts long enough, a MinHash sketch of its character 5-grams (``builders.dedup_minhash``). Only these
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

import hashlib
import re
import unicodedata
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from builders.dedup_minhash import (
    MAX_BUCKET,
    MIN_LENGTH_RATIO,
    MIN_NEAR_CHARS,
    NUM_PERM,
    SEED,
    SHINGLE_SIZE,
    Sketch,
    band_params,
    candidate_threshold,
    miss_probability,
    near_duplicate_pairs,
    sketch_of,
)
from builders.identity import SPLIT_BOUNDS

# Key of a row dict under which a worker hands its dedup features to the main process; never written.
DEDUP_FEATURES = "_dedup_features"
DEFAULT_THRESHOLD = 0.8
# Width (full/half) and punctuation/space differences do not make two texts different.
NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_DATE = 2**62  # sorts after every real date
ID_BYTES = 10  # a record id is 20 hex digits
KEY_BYTES = 16  # an exact-duplicate key is 32 hex digits
NO_KEY = bytes(KEY_BYTES)


# Full-width ASCII forms and the ideographic space, each replaced by its NFKD decomposition before NFKC.
# The result is the same (NFKC decomposes every character fully first), but Chinese text then mostly
# passes NFKC's quick check instead of taking the slow path: 4x faster on the corpus.
FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
FULL_WIDTH_FORMS = {chr(code): unicodedata.normalize("NFKD", chr(code)) for code in [*range(0xFF01, 0xFF5F), 0x3000]}


def _narrow(match: re.Match[str]) -> str:
    return FULL_WIDTH_FORMS[match.group()]


def normalised_text(text: str) -> str:
    """Text as compared: NFKC (folds full-width forms), lower-case, no punctuation/space."""
    return NOT_WORD.sub("", unicodedata.normalize("NFKC", FULL_WIDTH.sub(_narrow, text)).lower())


def _key(norm: str) -> str | None:
    """Exact-duplicate key of a normalised text; None when empty (image-only posts never match each other)."""
    return hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()[:32] if norm else None


def text_key(text: str) -> str | None:
    return _key(normalised_text(text))


@dataclass(frozen=True)
class DedupFeatures:
    """What dedup needs of one record's text (computed in the worker, cheap to pickle)."""

    key: str | None
    sketch: Sketch | None


def features_of(text: str) -> DedupFeatures:
    norm = normalised_text(text)
    return DedupFeatures(_key(norm), sketch_of(norm) if norm else None)


@dataclass(frozen=True)
class DuplicateMark:
    """What dedup says of one record; ``kind`` is "exact" or "near" for duplicates, else None."""

    is_duplicate: bool
    duplicate_of: str | None
    near_dup_cluster: str
    kind: str | None = None


@dataclass(frozen=True)
class DedupStats:
    """Figures of one resolve, for the summary and the card."""

    threshold: float
    records: int
    clusters: int  # clusters of two or more records
    clustered: int  # records in those clusters
    exact: int
    near: int


def _time_key(published_at: datetime | None) -> int:
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
        self._times.append(_time_key(published_at))
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

    def resolve(self) -> dict[str, DuplicateMark]:
        """A mark for every record added."""
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
        for a, b in self._near_pairs(order):
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


def split_change_probability() -> float:
    """Chance that two unrelated ids fall in different splits (what a canonical change risks)."""
    shares, previous = [], 0
    for _, bound in SPLIT_BOUNDS:
        shares.append((bound - previous) / SPLIT_BOUNDS[-1][1])
        previous = bound
    return 1.0 - sum(share * share for share in shares)


def dedup_markdown(stats: DedupStats | None, exact: Mapping[str, int], near: Mapping[str, int]) -> str:
    """The card's Deduplication block: method, parameters, counts, and what clusters mean for splits."""
    if stats is None:
        return "(no deduplication figures in this build)"
    lowest = candidate_threshold(stats.threshold)
    bands, rows = band_params(lowest)
    categories = sorted(set(exact) | set(near))
    table = "\n".join(f"| {c} | {exact.get(c, 0)} | {near.get(c, 0)} |" for c in categories)
    share = f"{stats.clustered / stats.records:.1%}" if stats.records else "0%"
    return (
        f"- **Exact duplicates**: same normalised `text` (NFKC, lower-case, punctuation and spaces removed). "
        "Empty texts (image-only posts) never match.\n"
        f"- **Near duplicates**: MinHash (datasketch, {NUM_PERM} permutations, `affine32` scheme, seed {SEED}) "
        f"over the distinct character {SHINGLE_SIZE}-grams of the normalised text. LSH banding with "
        f"{bands} bands of {rows} rows (datasketch's optimiser, weighted towards recall) finds candidates; it "
        f"misses a pair at the lowest similarity the rule accepts (Jaccard {lowest:.2f}) with probability "
        f"{miss_probability(lowest, stats.threshold):.1%}, at Jaccard 0.5 with probability "
        f"{miss_probability(0.5, stats.threshold):.2%} (a band bucket of more than {MAX_BUCKET} records is a template "
        "shared by many posts: its pairs must also agree on the following bands). A candidate pair is a near duplicate when its estimated "
        f"Jaccard similarity is at least **{stats.threshold:g}**, or when the shorter text's shingles are "
        f"contained in the longer one's at least at {stats.threshold:g} and the shorter text has at least "
        f"{MIN_LENGTH_RATIO:.0%} as many shingles (a cut-off or excerpt copy). Texts under {MIN_NEAR_CHARS} "
        "normalised characters only match exactly: a one-character edit changes up to "
        f"{SHINGLE_SIZE} of their few shingles, and a shared template opening dominates them.\n"
        "- **Clusters** are the connected components of these matches. The canonical record of a cluster is "
        "the one with the earliest `published_at` (unknown dates last), then the smallest `id`; the other "
        "members have `is_duplicate = true` and `duplicate_of` = its `id`; every record's `near_dup_cluster` "
        "is its cluster's canonical `id` (its own when alone). When the earlier copy is a cut-off one (a "
        "telegram before the full article), the `default` config keeps the shorter text; `all` has both.\n"
        f"- This build: **{stats.exact}** exact and **{stats.near}** near duplicates; clusters of two or more "
        f"records: {stats.clusters}, holding {stats.clustered} records ({share} of {stats.records}).\n\n"
        "| category | exact duplicates | near duplicates |\n|---|---|---|\n" + (table or "| (none) | 0 | 0 |") + "\n\n"
        "**Splits and stability.** A new cluster's split is a hash of its canonical `id`, so all copies of "
        "a story share a split and none leaks between train and test. Once released, a record keeps its split "
        "in every later release (the split ledger, `split_ledger.parquet`): when a later build adds a copy "
        "published *earlier* than the current canonical, the cluster's records stay where they were released "
        "and the new copy joins them; a post that joins clusters released in different splits goes to the "
        f"first of test, validation, train (without the ledger such a record would move with probability "
        f"{split_change_probability():.1%}). Records in multi-record clusters are {share} of this build."
    )
