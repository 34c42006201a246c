"""The build's one entry point: raw roots -> a dataset folder, published atomically.

The work runs as the engine's resumable stages (``builders.engine``: parse -> per-band merge -> components ->
write) on a datatrove executor; ``build`` with no options is the local executor, one task, every core.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from builders.common.identity import SPLITS
from builders.common.summary import BuildSummary
from builders.dedup.finder import DEFAULT_THRESHOLD
from builders.engine import build as run_engine

SAMPLE_ROOT = Path(__file__).parent / "sample"


def build(
    raw_roots: Sequence[Path] | Path,
    out_dir: Path,
    workers: int | None = None,
    dedup_threshold: float = DEFAULT_THRESHOLD,
    **engine: Any,
) -> BuildSummary:
    """Build ``raw_roots`` (one root or several) into the dataset folder ``out_dir``; ``engine`` takes the
    engine's options (``executor``, ``tasks``, ``work_dir``, ``cache``, ``ray_address``, ``slurm``...)."""
    return run_engine(raw_roots, out_dir, workers=workers, dedup_threshold=dedup_threshold, **engine)


def format_summary(summary: BuildSummary) -> str:
    """The human summary printed at the end of a build."""
    lines = [
        f"files seen:   {summary.files_seen}",
        f"records:      {summary.records} ({summary.duplicates} marked duplicate: "
        f"{summary.exact_duplicates.total()} exact, {summary.near_duplicates.total()} near)",
        f"empty bodies: {summary.empty_bodies} (records with no text of their own: image or link only)",
        f"quarantined:  {len(summary.quarantined)}",
        f"ignored:      {len(summary.ignored)}",
        "splits:       " + ", ".join(f"{s} {summary.per_split.get(s, 0)}" for s in SPLITS),
        f"split routing: {summary.routing.by_ledger} kept (ledger), {summary.routing.by_cluster} joined a released "
        f"cluster, {summary.routing.by_hash} by hash; {len(summary.routing.bridges)} bridge(s)"
        + (f" (against {summary.against['version']})" if summary.against else ""),
        "per category:",
        *(f"  {category}: {count}" for category, count in sorted(summary.per_category.items())),
    ]
    reasons = Counter(str(r.reason) for r in summary.quarantined)
    if reasons:
        lines.append("quarantine reasons:")
        lines.extend(f"  {reason}: {count}" for reason, count in sorted(reasons.items()))
    if not summary.reconciles():
        lines.append("WARNING: counts do not reconcile")
    return "\n".join(lines)
