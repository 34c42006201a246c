"""PII detection and masking: true positives, the false positives that matter, idempotence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders.annotate.pii import (
    CATEGORIES,
    PLACEHOLDERS,
    card_prefix_ok,
    luhn_valid,
    mask_pii,
    valid_card_number,
    valid_id_number,
)

ZERO = dict.fromkeys(CATEGORIES, 0)

# The example number of GB 11643-1999 itself, and test card numbers that card schemes publish.
ID_EXAMPLE = "11010519491231002X"
CARDS = {
    "visa": "4111111111111111",
    "mastercard": "5555555555554444",
    "mastercard_2_series": "2223003122003222",
    "unionpay_16": "6200000000000005",
    "unionpay_19": "6205500000000000004",
    "jcb": "3530111333300000",
}


def counts(**nonzero: int) -> dict[str, int]:
    return ZERO | nonzero


def id_with_check_digit(first17: str) -> str:
    """Complete 17 digits with their MOD 11-2 check character (written here from the standard's formula)."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


# --- true positives -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked", "expected"),
    [
        ("联系邮箱：zhang.san@example.com。", "联系邮箱：[EMAIL]。", counts(email=1)),
        (
            "投稿请发至 tips+news@mail.example.com.cn 或 editor_01@163.com",
            "投稿请发至 [EMAIL] 或 [EMAIL]",
            counts(email=2),
        ),
        ("<mailto:someone@example.org>", "<mailto:[EMAIL]>", counts(email=1)),
        ("见https://a.example.com，联系mailto:a@b.cn", "见https://a.example.com，联系mailto:[EMAIL]", counts(email=1)),
        ("邮箱ABC@QQ.COM获取资料", "邮箱[EMAIL]获取资料", counts(email=1)),
        ("手机13812345678，微信同号", "手机[PHONE]，微信同号", counts(phone=1)),
        ("电话：+86 138 1234 5678", "电话：[PHONE]", counts(phone=1)),
        ("+86-139-0000-1111 或 0086 15912345678 或 8618612345678", "[PHONE] 或 [PHONE] 或 [PHONE]", counts(phone=3)),
        ("tel:19912345678。", "tel:[PHONE]。", counts(phone=1)),
        (f"身份证号{ID_EXAMPLE}，", "身份证号[ID_NUMBER]，", counts(id_number=1)),
        (f"证件 {ID_EXAMPLE.lower()} 已登记", "证件 [ID_NUMBER] 已登记", counts(id_number=1)),
        ("卡号 4111 1111 1111 1111", "卡号 [BANK_CARD]", counts(bank_card=1)),
        ("转账到6205-5000-0000-0000-004即可", "转账到[BANK_CARD]即可", counts(bank_card=1)),
    ],
)
def test_true_positives_are_masked_and_counted(text: str, masked: str, expected: dict[str, int]) -> None:
    assert mask_pii(text) == (masked, expected)


@pytest.mark.parametrize("number", CARDS.values(), ids=CARDS.keys())
def test_published_test_card_numbers_are_cards(number: str) -> None:
    assert valid_card_number(number)
    assert mask_pii(f"银行卡：{number}。") == ("银行卡：[BANK_CARD]。", counts(bank_card=1))


def test_id_number_rules() -> None:
    assert valid_id_number(ID_EXAMPLE)
    good = id_with_check_digit("44030420000229123")  # 2000-02-29 exists
    assert valid_id_number(good)
    assert not valid_id_number(good[:-1] + ("0" if good[-1] != "0" else "1"))  # wrong check digit
    assert not valid_id_number(id_with_check_digit("44030419990229123"))  # 1999-02-29 does not exist
    assert not valid_id_number(id_with_check_digit("44030418991231123"))  # born before 1900
    assert not valid_id_number(id_with_check_digit("44030420310101123"))  # after the fixed bound
    assert not valid_id_number(id_with_check_digit("99030419900101123"))  # no province 99
    assert not valid_id_number(id_with_check_digit("44030419901301123"))  # month 13


def test_luhn_and_prefix_rules() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert not valid_card_number("4111111111111112")  # Luhn fails
    assert card_prefix_ok("6" + "2" * 18) and not card_prefix_ok("6" + "2" * 19)
    assert not card_prefix_ok("4" * 17)  # Visa is 16 or 19 digits
    assert not card_prefix_ok("5" + "6" * 15) and card_prefix_ok("5" + "5" * 15)
    for first in "1789":
        assert not card_prefix_ok(first + "0" * 15), first


def test_an_id_number_that_also_passes_luhn_counts_as_an_id() -> None:
    # province 62 looks like a UnionPay prefix; find an 18-digit ID that also passes Luhn
    candidate = next(
        number
        for seq in range(1000)
        if (number := id_with_check_digit(f"62010219900101{seq:03d}"))[-1] != "X" and luhn_valid(number)
    )
    assert card_prefix_ok(candidate) and valid_id_number(candidate) and not valid_card_number(candidate)
    assert mask_pii(f"号码{candidate}") == ("号码[ID_NUMBER]", counts(id_number=1))


# --- false positives ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # stock codes and market data
        "紫金矿业(sh601899)涨停，贵州茅台 600519.SH 收跌，代码 SZ000001、HK00700",
        "最新净值 2.2252，今日跌幅 -0.1839%（¥-0.0041），成交额 1234567890123 元",
        # dates, times and timestamps as digit runs
        "统计区间 20261201 至 20261231，时间戳 1764547200，毫秒 1764547200000，微秒 1764547200000000",
        "发布于 2026-12-01 08:00:00，版本 v13812345678 与 1.13812345678",
        # order, waybill and transaction numbers (long digit runs, some pass Luhn)
        "订单号 4111111111111111 已发货，运单号：6200000000000005，交易号 5555555555554444",
        "Order #4111111111111111 shipped; tracking 3530111333300000",
        "顺丰 SF1234567890123，京东 JD0012345678901，EMS EA123456789CN",
        # URLs and handles
        "https://x.com/@user 和 https://medium.com/@writer/post-1 以及 @东方网 报道",
        "https://weibo.com/u/13812345678 和 https://example.com/card/4111111111111111",
        f"https://example.com/verify?id={ID_EXAMPLE}",
        "https://user:secret@host.example.com/path",
        # e-mail-shaped code and file names
        "npm i lodash@4.17.21，图片 logo@2x.png 与 icon@3x.webp，git@github.com:owner/repo.git",
        "@SpringBootApplication(proxyBeanMethods = false)，CPU E5-2682 v4 @ 2.50GHz",
        # ISBNs, hashes, ids in hex
        "ISBN 978-7-111-12345-6，ISBN 9787111123456，ISBN 7-111-12345-X",
        "commit 4111111111111111abc, sha 3f5a9c4111111111111111, 0x4111111111111111",
        # hotlines and landlines (public, not mobile numbers)
        "拨打12345政务热线，或 95588、400-810-8888、010-12345678、(021)6234 5678",
        # numbers too long or too short to be one
        "13812345678901 与 1381234567 与 41111111111111111111",
        # a number with letters glued to it
        "ID13812345678、abc6200000000000005、11010519491231002Xyz",
    ],
)
def test_false_positives_are_left_alone(text: str) -> None:
    assert mask_pii(text) == (text, ZERO)


# --- idempotence and invariants -------------------------------------------------------------------


def test_placeholders_are_never_detected_again() -> None:
    text = " ".join(PLACEHOLDERS.values()) + " " + "".join(PLACEHOLDERS.values())
    assert mask_pii(text) == (text, ZERO)
    for placeholder in PLACEHOLDERS.values():
        assert "<" not in placeholder and "@" not in placeholder
        assert not any(c.isdigit() for c in placeholder)


def test_masking_twice_changes_nothing_more() -> None:
    text = f"张三 13812345678 zhang@example.com {ID_EXAMPLE} 4111111111111111 李四+86 139-0000-1111"
    once, first = mask_pii(text)
    assert first == counts(email=1, phone=2, id_number=1, bank_card=1)
    assert mask_pii(once) == (once, ZERO)


PII_PIECES = [
    "13812345678",
    "+86 138 1234 5678",
    "a.b@example.com",
    ID_EXAMPLE,
    *CARDS.values(),
    "订单号 4111111111111111",
    "sh601899",
    "20261201",
    "https://x.com/@u",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PII_PIECES), st.text(max_size=8)), max_size=8))
def test_masking_is_idempotent_on_any_mix(pieces: list[str]) -> None:
    text = "".join(pieces)
    once, found = mask_pii(text)
    assert mask_pii(once) == (once, ZERO)
    assert set(found) == set(CATEGORIES) and all(n >= 0 for n in found.values())
    if not any(found.values()):
        assert once is text
    for category, placeholder in PLACEHOLDERS.items():
        assert once.count(placeholder) - text.count(placeholder) == found[category]


def test_empty_and_digitless_text() -> None:
    assert mask_pii("") == ("", ZERO)
    text = "没有任何数字和邮箱的一段文字。"
    assert mask_pii(text)[0] is text
