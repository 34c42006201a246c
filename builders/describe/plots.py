"""PNG plots of a build's statistics (matplotlib, Agg), drawn only from ``stats.json`` values.

Fonts come from files, never from the machine: the Chinese (and Latin) labels are set in Noto Sans SC from
the pinned PyPI package ``pylopdf-fonts-zh-cn`` (SIL Open Font License 1.1; the ``docs`` extra), with
matplotlib's own DejaVu Sans as fallback for anything else. Both are registered by file path under names
no system font has, so neither a missing nor an extra system font changes a pixel: no root, no boxes, the
same PNG bytes on any machine with the locked versions. Without the package the plots are still written,
category labels fall back to their ASCII config names, and a warning says so. Plots are reproducible: no
timestamp or software version in the PNG metadata, a fixed size and dpi.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import warnings
from functools import cache
from pathlib import Path
from typing import Any

FONT_PACKAGE = "pylopdf_fonts_zh_cn"  # Noto Sans SC Regular (OFL-1.1), pinned in pyproject.toml / the lock
FONT_FILE = "NotoSansSC-Regular.otf"
CJK_FAMILY = "ZhRssPosts Noto Sans SC"  # the name it is registered under: no system font has it
FALLBACK_FAMILY = "ZhRssPosts DejaVu Sans"  # matplotlib's bundled DejaVu Sans, by file
GLYPH_PROBE = "金融社交媒体新浪财经简书"
DPI = 100
PAD_INCHES = 0.15
PNG_METADATA: dict[str, str | None] = {"Software": None}
TOP_N = 15
BAR_WIDTH = 0.85
PLOT_FILES: dict[str, str] = {
    "per_month": "posts_per_month.png",
    "length": "text_length.png",
    "top": "top_sources_feeds.png",
    "dedup_quarantine": "duplicates_quarantine.png",
}


class NoCJKFontWarning(UserWarning):
    """The packaged CJK font is missing: Chinese labels would render as boxes."""


def _covers(path: str, text: str) -> bool:
    from matplotlib import ft2font

    try:
        font = ft2font.FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in text)


def cjk_font_path() -> Path | None:
    """The packaged Noto Sans SC file, or None when the package is not installed."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / FONT_FILE
    return path if path.is_file() else None


def fallback_font_path() -> Path:
    from matplotlib import get_data_path

    return Path(get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def register_font(path: Path, family: str) -> None:
    """Make the font file ``path`` known to matplotlib as ``family`` (once)."""
    from matplotlib import font_manager, ft2font

    manager = font_manager.fontManager
    if any(entry.name == family for entry in manager.ttflist):
        return
    entry = font_manager.ttfFontProperty(ft2font.FT2Font(str(path)))
    manager.ttflist.append(dataclasses.replace(entry, name=family))
    manager._findfont_cached.cache_clear()  # a name it may have looked up before (and not found)


@cache
def cjk_font() -> str | None:
    """The family that draws Chinese (the packaged font, registered by path), or None without the package."""
    register_font(fallback_font_path(), FALLBACK_FAMILY)
    path = cjk_font_path()
    if path is None or not _covers(str(path), GLYPH_PROBE):
        return None
    register_font(path, CJK_FAMILY)
    return CJK_FAMILY


def font_families() -> tuple[list[str], bool]:
    """The font family list for every text of the plots, and whether it draws Chinese."""
    family = cjk_font()
    register_font(fallback_font_path(), FALLBACK_FAMILY)
    if family is None:
        warnings.warn(
            f"the CJK font package {FONT_PACKAGE} (the `docs` extra) is not installed: plots label categories by "
            "config name and Chinese source/feed names by rank",
            NoCJKFontWarning,
            stacklevel=2,
        )
        return [FALLBACK_FAMILY], False
    return [family, FALLBACK_FAMILY], True


def category_label(category: str, config: str, cjk: bool) -> str:
    return f"{category} ({config})" if cjk else config


def drawable(text: str, stand_in: str, cjk: bool) -> str:
    """``text``, or without a CJK font a stand-in for non-ASCII text (the card's tables give names by rank)."""
    return text if cjk or text.isascii() else stand_in


def category_colors(stats: dict[str, Any]) -> dict[str, Any]:
    """One colour per category, fixed by the category's name so every plot agrees."""
    from matplotlib import colormaps

    palette = colormaps["tab20"].colors
    names = sorted(c["category"] for c in stats["categories"])
    return {name: palette[(2 * i) % 20 + (2 * i // 20) % 2] for i, name in enumerate(names)}


def _month_range(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _save(figure: Any, path: Path) -> None:
    """Save cropped to the drawn content plus ``PAD_INCHES``, as ``bbox_inches="tight"`` would.

    ``savefig(bbox_inches="tight")`` first runs a whole draw (with output disabled) only to lay the
    figure out; the tight box comes from the figure's own Agg renderer here without that pass, so each
    plot is laid out once fewer. Same box, so the same bytes (pinned by the tests).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    box = figure.get_tightbbox(FigureCanvasAgg(figure).get_renderer()).padded(PAD_INCHES)
    figure.savefig(path, format="png", dpi=DPI, metadata=PNG_METADATA, bbox_inches=box)


def _empty_note(axes: Any, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, fontsize=12, color="0.35")
    axes.set_xticks([])
    axes.set_yticks([])


def stacked_bars(axes: Any, x: list[int], heights: list[int], bottom: list[int], color: Any, label: str) -> None:
    """What ``axes.bar(x, heights, width=BAR_WIDTH, bottom=bottom, ...)`` draws, as one collection.

    One artist per category instead of one Rectangle patch per month: the same rectangles, colour and
    legend entry, drawn the same way, for a fraction of the time. Zero-height months get no rectangle,
    but every bottom stays a sticky edge as ``bar`` makes it, so the autoscaled y-range (and the PNG
    bytes) do not change; ``tests/test_stats.py`` compares both drawings byte for byte.
    """
    from matplotlib.collections import PolyCollection

    half = BAR_WIDTH / 2
    bars = PolyCollection(
        [
            [
                (x[i] - half, bottom[i]),
                (x[i] - half, bottom[i] + h),
                (x[i] + half, bottom[i] + h),
                (x[i] + half, bottom[i]),
            ]
            for i, h in enumerate(heights)
            if h
        ],
        facecolors=color,
        edgecolors="none",
        linewidths=0,
        label=label,
    )
    bars.sticky_edges.y.extend(bottom)
    axes.add_collection(bars)


def plot_per_month(stats: dict[str, Any], path: Path, cjk: bool) -> None:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(11, 4.8))
    axes = figure.subplots()
    per_month = stats["dates"]["per_month"]
    colors = category_colors(stats)
    if not per_month:
        _empty_note(axes, "no post has a date")
    else:
        months = _month_range(min(per_month), max(per_month))
        x = list(range(len(months)))
        bottom = [0] * len(months)
        for entry in sorted(stats["categories"], key=lambda c: c["category"]):
            heights = [per_month.get(m, {}).get(entry["category"], 0) for m in months]
            if not any(heights):
                continue
            stacked_bars(
                axes,
                x,
                heights,
                bottom,
                colors[entry["category"]],
                category_label(entry["category"], entry["config"], cjk),
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        step = max(1, math.ceil(len(months) / 24))
        axes.set_xticks(x[::step], months[::step], rotation=45, ha="right", fontsize=9)
        axes.set_xlim(-0.7, len(months) - 0.3)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=10, title="category")
        missing = stats["dates"]["kinds"].get("missing", 0)
        if missing:
            axes.text(
                0.0, -0.3, f"{missing} post(s) without any date are not shown", transform=axes.transAxes, fontsize=9
            )
    axes.set_title("Posts per month, by category (UTC; feed date, else crawl time)", fontsize=13)
    axes.set_ylabel("posts")
    axes.grid(axis="y", alpha=0.3)
    _save(figure, path)


def plot_length(stats: dict[str, Any], path: Path, cjk: bool) -> None:
    from matplotlib.figure import Figure

    per_category = stats["length"]["per_category"]
    configs = {c["category"]: c["config"] for c in stats["categories"]}
    order = sorted(per_category, key=lambda c: (per_category[c]["p50"], c))
    figure = Figure(figsize=(10, 1.2 + 0.5 * max(len(order), 2)))
    axes = figure.subplots()
    boxes = []
    for category in order:
        s = per_category[category]
        if s["count"] == 0:
            continue
        boxes.append(
            {
                "label": f"{category_label(category, configs.get(category, category), cjk)}  n={s['count']}",
                "med": max(s["p50"], 1),
                "q1": max(s["p25"], 1),
                "q3": max(s["p75"], 1),
                "whislo": max(s["p5"], 1),
                "whishi": max(s["p95"], 1),
                "fliers": sorted({max(s["min"], 1), max(s["max"], 1)}),
            }
        )
    if boxes:
        axes.bxp(
            boxes,
            orientation="horizontal",
            showfliers=True,
            patch_artist=True,
            widths=0.6,
            medianprops={"color": "black", "linewidth": 2},
        )
        colors = category_colors(stats)
        for patch, category in zip(axes.patches, [b for b in order if per_category[b]["count"]], strict=False):
            patch.set_facecolor(colors.get(category, "0.8"))
        axes.set_xscale("log")
        axes.grid(axis="x", which="both", alpha=0.3)
    else:
        _empty_note(axes, "no post has a text")
    empty = stats["flags"]["empty_body"]
    axes.set_title("Text length per category (box 25-75%, whiskers 5-95%, dots min/max)", fontsize=13)
    axes.set_xlabel(
        "characters (Unicode code points, log scale)" + (f"; {empty} empty bodies not shown" if empty else "")
    )
    _save(figure, path)


def plot_top(stats: dict[str, Any], path: Path, cjk: bool) -> None:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator

    sources = stats["sources"][:TOP_N]
    feeds = stats["feeds"][:TOP_N]
    colors = category_colors(stats)
    configs = {c["category"]: c["config"] for c in stats["categories"]}
    rows = max(len(sources), len(feeds), 2)
    figure = Figure(figsize=(14, 1.4 + 0.38 * rows))
    left, right = figure.subplots(1, 2)
    panels = (
        (left, sources, lambda e: f"{e['source']}", f"Top {TOP_N} sources"),
        (right, feeds, lambda e: f"{e['source']} / {e['feed']}", f"Top {TOP_N} feeds"),
    )
    for axes, entries, label, title in panels:
        if not entries:
            _empty_note(axes, "no records")
            axes.set_title(title, fontsize=13)
            continue
        labels = [drawable(label(e), f"#{rank}", cjk) for rank, e in enumerate(entries, start=1)]
        entries, labels = list(reversed(entries)), list(reversed(labels))
        bars = axes.barh(
            range(len(entries)),
            [e["records"] for e in entries],
            color=[colors[e["category"]] for e in entries],
        )
        axes.bar_label(bars, padding=2, fontsize=9)
        axes.set_yticks(range(len(entries)), labels, fontsize=10)
        axes.set_xlabel("records")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(
            title + (" (colour: category)" if cjk else "\n(no CJK font: #rank, names in the card)"), fontsize=13
        )
        axes.margins(x=0.12)
    handles = [
        Patch(color=colors[c["category"]], label=category_label(c["category"], configs[c["category"]], cjk))
        for c in sorted(stats["categories"], key=lambda c: c["category"])
    ]
    if handles:
        figure.legend(
            handles=handles, loc="lower center", ncol=min(len(handles), 5), frameon=False, bbox_to_anchor=(0.5, -0.02)
        )
        figure.subplots_adjust(bottom=0.1 + 0.05 * ((len(handles) - 1) // 5 + 1), wspace=0.6)
    _save(figure, path)


def plot_dedup_quarantine(stats: dict[str, Any], path: Path, cjk: bool) -> None:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    categories = sorted(stats["categories"], key=lambda c: (c["records"], c["category"]))
    reasons = sorted(stats["quarantine"]["reasons"].items(), key=lambda item: (item[1], item[0]))
    rows = max(len(categories), len(reasons), 2)
    figure = Figure(figsize=(13, 1.4 + 0.4 * rows))
    left, right = figure.subplots(1, 2)
    if categories:
        y = range(len(categories))
        kept = [c["records"] - c["duplicates"] for c in categories]
        dups = [c["duplicates"] for c in categories]
        left.barh(y, kept, color="#4c78a8", label="kept (canonical)")
        bars = left.barh(y, dups, left=kept, color="#e45756", label="marked duplicate")
        left.bar_label(bars, labels=[str(d) if d else "" for d in dups], padding=2, fontsize=9)
        left.set_yticks(list(y), [category_label(c["category"], c["config"], cjk) for c in categories], fontsize=10)
        left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14 - 0.3 / rows), ncol=2, frameon=False)
        left.xaxis.set_major_locator(MaxNLocator(integer=True))
        left.set_xlim(0, max(c["records"] for c in categories) * 1.12 or 1)
    else:
        _empty_note(left, "no records")
    left.set_xlabel("records")
    left.set_title(f"Duplicates per category ({stats['duplicates']['records']} marked)", fontsize=13)
    if reasons:
        bars = right.barh(range(len(reasons)), [n for _, n in reasons], color="#f58518")
        right.bar_label(bars, padding=2, fontsize=9)
        right.set_yticks(range(len(reasons)), [r for r, _ in reasons], fontsize=10)
        right.set_xlabel("files")
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
        right.set_xlim(0, max(n for _, n in reasons) * 1.15)
    else:
        _empty_note(right, "no file was quarantined")
    right.set_title(f"Quarantined files by reason ({stats['quarantine']['files']})", fontsize=13)
    figure.subplots_adjust(wspace=0.45)
    _save(figure, path)


PLOTTERS = {
    "per_month": plot_per_month,
    "length": plot_length,
    "top": plot_top,
    "dedup_quarantine": plot_dedup_quarantine,
}


def write_plots(stats: dict[str, Any], folder: Path) -> dict[str, str]:
    """Draw every plot into ``folder``; returns plot name -> file name. Without matplotlib: no plot, a warning."""
    if importlib.util.find_spec("matplotlib") is None:
        warnings.warn("matplotlib is not installed (the `docs` extra): no plots written", stacklevel=2)
        return {}
    from matplotlib import rc_context

    families, cjk = font_families()
    written = {}
    settings = {"font.family": families, "axes.unicode_minus": False}
    with rc_context(settings), warnings.catch_warnings():
        # Without a CJK font each missing glyph would warn once per label; one warning said it already.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        for name, plotter in PLOTTERS.items():
            plotter(stats, folder / PLOT_FILES[name], cjk)
            written[name] = PLOT_FILES[name]
    return written
