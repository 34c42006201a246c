"""Characters that carry no text: one set, removed by the cleaner (``builders.cleaners.text``) and forbidden in
``text`` by the body invariants (``schemas.frames``). Pure Python: workers import it.

Decisions: the soft hyphen U+00AD is a hyphenation hint, never text: removed. Variation selectors (U+FE0E/F,
emoji presentation) are part of the character they follow: kept. U+200D (zero-width joiner) is removed like
every zero-width character, as the cleaner always did (it also joins emoji sequences: a known trade-off).
"""

from __future__ import annotations

import re

# Inclusive code point ranges.
INVISIBLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00, 0x08),  # C0 controls (tab and newline aside)
    (0x0B, 0x1F),
    (0x7F, 0x9F),  # DEL and C1 controls
    (0xAD, 0xAD),  # soft hyphen
    (0x061C, 0x061C),  # Arabic letter mark (a bidi control)
    (0x180E, 0x180E),  # Mongolian vowel separator (formerly a space, now a format character)
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    (0x2028, 0x202E),  # line and paragraph separators; bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x2069),  # bidi isolates
    (0x206A, 0x206F),  # deprecated format characters (symmetric swapping, digit shapes)
    (0xFEFF, 0xFEFF),  # byte-order mark / zero-width no-break space
    (0xFFF9, 0xFFFB),  # interlinear annotation controls
)


def invisible_class() -> str:
    """The set as one Python regex character class."""
    return "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in INVISIBLE_RANGES) + "]"


INVISIBLE = re.compile(invisible_class())
