"""Which Han script a text is written in: `Hans`, `Hant`, `mixed` or `none` (ISO 15924 codes).

The decision reads character tables only; the text is never converted. The tables are OpenCC's
character dictionaries (`STCharacters.txt`: simplified -> traditional, `TSCharacters.txt`:
traditional -> simplified), as shipped in the `opencc-python-reimplemented` wheel (Apache-2.0; the
official `opencc` wheel ships only compiled `.ocd2` files). From them each Han character falls in
exactly one class:

- **simplified-only**: a key of `STCharacters` that does not map to itself and is not a key of
  `TSCharacters` (e.g. `书`, `发`, `湾`): OpenCC rewrites it when converting to traditional, and
  does not list it as a traditional form.
- **traditional-only**: a key of `TSCharacters` that does not map to itself and is not a key of
  `STCharacters` (e.g. `書`, `為`, `灣`).
- **shared**: every other Han character, i.e. characters written the same in both scripts (`中`,
  `人`, `台`, `干`: a character that some mapping keeps, such as `台` -> `臺 檯 颱 台`, counts as
  shared), characters the two tables disagree on (`麽`), and characters neither table lists
  (most rare ideographs, Japanese-only forms such as `気`).

A **Han character** is a code point of `schemas.record.HAN_RANGES` (the pandera rules use the same
definition): U+3005 (々), U+3007 (〇), U+3400–4DBF (Extension A),
U+4E00–9FFF (Unified Ideographs), U+F900–FAFF (Compatibility), U+20000–2FA1F (Extensions B–F, I and
Compatibility Supplement) or U+30000–323AF (Extensions G–H). Radicals and strokes are not.

Counting is by occurrence: `S` simplified-only and `T` traditional-only characters in the text
(shared characters do not vote). The decision:

1. no Han character at all -> `none`;
2. `S + T == 0` (every Han character is shared) -> `Hans`: such text is valid in both scripts, and
   the tie goes to the script of mainland publishing, which is where this corpus's feeds come from;
3. `min(S, T) >= MIXED_MIN_CHARS` (2) and `min(S, T) >= MIXED_MIN_SHARE * (S + T)` (10 %) ->
   `mixed`: the minority script is neither a one-off nor a small fraction (a simplified article
   naming a few Taiwanese places or brands stays `Hans`);
4. otherwise the majority: `Hant` when `T > S`, else `Hans`.

For Japanese text the result describes its kanji only (kanji often fall in the shared or
traditional-only class); the `language` field, not the script, tells Japanese apart.

Speed: one pass with a numpy lookup table over the text's code points (0.7 ms per 100,000
characters on this machine, against 13–18 ms for a frozenset loop or a translate table; see
`benchmarks/bench_annotate.py`).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import NamedTuple

import numpy as np

from schemas.record import HAN_RANGES, Script

MIXED_MIN_CHARS = 2
MIXED_MIN_SHARE = 0.10

_OTHER, _SHARED, _SIMPLIFIED, _TRADITIONAL = 0, 1, 2, 3


class ScriptCounts(NamedTuple):
    """Occurrences of Han characters in a text: all of them, and those of each script only."""

    han: int
    simplified: int
    traditional: int


def _read_table(name: str) -> dict[str, list[str]]:
    text = (files("opencc") / "dictionary" / name).read_text(encoding="utf-8-sig")
    table: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, _, values = line.partition("\t")
        if len(key) == 1 and values:
            table[key] = values.split()
    return table


@cache
def character_classes() -> tuple[frozenset[str], frozenset[str]]:
    """The simplified-only and traditional-only character sets, built from OpenCC's tables."""
    s2t = _read_table("STCharacters.txt")
    t2s = _read_table("TSCharacters.txt")
    simplified = frozenset(c for c, targets in s2t.items() if c not in targets and c not in t2s)
    traditional = frozenset(c for c, targets in t2s.items() if c not in targets and c not in s2t)
    return simplified, traditional


@cache
def _lookup_table() -> np.ndarray:
    table = np.zeros(0x110000, dtype=np.uint8)
    for first, last in HAN_RANGES:
        table[first : last + 1] = _SHARED
    simplified, traditional = character_classes()
    table[[ord(c) for c in simplified]] = _SIMPLIFIED
    table[[ord(c) for c in traditional]] = _TRADITIONAL
    table.setflags(write=False)
    return table


def script_counts(text: str) -> ScriptCounts:
    """Count the Han characters of `text`, and those that belong to one script only."""
    if not text:
        return ScriptCounts(0, 0, 0)
    code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    counts = np.bincount(_lookup_table()[code_points], minlength=4)
    return ScriptCounts(
        han=int(counts[_SHARED] + counts[_SIMPLIFIED] + counts[_TRADITIONAL]),
        simplified=int(counts[_SIMPLIFIED]),
        traditional=int(counts[_TRADITIONAL]),
    )


def decide(counts: ScriptCounts) -> Script:
    """The script for these counts, by the rule in the module docstring."""
    if counts.han == 0:
        return "none"
    s, t = counts.simplified, counts.traditional
    minority = min(s, t)
    if minority >= MIXED_MIN_CHARS and minority >= MIXED_MIN_SHARE * (s + t):
        return "mixed"
    return "Hant" if t > s else "Hans"


def script_of(text: str) -> Script:
    """`Hans`, `Hant`, `mixed` or `none` for `text` (see the module docstring for the rule)."""
    return decide(script_counts(text))
