"""Invariants at build time: a record that breaks a pandera rule is quarantined, never published."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import builders.cleaners
import builders.pipeline.step as step_module
from builders.build import build
from builders.cleaners import cleaner_for
from builders.cleaners.base import Cleaned, Cleaner
from builders.commands import main
from builders.common.quarantine import Reason
from builders.pipeline.step import process_file
from builders.write.invariants import hold_to_rules
from builders.write.shards import rows_to_table
from schemas.record import Post
from tests.helpers import make_post


def record(body: str, name: str) -> Post:
    post = process_file(make_post(body=body).encode(), f"测试/规则/快讯/{name}.md")
    assert isinstance(post, Post)
    return post


def test_clean_records_pass_and_a_broken_one_is_rejected_with_its_rules() -> None:
    good = record("<p>干净的正文。</p>", "好")
    bad = good.model_copy(update={"id": "0" * 20, "raw_path": "测试/规则/快讯/坏.md", "text": "残留<b>标签</b>  "})
    bad = bad.model_copy(update={"char_count": len(bad.text)})
    kept, rejections = hold_to_rules(rows_to_table([good.model_dump(), bad.model_dump()]))
    assert kept.column("raw_path").to_pylist() == [good.raw_path]
    (rejection,) = rejections
    assert rejection.raw_path == bad.raw_path and rejection.reason == Reason.BODY_INVARIANT
    for rule in ("PostBody.no_markup_tag", "PostBody.no_trailing_space", "PostBody.text_is_trimmed"):
        assert rule in rejection.message


def test_a_metadata_rule_is_an_invalid_record() -> None:
    good = record("<p>正文。</p>", "元")
    wrong = good.model_copy(update={"char_count": good.char_count + 1})  # char_count_is_text_length
    kept, rejections = hold_to_rules(rows_to_table([wrong.model_dump()]))
    assert kept.num_rows == 0
    assert rejections[0].reason == Reason.INVALID_RECORD and "char_count_is_text_length" in rejections[0].message


class LeakyCleaner(Cleaner):
    """A cleaner that leaves markup in one post's text (what a cleaner bug on an unseen feed would do)."""

    name = "leaky"

    def clean(self, body_html: str) -> Cleaned:
        cleaned = cleaner_for("测试", "测试源", "快讯").clean(body_html)
        if "泄漏" in cleaned.text:
            return Cleaned(cleaned.text + "<span>残留</span>", cleaned.found)
        return cleaned


def test_a_build_quarantines_the_broken_record_and_still_validates(
    monkeypatch: pytest.MonkeyPatch, write_post: Callable[..., Path], tmp_path: Path
) -> None:
    monkeypatch.setattr(step_module, "cleaner_for", lambda *levels: LeakyCleaner())
    write_post("一", body="<p>第一篇正文，干净。</p>")
    write_post("二", body="<p>第二篇正文会泄漏。</p>")
    out = tmp_path / "dataset"
    summary = build(tmp_path / "raw", out, workers=1)
    assert (summary.records, len(summary.quarantined)) == (1, 1)
    assert summary.reconciles()
    rows = [json.loads(line) for line in (out / "quarantine.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(Path(row["raw_path"]).name, row["reason"]) for row in rows] == [("二.md", "body_invariant")]
    assert "PostBody.no_markup_tag" in rows[0]["message"]
    assert main(["validate", str(out)]) == 0


def test_the_cache_keeps_the_outcome_after_the_rules(
    monkeypatch: pytest.MonkeyPatch, write_post: Callable[..., Path], tmp_path: Path
) -> None:
    """A cached record is not held to the rules again, so the cache must hold what the rules made of it: the
    broken record comes back from the cache as its quarantine entry, and the clean one as a record."""
    monkeypatch.setattr(step_module, "cleaner_for", lambda *levels: LeakyCleaner())
    monkeypatch.setattr(builders.cleaners, "cleaner_for", lambda *levels: LeakyCleaner())  # the cache's check
    write_post("一", body="<p>第一篇正文，干净。</p>")
    write_post("二", body="<p>第二篇正文会泄漏。</p>")
    cache = tmp_path / "cache"
    first = build(tmp_path / "raw", tmp_path / "first", workers=1, cache=cache)
    second = build(tmp_path / "raw", tmp_path / "second", workers=1, cache=cache)
    assert second.engine["parse"]["cache_hits"] == 2 and second.engine["parse"]["cache_misses"] == 0  # type: ignore[attr-defined]
    for summary in (first, second):
        assert (summary.records, [str(r.reason) for r in summary.quarantined]) == (1, ["body_invariant"])
    assert (tmp_path / "first" / "quarantine.jsonl").read_bytes() == (
        tmp_path / "second" / "quarantine.jsonl"
    ).read_bytes()
