"""Shared fixtures: the real sample (from ../shared, never copied), fixture posts, small builds.
Plain helpers live in ``tests/helpers.py``."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import REAL_SAMPLE, make_post, write_small_corpus


@pytest.fixture(scope="session")
def real_sample() -> Path:
    """The real corpus sample; under CI=true its absence is a failure, elsewhere a skip."""
    if not (REAL_SAMPLE / "source" / "_posts").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the real sample is missing at {REAL_SAMPLE}")
        pytest.skip(f"real sample not present at {REAL_SAMPLE}")
    return REAL_SAMPLE


@pytest.fixture
def write_post(tmp_path: Path) -> Callable[..., Path]:
    """Write a post under tmp_path/raw/source/_posts/<category>/<source>/<feed>/<name>.md."""

    def write(name: str = "测试", text: str | None = None, **kwargs: object) -> Path:
        categories = kwargs.get("categories", ("金融", "测试源", "快讯"))
        folder = tmp_path / "raw" / "source" / "_posts" / Path(*categories)  # type: ignore[arg-type]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.md"
        path.write_text(text if text is not None else make_post(**kwargs), encoding="utf-8")  # type: ignore[arg-type]
        return path

    return write


@pytest.fixture(scope="session")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small invented corpus, built once (stats, card and croissant included)."""
    from builders.build import build

    root = tmp_path_factory.mktemp("small")
    out = root / "dataset"
    build(write_small_corpus(root), out, workers=1)
    return out


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded sample, built once for the session (1 worker). Tests only read it (copy to change it)."""
    from builders.build import SAMPLE_ROOT, build

    out = tmp_path_factory.mktemp("sample") / "dataset"
    build(SAMPLE_ROOT, out, workers=1)
    return out


@pytest.fixture(scope="session")
def real_build(real_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real sample, built once for the whole session (2 workers); every file becomes a record.
    Tests only read it."""
    from builders.build import build

    out = tmp_path_factory.mktemp("real") / "dataset"
    summary = build(real_sample, out, workers=2)
    assert summary.quarantined == []
    return out
