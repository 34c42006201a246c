"""The benchmark's synthetic corpus: deterministic by seed, in the crawler's raw format, and it builds cleanly."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.make_corpus import FAMILIES, TAIL, make_post, write_corpus
from builders.build import build
from builders.pipeline.discover import discover
from builders.pipeline.front_matter import read_front_matter, split_post

POSTS = 400


def digest(root: Path) -> str:
    """One hash over every file's path and bytes."""
    sha = hashlib.sha256()
    for path in sorted(root.rglob("*.md")):
        sha.update(path.relative_to(root).as_posix().encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "corpus"
    write_corpus(root, POSTS, seed=11)
    return root


def test_same_seed_same_bytes_other_seed_other_posts(corpus: Path, tmp_path: Path) -> None:
    write_corpus(tmp_path / "again", POSTS, seed=11)
    write_corpus(tmp_path / "other", POSTS, seed=12)
    assert digest(tmp_path / "again") == digest(corpus)
    assert digest(tmp_path / "other") != digest(corpus)


def test_a_smaller_corpus_is_a_prefix_of_a_larger_one() -> None:
    assert [make_post(11, i) for i in range(50)] == [make_post(11, i) for i in range(50)]
    small = {make_post(11, i) for i in range(30)}
    assert small <= {make_post(11, i) for i in range(60)}


def test_posts_have_the_crawlers_raw_format(corpus: Path) -> None:
    files = sorted(corpus.rglob("*.md"))
    assert len(files) == POSTS
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("\n---\n")
        assert text.endswith(TAIL)
        assert "{" not in text and "}" not in text  # the crawler escapes braces as &#123; / &#125;
        front, body = split_post(text)
        meta = read_front_matter(front)
        assert path.relative_to(corpus / "source" / "_posts").parts[:3] == (meta.category, meta.source, meta.feed)
        assert body.startswith("\n\n<div>   \n")


def test_every_family_and_a_realistic_size_mix(corpus: Path) -> None:
    feeds = Counter(p.parent.relative_to(corpus / "source" / "_posts").as_posix() for p in corpus.rglob("*.md"))
    assert set(feeds) == {f"{c}/{s}/{f}" for c, s, f, *_ in FAMILIES}
    sizes = [p.stat().st_size for p in corpus.rglob("*.md")]
    assert sum(1_000 <= s <= 10_000 for s in sizes) > POSTS / 2  # most posts 1-10 KB
    assert any(s >= 30_000 for s in sizes)  # a tail of long posts
    assert max(sizes) <= 110_000


def test_the_corpus_builds_cleanly_with_cross_feed_duplicates(corpus: Path, tmp_path: Path) -> None:
    summary = build(corpus, tmp_path / "dataset", workers=1)
    _, files, ignored = discover(corpus)
    assert summary.quarantined == []
    assert ignored == []
    assert summary.records == len(files) == POSTS
    assert summary.duplicates > 0  # some posts repeat an earlier post's text in another feed
    assert summary.per_category["金融"] > summary.per_category["学习"]
