"""The classification task files: the harness YAML, its helpers, and the scikit-learn baseline."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO

TASKS = REPO / "tasks"


def load_module(name: str):
    spec = importlib.util.spec_from_file_location(f"zh_rss_tasks_{name}", TASKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class HarnessLoader(yaml.SafeLoader):
    """Reads `!function utils.NAME` the way lm-evaluation-harness does: a reference to a function."""


HarnessLoader.add_constructor("!function", lambda loader, node: ("function", loader.construct_scalar(node)))


def test_task_yaml_pins_the_topics_config_and_its_functions_exist() -> None:
    task = yaml.load((TASKS / "zh_rss_topics.yaml").read_text(encoding="utf-8"), Loader=HarnessLoader)
    assert task["task"] == "zh_rss_topics"
    assert task["dataset_path"] == "<org>/zh-rss-posts"
    assert task["dataset_name"] == "topics"
    assert task["dataset_kwargs"] == {"revision": "v1.0.0"}
    assert task["output_type"] == "multiple_choice"
    assert (task["training_split"], task["validation_split"], task["test_split"]) == ("train", "validation", "test")
    assert task["doc_to_target"] == "label" and task["doc_to_choice"] == "choices"
    utils = load_module("utils")
    functions = [task["process_docs"]] + [m["aggregation"] for m in task["metric_list"] if "aggregation" in m]
    for kind, reference in (f for f in functions if isinstance(f, tuple)):
        module, _, name = reference.partition(".")
        assert kind == "function" and module == "utils" and callable(getattr(utils, name)), reference
    assert "{{passage}}" in task["doc_to_text"]


def test_process_docs_reads_label_names_from_the_class_label() -> None:
    from datasets import ClassLabel, Dataset, Features, Value

    utils = load_module("utils")
    features = Features(
        {"title": Value("string"), "text": Value("string"), "label": ClassLabel(names=["金融", "游戏"])}
    )
    docs = utils.process_docs(
        Dataset.from_dict(
            {"title": ["标题", None], "text": ["正文" * 800, "新游戏发售"], "label": [0, 1]}, features=features
        )
    )
    assert docs[0]["choices"] == ["金融", "游戏"]
    assert docs[0]["passage"] == ("标题\n" + "正文" * 800)[: utils.MAX_PASSAGE_CHARS]
    assert docs[1]["passage"] == "新游戏发售"


def test_macro_f1_averages_over_classes() -> None:
    utils = load_module("utils")
    # class 0: P=1, R=1/2 -> F1=2/3; class 1: P=1/2, R=1 -> F1=2/3; class 2: F1=1
    assert utils.macro_f1([(0, 0), (0, 1), (1, 1), (2, 2)]) == pytest.approx(7 / 9)


def run_baseline(*args: str) -> str:
    pytest.importorskip("sklearn")
    out = io.StringIO()
    with redirect_stdout(out):
        assert load_module("baseline").main([*args]) == 0
    return re.sub(r"time: .*", "", out.getvalue())


def figures(output: str) -> tuple[float, float]:
    accuracy = float(re.search(r"^accuracy: ([0-9.]+)$", output, re.M)[1])
    macro_f1 = float(re.search(r"^macro-F1: ([0-9.]+)$", output, re.M)[1])
    return accuracy, macro_f1


def without_topics(build: Path, target: Path) -> Path:
    """A copy of a build whose card has no `topics` config (as builds before 1.0.0)."""
    shutil.copytree(build, target)
    text = (target / "README.md").read_text(encoding="utf-8")
    _, header, body = text.split("---\n", 2)
    meta = yaml.safe_load(header)
    meta["configs"] = [c for c in meta["configs"] if c["config_name"] != "topics"]
    meta["dataset_info"] = [i for i in meta["dataset_info"] if i["config_name"] != "topics"]
    (target / "README.md").write_text(f"---\n{yaml.safe_dump(meta, allow_unicode=True)}---\n{body}", encoding="utf-8")
    return target


def test_baseline_uses_the_topics_config_of_a_build(sample_build: Path) -> None:
    output = run_baseline(str(sample_build), "--eval-split", "train")
    assert "config topics; 13 labels: 金融, 社交媒体, 新媒体, 学习, 游戏, 编程, 博客, 图片, 二次元" in output
    assert "classes in train: 金融 " in output
    accuracy, macro_f1 = figures(output)
    assert 0.8 <= accuracy <= 1.0 and 0.8 <= macro_f1 <= 1.0  # its own training split, text only (no title)
    assert run_baseline(str(sample_build), "--eval-split", "train") == output  # deterministic


def test_baseline_falls_back_to_category_on_a_build_without_topics(sample_build: Path, tmp_path: Path) -> None:
    folder = without_topics(sample_build, tmp_path / "old")
    output = run_baseline(str(folder), "--eval-split", "train")
    assert "config default (category column)" in output
    accuracy, macro_f1 = figures(output)
    assert (
        accuracy == 1.0 and macro_f1 == 1.0
    )  # on its own training split (title and text) a char n-gram model is exact


def test_baseline_runs_on_the_real_sample_topics_config(real_build: Path) -> None:
    output = run_baseline(str(real_build))
    assert "config topics" in output and "test: 2 posts" in output
    accuracy, macro_f1 = figures(output)
    assert 0.0 <= accuracy <= 1.0 and 0.0 <= macro_f1 <= 1.0


def test_baseline_reads_the_topics_config(tmp_path: Path) -> None:
    from datasets import ClassLabel, Dataset, Features, Value

    features = Features(
        {"title": Value("string"), "text": Value("string"), "label": ClassLabel(names=["金融", "游戏"])}
    )
    finance = ["央行宣布下调存款准备金率", "股市今日收涨，成交额放大", "银行理财产品收益率回落", "基金净值小幅上涨"]
    games = ["新游戏将于下月发售", "玩家期待的续作公布预告", "这款游戏的关卡设计很出色", "游戏更新修复了多个问题"]
    rows = {"title": ["" for _ in range(8)], "text": finance + games, "label": [0] * 4 + [1] * 4}
    data = tmp_path / "data"
    data.mkdir()
    for split, picks in {"train": [0, 1, 2, 4, 5, 6], "validation": [3], "test": [3, 7]}.items():
        Dataset.from_dict({k: [v[i] for i in picks] for k, v in rows.items()}, features=features).to_parquet(
            data / f"topics-{split}.parquet"
        )
    (tmp_path / "README.md").write_text(
        "---\nconfigs:\n- config_name: topics\n  data_files:\n"
        + "".join(f"  - split: {s}\n    path: data/topics-{s}.parquet\n" for s in ("train", "validation", "test"))
        + "---\n",
        encoding="utf-8",
    )
    output = run_baseline(str(tmp_path))
    assert "config topics; 2 labels: 金融, 游戏" in output
    assert "test: 2 posts" in output
    accuracy, macro_f1 = figures(output)
    assert 0.0 <= accuracy <= 1.0 and 0.0 <= macro_f1 <= 1.0
