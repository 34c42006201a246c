"""Invariants at build time: every record is held to the pandera rules ``validate`` uses before it is written.

The rules are defined once, in ``schemas.frames``; the build runs them on each batch of records in the main
process (the workers stay free of pandera and polars). A record that breaks one is never published: it is
quarantined, ``body_invariant`` for a rule of ``PostBody`` (the text is not clean) and ``invalid_record`` for
one of ``PostMetadata``, with the rules' names in the message. So ``validate`` passes on any build.
"""

from __future__ import annotations

from collections import defaultdict

import pandera.errors
import polars as pl
import pyarrow as pa

from builders.common.quarantine import Reason, Rejection
from schemas.frames import PostBody, PostMetadata

MODELS = ((PostBody, Reason.BODY_INVARIANT), (PostMetadata, Reason.INVALID_RECORD))
MESSAGE_CHARS = 500


def broken_rules(table: pa.Table) -> dict[int, list[tuple[Reason, str, str]]]:
    """Row index -> the rules it breaks, as (reason, "Model.rule", failure case), in the models' order.

    Rules of a whole batch (the column types, say) have no row: they are a bug of the build, not of a post,
    and raise."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    broken: dict[int, list[tuple[Reason, str, str]]] = defaultdict(list)
    for model, reason in MODELS:
        try:
            model.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as errors:
            cases = errors.failure_cases
            if cases["index"].null_count():
                raise
            for index, check, case in cases.select("index", "check", "failure_case").iter_rows():
                broken[int(index)].append((reason, f"{model.__name__}.{check}", str(case)[:80]))
    return dict(broken)


def hold_to_rules(table: pa.Table) -> tuple[pa.Table, list[Rejection]]:
    """The rows of ``table`` that keep every rule, and a rejection for each row that does not."""
    broken = broken_rules(table)
    if not broken:
        return table, []
    raw_paths = table.column("raw_path").to_pylist()
    rejections = []
    for index in sorted(broken):
        rules = broken[index]
        names = ", ".join(dict.fromkeys(name for _, name, _ in rules))
        message = f"the record breaks {names} (e.g. {rules[0][2]!r})"[:MESSAGE_CHARS]
        rejections.append(Rejection(raw_paths[index], rules[0][0], message))
    keep = pa.array([index not in broken for index in range(table.num_rows)])
    return table.filter(keep), rejections
