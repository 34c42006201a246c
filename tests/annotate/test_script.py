"""Script decisions (Hans / Hant / mixed / none) on invented texts of each kind."""

from __future__ import annotations

import pytest

from builders.annotate.script import (
    MIXED_MIN_CHARS,
    ScriptCounts,
    character_classes,
    decide,
    script_counts,
    script_of,
)
from tests.annotate.cases import CASES


@pytest.mark.parametrize("case", [c for c in CASES if c.script], ids=lambda c: f"{c.kind}:{c.text[:12]}")
def test_invented_texts_get_their_script(case) -> None:
    assert script_of(case.text) == case.script


def test_tables_put_known_characters_in_the_right_class() -> None:
    simplified, traditional = character_classes()
    assert {"书", "发", "湾", "为", "国"} <= simplified
    assert {"書", "發", "灣", "為", "國"} <= traditional
    # written the same in both, or kept by one of the mappings: shared, in neither class
    for char in "中人台干后里着系":
        assert char not in simplified and char not in traditional, char
    assert not simplified & traditional


def test_counts_are_by_occurrence_and_cover_extensions() -> None:
    assert script_counts("书书書中") == ScriptCounts(han=4, simplified=2, traditional=1)
    # Extension B ideograph, 〇 and 々 are Han; kana, hangul, radicals and punctuation are not
    assert script_counts("\U00020000〇々").han == 3
    assert script_counts("ひらがなカタカナ한국어⺀⼀，。").han == 0


def test_no_han_is_none() -> None:
    for text in ["", "English only", "ひらがなだけ", "한국어 문장", "12345 !!", "🤣"]:
        assert script_of(text) == "none", text


def test_all_shared_characters_count_as_simplified() -> None:
    assert script_counts("中文大人") == ScriptCounts(4, 0, 0)
    assert script_of("中文大人") == "Hans"


def test_a_few_traditional_names_in_a_simplified_article_stay_hans() -> None:
    text = (
        "记者从会上获悉，来自臺灣的代表团参观了当地的新能源汽车工厂，并与企业负责人进行了交流，双方表示将继续加强合作。"
    )
    counts = script_counts(text)
    assert counts.traditional == 2 and counts.simplified > 10 * counts.traditional
    assert script_of(text) == "Hans"


def test_a_simplified_post_quoting_a_traditional_paragraph_is_mixed() -> None:
    text = "今天看到一段很有意思的话，转发给大家：「這個世界上沒有真正的捷徑，只有一步一步慢慢走過來的路。」说得真好。"
    counts = script_counts(text)
    assert counts.simplified >= MIXED_MIN_CHARS and counts.traditional >= MIXED_MIN_CHARS
    assert script_of(text) == "mixed"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (ScriptCounts(0, 0, 0), "none"),
        (ScriptCounts(5, 0, 0), "Hans"),
        (ScriptCounts(5, 1, 1), "Hans"),  # minority below MIXED_MIN_CHARS: majority; a tie goes to Hans
        (ScriptCounts(5, 0, 1), "Hant"),
        (ScriptCounts(100, 40, 2), "Hans"),  # 2 of 42 distinguishing characters < 10 %
        (ScriptCounts(100, 18, 2), "mixed"),  # 2 of 20 = 10 %
        (ScriptCounts(100, 2, 30), "Hant"),
        (ScriptCounts(100, 3, 20), "mixed"),
    ],
)
def test_threshold_rule(counts: ScriptCounts, expected: str) -> None:
    assert decide(counts) == expected


def test_lone_surrogates_and_long_text_do_not_crash() -> None:
    assert script_of("書\ud800书") == "Hans"
    long_text = "這是繁體中文。" * 20_000
    assert script_counts(long_text) == ScriptCounts(han=6 * 20_000, simplified=0, traditional=2 * 20_000)  # 這 體
    assert script_of(long_text) == "Hant"
