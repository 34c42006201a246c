"""Our cleaner against trafilatura (precision mode) on the real sample: no leak where it leaks, no loss."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

from compare_trafilatura import covered, leaks, lifted, reduce

pytestmark = pytest.mark.skipif(importlib.util.find_spec("trafilatura") is None, reason="needs the compare extra")


def test_paragraph_matching_rules() -> None:
    assert covered(reduce("例如星河科技云帆股份"), reduce("例如星河科技（000001）、云帆股份（600001）等"))
    assert not covered(reduce("一段我们没有的话"), reduce("完全不同的内容在这里"))
    assert lifted("本报记者 钱小二 见习记者 孙 三", ["钱小二、孙 三"])
    assert not lifted("本报记者 钱小二", ["孙 三"])
    assert leaks("责任编辑：某某") and leaks("a &amp; b") and not leaks("构思 -->实现")


def test_we_leak_nothing_where_trafilatura_leaks_and_lose_no_paragraph_it_keeps(real_sample: Path) -> None:
    from compare_trafilatura import compare

    result = compare(real_sample)
    assert result.documents == 91
    assert result.ours_leaking == []
    assert len(result.theirs_leaking) > 0  # the comparison measures something: trafilatura keeps 责任编辑 lines
    assert result.lost == []
    assert result.kept_by_us + result.boilerplate_dropped == result.their_paragraphs
