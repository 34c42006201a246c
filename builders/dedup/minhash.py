"""MinHash sketches of texts (worker side, numpy only): character shingles and seeded MinHash values.

- A text's shingles are the distinct character 5-grams of its normalised form (Chinese has no spaces).
  Each shingle is hashed in numpy, all at once: a polynomial over its 5 code points modulo 2^64 with a
  fixed odd base, folded to 32 bits (two distinct shingles of one text collide with chance ~2^-32).
- Its sketch is a datasketch ``MinHash`` (``affine32`` scheme, fixed seed) of those hashes, kept only
  as its ``NUM_PERM`` uint32 hash values (512 bytes) plus the number of distinct shingles; the
  permutations are generated as datasketch does (held equal by test), so workers never import it.
Candidates and the pair rule are main-side: ``builders.dedup.lsh``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

SHINGLE_SIZE = 5
NUM_PERM = 128
SEED = 20220701
SCHEME = "affine32"
# Texts with fewer normalised characters than this only ever match exactly (see ``is_near_duplicate``).
MIN_NEAR_CHARS = 50


@dataclass(frozen=True)
class Sketch:
    """What near-duplicate search keeps of one text: MinHash values and the exact shingle count."""

    hashvalues: bytes  # NUM_PERM little-endian uint32
    shingles: int


# Powers of a fixed odd 64-bit base, highest first: shingle hash = sum(code[i + j] * BASE ** (k - 1 - j)).
_BASE = np.uint64(0x9E3779B97F4A7C15)
_POWERS = np.array([_BASE ** np.uint64(SHINGLE_SIZE - 1 - j) for j in range(SHINGLE_SIZE)], dtype=np.uint64)


def shingle_hashes(norm: str) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the character ``SHINGLE_SIZE``-grams of a normalised text."""
    codes = np.frombuffer(norm.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)
    count = len(codes) - SHINGLE_SIZE + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    with np.errstate(over="ignore"):
        hashes = codes[:count] * _POWERS[0]
        for offset in range(1, SHINGLE_SIZE):  # shifted views: no (count, SHINGLE_SIZE) block
            hashes += codes[offset : offset + count] * _POWERS[offset]
    folded = ((hashes >> np.uint64(32)) ^ hashes).astype(np.uint32)
    folded.sort()  # a sort then a mask: several times faster than np.unique's hashing here
    return folded[np.r_[True, folded[1:] != folded[:-1]]]


MAX_HASH = np.uint32(0xFFFFFFFF)  # datasketch's initial value of every affine32 slot


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """datasketch's ``MinHash(num_perm, seed, scheme="affine32")`` permutations ``a * h + b`` (odd ``a``)
    as (num_perm, 1) columns, and the initial hash values. Generated here the way datasketch does (its
    seeded ``RandomState``) so that workers never import datasketch, which pulls in scipy and pandas;
    ``tests/test_dedup.py`` holds them equal to datasketch's."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a.reshape(-1, 1), b.reshape(-1, 1), np.full(NUM_PERM, MAX_HASH, dtype=np.uint32)


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, datasketch's pre-mix of the affine32 scheme (wrapping uint32)."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def minhash_values(hashes: np.ndarray) -> np.ndarray:
    """Exactly ``MinHash.update_batch`` of ``hashes`` on the template (datasketch's affine32 scheme: its
    MurmurHash3 pre-mix, then ``a * h + b`` modulo 2^32, minimum per permutation), but laid out as a
    (num_perm, shingles) block reduced along rows: ~12x faster than datasketch's (shingles, num_perm) path.
    ``tests/test_dedup.py`` holds it equal to datasketch's own result."""
    a, b, initial = _permutations()
    if len(hashes) == 0:
        return initial.copy()
    mixed = fmix32(hashes.astype(np.uint32))
    block = np.multiply(a, mixed[None, :])
    block += b
    return np.minimum(initial, block.min(axis=1))


def sketch_of(norm: str) -> Sketch | None:
    """The sketch of a normalised text; None when it is too short to take part in near matching."""
    if len(norm) < MIN_NEAR_CHARS:
        return None
    hashes = shingle_hashes(norm)
    return Sketch(minhash_values(hashes).astype("<u4").tobytes(), len(hashes))
