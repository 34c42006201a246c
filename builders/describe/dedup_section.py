"""The card's Deduplication block: the method, its parameters and this build's figures, in words."""

from __future__ import annotations

from collections.abc import Mapping

from builders.common.identity import SPLIT_BOUNDS
from builders.common.summary import DedupStats
from builders.dedup.lsh import MAX_BUCKET, MIN_LENGTH_RATIO, band_params, candidate_threshold, miss_probability
from builders.dedup.minhash import MIN_NEAR_CHARS, NUM_PERM, SEED, SHINGLE_SIZE


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
