"""Cleaner rules, each on its own invented body; unseen feeds through the generic cleaner; the real sample."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from builders.cleaners import GENERIC, all_cleaners, cleaner_for
from builders.cleaners.base import Cleaned
from builders.cleaners.rules import GENERIC_RULES
from builders.pipeline.step import process_file
from schemas.boilerplate import all_phrases
from schemas.frames import PostBody
from schemas.record import Post
from tests.helpers import FIXTURES as TEST_FIXTURES
from tests.helpers import REPO, make_post

FIXTURES = TEST_FIXTURES / "cleaners"
BOILERPLATE = re.compile("|".join(re.escape(p) for p in all_phrases()))


def clean(body: str, source: str = "测试源", category: str = "测试", feed: str = "首页") -> Cleaned:
    return cleaner_for(category, source, feed).clean(body)


def assert_body_clean(texts: list[str]) -> None:
    PostBody.validate(pl.DataFrame({"text": texts}), lazy=True)


# --- shared walk ----------------------------------------------------------------------------------
def test_plain_text_newline_joins_words_but_breaks_after_sentences_and_before_list_items() -> None:
    body = (
        "<div>\n调查由志愿者Anna\nK.整理，共收到两千份答卷。\n第二段开始了\n接着说完。\n1.第一条；\n2.第二条。\n</div>"
    )
    assert (
        clean(body).text
        == "调查由志愿者Anna K.整理，共收到两千份答卷。\n第二段开始了接着说完。\n1.第一条；\n2.第二条。"
    )


def test_newline_inside_a_paragraph_element_is_layout() -> None:
    assert clean("<p>第一句。\n第二句。</p>").text == "第一句。第二句。"


def test_table_row_is_one_line_and_entities_in_code_are_decoded() -> None:
    body = '<table><tr><td>层级</td><td>介质</td></tr></table><pre class="brush:js;toolbar:false">f() &#123; return 1 &#125;</pre>'
    assert clean(body).text == "层级 介质\n```js\nf() { return 1 }\n```"


# --- generic rules --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "byline", "editor"),
    [
        ("本报记者 钱小二 见习记者 孙 三", "钱小二、孙 三", None),
        ("（总台记者 周四）", "周四", None),
        ("每经记者 吴五 郑六 每经编辑 王七", "吴五 郑六", "王七"),
        ("文 | 冯八", "冯八", None),
    ],
)
def test_lift_reporter_line(line: str, byline: str, editor: str | None) -> None:
    cleaned = clean(f"<p>{line}</p><p>正文第一段说了一件事。</p>")
    assert cleaned.text == "正文第一段说了一件事。"
    assert (cleaned.found.byline, cleaned.found.editor) == (byline, editor)


def test_lift_reporter_line_strips_a_bracketed_credit_in_front_of_the_lead() -> None:
    cleaned = clean("<p>【某报记者 陈九】纪念活动今天在北京举行。</p>")
    assert (cleaned.text, cleaned.found.byline) == ("纪念活动今天在北京举行。", "陈九")


def test_a_sentence_mentioning_a_reporter_is_not_a_credit_line() -> None:
    cleaned = clean("<p>他告诉记者，事情已经解决。</p>")
    assert (cleaned.text, cleaned.found.byline) == ("他告诉记者，事情已经解决。", None)


def test_lift_source_line_keeps_a_second_source_in_the_text() -> None:
    cleaned = clean("<p>来源：某某日报</p><p>正文。</p><p>来源|另一家</p>")
    assert (cleaned.text, cleaned.found.attribution) == ("正文。\n来源|另一家", "某某日报")


def test_a_credit_line_whose_field_is_taken_stays_in_the_text() -> None:
    body = "<p>每经编辑 黄某</p><p>正文。</p><p>责任编辑：王某</p>"
    cleaned = clean(body, source="新浪财经", category="金融", feed="新浪财经－国內")
    assert (cleaned.text, cleaned.found.editor) == ("每经编辑 黄某\n正文。", "王某")


def test_drop_reprint_notice_lifts_the_published_by_author() -> None:
    body = "<p>正文。</p><p>本文由 @小北 原创发布于某站。未经许可，禁止转载</p><p>&gt; 特别声明：本文为作者投稿。</p>"
    cleaned = clean(body)
    assert (cleaned.text, cleaned.found.byline) == ("正文。", "小北")


def test_drop_app_promotion_and_noise_lines() -> None:
    body = (
        "<p>正文。</p><p>扫描下方二维码，下载某某APP</p><p>=====</p><p>image</p><p>20230101120000.png</p>"
        "<figure><img src='https://img.example.com/a.png'><figcaption>图片来源于网络</figcaption></figure>"
    )
    cleaned = clean(body)
    assert cleaned.text == "正文。"
    assert cleaned.found.images == ["https://img.example.com/a.png"]


def test_mark_truncated_by_read_more_link_or_cut_off_ending() -> None:
    assert clean("<p>前半段。</p><p><a href='https://x.example/1'>阅读全文</a></p>").found.truncated
    assert clean("<p>他说这件事的关键在于...</p>").found.truncated
    assert not clean("<p>资源持续更新中……</p>").found.truncated
    assert not clean("<p>一句完整的话。</p>").found.truncated


def test_the_card_lists_every_generic_rule_in_order() -> None:
    card = (REPO / "DATASET_CARD.md").read_text(encoding="utf-8")
    section = card[card.index("**Generic rules**") : card.index("**Site rules**")]
    listed = re.findall(r"^- `(\w+)`", section, flags=re.MULTILINE)
    assert listed == [rule.__name__ for rule in GENERIC_RULES]


# --- site cleaners: their cases are fixture folders (tests/cleaners/test_sites.py) ----------------
def test_every_site_cleaner_is_selected_by_its_source() -> None:
    for name, cls in all_cleaners().items():
        source = sorted(cls.sources)[0]
        assert cleaner_for("任意", source, sorted(cls.feeds)[0] if cls.feeds else "任意").name == name
    assert cleaner_for("编程", "少数派", "首页") is GENERIC


# --- feeds absent from the sample: the generic cleaner, no code change --------------------------
UNSEEN = {
    "sspai.md": {"images": ["https://cdn.sspai.example/2022/desk.jpg?imageMogr2/auto-orient/quality/95"]},
    "woshipm.md": {"byline": "产品小北"},
    "juejin.md": {"truncated": True},
    "meituan.md": {},
    "mlog.md": {},
}


@pytest.mark.parametrize("name", sorted(UNSEEN))
def test_unseen_feed_comes_out_clean_through_the_generic_cleaner(name: str) -> None:
    record = process_file((FIXTURES / name).read_bytes(), f"x/y/z/{name}")
    assert isinstance(record, Post)
    assert record.cleaner == "generic"
    assert record.text and not BOILERPLATE.search(record.text)
    assert_body_clean([record.text])
    for field, value in UNSEEN[name].items():
        assert getattr(record, field) == value


def test_plain_text_feed_keeps_sentences_and_names_whole() -> None:
    record = process_file((FIXTURES / "mlog.md").read_bytes(), "x/y/z/mlog.md")
    assert isinstance(record, Post)
    assert "string 的零值是空字符串，指针的零值是 nil。" in record.text
    assert "Rob Pike" in record.text
    assert record.text.count("\n") == 1


# --- reposts: one site's article under another feed (the generic cleaner) -----------------------
# Portals repost 36kr and 知乎 articles with their markup intact; those sites' boilerplate must not
# survive whichever cleaner serves the feed, and the structure must still reach its fields.
KR36_REPOST = (
    "<blockquote><p>神译局是36氪旗下编译团队，关注海外新技术。</p></blockquote>"
    "<p>编者按：本文来自微信公众号“山间数据”（ID：shanjian_data），作者：林知秋，编辑：白露，36氪经授权发布。</p>"
    "<p>编者按：转载时编辑加的一段导语。</p>"
    "<p>仓库里的分拣机器人一年换了三代。</p><p>最后一段写到了冬天。</p>"
)
ZHIHU_REPOST = (
    '<div class="main-wrap content-wrap"><div class="question"><h2 class="question-title">冬天怎么养绿萝？</h2>'
    '<div class="answer"><div class="meta"><img class="avatar" src="https://pic1.zhimg.com/v2-aa_l.jpg">'
    '<span class="author">南窗，</span><span class="bio">园艺爱好者</span>'
    '<a href="https://www.zhihu.com/question/42/answer/7" class="originUrl" hidden>查看知乎原文</a></div>'
    '<div class="content"><p>少浇水，多晒太阳。</p></div></div>'
    '<div class="view-more"><a href="https://www.zhihu.com/question/42">查看知乎讨论</a></div></div></div>'
)


def repost(body: str) -> Post:
    text = make_post(title="'一篇转载'", categories=("新媒体", "cnBeta", "最新"), body=body)
    record = process_file(text.encode("utf-8"), "新媒体/cnBeta/最新/一篇转载.md")
    assert isinstance(record, Post)
    assert record.cleaner == "generic"
    return record


def test_a_36kr_repost_in_another_feed_lifts_the_source_statement() -> None:
    record = repost(KR36_REPOST)
    assert record.text == "转载时编辑加的一段导语。\n仓库里的分拣机器人一年换了三代。\n最后一段写到了冬天。"
    assert record.attribution == (
        "本文来自微信公众号“山间数据”（ID：shanjian_data），作者：林知秋，编辑：白露，36氪经授权发布。"
    )
    assert (record.byline, record.editor) == ("林知秋", "白露")
    assert not BOILERPLATE.search(record.text)
    assert_body_clean([record.text])


def test_a_source_statement_at_the_end_without_label_is_lifted_too() -> None:
    body = "<p>第一段。</p><p>第二段。</p><p>本文来自微信公众号“海风笔记”（ID：haifeng），作者：沈默，经授权发布。</p>"
    record = repost(body)
    assert (record.text, record.byline) == ("第一段。\n第二段。", "沈默")
    assert record.attribution == "本文来自微信公众号“海风笔记”（ID：haifeng），作者：沈默，经授权发布。"


def test_a_zhihu_daily_repost_in_another_feed_drops_the_footer_links() -> None:
    record = repost(ZHIHU_REPOST)
    # The question title stays (the generic path cannot tell it from a heading); the header line goes.
    assert record.text == "冬天怎么养绿萝？\n少浇水，多晒太阳。"
    assert record.byline == "南窗"  # the answerer, as the 知乎 cleaner's answer_header lifts it
    assert not BOILERPLATE.search(record.text)
    assert_body_clean([record.text])


# Every cleaner, the generic one included, on invented bodies that carry each boilerplate phrase the way
# its site writes it (glued to a sentence where plain-text reposts glue it): no phrase survives any cleaner.
BOILERPLATE_BODIES = {
    "kr36_statement_first": KR36_REPOST,
    "kr36_statement_last": "<p>正文一段。</p><p>编者按：本文来自微信公众号“某某”（ID：mm），作者：甲乙，36氪经授权发布。</p>",
    "kr36_statement_no_label": "<p>本文来自微信公众号“某某”（ID：mm），36氪经授权发布。</p><p>正文。</p>",
    "kr36_banner_in_note": "<p>编者按：神译局是36氪旗下编译团队，关注海外新技术。</p><p>正文。</p>",
    "kr36_related": "<p>正文。</p><p><strong>相关阅读：</strong></p><p>相关阅读：另一篇文章的标题</p>",
    "zhihu_daily": ZHIHU_REPOST,
    "zhihu_plain_links": '<p>回答。</p><p><a href="https://www.zhihu.com/question/1/answer/2">查看知乎原文</a></p>'
    '<div><a href="https://www.zhihu.com/question/1">查看知乎讨论</a></div>',
    "zhihu_footer_glued": '<p>回答。<a href="https://www.zhihu.com/question/1">查看知乎讨论</a></p>',
    "sina_qr": '<p>正文。</p><div class="appendQr_wrap"><div class="appendQr_normal_txt">'
    "海量资讯、精准解读，尽在新浪财经APP</div></div>",
    "sina_account_qr": '<p>正文。</p><div class="app-kaihu-qr"><span>开户送福利！领取理财券，每日限额500份</span></div>',
    "sina_self_media": "<p>正文。</p><p>（自媒体综合提供的内容均源自自媒体，版权归原作者所有。文章观点不代表新浪立场。）</p>",
    "sina_labels": "<p>原标题：一个旧标题</p><p>正文。</p><p>责任编辑：甲</p>",
    "sina_editor_glued": "<div>第一句。\n最后一句。责任编辑：乙</div>",
    "ithome_disclosure": "<p>正文。</p><p>广告声明：文内含有的对外跳转链接仅供参考，IT之家所有文章均包含本声明。</p>",
    "link_labels_glued": '<p>正文。<a href="https://x.example/">阅读原文</a></p><p>A report. <a href="https://x.example/r.pdf">Download PDF</a></p>',
    "link_labels_alone": '<p>正文。</p><p><a href="https://x.example/">查看原文</a></p><p><a href="https://x.example/a">点击阅读全文</a></p><p>后文。</p>',
    "reprint": "<p>正文。</p><p>本文为原创，未经许可，禁止转载。</p><p>未经授权，禁止转载</p>",
    "sspai": "<p>正文。</p><p>下载少数派客户端、关注少数派公众号、关注少数派小红书。</p>",
    "woshipm": "<p>正文。</p><p>本文由 @小北 原创发布于人人都是产品经理，未经许可，禁止转载</p><p>题图来自Unsplash，基于CC0协议</p>",
    "meituan": "<p>正文。</p><p>本文系美团技术团队出品，著作权归属美团。欢迎非商业转载，请注明出处。</p>",
    "reader_credit": "<p>感谢IT之家网友 某读者 的线索投递！</p><p>正文。</p><p>正文。感谢cnBeta网友 乙 的线索投递！</p>",
    "image_attribute": '<p>正文。</p><img src="https://img.example.com/a.jpg" referrerpolicy="no-referrer">',
}


def test_every_boilerplate_phrase_has_a_body_that_carries_it() -> None:
    bodies = "".join(BOILERPLATE_BODIES.values())
    assert [phrase for phrase in all_phrases() if phrase not in bodies] == []


@pytest.mark.parametrize("body", sorted(BOILERPLATE_BODIES))
@pytest.mark.parametrize("cleaner", ["generic", *all_cleaners()])
def test_no_boilerplate_phrase_survives_any_cleaner(cleaner: str, body: str) -> None:
    instance = GENERIC if cleaner == "generic" else all_cleaners()[cleaner]()
    cleaned = instance.clean(BOILERPLATE_BODIES[body])
    assert not BOILERPLATE.search(cleaned.text), cleaned.text
    assert cleaned.text  # the post's own words stay
    assert_body_clean([cleaned.text])
    if body.startswith("kr36_statement"):
        assert cleaned.found.attribution and cleaned.found.attribution.startswith("本文来自微信公众号")


def test_glued_editor_and_link_labels_leave_the_sentence_whole() -> None:
    glued = GENERIC.clean(BOILERPLATE_BODIES["sina_editor_glued"])
    assert (glued.text, glued.found.editor) == ("第一句。\n最后一句。", "乙")
    labels = GENERIC.clean(BOILERPLATE_BODIES["link_labels_glued"] + BOILERPLATE_BODIES["link_labels_alone"])
    assert labels.text == "正文。\nA report.\n正文。\n后文。"
    assert not labels.found.truncated  # a 阅读全文 link between paragraphs is not a cut
    # A label glued straight to a word may be the author's own: it stays (and validate reports it).
    assert GENERIC.clean("<p>我建议先阅读原文</p>").text == "我建议先阅读原文"
    assert GENERIC.clean("<p>相关阅读材料放在附录里，请自取。</p>").text == "相关阅读材料放在附录里，请自取。"


# --- the real sample ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_records(real_sample: Path) -> list[Post]:
    posts = real_sample / "source" / "_posts"
    records = [
        process_file(path.read_bytes(), path.relative_to(posts).as_posix()) for path in sorted(posts.rglob("*.md"))
    ]
    assert all(isinstance(r, Post) for r in records)
    return records  # type: ignore[return-value]


def test_real_sample_bodies_are_clean(real_records: list[Post]) -> None:
    assert_body_clean([r.text for r in real_records])
    assert not [r.raw_path for r in real_records if BOILERPLATE.search(r.text)]


def test_real_sample_fields_are_filled_where_the_post_has_them(real_records: list[Post]) -> None:
    def feed(source: str, name: str | None = None) -> list[Post]:
        return [r for r in real_records if r.source == source and (name is None or r.feed == name)]

    sina = feed("新浪财经")
    assert sina and all(r.editor for r in sina)
    assert sum(bool(r.original_title) for r in sina) >= 9
    assert sum(bool(r.stock_codes) for r in sina) >= 6
    assert any(r.byline for r in sina)
    daily = feed("知乎", "知乎日报")
    assert daily and all(r.url and r.url.startswith("https://www.zhihu.com/question/") and r.byline for r in daily)
    assert all(r.byline for r in feed("知乎", "知乎热榜"))
    kr = feed("36kr")
    assert sum(bool(r.attribution) for r in kr) == 3
    assert any(r.editor for r in feed("财联社")) and any(r.byline for r in feed("财联社"))
    assert all(r.url and r.url.endswith(".pdf") for r in feed("世界经济论坛"))
    assert {r.empty_body for r in feed("AcFun")} == {True}
    assert sum(r.empty_body for r in feed("Mastodon")) == 1
    assert all(not r.truncated for r in real_records)  # no body of the sample is cut off
