"""Regex helpers of the pandera rules in ``schemas.frames``: fast searches of polars text columns.

Kept apart so that ``schemas.frames`` reads as the tables of rules only.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import pandera.polars as pa
import polars as pl

# A fenced code block: ``` up to the nearest following ```, i.e. what r"(?s)```.*?```" matches, written without a
# lazy quantifier (the body holds no ``` and does not end with `) so the regex engine's fast automaton can run it.
CODE_FENCE = r"```(?:[^`]|`[^`]|``[^`])*```"


@cache
def nfc_suspects() -> str:
    """A regex class of every character that can make a text non-NFC: characters that are not NFC on their own
    and characters that can combine with a neighbour (combining marks, Hangul vowel and final jamo). A text
    without any of them is NFC, so the exact (slow) normalisation only runs on the few texts that have one."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x30000):  # beyond: unassigned planes and tags, all NFC-stable
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        if unicodedata.combining(char) or 0x1161 <= code <= 0x11C2 or not unicodedata.is_normalized("NFC", char):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges) + "]"


def nfc_mask(texts: pl.Series) -> pl.Series:
    """True where a text is NFC: a vectorised pre-filter, then ``unicodedata`` on the suspects only."""
    ok = [True] * len(texts)
    suspects = texts.str.contains(nfc_suspects()).fill_null(False)
    for index in suspects.arg_true().to_list():
        ok[index] = unicodedata.is_normalized("NFC", texts[index])
    return pl.Series(texts.name, ok, dtype=pl.Boolean)


# The regex engine (Rust `regex`, in polars) searches a class of at most 10 characters by its literals (a fast
# scan); a bigger class runs the automaton over every byte: for the 81 invisible characters, 9 classes of 10 take
# 0.3 s on 100,000 posts, one class 1 s, and classes of 12 were slower still (measured with polars 2.1).
PREFILTERED_CLASS_SIZE = 10


def small_classes(ranges: tuple[tuple[int, int], ...], size: int = PREFILTERED_CLASS_SIZE) -> list[str]:
    """The characters of ``ranges`` as regex classes of at most ``size`` characters each. A text matches one of
    them iff it matches the whole class; each small class is searched by its literals (a fast scan), where one
    big class without a literal prefix runs the regex automaton over every byte."""
    chars = [code for low, high in ranges for code in range(low, high + 1)]
    groups = [chars[i : i + size] for i in range(0, len(chars), size)]
    return ["[" + "".join(f"\\x{{{code:x}}}" for code in group) + "]" for group in groups]


def forbid(data: pa.PolarsData, pattern: str) -> pl.LazyFrame:
    """True for every row whose column does not match ``pattern``."""
    return data.lazyframe.select(~pl.col(data.key).str.contains(pattern).fill_null(False))


def forbid_any(data: pa.PolarsData, patterns: list[str]) -> pl.LazyFrame:
    """True for every row whose column matches none of ``patterns``."""
    hits = [pl.col(data.key).str.contains(pattern).fill_null(False) for pattern in patterns]
    return data.lazyframe.select(~pl.any_horizontal(hits))


def prose_matches(texts: pl.Series, pattern: str) -> pl.Series:
    """True where a text matches ``pattern`` once its fenced code blocks are removed. Only the texts holding a
    fence are rewritten; the others are searched as they are."""
    hits = texts.str.contains(pattern)
    fenced = texts.str.contains("```", literal=True).fill_null(False).arg_true()
    if len(fenced):
        hits = hits.scatter(fenced, texts.gather(fenced).str.replace_all(CODE_FENCE, "").str.contains(pattern))
    return hits


def forbid_outside_code(data: pa.PolarsData, pattern: str) -> pl.LazyFrame:
    """Like ``_forbid``, but code blocks (fenced with ```) may match: code keeps its indentation."""
    hits = pl.col(data.key).map_batches(lambda texts: prose_matches(texts, pattern), return_dtype=pl.Boolean)
    return data.lazyframe.select(~hits.fill_null(False))
