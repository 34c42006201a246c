"""Per-record annotations: script, language and PII masking, each a versioned tagger.

Like dolma's taggers, each annotator is registered under a name with a version; a version moves up
whenever a tagger's output for some text may change (new tables, new rules, a new identifier
release), so a build can record which taggers made its fields (`TAGGER_VERSIONS`).

The per-file step calls `annotate(text)` once per record. PII is masked first; script and language
are read from the masked text, the text that ships (placeholders hold no Han character, so the
script is the same as the original's).

This package runs in the build's worker processes: it imports only the standard library, numpy,
OpenCC's tables (`opencc-python-reimplemented`) and `pycld2`, never datasets, pandera, polars,
pyarrow, datasketch or matplotlib.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from builders.annotate.language import language_of
from builders.annotate.pii import CATEGORIES, mask_pii
from builders.annotate.script import Script, script_of


@dataclass(frozen=True)
class Tagger:
    """One annotator: its name, its version and the function it applies to a text."""

    name: str
    version: int
    function: Callable[[str], Any]


TAGGERS: Mapping[str, Tagger] = MappingProxyType(
    {
        "pii": Tagger("pii", 1, mask_pii),
        "script": Tagger("script", 1, script_of),
        "language": Tagger("language", 2, language_of),  # 2: e-mail removal as the PII rule (linear)
    }
)

#: `{"pii": 1, "script": 1, "language": 2}`: what a build records next to the fields.
TAGGER_VERSIONS: Mapping[str, int] = MappingProxyType({name: t.version for name, t in TAGGERS.items()})


class PiiCounts(NamedTuple):
    """Items masked in one text, per category (the categories of `builders.annotate.pii`)."""

    email: int = 0
    phone: int = 0
    id_number: int = 0
    bank_card: int = 0


if PiiCounts._fields != CATEGORIES:  # the record fields follow the detector's categories
    raise ImportError("PiiCounts must list the categories of builders.annotate.pii, in order")


@dataclass(frozen=True, slots=True)
class Annotations:
    """What the taggers say about one record's text."""

    text: str
    """The text with PII masked (the input itself when nothing was masked)."""
    script: Script
    language: str
    language_score: float
    pii_masked: PiiCounts
    """Masked items per category; `pii_masked._asdict()` gives `{"email": 0, "phone": 0, ...}`."""

    @property
    def pii_total(self) -> int:
        return sum(self.pii_masked)


def annotate(text: str) -> Annotations:
    """Mask PII in `text`, then tag the masked text's script and language."""
    masked, counts = TAGGERS["pii"].function(text)
    language, score = TAGGERS["language"].function(masked)
    return Annotations(
        text=masked,
        script=TAGGERS["script"].function(masked),
        language=language,
        language_score=score,
        pii_masked=PiiCounts(**counts),
    )


__all__ = [
    "TAGGERS",
    "TAGGER_VERSIONS",
    "Annotations",
    "PiiCounts",
    "Tagger",
    "annotate",
    "language_of",
    "mask_pii",
    "script_of",
]
