"""The per-file step annotates each record once: the masked text ships, its length and flags follow it."""

from __future__ import annotations

from builders.pipeline.step import process_file
from schemas.record import Post
from tests.helpers import make_post


def record_of(body: str, categories: tuple[str, str, str] = ("社交媒体", "测试社区", "热榜")) -> Post:
    result = process_file(make_post(body=body, categories=categories).encode("utf-8"), "社交媒体/测试社区/热榜/a.md")
    assert isinstance(result, Post), result
    return result


def test_pii_is_masked_in_the_shipped_text() -> None:
    post = record_of("<p>有事请发邮件到 zhang.san@example.com 或打 138-1234-5678 找我。</p>")
    assert post.text == "有事请发邮件到 [EMAIL] 或打 [PHONE] 找我。"
    assert post.pii_masked == 2
    assert post.char_count == len(post.text)
    assert (post.script, post.language) == ("Hans", "zh")
    assert 0 < post.language_score <= 1
    assert post.label == 0  # a placeholder: the build sets it


def test_stock_codes_and_hotlines_are_not_pii() -> None:
    # 6222020200112345679 passes Luhn with a UnionPay prefix: after 卡号 it is masked, after 订单号 it is an order id
    post = record_of("<p>紫金矿业（sh601899）今日上涨，服务热线 12345，订单号 6222020200112345679 已发货。</p>")
    assert post.pii_masked == 0
    assert "sh601899" in post.text and "6222020200112345679" in post.text
    card = record_of("<p>请转账到卡号 6222020200112345679，谢谢。</p>")
    assert (card.text, card.pii_masked) == ("请转账到卡号 [BANK_CARD]，谢谢。", 1)


def test_traditional_english_and_empty_posts() -> None:
    assert record_of("<p>這是一篇用繁體字寫的動畫新聞，導演發表了談話。</p>").script == "Hant"
    english = record_of("<p>The central bank kept its policy rate unchanged on Thursday, citing inflation.</p>")
    assert (english.script, english.language) == ("none", "en")
    empty = record_of('<p><img src="https://img.example.com/a.jpg"></p>')
    assert (empty.empty_body, empty.script, empty.language, empty.language_score) == (True, "none", "und", 0.0)
