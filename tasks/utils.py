"""Helpers for `zh_rss_topics.yaml` (lm-evaluation-harness loads them with `!function utils.NAME`)."""

from __future__ import annotations

from typing import Any

#: Characters of a post shown to the model: posts run from a line to tens of thousands of characters.
MAX_PASSAGE_CHARS = 1000


def process_docs(dataset: Any) -> Any:
    """Add `passage` (the text, cut to MAX_PASSAGE_CHARS) and `choices` (the ClassLabel's names) to each doc."""
    names = list(dataset.features["label"].names)

    def add(doc: dict[str, Any]) -> dict[str, Any]:
        text = "\n".join(part for part in (doc.get("title"), doc.get("text")) if part)
        return {"passage": text[:MAX_PASSAGE_CHARS], "choices": names}

    return dataset.map(add)


def macro_f1(items: list[tuple[int, int]]) -> float:
    """Macro-averaged F1 over (gold, predicted) label ids (the harness's own `f1` is binary)."""
    from sklearn.metrics import f1_score

    golds, preds = zip(*items, strict=True)
    return float(f1_score(golds, preds, average="macro", zero_division=0))
