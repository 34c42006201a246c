"""The dataset folder's README.md: Hub YAML metadata (configs, dataset_info) + the rendered card.

``DATASET_CARD.md`` (repository root, shipped in the package) is the human-written card. Between the
markers ``<!-- build:NAME -->`` and ``<!-- /build:NAME -->`` the build fills in figures from this build,
so a rebuild changes those blocks and nothing else.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml
from datasets import DatasetInfo, Features, List, SplitDict, SplitInfo

from builders.annotate import TAGGER_VERSIONS
from builders.common.configs import CONFIG_COLUMNS, TOPICS_CONFIG, config_filters, config_name
from builders.common.dataset import DATASET_VERSION, LICENSE_FILE, LICENSE_NAME, LICENSE_NOTICE, PRETTY_NAME, TAGS
from builders.common.identity import SPLITS
from builders.common.summary import BuildSummary
from builders.describe.changelog import HISTORY_NAME, changelog_table, load_history
from builders.describe.cleaning import cleaning_table
from builders.describe.dedup_section import dedup_markdown
from builders.describe.manifest import cache_key, data_fingerprint
from builders.describe.stats import STATS_DIR, load_stats, shard_paths, stats_of
from schemas.features import FEATURES, is_nullable, topics_features
from schemas.record import PII_PLACEHOLDERS, UNDETERMINED_LANGUAGE, Post

BLOCK = re.compile(r"<!-- build:(?P<name>[a-z_]+) -->\n(?P<body>.*?)<!-- /build:(?P=name) -->", re.DOTALL)
EXAMPLE_TEXT_CHARS = 200


def card_template() -> str:
    return resources.files("builders").joinpath("DATASET_CARD.md").read_text(encoding="utf-8")


MIN_LANGUAGE_SHARE = 0.01  # a language (or language and script) with at least this share of records is listed


def ranked_items(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Most records first, ties by key (stats.json stores its dicts with sorted keys)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def bcp47(language: str, script: str) -> str:
    """The BCP-47 tag of a record's language and script: `zh-Hans`, `zh-Hant`, `zh` (mixed or no Han script),
    or the language alone (a Japanese text's kanji do not make a script tag)."""
    if language == "zh" and script in ("Hans", "Hant"):
        return f"zh-{script}"
    return language


def language_tags(stats: dict[str, Any] | None) -> tuple[list[str], list[str]]:
    """The YAML `language` (ISO 639-1 codes) and `language_details` (BCP-47 tags) lists: every language, and
    every language and script, with at least ``MIN_LANGUAGE_SHARE`` of the records, most records first."""
    languages = (stats or {}).get("languages")
    if not languages or not stats or not stats["records"]:
        return ["zh"], ["zh-Hans"]
    least = MIN_LANGUAGE_SHARE * stats["records"]
    codes = [
        code for code, n in ranked_items(languages["per_language"]) if n >= least and code != UNDETERMINED_LANGUAGE
    ]
    tags: Counter[str] = Counter()
    for entry in languages["per_language_script"]:
        if entry["language"] != UNDETERMINED_LANGUAGE:
            tags[bcp47(entry["language"], entry["script"])] += entry["records"]
    details = [tag for tag, n in sorted(tags.items(), key=lambda item: (-item[1], item[0])) if n >= least]
    return codes or ["zh"], details or ["zh-Hans"]


def yaml_header(summary: BuildSummary, stats: dict[str, Any] | None = None) -> dict[str, Any]:
    """The card's YAML metadata block, as a dict (``stats``: the build's ``stats.json``, for the languages)."""
    configs = []
    infos = []
    for name, (filters, keep) in config_filters(summary.per_category).items():
        sizes = config_sizes(summary, keep)
        # A split with no rows under this config is left out: `datasets` cannot load an empty split.
        present = [split for split in SPLITS if sizes[split][0] > 0]
        entry: dict[str, Any] = {
            "config_name": name,
            "data_files": [{"split": split, "path": f"data/{split}-*.parquet"} for split in present],
            "version": DATASET_VERSION,
            # `datasets` hashes the configs into its cache key: a rebuild with other bytes is never served stale
            "description": cache_key(DATASET_VERSION, data_fingerprint(summary.shard_files)),
        }
        if name == "default":
            entry["default"] = True
        if filters is not None:
            entry["filters"] = filters
        if name in CONFIG_COLUMNS:
            entry["columns"] = list(CONFIG_COLUMNS[name])
        configs.append(entry)
        splits = SplitDict()
        for split in present:
            splits.add(SplitInfo(name=split, num_bytes=sizes[split][1], num_examples=sizes[split][0]))
        info = DatasetInfo(
            features=config_features(name, summary.label_names),
            splits=splits,
            config_name=name,
            dataset_size=sum(s.num_bytes for s in splits.values()),
        )
        infos.append(info._to_yaml_dict())
    languages, details = language_tags(stats)
    return {
        "pretty_name": PRETTY_NAME,
        "language": languages,
        "language_details": details,
        "license": "other",
        "license_name": LICENSE_NAME,
        "license_link": LICENSE_FILE,
        "multilinguality": "multilingual" if len(languages) > 1 else "monolingual",
        "annotations_creators": ["no-annotation"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "task_categories": ["text-generation", "text-classification"],
        "task_ids": ["language-modeling", "topic-classification"],
        "size_categories": [size_category(summary.records)],
        "tags": list(TAGS),
        "configs": configs,
        "dataset_info": infos,
    }


def config_features(name: str, label_names: list[str]) -> Features:
    """The Features a config loads: every column, or the `topics` columns with `label` a ClassLabel."""
    if name == TOPICS_CONFIG:
        return topics_features(label_names, CONFIG_COLUMNS[name])
    return FEATURES


def size_category(rows: int) -> str:
    for bound, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if rows < bound:
            return label
    return "1M<n<10M"


def cell(value: object) -> str:
    """A value made safe for one Markdown table cell."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def feature_type(feature: Any) -> str:
    """The HF feature type of a column as the card shows it: ``string``, ``list<string>``, ``timestamp[...]``."""
    if isinstance(feature, List):
        return f"list<{feature_type(feature.feature)}>"
    return str(feature.dtype)


def config_sizes(summary: BuildSummary, keep: Callable[[str, bool], bool]) -> dict[str, list[int]]:
    """Rows and approximate bytes of each split under a config's rule."""
    return {
        split: [
            sum(c[i] for (cat, s, dup), c in summary.cells.items() if s == split and keep(cat, dup)) for i in (0, 1)
        ]
        for split in SPLITS
    }


def counts_block(summary: BuildSummary, stats: dict[str, Any]) -> str:
    splits = " / ".join(f"{split} {stats['splits'].get(split, 0)}" for split in SPLITS)
    dates = stats["dates"]
    span = f"{dates['first']} to {dates['last']} (UTC)" if dates["first"] else "none (no post has a date)"
    median = {c: s["p50"] for c, s in stats["length"]["per_category"].items()}
    rows = "\n".join(
        f"| {cell(c['category'])} | `{c['config']}` | {c['records']} | {c['duplicates']} | {median.get(c['category'], '-')} |"
        for c in stats["categories"]
    )
    return (
        f"- version: **{stats['version']}**\n"
        f"- records: **{stats['records']}** ({stats['duplicates']['records']} marked duplicate)\n"
        f"- splits: {splits}\n"
        f"- publication dates: {span}\n"
        f"- files seen: {summary.files_seen}; quarantined: {stats['quarantine']['files']}; "
        f"ignored non-posts: {len(summary.ignored)}\n"
        f"- empty bodies: {stats['flags']['empty_body']}; truncated by the feed: {stats['flags']['truncated']}\n\n"
        "| category | config | records | marked duplicate | median length |\n|---|---|---:|---:|---:|\n" + rows
    )


def fields_block() -> str:
    """Every field of the record, generated from the pydantic model: it cannot drift from the schema."""
    rows = []
    for name, field in Post.model_fields.items():
        kind = feature_type(FEATURES[name]) + (" or null" if is_nullable(field.annotation) else "")
        rows.append(f"| `{name}` | `{kind}` | {cell(field.description)} |")
    return "| field | type | meaning |\n|---|---|---|\n" + "\n".join(rows)


def pick_example(folder: Path) -> dict[str, Any] | None:
    """A representative record, chosen by a fixed rule (not by order): the smallest id among canonical,
    dated posts with a title and a mid-length body; else the smallest id of all."""
    best: tuple[bool, str, Path] | None = None
    columns = ["id", "title", "date_kind", "char_count", "is_duplicate", "empty_body"]
    for _, path in shard_paths(folder):
        for row in pq.read_table(path, columns=columns).to_pylist():
            typical = (
                not row["is_duplicate"]
                and not row["empty_body"]
                and row["title"] is not None
                and row["date_kind"] == "published"
                and 200 <= row["char_count"] <= 2000
            )
            key = (not typical, row["id"], path)
            if best is None or key[:2] < best[:2]:
                best = key
    if best is None:
        return None
    rows = pq.read_table(best[2], filters=[("id", "==", best[1])]).to_pylist()
    return rows[0] if rows else None


def example_block(folder: Path) -> str:
    record = pick_example(folder)
    if record is None:
        return "(this build has no record)"
    shown: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        if name == "text" and len(value) > EXAMPLE_TEXT_CHARS:
            value = value[:EXAMPLE_TEXT_CHARS] + " …"
        shown[name] = value
    note = f"`text` is cut to its first {EXAMPLE_TEXT_CHARS} characters here; `char_count` gives its full length."
    return "```json\n" + json.dumps(shown, ensure_ascii=False, indent=2) + "\n```\n\n" + note


def configs_block(summary: BuildSummary) -> str:
    meaning = {
        "default": "every canonical record (duplicates left out)",
        "all": "every record, duplicates kept",
        TOPICS_CONFIG: "the default config's records, columns `id`, `text`, `label` (a ClassLabel over the topics)",
    }
    rows = []
    for name, (_, keep) in config_filters(summary.per_category).items():
        sizes = config_sizes(summary, keep)
        selects = meaning.get(name) or next(
            f"canonical records of category {c}" for c in summary.per_category if config_name(c) == name
        )
        rows.append(f"| `{name}` | {cell(selects)} | " + " | ".join(str(sizes[s][0]) for s in SPLITS) + " |")
    header = "| config | selects | " + " | ".join(SPLITS) + " |\n|---|---|" + "---:|" * len(SPLITS)
    return header + "\n" + "\n".join(rows)


def sources_block(stats: dict[str, Any]) -> str:
    sources = "\n".join(f"| {cell(s['category'])} | {cell(s['source'])} | {s['records']} |" for s in stats["sources"])
    feeds = "\n".join(
        f"| {cell(f['category'])} | {cell(f['source'])} | {cell(f['feed'])} | {f['records']} |" for f in stats["feeds"]
    )
    return (
        f"{len(stats['sources'])} sources, {len(stats['feeds'])} feeds.\n\n"
        "| category | source | records |\n|---|---|---:|\n" + sources + "\n\n"
        "<details><summary>Records per feed</summary>\n\n"
        "| category | source | feed | records |\n|---|---|---|---:|\n" + feeds + "\n\n</details>"
    )


def dates_block(stats: dict[str, Any]) -> str:
    dates = stats["dates"]
    kinds = ", ".join(f"`{kind}` {count}" for kind, count in dates["kinds"].items())
    span = f"from {dates['first']} to {dates['last']}" if dates["first"] else "none"
    return f"- `date_kind`: {kinds}\n- dated posts run {span} (UTC), over {len(dates['per_month'])} distinct months"


def lengths_block(stats: dict[str, Any]) -> str:
    keys = ["count", "min", "p5", "p25", "p50", "p75", "p95", "max"]
    header = "| category | " + " | ".join(keys) + " |\n|---|" + "---:|" * len(keys)
    rows = [("all", stats["length"]["all"]), *stats["length"]["per_category"].items()]
    lines = [f"| {cell(name)} | " + " | ".join(str(s[k]) for k in keys) + " |" for name, s in rows]
    return f"Length of `text` in characters ({stats['length']['unit']}).\n\n" + header + "\n" + "\n".join(lines)


def language_script_block(stats: dict[str, Any]) -> str:
    languages = stats.get("languages")
    if not languages:
        return "(no language figures in this build's stats.json)"
    total = stats["records"] or 1
    rows = "\n".join(
        f"| `{e['language']}` | `{e['script']}` | `{bcp47(e['language'], e['script'])}` | {e['records']} | "
        f"{100 * e['records'] / total:.1f}% |"
        for e in languages["per_language_script"]
    )
    per_language = ", ".join(f"`{code}` {n}" for code, n in ranked_items(languages["per_language"]))
    per_script = ", ".join(f"`{script}` {n}" for script, n in ranked_items(languages["per_script"]))
    return (
        f"Records per language and script (all {stats['records']} records, duplicates included).\n\n"
        "| language | script | BCP-47 | records | share |\n|---|---|---|---:|---:|\n" + rows + "\n\n"
        f"- per language: {per_language}\n- per script: {per_script}\n"
        f"- the YAML `language` and `language_details` list those with at least {MIN_LANGUAGE_SHARE:.0%} of the records"
    )


PII_LABELS = {"email": "e-mail", "phone": "mobile", "id_number": "ID number", "bank_card": "bank card"}


def pii_block(stats: dict[str, Any]) -> str:
    pii = stats.get("pii")
    if not pii:
        return "(no PII figures in this build's stats.json)"
    rows = "\n".join(
        f"| {PII_LABELS.get(category, category)} | `{PII_PLACEHOLDERS[category]}` | {c['records']} | {c['items']} |"
        for category, c in pii["per_category"].items()
    )
    return (
        f"{pii['records']} record(s) had personal data masked, {pii['items']} item(s) in all (`pii_masked`).\n\n"
        "| category | placeholder | records with any | items masked |\n|---|---|---:|---:|\n" + rows
    )


def quarantine_block(stats: dict[str, Any]) -> str:
    reasons = stats["quarantine"]["reasons"]
    if not reasons:
        return "No file was quarantined in this build."
    rows = "\n".join(f"| `{reason}` | {count} |" for reason, count in reasons.items())
    return (
        f"{stats['quarantine']['files']} file(s) quarantined (listed in `quarantine.jsonl` with the reason and a "
        "short message).\n\n| reason | files |\n|---|---:|\n" + rows
    )


PLOT_CAPTIONS: dict[str, str] = {
    "per_month": "Posts per month, by category",
    "length": "Text length per category (log scale)",
    "top": "Top sources and feeds",
    "dedup_quarantine": "Duplicates per category and quarantined files by reason",
}


def plots_block(stats: dict[str, Any]) -> str:
    plots = stats.get("plots") or {}
    if not plots:
        return "(no plots in this build: run `zh-rss-posts stats` with matplotlib installed)"
    order = [*PLOT_CAPTIONS, *sorted(set(plots) - set(PLOT_CAPTIONS))]
    return "\n\n".join(
        f"![{PLOT_CAPTIONS.get(name, name)}]({STATS_DIR}/{plots[name]})" for name in order if name in plots
    )


def taggers_block() -> str:
    return ", ".join(f"`{name}` {version}" for name, version in sorted(TAGGER_VERSIONS.items()))


def pin_block() -> str:
    return (
        "```python\nfrom datasets import load_dataset\n\n"
        f'posts = load_dataset("OWNER/zh-rss-posts", revision="v{DATASET_VERSION}")  # this release, pinned\n```\n\n'
        f"This card describes release **{DATASET_VERSION}**."
    )


def citation_block() -> str:
    return (
        "```bibtex\n@misc{zh_rss_posts,\n"
        "  title        = {zh-rss-posts: Chinese RSS posts, cleaned and typed},\n"
        "  author       = {{zh-rss-posts contributors}},\n"
        "  howpublished = {Hugging Face dataset},\n"
        f"  version      = {{{DATASET_VERSION}}},\n"
        "  note         = {Texts remain the property of their publishers}\n}\n```"
    )


def changelog_block(folder: Path) -> str:
    """The Changelog from the history the folder carries (``releases.json``, copied by ``build --against``)."""
    return changelog_table(load_history(folder / HISTORY_NAME), unreleased=DATASET_VERSION)


def figures(summary: BuildSummary, folder: Path) -> dict[str, str]:
    """Markdown for each build block of the card (block name -> text)."""
    stats = load_stats(folder) or stats_of(folder)
    return {
        "changelog": changelog_block(folder),
        "counts": counts_block(summary, stats),
        "fields": fields_block(),
        "example": example_block(folder),
        "configs": configs_block(summary),
        "sources": sources_block(stats),
        "dates": dates_block(stats),
        "lengths": lengths_block(stats),
        "quarantine": quarantine_block(stats),
        "language_script": language_script_block(stats),
        "pii_counts": pii_block(stats),
        "taggers": taggers_block(),
        "plots": plots_block(stats),
        "pin": pin_block(),
        "citation": citation_block(),
        "dedup": dedup_markdown(summary.dedup, summary.exact_duplicates, summary.near_duplicates),
        "cleaning": cleaning_table(stats.get("cleaning", {})),
    }


def render_card(template: str, blocks: dict[str, str]) -> str:
    """Fill every build block the template has; blocks this build has no figures for are left as they are."""

    def fill(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in blocks:
            return match.group(0)
        body = blocks[name].strip("\n")
        return f"<!-- build:{name} -->\n" + (body + "\n" if body else "") + f"<!-- /build:{name} -->"

    return BLOCK.sub(fill, template)


class _NoAliasDumper(yaml.SafeDumper):
    """Writes repeated values out in full: the Hub's YAML reader should not need anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_card(folder: Path, summary: BuildSummary) -> None:
    stats = load_stats(folder) or stats_of(folder)
    header = yaml.dump(
        yaml_header(summary, stats), Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=1000
    )
    body = render_card(card_template(), figures(summary, folder))
    (folder / "README.md").write_text(f"---\n{header}---\n\n{body}", encoding="utf-8")
    (folder / LICENSE_FILE).write_text(LICENSE_NOTICE, encoding="utf-8")
