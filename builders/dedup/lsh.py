"""Near-duplicate search over MinHash sketches (main side): LSH banding and the pair rule.

- Candidates come from LSH banding over the sketches, with the band count ``b`` and rows ``r`` chosen by
  datasketch's optimiser (``MinHashLSH(threshold, num_perm, weights).b/.r``, weighted towards recall),
  done in numpy by ``band_params``. The buckets are a sort over one numpy array per band instead of
  ``MinHashLSH``'s in-memory index, which measured 345 MB at threshold 0.8 and 1.1 GB at 0.4 for 100k
  records (a dict of sets per band); the sort needs a few MB at a time. A bucket of more than
  ``MAX_BUCKET`` records is a template shared by many posts, not a set of copies: it is split by the
  following bands' keys too, so the candidates grow with the corpus, not with its square (10,000
  templated synthetic posts: 9 million candidate pairs and 600 MB without the split, 0.9 million with
  it, the same near duplicates found).
- Every candidate pair is checked against the rule in ``is_near_duplicate`` using the sketch estimate of
  Jaccard similarity and the shingle counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache

import numpy as np

from builders.dedup.minhash import NUM_PERM, SEED

# A containment match needs the shorter text to be at least this fraction of the longer one.
MIN_LENGTH_RATIO = 0.5
PAIR_CHUNK = 4_096  # pairs checked at once: two (4096, 128) uint32 blocks, 4 MB, stay in cache
# A bucket with more rows than this is a shared template rather than copies: it is split further.
MAX_BUCKET = 64
# LSH parameters favour recall: a missed pair is a wrong flag, a spurious candidate only costs a check.
LSH_WEIGHTS = (0.05, 0.95)  # (false positive, false negative)


# Gauss-Legendre nodes for the optimiser's areas: exact for polynomials of degree < 2 * 65, and the integrands
# (1 - s**r)**b have degree b * r <= NUM_PERM.
QUADRATURE_POINTS = 65


def _areas(low: float, high: float, bands: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each (bands, rows): the integrals over [low, high] of the chance that LSH finds a pair of Jaccard s,
    1 - (1 - s**rows)**bands, and that it misses it, (1 - s**rows)**bands (Gauss-Legendre quadrature)."""
    nodes, weights = np.polynomial.legendre.leggauss(QUADRATURE_POINTS)
    half = (high - low) / 2
    similarity = low + half * (nodes + 1.0)
    miss = (1.0 - similarity[None, :] ** rows[:, None]) ** bands[:, None]
    return ((1.0 - miss) @ weights) * half, (miss @ weights) * half


@cache
def band_params(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) for this Jaccard threshold: those of ``b * r <= NUM_PERM`` that minimise the weighted
    sum of the false-positive area (found pairs below the threshold) and the false-negative area (missed pairs
    above it), ties to the smallest b, then r. That is datasketch's optimiser, ``MinHashLSH(threshold, num_perm,
    weights).b/.r`` (held equal by test), done here in numpy: datasketch imports scipy for it, 0.8 s and tens
    of MB in the build's driver."""
    bands, rows = np.array([(b, r) for b in range(1, NUM_PERM + 1) for r in range(1, NUM_PERM // b + 1)]).T
    false_positive, _ = _areas(0.0, threshold, bands, rows)
    _, false_negative = _areas(threshold, 1.0, bands, rows)
    weight_fp, weight_fn = LSH_WEIGHTS
    best = int(np.argmin(false_positive * weight_fp + false_negative * weight_fn))  # the first of equal ones
    if bands[best] < 2:
        raise ValueError(f"LSH at threshold {threshold} would have {bands[best]} band (b < 2)")
    return int(bands[best]), int(rows[best])


def candidate_threshold(threshold: float) -> float:
    """Lowest Jaccard a pair passing ``is_near_duplicate`` can have: LSH must find those pairs."""
    contained = threshold * MIN_LENGTH_RATIO  # shared shingles, in units of the longer text
    return min(threshold, contained / (1 + MIN_LENGTH_RATIO - contained))


def miss_probability(jaccard: float, threshold: float) -> float:
    """Chance that LSH misses a pair of this Jaccard similarity (no band equal)."""
    bands, rows = band_params(candidate_threshold(threshold))
    return float((1.0 - jaccard**rows) ** bands)


@cache
def _band_multipliers(rows: int) -> np.ndarray:
    """Fixed odd 64-bit multipliers, one per row of a band (the same for every band)."""
    return np.random.default_rng(SEED).integers(1, 2**63, size=rows, dtype=np.uint64) | np.uint64(1)


def band_keys(signatures: np.ndarray, band: int, rows: int) -> np.ndarray:
    """One uint64 key per row for LSH band ``band``: its ``rows`` hash values folded with fixed odd
    multipliers (a key collision only adds a candidate that the pair check then rejects)."""
    block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
    with np.errstate(over="ignore"):
        return (block * _band_multipliers(rows)).sum(axis=1, dtype=np.uint64)


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, starts, sizes): ``order`` sorts ``keys``; equal keys form groups at ``starts``, each group's rows
    in ascending order (a stable sort)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    return order, starts, np.diff(np.r_[starts, len(keys)])


@cache
def _pair_indices(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Row pairs (i < j) of a bucket of ``size`` members (at most ``MAX_BUCKET``: a small cache)."""
    return np.triu_indices(size, k=1)


def _bucket_pairs(
    order: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    count: int,
    band: int,
    bands: int,
    keys_of: Callable[[int], np.ndarray],
) -> list[np.ndarray]:
    """Pair codes (``low * count + high``) of the buckets ``order[start : start + size]`` (row numbers, ascending
    in each bucket) found in ``band``.

    A bucket of at most ``MAX_BUCKET`` rows gives all its pairs: the buckets of one size at once, as one
    (buckets, size) matrix. A crowded one (a shared template, not copies: near duplicates agree on many
    bands) is split by the next bands' keys as well, so its pairs must agree on more rows; members that
    agree on every band are equal sketches and are joined to the first of them (a star: the clusters come
    out the same)."""
    found: list[np.ndarray] = []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= MAX_BUCKET)]).tolist():
        members = order[starts[sizes == size][:, None] + np.arange(size)]  # rows ascending along axis 1
        left, right = _pair_indices(size)
        found.append((members[:, left] * count + members[:, right]).ravel())
    next_band = band + 1
    for start, size in zip(starts[sizes > MAX_BUCKET].tolist(), sizes[sizes > MAX_BUCKET].tolist(), strict=True):
        members = order[start : start + size]  # ascending: the star's centre is the smallest
        if next_band >= bands:
            found.append(members[0] * count + members[1:])
            continue
        group_order, group_starts, group_sizes = _groups(keys_of(next_band)[members])
        found += _bucket_pairs(members[group_order], group_starts, group_sizes, count, next_band, bands, keys_of)
    return found


def _distinct(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (a sort, much faster than ``np.unique``'s hashing on big int64 arrays)."""
    codes = np.sort(codes)
    return codes[np.r_[True, codes[1:] != codes[:-1]]] if len(codes) else codes


def _pairs_of(code_arrays: list[np.ndarray], count: int) -> np.ndarray:
    """The distinct pair codes of ``code_arrays`` as sorted (i, j) rows, shape (k, 2)."""
    codes = _distinct(np.concatenate(code_arrays)) if code_arrays else np.empty(0, np.int64)
    return np.stack([codes // count, codes % count], axis=1) if len(codes) else np.empty((0, 2), dtype=np.int64)


def band_keys_of(signatures: np.ndarray, rows: int) -> Callable[[int], np.ndarray]:
    """``band_keys`` of ``signatures`` for any band, each band computed once (crowded buckets ask again)."""
    computed: dict[int, np.ndarray] = {}

    def keys(band: int) -> np.ndarray:
        if band not in computed:
            computed[band] = band_keys(signatures, band, rows)
        return computed[band]

    return keys


def band_pairs(keys: np.ndarray, band: int, bands: int, keys_of: Callable[[int], np.ndarray]) -> np.ndarray:
    """The distinct pair codes ``i * count + j`` (i < j) of rows ``0..count-1`` sharing a bucket of ``band``,
    whose keys are ``keys``; ``keys_of`` gives the later bands' keys of the same rows (to split a crowded
    bucket). Sorted codes are sorted (i, j) pairs: rows in sorted id order give pairs in id order."""
    count = len(keys)
    order, starts, sizes = _groups(keys)
    return _distinct(
        np.concatenate([np.empty(0, np.int64), *_bucket_pairs(order, starts, sizes, count, band, bands, keys_of)])
    )


def band_candidates(signatures: np.ndarray, threshold: float) -> Iterator[np.ndarray]:
    """Per LSH band, the distinct pair codes ``i * count + j`` (i < j) of rows that share its bucket."""
    if signatures.shape[0] < 2:
        return
    bands, rows = band_params(candidate_threshold(threshold))
    keys = band_keys_of(signatures, rows)
    for band in range(bands):
        yield band_pairs(keys(band), band, bands, keys)


def candidate_pairs(signatures: np.ndarray, threshold: float) -> np.ndarray:
    """Pairs (i, j), i < j, of rows sharing at least one LSH band; sorted, unique, shape (k, 2)."""
    return _pairs_of(list(band_candidates(signatures, threshold)), signatures.shape[0])


def is_near_duplicate(jaccard: np.ndarray, size_a: np.ndarray, size_b: np.ndarray, threshold: float) -> np.ndarray:
    """The near-duplicate rule, vectorised over pairs.

    Two texts (both at least ``MIN_NEAR_CHARS`` normalised characters) are near duplicates when
    - their shingle sets have Jaccard similarity >= threshold, or
    - the shorter one's shingles are contained in the longer one's at >= threshold, and the shorter one
      has at least ``MIN_LENGTH_RATIO`` of the longer one's shingles (an excerpt or cut-off copy, such as
      a 财联社 电报 carrying the first part of the 深度 article). The ratio bound keeps a long article that
      quotes a short item from being called its copy.
    Containment is derived from the Jaccard estimate: |A∩B| = J(|A|+|B|)/(1+J).
    """
    small = np.minimum(size_a, size_b).astype(np.float64)
    large = np.maximum(size_a, size_b).astype(np.float64)
    shared = jaccard * (small + large) / (1.0 + jaccard)
    contained = (shared >= threshold * small) & (small >= MIN_LENGTH_RATIO * large)
    return (jaccard >= threshold) | contained


def near_codes(codes: np.ndarray, signatures: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
    """The pair codes of ``codes`` (over the rows of ``signatures``) whose pairs pass ``is_near_duplicate``,
    in their order: fancy indexing ``PAIR_CHUNK`` pairs at a time, so memory holds a chunk's rows, not all."""
    count = signatures.shape[0]
    kept = [np.empty(0, np.int64)]
    for start in range(0, len(codes), PAIR_CHUNK):
        chunk = codes[start : start + PAIR_CHUNK]
        left, right = chunk // count, chunk % count
        equal = np.take(signatures, left, axis=0) == np.take(signatures, right, axis=0)  # take: faster than []
        jaccard = np.count_nonzero(equal, axis=1) / signatures.shape[1]  # exactly equal.mean(axis=1)
        kept.append(chunk[is_near_duplicate(jaccard, sizes[left], sizes[right], threshold)])
    return np.concatenate(kept)


def near_duplicate_pairs(signatures: np.ndarray, sizes: np.ndarray, threshold: float) -> np.ndarray:
    """Pairs (i, j) of rows that are near duplicates, sorted: LSH candidates checked with the rule band by
    band, so memory holds one band's candidates, never the union of all (a pair found by several bands is
    checked again, which costs less than keeping every candidate: most share a single band)."""
    return _pairs_of(
        [near_codes(codes, signatures, sizes, threshold) for codes in band_candidates(signatures, threshold)],
        signatures.shape[0],
    )
