"""What cleaning removed: the per-rule counts of a build (``stats/cleaning.json``, folded into ``stats.json``
under ``cleaning`` and into the card's table), and the audit trail of samples (``build --audit DIR``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

CLEANING_FILE = "cleaning.json"
STATS_DIR = "stats"


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
