"""Helpers of the test suite: where the real sample and fixtures are, and invented posts in the
crawler's exact raw format. Import them from here (``from tests.helpers import make_post``);
``conftest.py`` holds the pytest fixtures only."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


REAL_SAMPLE = REPO.parent / "shared" / "corpus" / "raw"


FIXTURES = Path(__file__).parent / "fixtures"


TAIL = "\n</div>\n            "


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


def write_small_corpus(root: Path) -> Path:
    """An invented corpus in the crawler's format: 3 categories, an exact duplicate pair, one broken file.

    Returns the raw root (``root/raw``)."""
    posts = root / "raw" / "source" / "_posts"
    entries = [
        (
            ("金融", "测试财经", "快讯"),
            "央行公布数据",
            "Mon, 03 Jan 2022 08:00:00 GMT",
            "<p>央行今日公布了最新的货币数据，市场反应平稳。</p>",
        ),
        (
            ("金融", "测试财经", "快讯"),
            "股市收盘",
            "Tue, 01 Feb 2022 08:00:00 GMT",
            "<p>今日股市收盘，沪指小幅上涨，成交量放大。</p>" * 3,
        ),
        (
            ("金融", "另一财经", "深度"),
            "深度报道",
            "Wed, 02 Mar 2022 08:00:00 GMT",
            "<p>这是一篇关于新能源产业链的深度报道。</p>" * 20,
        ),
        (
            ("社交媒体", "测试问答", "热榜"),
            "一个问题",
            "Thu, 03 Mar 2022 08:00:00 GMT",
            "<p>有人问：怎样才能学好数学？回答说：多做题。</p>",
        ),
        (
            ("社交媒体", "测试问答", "热榜"),
            "一个问题的转载",
            "Fri, 04 Mar 2022 08:00:00 GMT",
            "<p>有人问：怎样才能学好数学？回答说：多做题。</p>",
        ),
        (
            ("新媒体", "测试科技", "资讯"),
            "新手机发布",
            "Sat, 05 Mar 2022 08:00:00 GMT",
            "<p>某公司发布了新款手机，搭载新的处理器。</p>" * 8,
        ),
        (
            ("新媒体", "测试科技", "资讯"),
            "无日期的帖子",
            "Invalid Date",
            "<p>这篇帖子的日期无法解析，只能当作缺失。</p>",
        ),
    ]
    for categories, title, date, body in entries:
        folder = posts.joinpath(*categories)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{title}.md").write_text(
            make_post(title=f"'{title}'", categories=categories, date=date, body=body), encoding="utf-8"
        )
    broken = posts / "金融" / "测试财经" / "快讯" / "坏文件.md"
    broken.write_text("这个文件没有 front matter，只有一行字。", encoding="utf-8")
    return root / "raw"
