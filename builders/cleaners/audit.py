"""What each cleaning rule did to one post: counts (like datatrove's ``stat_update``) and a few samples.

Every generic rule and every site hook runs through an ``Audit``; the post's ``Cleaned`` carries the result:
``counts`` (rule name -> ``RuleCount``, only the rules that did something) and ``samples`` (rule name -> the
first ``SAMPLES_PER_POST`` removed or lifted texts, each cut at ``SAMPLE_CHARS``). Both are plain picklable
data (dataclasses, dicts, ints, strings) so that workers send them back without pandas or Arrow, and the main
process sums them with ``merge_counts``.

Rule names are stable: ``generic.<rule function>`` for the generic rules (``generic.drop_noise_line``),
``<cleaner>.skip`` (subtrees a site drops), ``<cleaner>.walk`` (fields a site lifts from markup while the walk
runs: its ``skip`` and ``visit`` hooks) and ``<cleaner>.tidy`` (a site's paragraph rules).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from builders.cleaners.found import Found

SAMPLES_PER_POST = 3
SAMPLE_CHARS = 200
# The ``Found`` fields a rule can lift (images are the walk's own, not a rule's).
LIFTED_FIELDS = ("editor", "byline", "original_title", "attribution", "url", "truncated")


@dataclass
class RuleCount:
    """What one rule did: posts it changed, lines (paragraphs, or dropped subtrees) and characters it removed,
    fields it filled."""

    posts: int = 0
    lines: int = 0
    chars: int = 0
    fields: int = 0

    def add(self, other: RuleCount) -> None:
        self.posts += other.posts
        self.lines += other.lines
        self.chars += other.chars
        self.fields += other.fields

    def as_dict(self) -> dict[str, int]:
        return {"posts": self.posts, "lines": self.lines, "chars": self.chars, "fields": self.fields}


def merge_counts(total: dict[str, RuleCount], counts: Mapping[str, RuleCount]) -> dict[str, RuleCount]:
    """Add one post's (or one worker's) counts into ``total``; returns ``total``."""
    for name, count in counts.items():
        total.setdefault(name, RuleCount()).add(count)
    return total


def counts_as_dict(counts: Mapping[str, RuleCount]) -> dict[str, dict[str, int]]:
    """Counts as plain JSON-ready dicts, sorted by rule name."""
    return {name: counts[name].as_dict() for name in sorted(counts)}


def _snapshot(found: Found) -> tuple[object, ...]:
    return tuple(getattr(found, name) for name in LIFTED_FIELDS)


def _cut(text: str) -> str:
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"


@dataclass
class Audit:
    """The counts and samples of one post, filled while it is cleaned."""

    counts: dict[str, RuleCount] = field(default_factory=dict)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def _count(self, name: str) -> RuleCount:
        count = self.counts.get(name)
        if count is None:
            count = self.counts[name] = RuleCount(posts=1)
        return count

    def _sample(self, name: str, texts: Iterable[str]) -> None:
        kept = self.samples.setdefault(name, [])
        for text in texts:
            if len(kept) >= SAMPLES_PER_POST:
                break
            if text:
                kept.append(_cut(text))

    def run(
        self, name: str, rule: Callable[[list[str], Found], list[str]], paragraphs: list[str], found: Found
    ) -> list[str]:
        """Apply a paragraph rule and record what it removed and lifted."""
        before = _snapshot(found)
        result = rule(paragraphs, found)
        changed = result is not paragraphs and result != paragraphs
        if not changed and before == _snapshot(found):
            return result
        count = self._count(name)
        if changed:
            count.lines += len(paragraphs) - len(result)
            count.chars += sum(map(len, paragraphs)) - sum(map(len, result))
            kept = set(result)
            self._sample(name, (p for p in paragraphs if p not in kept))
        self.lifted(name, before, found)
        return result

    def lifted(self, name: str, before: tuple[object, ...], found: Found) -> None:
        """Record the fields filled since ``before`` (a ``snapshot`` of ``found``)."""
        after = _snapshot(found)
        if before == after:
            return
        filled = [(n, new) for n, old, new in zip(LIFTED_FIELDS, before, after, strict=True) if new != old]
        self._count(name).fields += len(filled)
        self._sample(name, (f"{n}={value}" for n, value in filled))

    def dropped(self, name: str, text: str) -> None:
        """Record a subtree a site hook dropped, with its text."""
        count = self._count(name)
        count.lines += 1
        count.chars += len(text)
        self._sample(name, (text,))


def snapshot(found: Found) -> tuple[object, ...]:
    """The liftable fields of ``found`` now (for ``Audit.lifted``)."""
    return _snapshot(found)
