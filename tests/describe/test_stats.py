"""``zh-rss-posts stats``: figures computed from the build, reproducible PNG plots with Chinese glyphs."""

from __future__ import annotations

import json
import math
import shutil
import warnings
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from builders.commands import main
from builders.common.configs import config_name
from builders.common.dataset import DATASET_VERSION
from builders.common.identity import SPLITS
from builders.describe import plots
from builders.describe.stats import (
    COLUMNS,
    PERCENTILES,
    Tallies,
    compute_stats,
    nearest_rank,
    read_quarantine,
    shard_paths,
    stats_of,
    write_stats,
)
from schemas.record import PII_PLACEHOLDERS


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


def reference_stats(folder: Path) -> dict[str, Any]:
    """The per-row definition of every figure: one Python dict per row, plain Counters, sorted lists."""
    rows: list[dict[str, Any]] = []
    for split, path in shard_paths(folder):
        for row in pq.read_table(path, columns=[*COLUMNS, "text"]).to_pylist():
            rows.append({**row, "split": split})

    def ranked(counter: Counter[Any]) -> list[tuple[Any, int]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    def summary(values: list[int]) -> dict[str, int]:
        values = sorted(values)
        out = {"count": len(values), "min": values[0] if values else 0, "max": values[-1] if values else 0}
        for q in PERCENTILES:
            out[f"p{q}"] = values[max(1, math.ceil(q / 100 * len(values))) - 1] if values else 0
        return out

    per_category = Counter(r["category"] for r in rows)
    duplicates = Counter(r["category"] for r in rows if r["is_duplicate"])
    per_month: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["published_at"] is not None:
            per_month[r["published_at"].strftime("%Y-%m")][r["category"]] += 1
    dated = sorted(r["published_at"] for r in rows if r["published_at"] is not None)
    lengths: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if not r["empty_body"]:
            lengths[r["category"]].append(r["char_count"])
    clusters = Counter(r["near_dup_cluster"] for r in rows)
    quarantine = read_quarantine(folder)
    language_script = Counter((r["language"], r["script"]) for r in rows)
    pii_rows = [r for r in rows if r["pii_masked"] > 0]
    return {
        "version": DATASET_VERSION,
        "records": len(rows),
        "splits": {split: sum(r["split"] == split for r in rows) for split in SPLITS},
        "categories": [
            {"category": c, "config": config_name(c), "records": n, "duplicates": duplicates[c]}
            for c, n in ranked(per_category)
        ],
        "sources": [
            {"category": c, "source": s, "records": n}
            for (c, s), n in ranked(Counter((r["category"], r["source"]) for r in rows))
        ],
        "feeds": [
            {"category": c, "source": s, "feed": f, "records": n}
            for (c, s, f), n in ranked(Counter((r["category"], r["source"], r["feed"]) for r in rows))
        ],
        "dates": {
            "kinds": dict(sorted(Counter(r["date_kind"] for r in rows).items())),
            "first": dated[0].strftime("%Y-%m-%d") if dated else None,
            "last": dated[-1].strftime("%Y-%m-%d") if dated else None,
            "per_month": {m: dict(sorted(per_month[m].items())) for m in sorted(per_month)},
        },
        "length": {
            "unit": "Unicode code points of `text`, empty bodies left out",
            "all": summary([n for values in lengths.values() for n in values]),
            "per_category": {c: summary(lengths[c]) for c in sorted(lengths)},
        },
        "flags": {
            "empty_body": sum(bool(r["empty_body"]) for r in rows),
            "truncated": sum(bool(r["truncated"]) for r in rows),
        },
        "cleaners": dict(ranked(Counter(r["cleaner"] for r in rows))),
        "languages": {
            "per_language": dict(ranked(Counter(r["language"] for r in rows))),
            "per_script": dict(ranked(Counter(r["script"] for r in rows))),
            "per_language_script": [
                {"language": language, "script": script, "records": n}
                for (language, script), n in ranked(language_script)
            ],
        },
        "pii": {
            "records": len(pii_rows),
            "items": sum(r["pii_masked"] for r in rows),
            "unit": "items: placeholders left in `text` by the masker, in the records with pii_masked > 0",
            "per_category": {
                category: {
                    "records": sum(placeholder in r["text"] for r in pii_rows),
                    "items": sum(r["text"].count(placeholder) for r in pii_rows),
                }
                for category, placeholder in PII_PLACEHOLDERS.items()
            },
        },
        "duplicates": {
            "records": sum(bool(r["is_duplicate"]) for r in rows),
            "clusters_with_copies": sum(1 for size in clusters.values() if size > 1),
            "per_category": dict(sorted(duplicates.items())),
        },
        "quarantine": {"files": sum(quarantine.values()), "reasons": dict(ranked(quarantine))},
    }


def as_json(stats: dict[str, Any]) -> str:
    """The figures the rows give (the plots and the cleaning counts, which the build writes, aside)."""
    rows_say = {k: v for k, v in stats.items() if k not in ("plots", "cleaning")}
    return json.dumps(rows_say, ensure_ascii=False, indent=2, sort_keys=True)


@pytest.mark.parametrize("build", ["small_build", "real_build"])
def test_columnar_stats_equal_the_per_row_reference(build: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(build)
    expected = reference_stats(folder)
    assert expected["records"] > 0
    assert as_json(stats_of(folder)) == as_json(expected)
    written = json.loads((folder / "stats" / "stats.json").read_text(encoding="utf-8"))
    assert as_json(written) == as_json(expected)


def test_columnar_stats_across_shards_with_nulls(tmp_path: Path) -> None:
    """Several shards per split, a cluster spanning shards, null flags and dates: still the per-row figures."""
    (tmp_path / "data").mkdir()
    rows = [
        # category, source, feed, published_at, date_kind, chars, empty, truncated, dup, cluster, cleaner
        # (then script, language, pii_masked, text: see `annotated` below)
        (
            "金融",
            "甲",
            "a",
            datetime(2021, 12, 31, 23, 59, tzinfo=UTC),
            "published",
            40,
            False,
            False,
            False,
            "c1",
            "sina",
        ),
        ("金融", "甲", "b", datetime(2022, 1, 1, tzinfo=UTC), "published", 7, False, True, True, "c1", "sina"),
        ("博客", "乙", "a", None, "missing", 0, True, None, None, "c2", "generic"),
        ("博客", "乙", "a", datetime(2020, 2, 29, tzinfo=UTC), "crawled", 7, None, False, False, "c3", "generic"),
        ("金融", "丙", "c", datetime(2022, 1, 15, tzinfo=UTC), "published", 3, False, False, True, "c3", "cls"),
        ("博客", "乙", "a", datetime(2022, 1, 2, tzinfo=UTC), "published", 900, False, False, False, "c4", "generic"),
    ]
    annotated = [
        ("Hans", "zh", 1, "写信到[EMAIL]。"),
        ("Hans", "zh", 0, "正文"),
        ("none", "und", 0, ""),
        ("Hant", "zh", 2, "電話[PHONE]，卡號[BANK_CARD]"),
        ("none", "en", 2, "mail [EMAIL] or [EMAIL], id [ID_NUMBER]"),  # a literal third placeholder, counted too
        ("Hans", "zh", 0, "他写了[EMAIL]这个词"),  # pii_masked 0: its text is not read
    ]
    rows = [row + extra for row, extra in zip(rows, annotated, strict=True)]
    shards = {"train-00000-of-00002": rows[:2], "train-00001-of-00002": rows[2:4], "test-00000-of-00001": rows[4:]}
    for name, part in shards.items():
        table = pa.table(
            {column: [row[i] for row in part] for i, column in enumerate([*COLUMNS, "text"])},
            schema=pa.schema(
                [
                    ("category", pa.string()),
                    ("source", pa.string()),
                    ("feed", pa.string()),
                    ("published_at", pa.timestamp("us", tz="UTC")),
                    ("date_kind", pa.string()),
                    ("char_count", pa.int32()),
                    ("empty_body", pa.bool_()),
                    ("truncated", pa.bool_()),
                    ("is_duplicate", pa.bool_()),
                    ("near_dup_cluster", pa.string()),
                    ("cleaner", pa.string()),
                    ("script", pa.string()),
                    ("language", pa.string()),
                    ("pii_masked", pa.int32()),
                    ("text", pa.string()),
                ]
            ),
        )
        pq.write_table(table, tmp_path / "data" / f"{name}.parquet")
    stats = stats_of(tmp_path)
    assert as_json(stats) == as_json(reference_stats(tmp_path))
    assert stats["duplicates"]["clusters_with_copies"] == 2
    assert stats["dates"]["per_month"]["2021-12"] == {"金融": 1}
    assert stats["length"]["per_category"]["博客"]["count"] == 2
    assert stats["splits"] == {"train": 4, "validation": 0, "test": 2}
    assert stats["languages"]["per_language"] == {"zh": 4, "en": 1, "und": 1}
    assert stats["languages"]["per_script"] == {"Hans": 3, "Hant": 1, "none": 2}
    assert stats["pii"]["records"] == 3 and stats["pii"]["items"] == 5
    assert stats["pii"]["per_category"] == {
        "email": {"records": 2, "items": 3},
        "phone": {"records": 1, "items": 1},
        "id_number": {"records": 1, "items": 1},
        "bank_card": {"records": 1, "items": 1},
    }


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


def test_the_packaged_cjk_font_draws_every_label(real_build: Path) -> None:
    """The CJK font comes from a pinned PyPI package (the docs extra), by file: every Chinese label has glyphs."""
    path = plots.cjk_font_path()
    assert path is not None, f"{plots.FONT_PACKAGE} is not installed (pyproject.toml's docs extra)"
    assert plots.cjk_font() == plots.CJK_FAMILY
    from matplotlib import font_manager

    assert font_manager.findfont(plots.CJK_FAMILY, fallback_to_default=False) == str(path)
    stats = json.loads((real_build / "stats" / "stats.json").read_text(encoding="utf-8"))
    labels = "".join(f"{f['category']}{f['source']}{f['feed']}" for f in stats["feeds"])
    missing = {ch for ch in labels if not plots._covers(str(path), ch)}
    assert not missing, f"{path.name} has no glyph for {sorted(missing)}"


def test_plots_do_not_depend_on_the_machines_fonts(
    small_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no system font at all (matplotlib's list cut to its own bundled fonts) the plots are drawn with
    every glyph and are byte-identical to those drawn with the machine's fonts, and across runs."""
    from matplotlib import font_manager, get_data_path

    stats = json.loads((small_build / "stats" / "stats.json").read_text(encoding="utf-8"))
    for run in ("machine", "bare-1", "bare-2"):
        (tmp_path / run).mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph or a missing font would warn
        plots.write_plots(stats, tmp_path / "machine")
    manager = font_manager.fontManager
    bundled = [entry for entry in manager.ttflist if entry.fname.startswith(get_data_path())]
    assert len(bundled) < len(manager.ttflist) or not bundled  # the machine had fonts of its own, or none
    monkeypatch.setattr(manager, "ttflist", bundled)
    manager._findfont_cached.cache_clear()
    plots.cjk_font.cache_clear()
    try:
        for run in ("bare-1", "bare-2"):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                assert plots.write_plots(stats, tmp_path / run) == plots.PLOT_FILES
    finally:
        plots.cjk_font.cache_clear()
        manager._findfont_cached.cache_clear()
    assert not any(entry.name == "Noto Sans CJK SC" for entry in manager.ttflist)
    for file in plots.PLOT_FILES.values():
        data = (tmp_path / "bare-1" / file).read_bytes()
        assert data == (tmp_path / "bare-2" / file).read_bytes() == (tmp_path / "machine" / file).read_bytes(), file
        assert data == (small_build / "stats" / file).read_bytes(), file


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
    stats = compute_stats(Tallies(), read_quarantine(tmp_path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", plots.NoCJKFontWarning)
        written = plots.write_plots(stats, tmp_path)
    assert all((tmp_path / file).stat().st_size > 0 for file in written.values())


def bar_per_bar(axes: Any, x: list[int], heights: list[int], bottom: list[int], color: Any, label: str) -> None:
    """The plain drawing ``plots.stacked_bars`` stands for: one ``axes.bar`` patch per month, zeros included."""
    axes.bar(x, heights, width=plots.BAR_WIDTH, bottom=bottom, color=color, label=label)


@pytest.mark.parametrize("case", ["small_build", "zero_month_on_the_tallest_stack"])
def test_stacked_bars_draw_what_axes_bar_draws(
    case: str, small_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stats = json.loads((small_build / "stats" / "stats.json").read_text(encoding="utf-8"))
    if case == "zero_month_on_the_tallest_stack":
        # 金融 sorts after 博客, so its zero-height bar in 2020-01 sits exactly on top of the tallest stack:
        # a sticky edge there removes the top margin, and the collection must keep it.
        stats["categories"] = [
            {"category": "博客", "config": "blogs", "records": 6, "duplicates": 0},
            {"category": "金融", "config": "finance", "records": 1, "duplicates": 0},
        ]
        stats["dates"]["per_month"] = {"2020-01": {"博客": 5}, "2020-03": {"博客": 1, "金融": 1}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plots.plot_per_month(stats, tmp_path / "collection.png", cjk=True)
        monkeypatch.setattr(plots, "stacked_bars", bar_per_bar)
        plots.plot_per_month(stats, tmp_path / "bars.png", cjk=True)
    assert (tmp_path / "collection.png").read_bytes() == (tmp_path / "bars.png").read_bytes()
