"""Topic-classification baseline: character n-gram TF-IDF + logistic regression (scikit-learn).

    .venv/bin/python tasks/baseline.py DATASET_DIR            # a built dataset folder (`zh-rss-posts build`)
    .venv/bin/python tasks/baseline.py DATASET_DIR --eval-split validation

Loads the `topics` config (`id`, `text` and `label`, a ClassLabel over the top-level categories whose ids
never change across releases; duplicates excluded), so the label ids are the dataset's own; a build without
that config (before 1.0.0) falls back to the default config and its `category` column (label
ids then follow the sorted category names). Fits on `train`, prints accuracy and macro-F1 on the test split
(or `--eval-split`), with the class counts and the run time. Deterministic: the vectoriser has no
randomness and the solver (liblinear, one-vs-rest) is seeded, so the same build gives the same figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load_topics(folder: Path) -> tuple[dict[str, Any], list[str], str]:
    """(splits, label names, config used): the `topics` config, or the default config's `category`."""
    from datasets import load_dataset

    try:
        splits = load_dataset(str(folder), "topics")
        names = list(splits["train"].features["label"].names)
        return dict(splits), names, "topics"
    except ValueError as error:  # BuilderConfig 'topics' not found
        if "topics" not in str(error):
            raise
    splits = dict(load_dataset(str(folder)))  # default config: duplicates excluded
    names = sorted({c for split in splits.values() for c in split["category"]})
    index = {name: i for i, name in enumerate(names)}
    splits = {
        name: split.map(lambda row: {"label": index[row["category"]]}, desc=f"labels {name}")
        for name, split in splits.items()
    }
    return splits, names, "default (category column)"


def document(row: dict[str, Any]) -> str:
    return "\n".join(part for part in (row.get("title"), row.get("text")) if part)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", type=Path, help="a built dataset folder")
    parser.add_argument("--eval-split", default="test")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ngrams", type=int, nargs=2, default=(1, 3), metavar=("MIN", "MAX"))
    parser.add_argument("--max-features", type=int, default=200_000)
    parser.add_argument("--max-chars", type=int, default=5000, help="characters of each post used")
    parser.add_argument(
        "--cv", type=int, default=0, metavar="K", help="also K-fold cross-validation over all splits (small builds)"
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.multiclass import OneVsRestClassifier

    splits, names, config = load_topics(args.dataset)
    if args.eval_split not in splits:
        parser.error(f"no split {args.eval_split!r}; the build has {sorted(splits)}")
    train, evaluated = splits["train"], splits[args.eval_split]
    x_train = [document(row)[: args.max_chars] for row in train]
    x_eval = [document(row)[: args.max_chars] for row in evaluated]
    y_train, y_eval = list(train["label"]), list(evaluated["label"])

    def fit_predict(x_fit: list[str], y_fit: list[int], x_new: list[str]) -> list[int]:
        vectorizer = TfidfVectorizer(
            analyzer="char", ngram_range=tuple(args.ngrams), sublinear_tf=True, max_features=args.max_features
        )
        # one-vs-rest with liblinear: 0.3 s on the sample where multinomial lbfgs takes 5-11 s
        model = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=10.0, random_state=args.seed))
        model.fit(vectorizer.fit_transform(x_fit), y_fit)
        return model.predict(vectorizer.transform(x_new)).tolist()

    predicted = fit_predict(x_train, y_train, x_eval)
    accuracy = accuracy_score(y_eval, predicted)
    macro_f1 = f1_score(y_eval, predicted, average="macro", zero_division=0)
    cv_line = ""
    if args.cv > 1:
        from sklearn.model_selection import KFold

        x_all = [document(row)[: args.max_chars] for split in splits.values() for row in split]
        y_all = [label for split in splits.values() for label in split["label"]]
        folds = KFold(n_splits=args.cv, shuffle=True, random_state=args.seed).split(x_all)
        scores = []
        for fit_rows, new_rows in folds:
            guess = fit_predict(
                [x_all[i] for i in fit_rows], [y_all[i] for i in fit_rows], [x_all[i] for i in new_rows]
            )
            truth = [y_all[i] for i in new_rows]
            scores.append((accuracy_score(truth, guess), f1_score(truth, guess, average="macro", zero_division=0)))
        mean_accuracy = sum(a for a, _ in scores) / len(scores)
        mean_f1 = sum(f for _, f in scores) / len(scores)
        cv_line = f"{args.cv}-fold cross-validation over {len(y_all)} posts: accuracy {mean_accuracy:.4f}, macro-F1 {mean_f1:.4f}"
    elapsed = time.perf_counter() - start
    print(f"dataset: {args.dataset} (config {config}; {len(names)} labels: {', '.join(names)})")
    print(f"train: {len(y_train)} posts; {args.eval_split}: {len(y_eval)} posts")
    for name, labels in (("train", y_train), (args.eval_split, y_eval)):
        counts = Counter(labels)
        print(f"classes in {name}: " + ", ".join(f"{names[label]} {counts[label]}" for label in sorted(counts)))
    if len(y_eval) < 30:
        print(f"warning: {len(y_eval)} evaluation posts: these figures are anecdotal, not a benchmark")
    print(f"char {args.ngrams[0]}-{args.ngrams[1]}-gram TF-IDF + one-vs-rest logistic regression (seed {args.seed})")
    print(f"accuracy: {accuracy:.4f}")
    print(f"macro-F1: {macro_f1:.4f}")
    if cv_line:
        print(cv_line)
    print(f"time: {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
