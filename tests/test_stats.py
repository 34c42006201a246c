"""``zh-rss-posts stats``: figures computed from the build, reproducible PNG plots with Chinese glyphs."""

from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import pytest
from PIL import Image

from builders import plots
from builders.cli import main
from builders.stats import compute_stats, nearest_rank, read_quarantine, read_rows, write_stats


def test_nearest_rank_percentiles() -> None:
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert nearest_rank(values, 50) == 5
    assert nearest_rank(values, 90) == 9
    assert nearest_rank(values, 95) == 10
    assert nearest_rank(values, 5) == 1
    assert nearest_rank([], 50) == 0
    assert nearest_rank([42], 99) == 42


def test_stats_json_counts_what_the_build_holds(small_build: Path) -> None:
    stats = json.loads((small_build / "stats" / "stats.json").read_text(encoding="utf-8"))
    assert stats["records"] == 7
    assert sum(stats["splits"].values()) == 7
    assert {c["category"]: (c["config"], c["records"], c["duplicates"]) for c in stats["categories"]} == {
        "金融": ("finance", 3, 0),
        "社交媒体": ("social_media", 2, 1),
        "新媒体": ("new_media", 2, 0),
    }
    assert {(s["source"], s["records"]) for s in stats["sources"]} == {
        ("测试财经", 2),
        ("另一财经", 1),
        ("测试问答", 2),
        ("测试科技", 2),
    }
    assert len(stats["feeds"]) == 4
    assert stats["dates"]["first"] == "2022-01-03"
    assert stats["dates"]["last"] == "2022-03-05"
    assert stats["dates"]["kinds"]["published"] == 6
    assert stats["dates"]["per_month"]["2022-03"] == {"新媒体": 1, "社交媒体": 2, "金融": 1}
    assert stats["duplicates"]["records"] == 1
    assert stats["duplicates"]["clusters_with_copies"] == 1
    assert stats["quarantine"] == {"files": 1, "reasons": {"no_front_matter": 1}}
    finance = stats["length"]["per_category"]["金融"]
    assert finance["count"] == 3
    assert finance["min"] <= finance["p25"] <= finance["p50"] <= finance["p75"] <= finance["max"]
    assert set(stats["plots"]) == set(plots.PLOT_FILES)


def test_stats_agree_with_the_rows(small_build: Path) -> None:
    rows = read_rows(small_build)
    stats = compute_stats(rows, read_quarantine(small_build))
    lengths = sorted(r["char_count"] for r in rows if not r["empty_body"])
    assert stats["length"]["all"]["max"] == lengths[-1]
    assert stats["length"]["all"]["min"] == lengths[0]
    assert stats["length"]["all"]["p50"] == nearest_rank(lengths, 50)
    assert sum(s["records"] for s in stats["feeds"]) == len(rows)


def test_stats_command(small_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(small_build, folder)
    shutil.rmtree(folder / "stats")
    assert main(["stats", str(folder)]) == 0
    assert "7 records" in capsys.readouterr().out
    assert (folder / "stats" / "stats.json").read_bytes() == (small_build / "stats" / "stats.json").read_bytes()
    assert main(["stats", str(tmp_path / "nothing")]) == 2
    assert "not a built dataset" in capsys.readouterr().err


def test_unreadable_quarantine_lines_are_counted_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "quarantine.jsonl").write_text('{"reason": "binary"}\nnot json\n\n{"no": 1}\n', encoding="utf-8")
    assert read_quarantine(tmp_path) == {"binary": 1, "unreadable_report_line": 2}


def test_plots_are_byte_identical_and_carry_no_timestamp(small_build: Path, tmp_path: Path) -> None:
    stats = json.loads((small_build / "stats" / "stats.json").read_text(encoding="utf-8"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = plots.write_plots(stats, tmp_path / "a")
    second = plots.write_plots(stats, tmp_path / "b")
    assert first == second == plots.PLOT_FILES
    for file in first.values():
        data = (tmp_path / "a" / file).read_bytes()
        assert data == (tmp_path / "b" / file).read_bytes(), file
        assert data == (small_build / "stats" / file).read_bytes(), file
        assert b"Software" not in data and b"Creation Time" not in data
        with Image.open(tmp_path / "a" / file) as image:
            width, height = image.size
            assert 600 <= width <= 2000 and 250 <= height <= 2000, (file, image.size)


def test_a_cjk_font_is_installed_and_draws_every_label(real_build: Path) -> None:
    """The project's set-up installs a CJK font: every Chinese label of the real sample has glyphs."""
    family = plots.cjk_font()
    if family is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no CJK font: ./dev should have installed fonts-noto-cjk")
        pytest.skip("no CJK font on this machine")
    from matplotlib import font_manager

    path = font_manager.findfont(family, fallback_to_default=False)
    stats = json.loads((real_build / "stats" / "stats.json").read_text(encoding="utf-8"))
    labels = "".join(f"{f['category']}{f['source']}{f['feed']}" for f in stats["feeds"])
    missing = {ch for ch in labels if not ch.isascii() and not plots._covers(path, ch)}
    assert not missing, f"{family} has no glyph for {sorted(missing)}"


def test_without_a_cjk_font_plots_fall_back_with_a_warning(
    small_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    stats = json.loads((small_build / "stats" / "stats.json").read_text(encoding="utf-8"))
    with pytest.warns(plots.NoCJKFontWarning):
        written = plots.write_plots(stats, tmp_path)
    assert written == plots.PLOT_FILES
    for file in written.values():
        with Image.open(tmp_path / file) as image:
            image.verify()
    assert plots.category_label("金融", "finance", cjk=False) == "finance"
    assert plots.drawable("新浪财经", "#1", cjk=False) == "#1"
    assert plots.drawable("cnBeta", "#2", cjk=False) == "cnBeta"
    assert plots.drawable("新浪财经", "#1", cjk=True) == "新浪财经"


def test_without_matplotlib_stats_are_still_written(
    small_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(small_build, folder)
    shutil.rmtree(folder / "stats")
    real_find_spec = plots.importlib.util.find_spec
    monkeypatch.setattr(
        plots.importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else real_find_spec(name, *a)
    )
    with pytest.warns(UserWarning, match="no plots"):
        stats = write_stats(folder)
    assert stats["plots"] == {}
    assert json.loads((folder / "stats" / "stats.json").read_text(encoding="utf-8"))["records"] == 7


def test_empty_build_plots_do_not_crash(tmp_path: Path) -> None:
    stats = compute_stats([], read_quarantine(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", plots.NoCJKFontWarning)
        written = plots.write_plots(stats, tmp_path)
    assert all((tmp_path / file).stat().st_size > 0 for file in written.values())
