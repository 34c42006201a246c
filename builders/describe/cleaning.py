"""What cleaning removed: the per-rule counts of a build (``stats/cleaning.json``, folded into ``stats.json``
under ``cleaning`` and into the card's table), and the audit trail of samples (``build --audit DIR``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builders.cleaners import RuleCount, counts_as_dict, merge_counts

CLEANING_FILE = "cleaning.json"
STATS_DIR = "stats"
AUDIT_SAMPLES = 50  # samples per rule in the audit trail (--audit)


@dataclass
class CleaningTally:
    """Per-rule counts summed (the cleaners' own ``merge_counts``) and each rule's first ``AUDIT_SAMPLES``
    samples ``[raw_path, text]``, in the order they are added: posts of a task, then tasks, in raw_path order."""

    counts: dict[str, RuleCount] = field(default_factory=dict)
    samples: dict[str, list[list[str]]] = field(default_factory=dict)

    def add(self, counts: Mapping[str, Mapping[str, int]], samples: Mapping[str, list[list[str]]]) -> None:
        merge_counts(self.counts, {rule: RuleCount(**count) for rule, count in counts.items()})
        for rule, found in samples.items():
            kept = self.samples.setdefault(rule, [])
            kept += found[: AUDIT_SAMPLES - len(kept)]

    def add_post(
        self, counts: Mapping[str, Mapping[str, int]], samples: Mapping[str, list[str]], raw_path: str
    ) -> None:
        """One post's counts and samples (its removed texts per rule); a rule whose samples are full takes no more."""
        self.add(counts, {})
        for rule, texts in samples.items():
            kept = self.samples.setdefault(rule, [])
            if len(kept) < AUDIT_SAMPLES:
                kept += [[raw_path, text] for text in texts[: AUDIT_SAMPLES - len(kept)]]

    def as_json(self) -> dict[str, Any]:
        return {"counts": counts_as_dict(self.counts), "samples": self.samples}


def write_cleaning(folder: Path, counts: dict[str, dict[str, int]]) -> None:
    out = folder / STATS_DIR
    out.mkdir(exist_ok=True)
    (out / CLEANING_FILE).write_text(json.dumps(counts, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "utf-8")


def read_cleaning(folder: Path) -> dict[str, dict[str, int]]:
    path = folder / STATS_DIR / CLEANING_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def write_audit(folder: Path, samples: dict[str, list[list[str]]]) -> None:
    """One JSONL file per rule (``<rule>.jsonl``): its first samples in raw_path order, ``raw_path``, ``rule``
    and the removed or lifted text (``field=value`` for a lifted field)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.jsonl"):
        stale.unlink()
    for rule, found in sorted(samples.items()):
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", rule)
        lines = [json.dumps({"raw_path": p, "rule": rule, "text": t}, ensure_ascii=False) + "\n" for p, t in found]
        (folder / f"{name}.jsonl").write_text("".join(lines), encoding="utf-8")


def cleaning_table(counts: dict[str, Any]) -> str:
    """The card's "What cleaning removed" table, rules by posts touched."""
    if not counts:
        return "(no rule changed any post of this build)"
    rows = sorted(counts.items(), key=lambda item: (-item[1].get("posts", 0), item[0]))
    lines = ["| rule | posts | lines removed | characters removed | fields lifted |", "|---|---:|---:|---:|---:|"]
    lines += [
        f"| `{rule}` | {c.get('posts', 0)} | {c.get('lines', 0)} | {c.get('chars', 0)} | {c.get('fields', 0)} |"
        for rule, c in rows
    ]
    return "\n".join(lines)
