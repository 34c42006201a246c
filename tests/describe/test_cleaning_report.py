"""Every removal counted: per-rule counts in stats.json and the card, the audit trail, per-rule changes in diff."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from builders.build import SAMPLE_ROOT
from builders.cleaners import cleaner_for
from builders.commands import main
from builders.pipeline.front_matter import read_front_matter, split_post
from builders.release.diff import diff_builds, format_diff


def expected_counts(root: Path) -> dict[str, dict[str, int]]:
    """What the cleaners say of each post of ``root``, summed here, apart from the build."""
    total: dict[str, Counter[str]] = {}
    for path in sorted((root / "source" / "_posts").rglob("*.md")):
        front, body = split_post(path.read_text(encoding="utf-8"))
        meta = read_front_matter(front)
        for rule, count in cleaner_for(meta.category, meta.source, meta.feed).clean(body).counts.items():
            total.setdefault(rule, Counter()).update(count.as_dict())
    return {rule: dict(counts) for rule, counts in sorted(total.items())}


def test_counts_reconcile_with_the_cleaners_and_the_audit_is_deterministic(tmp_path: Path) -> None:
    out, audit = tmp_path / "ds", tmp_path / "audit"
    assert main(["build", str(SAMPLE_ROOT), "--out", str(out), "--workers", "1", "--audit", str(audit)]) == 0
    stats = json.loads((out / "stats" / "stats.json").read_text(encoding="utf-8"))
    assert stats["cleaning"] == expected_counts(SAMPLE_ROOT)
    assert stats["cleaning"], "the embedded sample exercises some rules"
    card = (out / "README.md").read_text(encoding="utf-8")
    rule = max(stats["cleaning"], key=lambda name: stats["cleaning"][name]["posts"])
    assert f"| `{rule}` | {stats['cleaning'][rule]['posts']} |" in card
    files = sorted(audit.glob("*.jsonl"))
    assert files
    first = {path.name: path.read_bytes() for path in files}
    for path in files:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert 0 < len(rows) <= 50 and {row["rule"] for row in rows} == {path.stem}
        assert [row["raw_path"] for row in rows] == sorted(row["raw_path"] for row in rows)
        assert all(row["text"] for row in rows)
    again = tmp_path / "audit-again"
    assert (
        main(["build", str(SAMPLE_ROOT), "--out", str(tmp_path / "ds2"), "--workers", "2", "--audit", str(again)]) == 0
    )
    assert {path.name: path.read_bytes() for path in sorted(again.glob("*.jsonl"))} == first
    manifest = json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["cleaners"]["generic"] >= 1 and "html.parse" in manifest["cleaners"]


def test_diff_shows_the_rules_whose_counts_moved(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_ROOT, raw)
    old, new = tmp_path / "old", tmp_path / "new"
    assert main(["build", str(raw), "--out", str(old), "--workers", "1"]) == 0
    stats = json.loads((old / "stats" / "stats.json").read_text(encoding="utf-8"))
    sina = sorted((raw / "source" / "_posts").rglob("*.md"))
    removed = next(p for p in sina if "原标题" in p.read_text(encoding="utf-8"))
    removed.unlink()
    assert main(["build", str(raw), "--out", str(new), "--workers", "1"]) == 0
    result = diff_builds(old, new)
    assert any(line.startswith("generic.lift_original_title: posts ") for line in result.cleaning), result.cleaning
    assert "cleaning per rule" in format_diff(result)
    assert stats["cleaning"]["generic.lift_original_title"]["posts"] >= 1
