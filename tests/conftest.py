"""Shared fixtures: the real sample (from ../shared, never copied), fixture posts, small builds."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_SAMPLE = REPO.parent / "shared" / "corpus" / "raw"
FIXTURES = Path(__file__).parent / "fixtures"
TAIL = "\n</div>\n            "


@pytest.fixture(scope="session")
def real_sample() -> Path:
    """The real corpus sample; under CI=true its absence is a failure, elsewhere a skip."""
    if not (REAL_SAMPLE / "source" / "_posts").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the real sample is missing at {REAL_SAMPLE}")
        pytest.skip(f"real sample not present at {REAL_SAMPLE}")
    return REAL_SAMPLE


def make_post(
    title: str = "'一条测试新闻'",
    categories: tuple[str, str, str] = ("金融", "测试源", "快讯"),
    date: str = "Fri, 01 Jul 2022 23:44:55 GMT",
    body: str = "<p>这是一段正文。</p>",
    headimg: str | None = "https://img.example.com/a.jpg",
    old_template: bool = False,
) -> str:
    """A post in the crawler's exact raw format (leading blank line, fences, trailing div and spaces)."""
    indent = "    " if old_template else " "
    lines = ["", "---", f"title: {title}", "categories: ", *(f"{indent}- {c}" for c in categories)]
    if old_template:
        lines.append("")
    elif headimg is not None:
        lines.append(f"headimg: '{headimg}'")
    lines += [f"author: {categories[1]}", "comments: false", f"date: {date}"]
    if headimg is not None:
        lines.append(f"thumbnail: '{headimg}'")
    lines += ["---", "", "<div>   ", body]
    return "\n".join(lines) + TAIL


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


# Invented posts for versioning tests (manifest, verify, diff, release): raw_path -> make_post kwargs.
INVENTED_POSTS: dict[str, dict[str, object]] = {
    f"{cat}/{src}/{feed}/{name}.md": {
        "title": f"'{name}'",
        "categories": (cat, src, feed),
        "date": f"{['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][day - 1]}, 0{day} Aug 2022 0{day}:15:00 GMT",
        "body": f"<p>{name}：这是第{day}篇虚构的测试文章，内容只为测试版本管理。</p><p>第二段写了一些别的细节，编号{day}。</p>",
    }
    for day, (cat, src, feed, name) in enumerate(
        [
            ("金融", "测试财经", "快讯", "央行公布虚构数据"),
            ("金融", "测试财经", "快讯", "某地新开一家书店"),
            ("金融", "测试财经", "深度", "港口吞吐量的故事"),
            ("社交媒体", "测试社区", "热榜", "周末去哪里爬山"),
            ("社交媒体", "测试社区", "热榜", "家里的猫学会开门"),
            ("新媒体", "测试科技", "资讯", "一款开源工具发布新版"),
        ],
        start=1,
    )
}


def write_corpus(root: Path, posts: dict[str, dict[str, object]] | None = None) -> Path:
    """Write posts (raw_path -> make_post kwargs, or raw text under key "text") as a Hexo tree; returns root."""
    for raw_path, kwargs in (INVENTED_POSTS if posts is None else posts).items():
        path = root / "source" / "_posts" / raw_path
        path.parent.mkdir(parents=True, exist_ok=True)
        text = kwargs["text"] if "text" in kwargs else make_post(**kwargs)  # type: ignore[arg-type]
        path.write_text(str(text), encoding="utf-8")
    return root
