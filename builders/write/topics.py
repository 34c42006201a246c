"""Topic labels: the `label` column and the ClassLabel names of the `topics` config, ids that never change.

The names of a build are, in order: the names of the previous release when one is known (its ids are
published, so they come first and keep their places), the committed list ``builders.common.topics.TOPIC_NAMES``,
then every category of the build that neither has, sorted. A record's `label` is its category's index there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from builders.common.topics import TOPIC_NAMES


def label_names(categories: Iterable[str], previous: Sequence[str] | None = None) -> list[str]:
    """The ClassLabel names of a build with these categories.

    ``previous``: the label names of the release this build follows (issue 15's ``--against OLD``), or None when
    no release is known; a name of it never moves, whatever ``TOPIC_NAMES`` says."""
    names = list(dict.fromkeys(previous or ()))
    known = set(names)
    for name in (*TOPIC_NAMES, *sorted(set(categories))):
        if name not in known:
            names.append(name)
            known.add(name)
    return names


def with_labels(table: pa.Table, names: Sequence[str]) -> pa.Table:
    """``table`` with its `label` column set to the index of each row's `category` in ``names``."""
    labels = pc.index_in(table.column("category"), value_set=pa.array(list(names), pa.string()))
    if labels.null_count:
        missing = sorted(set(pc.filter(table.column("category"), pc.is_null(labels)).to_pylist()))
        raise ValueError(f"categories without a label name: {missing}")
    index = table.schema.get_field_index("label")
    field = table.schema.field(index)
    return table.set_column(index, field, labels.cast(field.type))


def previous_label_names(against: Path | None) -> list[str] | None:
    """The `topics` ClassLabel names of the release a build follows (``--against OLD``: its manifest's)."""
    if against is None or not (against / "MANIFEST.json").is_file():
        return None
    names = json.loads((against / "MANIFEST.json").read_text(encoding="utf-8")).get("label_names")
    return list(names) if names else None
