"""Benchmark of the dedup stage: time and peak memory on n synthetic posts.

``run(n_posts)`` builds a synthetic corpus (Zipf-distributed invented words, so unrelated posts share
common 5-grams as real news does; telegram-style template openings; 12% exact copies, 6% edited copies,
4% cut-off copies), then times, in a fresh process:
- ``features``: normalising, shingling and MinHash-sketching every text (in a build this runs in the
  worker processes, so its wall time there is divided by the worker count);
- ``resolve``: resolving clusters in the ``DuplicateFinder`` that collected the features (main process).
Peak RSS is the fresh process's maximum resident set; ``rss_before_mb`` is its size after imports and
corpus generation (the texts), so the stage itself (finder plus resolve) costs about the difference.

    python -m benchmarks.bench_dedup 100000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from typing import Any

VOCABULARY_SIZE = 8000
START = datetime(2022, 1, 1, tzinfo=UTC)


def _vocabulary(rng: random.Random) -> list[str]:
    return [
        "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(rng.choice((1, 2, 2, 2, 3, 4))))
        for _ in range(VOCABULARY_SIZE)
    ]


def synthetic_posts(n_posts: int, seed: int = 0) -> list[tuple[str, datetime, str]]:
    """(id, published_at, text) for n posts; about 22% are copies of an earlier post."""
    rng = random.Random(seed)
    words = _vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(VOCABULARY_SIZE)]
    posts: list[tuple[str, datetime, str]] = []
    while len(posts) < n_posts:
        number = len(posts)
        post_id = f"{rng.getrandbits(80):020x}"
        date = START + timedelta(seconds=rng.randrange(0, 300 * 86400))
        roll = rng.random()
        if posts and roll < 0.22:
            original = posts[rng.randrange(len(posts))][2]
            if roll < 0.12:
                text = original
            elif roll < 0.18:
                chars = list(original)
                for position in rng.sample(range(len(chars)), min(len(chars), rng.randrange(1, 6))):
                    chars[position] = chr(rng.randrange(0x4E00, 0x9FA5))
                text = "".join(chars)
            else:
                text = original[: int(len(original) * rng.uniform(0.55, 0.95))]
        else:
            length = rng.choice((40, 120, 300, 800, 1500, 3000))
            body = "".join(rng.choices(words, weights=weights, k=length // 2))
            prefix = (
                f"【{''.join(rng.choices(words, k=5))}】示例快讯{date.month}月{date.day}日电，"
                if number % 3 == 0
                else ""
            )
            text = prefix + body
        posts.append((post_id, date, text))
    return posts


def _measure(n_posts: int, threshold: float) -> dict[str, Any]:
    from builders.dedup.features import features_of
    from builders.dedup.finder import DuplicateFinder

    posts = synthetic_posts(n_posts)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finder = DuplicateFinder(threshold)
    features_seconds = 0.0
    for post_id, date, text in posts:  # as in a build: features stream into the finder
        started = time.perf_counter()
        features = features_of(text)
        features_seconds += time.perf_counter() - started
        finder.add_features(post_id, date, features)
    started = time.perf_counter()
    marks = finder.resolve()
    resolve_seconds = time.perf_counter() - started
    stats = finder.stats
    assert stats is not None
    return {
        "n_posts": n_posts,
        "threshold": threshold,
        "features_seconds": round(features_seconds, 2),
        "resolve_seconds": round(resolve_seconds, 2),
        "seconds": round(features_seconds + resolve_seconds, 2),
        "rss_before_mb": round(rss_before / 1024, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "exact_duplicates": stats.exact,
        "near_duplicates": stats.near,
        "clusters": stats.clusters,
        "marked": len(marks),
    }


def split_stability(n_posts: int, growth: float = 0.1) -> dict[str, Any]:
    """How many records of a version change split in the next, which has ``growth`` more posts.

    Two ways to grow: ``later`` adds posts dated after every existing one (a crawl going on), ``backfill``
    adds posts at random dates (an older archive merged in). A record moves only when its cluster's
    canonical changes to an id of another split.
    """
    from builders.common.identity import split_of
    from builders.dedup.features import features_of
    from builders.dedup.finder import DuplicateFinder

    posts = synthetic_posts(int(n_posts * (1 + growth)), seed=1)
    features = {post_id: features_of(text) for post_id, _, text in posts}

    def splits(subset: list[tuple[str, datetime, str]]) -> dict[str, str]:
        finder = DuplicateFinder()
        for post_id, date, _ in subset:
            finder.add_features(post_id, date, features[post_id])
        return {post_id: split_of(mark.near_dup_cluster) for post_id, mark in finder.resolve().items()}

    after = splits(posts)
    result: dict[str, Any] = {"n_posts": n_posts, "growth": growth}
    for name, before_posts in (
        ("later", sorted(posts, key=lambda p: p[1])[:n_posts]),
        ("backfill", random.Random(2).sample(posts, n_posts)),
    ):
        before = splits(before_posts)
        moved = sum(after[post_id] != split for post_id, split in before.items())
        result[f"{name}_moved"] = moved
        result[f"{name}_moved_share"] = round(moved / n_posts, 5)
    return result


def run(n_posts: int, threshold: float = 0.8) -> dict[str, Any]:
    """Time the dedup stage on ``n_posts`` synthetic posts, in a fresh process; seconds and peak RSS (MB)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_measure, n_posts, threshold).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n_posts", nargs="?", type=int, default=100_000)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--stability", action="store_true", help="measure split moves when the corpus grows 10%%")
    args = parser.parse_args(argv)
    result = split_stability(args.n_posts) if args.stability else run(args.n_posts, args.threshold)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
