"""Semver rules of the dataset version (``builders.common.dataset.DATASET_VERSION``).

Policy (enforced by ``builders.release.history`` and ``builders.release.diff``, tested in tests/test_release.py):
- the schema fingerprint (from the Features) changes -> MAJOR;
- existing records change (cleaning output) or disappear -> at least MINOR;
- only new records -> PATCH.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import NamedTuple

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class Bump(IntEnum):
    """How much a version must move; ordered so that ``max`` gives the strongest requirement."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    def __str__(self) -> str:
        return self.name.lower()


class SemVer(NamedTuple):
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> SemVer:
        match = SEMVER.match(text)
        if match is None:
            raise ValueError(f"not a semantic version X.Y.Z: {text!r}")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def bump_between(old: str, new: str) -> Bump | None:
    """The bump that takes ``old`` to ``new``; None when ``new`` is not greater than ``old``."""
    a, b = SemVer.parse(old), SemVer.parse(new)
    if b <= a:
        return Bump.NONE if a == b else None
    if b.major > a.major:
        return Bump.MAJOR
    if b.minor > a.minor:
        return Bump.MINOR
    return Bump.PATCH


def bumped(version: str, bump: Bump) -> str:
    """The smallest version above ``version`` that makes ``bump`` (0.3.2 + minor -> 0.4.0)."""
    v = SemVer.parse(version)
    if bump is Bump.MAJOR:
        return str(SemVer(v.major + 1, 0, 0))
    if bump is Bump.MINOR:
        return str(SemVer(v.major, v.minor + 1, 0))
    if bump is Bump.PATCH:
        return str(SemVer(v.major, v.minor, v.patch + 1))
    return version
