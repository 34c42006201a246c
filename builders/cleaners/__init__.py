"""Cleaner registry: site cleaners register by name; a post gets the one that serves its feed.

Adding a site is adding one module under ``builders/cleaners/sites/`` with a ``Cleaner`` subclass
decorated with ``@register``; every module there is imported when the registry is first used.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from builders.cleaners.audit import RuleCount, counts_as_dict, merge_counts
from builders.cleaners.base import NAMED_RULES, Cleaned, Cleaner
from builders.cleaners.found import Found
from builders.cleaners.html import PARSE_VERSION, UnparsableBody
from builders.cleaners.rules import RULE_VERSIONS

REGISTRY: dict[str, type[Cleaner]] = {}
GENERIC = Cleaner()


def register(cls: type[Cleaner]) -> type[Cleaner]:
    """Class decorator: add a site cleaner to the registry under its ``name``."""
    if cls.name in REGISTRY and REGISTRY[cls.name] is not cls:
        raise ValueError(f"two cleaners are named {cls.name!r}")
    if not cls.sources:
        raise ValueError(f"cleaner {cls.name!r} serves no source")
    REGISTRY[cls.name] = cls
    return cls


@cache
def _load_sites() -> None:
    from builders.cleaners import sites

    for module in sorted(pkgutil.iter_modules(sites.__path__), key=lambda m: m.name):
        importlib.import_module(f"{sites.__name__}.{module.name}")


@cache
def cleaner_for(category: str, source: str, feed: str) -> Cleaner:
    """The cleaner serving this feed; the generic cleaner when no site cleaner does."""
    _load_sites()
    matches = sorted(name for name, cls in REGISTRY.items() if cls.serves(category, source, feed))
    if len(matches) > 1:
        raise ValueError(f"feed {category}/{source}/{feed} is served by several cleaners: {matches}")
    return REGISTRY[matches[0]]() if matches else GENERIC


def all_cleaners() -> dict[str, type[Cleaner]]:
    """Every registered site cleaner by name (the generic one aside)."""
    _load_sites()
    return dict(sorted(REGISTRY.items()))


def cleaner_versions() -> dict[str, int]:
    """Every cleaner, generic rule and the parse with its version: ``{name: version}``, sorted by name. The
    manifest lists it; a cache of cleaned records keys on it."""
    versions = {"generic": Cleaner.version, "html.parse": PARSE_VERSION}
    versions.update({name: cls.version for name, cls in all_cleaners().items()})
    versions.update({name: RULE_VERSIONS[rule.__name__] for name, rule in NAMED_RULES})
    return dict(sorted(versions.items()))


__all__ = [
    "GENERIC",
    "Cleaned",
    "Cleaner",
    "Found",
    "RuleCount",
    "UnparsableBody",
    "all_cleaners",
    "cleaner_for",
    "cleaner_versions",
    "counts_as_dict",
    "merge_counts",
    "register",
]
