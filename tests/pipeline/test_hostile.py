"""Hostile input: markup built to hurt the parser, active content, URL schemes, and odd or escaping paths.

Figures (time and memory per hostile body) come from ``benchmarks/hostile_html.py``; tests here assert
outcomes: a record or the right rejection, never an exception, and nothing active in the output.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import yaml
from datasets import load_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders.build import build
from builders.common.quarantine import Reason, Rejection
from builders.pipeline.discover import RawFile, discover, is_safe_raw_path
from builders.pipeline.pool import Budget
from builders.pipeline.step import MAX_ELEMENTS, process_file, process_one
from builders.release.validate import load_frame
from builders.write.shards import rows_to_table
from schemas.boilerplate import all_phrases
from schemas.frames import PostBody, PostMetadata
from schemas.record import Post
from tests.helpers import make_post

MB = 1024 * 1024


def outcome(body: str, **kwargs: object) -> Post | Rejection:
    return process_file(make_post(body=body, **kwargs).encode(), "敌意/测试/样本/a.md")  # type: ignore[arg-type]


def kept(body: str, **kwargs: object) -> Post:
    result = outcome(body, **kwargs)
    assert isinstance(result, Post), result
    return result


# --- markup built to hurt ---------------------------------------------------------------------


def test_100000_levels_of_nesting_are_refused_not_crashed() -> None:
    result = outcome("<div>" * 100_000 + "深处" + "</div>" * 100_000)
    assert isinstance(result, Rejection) and result.reason == Reason.MARKUP_TOO_COMPLEX


@pytest.mark.parametrize("tag", ["div", "span", "b", "table", "li", "blockquote"])
def test_deep_nesting_within_the_limit_keeps_its_text(tag: str) -> None:
    depth = MAX_ELEMENTS - 100
    post = kept("<p>开头</p>" + f"<{tag}>" * depth + "深处的字" + f"</{tag}>" * depth + "<p>结尾</p>")
    assert "深处的字" in post.text and post.text.startswith("开头") and post.text.endswith("结尾")


def test_unclosed_deep_nesting_keeps_its_text() -> None:
    assert "没有闭合" in kept("<div><span>" * 5_000 + "没有闭合").text


def test_a_slow_hostile_body_is_stopped_by_the_time_budget(tmp_path: Path) -> None:
    path = tmp_path / "cells.md"
    path.write_text(make_post(body="<table><tr>" + "<td>格</td>" * (MAX_ELEMENTS - 10) + "</tr></table>"))
    result = process_one(RawFile("敌意/测试/样本/cells.md", path), Budget(soft=0.01, hard=None))
    assert isinstance(result, Rejection) and result.reason == Reason.TIMEOUT


def test_huge_attribute_never_reaches_the_text() -> None:
    post = kept(f'<p title="{"攻" * (MB // 6)}" data-x="{"x" * (MB // 2)}">正文</p>')
    assert post.text == "正文"


def test_ten_megabyte_line_is_refused_and_a_large_line_is_kept() -> None:
    refused = outcome("<p>" + "字" * (10 * MB // 3) + "</p>")
    assert isinstance(refused, Rejection) and refused.reason == Reason.FILE_TOO_LARGE
    assert kept("<p>" + "字" * (MB // 2) + "</p>").char_count == MB // 2


@pytest.mark.parametrize(
    "body",
    [
        "<p <<a href=x <b>>>正文",
        "</p></p></div></body></html>正文<html><body>",
        "<p>正文<!-- 没有结束的注释",
        "<![CDATA[正文]]><!DOCTYPE x><?php echo 1 ?>",
        "<table><tr><td>正文<td><tr></table></td></tr>",
        "<a href='https://a.example/'<img src=x>正文</a",
        "<p>\udcff正文</p>".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        "<" * 5_000 + "正文" + ">" * 5_000,
        "<p>&#0;&#xD800;&#1114112;&#x110000;&unknown;正文</p>",
        "<svg><p>正文</p></svg><math><mi>x</mi></math>",
        "<p\x0b\x0c>正文</p\x0b>",
    ],
    ids=range(11),
)
def test_malformed_markup_never_raises(body: str) -> None:
    result = outcome(body)
    assert isinstance(result, (Post, Rejection))
    if isinstance(result, Post):
        assert "<script" not in result.text.lower()


# --- active content -----------------------------------------------------------------------------

ACTIVE = [
    "<script>EVIL()</script>",
    "<script type='text/template'><p>EVIL</p></script>",
    "<style>p::after { content: 'EVIL' }</style>",
    "<iframe src='https://a.example/'>EVIL</iframe>",
    "<iframe srcdoc='<p>EVIL</p>'></iframe>",
    "<object data='x.swf'><p>EVIL</p></object>",
    "<embed src='EVIL.swf'>",
    "<noscript><p>EVIL</p></noscript>",
    "<template><p>EVIL</p></template>",
    "<svg><script>EVIL()</script></svg>",
    "<p onclick='EVIL()' onmouseover=\"EVIL()\">文字</p>",
    "<img src=x onerror='EVIL()'>",
    "<a href='javascript:EVIL()'>链接</a>",
    "<img src='javascript:EVIL()'>",
    "<img src='data:image/svg+xml;base64,RVZJTA=='>",
    "<img src='  JaVaScRiPt:EVIL()'>",
    "<img src='https://proxy.example/?url=javascript:EVIL()'>",
    "<script>document.write('<p>EVIL</p>')</script>",
    "<form action='javascript:EVIL()'><input value='EVIL'><button>EVIL</button></form>",
]


@pytest.mark.parametrize("fragment", ACTIVE, ids=range(len(ACTIVE)))
def test_active_content_reaches_no_field(fragment: str) -> None:
    post = kept(f"<p>前文</p>{fragment}<p>后文</p>", headimg="javascript:EVIL()")
    assert "EVIL" not in post.text and post.text.startswith("前文")
    fields = [post.head_image, post.url, *post.images]
    assert all(value is None or value.startswith(("http://", "https://")) for value in fields)
    assert all("EVIL" not in (value or "") for value in fields if "proxy.example" not in (value or ""))


@pytest.mark.parametrize(
    "headimg",
    [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "//",
        "https://",
        "file:///etc/passwd",
        "/a.jpg",
        "https://user:pw@img.example.com/a.jpg",
        "https://[::1]/a.jpg",
        "https://img.example.com:port/a.jpg",
    ],
)
def test_head_image_accepts_only_http_urls_with_a_host(headimg: str) -> None:
    assert kept("<p>正文</p>", headimg=headimg).head_image is None


# --- paths --------------------------------------------------------------------------------------

ODD_NAMES = [
    "空 格  与\t制表",
    "引号 ' \" ` 和 \\ 反斜杠",
    "换\n行",
    "emoji 🚀🔥",
    "从右到左 \u202e gnp.exe",
    "零宽\u200b字符",
    "-以减号开头",
    "..点点开头",
    "组合字符 e\u0301",
]


def test_odd_file_names_build_load_and_validate(write_post: Callable[..., Path], tmp_path: Path) -> None:
    for i, name in enumerate(ODD_NAMES):
        write_post(name, title=f"'奇怪的名字 {i}'", body=f"<p>第{i}篇</p>")
    nested = tmp_path / "raw" / "source" / "_posts" / "金融" / "测试源" / "..." / "' ; rm -rf"
    nested.mkdir(parents=True)
    (nested / "深 层.md").write_text(make_post(title="'深层'"), encoding="utf-8")
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.records == len(ODD_NAMES) + 1 and summary.quarantined == [] and summary.reconciles()
    dataset = load_dataset(str(tmp_path / "out"), "all", cache_dir=str(tmp_path / "cache"))
    raw_paths = {p for split in dataset.values() for p in split["raw_path"]}
    assert "金融/测试源/快讯/换\n行.md" in raw_paths and "金融/测试源/.../' ; rm -rf/深 层.md" in raw_paths
    assert all(is_safe_raw_path(p) for p in raw_paths)
    PostMetadata.validate(load_frame(tmp_path / "out"), lazy=True)


def test_symlinks_leaving_the_root_are_not_followed(write_post: Callable[..., Path], tmp_path: Path) -> None:
    inside = write_post("里面", body="<p>里面的文章</p>")
    outside = tmp_path / "outside"
    (outside / "feed").mkdir(parents=True)
    secret = outside / "secret.md"
    secret.write_text(make_post(body="<p>SECRET</p>"), encoding="utf-8")
    (outside / "feed" / "more.md").write_text(make_post(body="<p>SECRET</p>"), encoding="utf-8")
    folder = inside.parent
    (folder / "link-out.md").symlink_to(secret)
    (folder / "link-up.md").symlink_to(Path("..") / ".." / ".." / ".." / ".." / ".." / "outside" / "secret.md")
    (folder / "link-etc.md").symlink_to("/etc/passwd")
    (folder / "link-in.md").symlink_to(inside)
    (folder / "dangling.md").symlink_to(folder / "nowhere.md")
    (folder / "loop.md").symlink_to(folder / "loop.md")
    (folder / "folder-out").symlink_to(outside / "feed", target_is_directory=True)
    _, files, ignored = discover(tmp_path / "raw")
    assert [f.raw_path.rsplit("/", 1)[1] for f in files] == ["link-in.md", "里面.md"]
    assert {i.raw_path.rsplit("/", 1)[1] for i in ignored} == {
        "link-out.md",
        "link-up.md",
        "link-etc.md",
        "dangling.md",
        "loop.md",
        "folder-out",
    }
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.records == 2 and summary.reconciles()
    frame = load_frame(tmp_path / "out")
    assert not frame["text"].str.contains("SECRET").any()


def test_a_fifo_named_like_a_post_is_ignored_not_read(write_post: Callable[..., Path], tmp_path: Path) -> None:
    folder = write_post("正常").parent
    os.mkfifo(folder / "管道.md")
    summary = build(tmp_path / "raw", tmp_path / "out", workers=1)
    assert summary.records == 1 and [i.why for i in summary.ignored] == ["not a regular file"]


@pytest.mark.parametrize(
    ("raw_path", "safe"),
    [("a/b.md", True), ("a/../b.md", False), ("/etc/x.md", False), ("..", False), ("", False)],
)
def test_is_safe_raw_path(raw_path: str, safe: bool) -> None:
    assert is_safe_raw_path(raw_path) is safe


@pytest.mark.parametrize("raw_path", ["../../etc/x.md", "/etc/x.md", "a/../../x.md"])
def test_process_file_refuses_a_raw_path_escaping_the_root(raw_path: str) -> None:
    result = process_file(make_post().encode(), raw_path)
    assert isinstance(result, Rejection) and result.reason == Reason.BAD_FILE_NAME


# --- property tests: generated front matter and HTML, hostile cases included -----------------------
# Each example is a handful of generated posts. Whatever they hold: no exception, exactly one outcome per
# file, every record passes PostMetadata, and PostBody too when the generated HTML is plain.

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
CJK_WORDS = st.text(
    alphabet="的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
    + "ABCxyz0123 ，。！？：",
    min_size=1,
    max_size=30,
)
# Plain text that cannot spell a boilerplate phrase: it lacks the first character of every listed phrase.
PHRASE_STARTS = frozenset(phrase[0] for phrase in all_phrases())
PLAIN_WORDS = CJK_WORDS.map(lambda text: "".join(ch for ch in text if ch not in PHRASE_STARTS)).filter(bool)
LEVELS = CJK_WORDS.filter(lambda text: bool(text.strip()))
PLAIN_TAGS = ["p", "div", "span", "b", "i", "em", "strong", "h2", "li", "blockquote", "section"]
HOSTILE_TAGS = ["script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "form", "textarea"]
URLS = st.one_of(
    st.builds(lambda host, path: f"https://{host}.example.com/{path}.jpg", st.sampled_from("abc"), st.integers(0, 99)),
    st.sampled_from(
        [
            "javascript:alert(1)",
            " JAVASCRIPT:alert(1)",
            "data:image/png;base64,AAAA",
            "//cdn.example.com/a.png",
            "/relative.png",
            "https://",
            "http://[::1",
            "https://picsum.photos/200",
            "vbscript:x",
            "https://user:pw@img.example.com/a.jpg",
            "https://[::1]/a.jpg",
            "http://img.example.com:80x/a.jpg",
        ]
    ),
    st.text(max_size=20),
)


def _attributes(mode: str) -> st.SearchStrategy[str]:
    plain = st.sampled_from(["", ' class="c"', ' id="x"', ' style="color:red"'])
    if mode == "plain":
        return plain
    url = URLS if mode == "broken" else URLS.map(lambda u: html.escape(u, quote=True))
    active = st.one_of(
        url.map(lambda u: f' href="{u}"'),
        st.sampled_from([' onclick="EVIL()"', " onerror=EVIL()", ' title="' + "攻" * 3000 + '"']),
    )
    if mode == "active":
        return st.one_of(plain, active)
    return st.one_of(plain, active, st.sampled_from([" <", ' a="', " '", " =>"]))


def html_tree(mode: str) -> st.SearchStrategy[str]:
    """Generated bodies. ``plain``: benign tags and text. ``active``: script, style, iframe ... with EVIL
    inside, event handlers, every kind of URL, tags left open; the text and attributes are escaped, so
    where EVIL sits is unambiguous. ``broken``: also raw text, stray ``<`` and unbalanced quotes, which
    can turn a ``<script`` into attribute text and its content into ordinary text (as in a browser)."""
    if mode == "plain":
        leaf = PLAIN_WORDS
    elif mode == "active":
        leaf = st.one_of(CJK_WORDS, st.text(max_size=20).map(html.escape), st.sampled_from(["&amp;", "&#0;", "&lt;"]))
    else:
        leaf = st.one_of(CJK_WORDS, st.text(max_size=20), st.sampled_from(["&amp;", "&#0;", "<", "]]>", "<!--"]))
    sources = URLS if mode != "plain" else URLS.filter(lambda u: u.startswith("https://"))
    images = sources.map(lambda u: f'<img src="{u if mode == "broken" else html.escape(u, quote=True)}">')

    def wrap(children: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
        tags = st.sampled_from(PLAIN_TAGS) if mode == "plain" else st.sampled_from(PLAIN_TAGS + HOSTILE_TAGS)
        closing = st.just(True) if mode == "plain" else st.booleans()
        return st.builds(
            lambda tag, attrs, kids, close: (
                f"<{tag}{attrs}>"
                + ("EVIL" if tag in HOSTILE_TAGS and tag not in {"embed", "svg", "form"} else "")
                + "".join(kids)
                + (f"</{tag}>" if close else "")
            ),
            tags,
            _attributes(mode),
            children,
            closing,
        )

    return st.recursive(st.one_of(leaf, images), lambda kids: wrap(st.lists(kids, max_size=4)), max_leaves=25)


def deep(mode: str) -> st.SearchStrategy[str]:
    """Now and then, a long run of nesting: depth must not matter."""
    return st.builds(
        lambda tag, n, inner: f"<{tag}>" * n + inner + f"</{tag}>" * n,
        st.sampled_from(PLAIN_TAGS),
        st.integers(50, 3000),
        html_tree(mode),
    )


LEVEL = st.one_of(CJK_WORDS, st.text(max_size=8), st.integers(), st.none(), st.lists(CJK_WORDS, max_size=2))
DATES = st.one_of(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1)).map(
        lambda d: d.replace(tzinfo=UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    ),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1)).map(
        lambda d: d.strftime("%Y-%m-%d %H:%M:%S")
    ),
    st.sampled_from(["Invalid Date", "2021-13-45 08:08:37", "昨天", ""]),
    st.integers(),
)
TITLES = st.one_of(CJK_WORDS, st.text(max_size=40), st.none(), st.just(""), st.integers(), st.lists(CJK_WORDS))
THREE_LEVELS = st.lists(CJK_WORDS, min_size=3, max_size=3)
# Mostly well-formed front matter (the body is what is under test), with odd values now and then.
FRONT_MATTER = st.fixed_dictionaries(
    {
        "title": TITLES,
        "categories": st.one_of(THREE_LEVELS, THREE_LEVELS, THREE_LEVELS, st.lists(LEVEL, max_size=4)),
        "date": DATES,
        "author": CJK_WORDS,
        "comments": st.just(False),
    },
    optional={"headimg": URLS, "thumbnail": URLS},
)


def raw_post(front_matter: dict[str, object], body: str, mangle: str | None) -> bytes:
    yaml_text = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False)
    if mangle is not None:  # now and then, break the YAML or the fences on purpose
        yaml_text = mangle + yaml_text
    return f"\n---\n{yaml_text}---\n\n<div>   \n{body}\n</div>\n            ".encode("utf-8", "surrogatepass")


MANGLES = st.sampled_from(
    [None] * 12 + ["- [\n", "title: !!python/name:os.system\n", "'", "---\n", ": :\n", "title: x\ntitle: y\n"]
)


def check_outcomes(posts: list[bytes], plain: bool, active_checked: list[bool] | None = None) -> None:
    rows = []
    for i, data in enumerate(posts):
        result = process_file(data, f"生成/样本/流/{i}.md")
        assert isinstance(result, (Post, Rejection))
        if isinstance(result, Rejection):
            assert result.reason in set(Reason) and result.message
            continue
        if active_checked is None or active_checked[i]:
            assert "EVIL" not in result.text
        assert all(u.startswith(("http://", "https://")) for u in [result.head_image or "http://x", *result.images])
        rows.append(result.model_dump())
    if rows:
        frame = pl.from_arrow(rows_to_table(rows))
        assert isinstance(frame, pl.DataFrame)
        PostMetadata.validate(frame, lazy=True)
        if plain:
            PostBody.validate(frame.select("text"), lazy=True)


HOSTILE_BODY = st.one_of(
    st.tuples(st.one_of(html_tree("active"), deep("active")), st.just(True)),
    st.tuples(st.one_of(html_tree("broken"), deep("broken")), st.just(False)),
)


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(FRONT_MATTER, HOSTILE_BODY, MANGLES), min_size=1, max_size=4))
def test_generated_hostile_posts_never_crash_and_records_pass_metadata(
    cases: list[tuple[dict, tuple[str, bool], str | None]],
) -> None:
    posts = []
    for front_matter, (body, _), mangle in cases:
        try:
            posts.append(raw_post(front_matter, body, mangle))
        except UnicodeEncodeError:  # lone surrogates cannot be a file's UTF-8: write them as raw bytes
            posts.append(raw_post(front_matter, body.encode("utf-8", "replace").decode(), mangle))
    check_outcomes(posts, plain=False, active_checked=[checked for _, (_, checked), _ in cases])


@PROPERTY_SETTINGS
@given(
    st.lists(
        st.tuples(
            st.lists(LEVELS, min_size=3, max_size=3),
            st.one_of(CJK_WORDS, st.none()),
            DATES,
            st.one_of(html_tree("plain"), deep("plain")),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_generated_plain_posts_become_clean_records(cases: list[tuple[list[str], str | None, object, str]]) -> None:
    posts = [
        raw_post(
            {"title": title, "categories": levels, "date": date, "headimg": "https://img.example.com/h.jpg"}, body, None
        )
        for levels, title, date, body in cases
    ]
    check_outcomes(posts, plain=True)
    results = [process_file(data, f"生成/样本/流/{i}.md") for i, data in enumerate(posts)]
    assert all(isinstance(r, Post) for r in results), [r for r in results if isinstance(r, Rejection)]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(
        st.one_of(
            st.tuples(FRONT_MATTER, html_tree("broken"), MANGLES).map(lambda c: raw_post(*c)),
            st.binary(max_size=200),
            st.sampled_from([b"", b"\x00\x01", b"\n---\n---\n", b"\n---\ntitle: x\n"]),
        ),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.sampled_from([".md", ".md", ".txt", ".markdown"]), min_size=8, max_size=8),
)
def test_generated_builds_reconcile(contents: list[bytes], suffixes: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "raw" / "生成" / "样本" / "流"
        folder.mkdir(parents=True)
        for i, data in enumerate(contents):
            (folder / f"文件 {i}{suffixes[i]}").write_bytes(data)
        summary = build(Path(tmp) / "raw", Path(tmp) / "out", workers=1)
        assert summary.reconciles() and summary.files_seen == len(contents)
        assert len(summary.ignored) == sum(s != ".md" for s in suffixes[: len(contents)])
        lines = (Path(tmp) / "out" / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(summary.quarantined)
