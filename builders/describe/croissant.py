"""``croissant.json``: the build described in MLCommons Croissant 1.1 (JSON-LD), for ML tooling.

Croissant 1.1 metadata: ``version``, ``isLiveDataset`` (false: each release is fixed; new data comes as new
versions), per-file ``sha256``, and the Responsible-AI fields that fit (``rai:dataCollection``,
``rai:dataCollectionTimeFrame`` (mlcroissant's spelling) from the posts' dates, ``rai:personalSensitiveInformation``,
``rai:dataLimitations``, ``rai:dataReleaseMaintenancePlan``).

One record set, ``posts``, with every field of the record model (type from the HF Features, description
from the pydantic model, so it cannot drift), read from the Parquet shards through a file set; each shard
is also listed as a file object with its SHA-256. Relative ``contentUrl``s: the file is valid next to the
data it describes, locally or in a Hub repository. No timestamps: a rebuild gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from datasets import List, Value

from builders.common.dataset import DATASET_VERSION
from builders.describe.card import LICENSE_FILE, LICENSE_NAME, PRETTY_NAME, TAGS, citation_block
from builders.describe.manifest import sha256_file
from builders.describe.stats import load_stats, shard_paths
from builders.write.ledger import LEDGER_NAME
from schemas.record import Post

CROISSANT_FILE = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
RECORD_SET = "posts"
FILE_SET = "parquet-shards"
PARQUET_MIME = "application/x-parquet"
# Fields whose strings are URLs (the record model validates them as http(s) URLs).
URL_FIELDS = frozenset({"head_image", "url", "images"})
SPLIT_FIELD = "split"

CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isArray": "cr:isArray",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}


def data_type(name: str, feature: Value | List) -> str:
    """The Croissant (schema.org) data type of one column's values."""
    if isinstance(feature, List):
        return data_type(name, feature.feature)
    if name in URL_FIELDS:
        return "sc:URL"
    dtype = feature.dtype
    if dtype == "bool":
        return "sc:Boolean"
    if dtype.startswith("int"):
        return "sc:Integer"
    if dtype.startswith("float"):
        return "sc:Float"
    if dtype.startswith("timestamp"):
        return "sc:DateTime"
    return "sc:Text"


def record_fields() -> list[dict[str, Any]]:
    """Every field of the record model, in column order, read from the file set's column of the same name."""
    from schemas.features import FEATURES

    fields = []
    for name, model_field in Post.model_fields.items():
        feature = FEATURES[name]
        field: dict[str, Any] = {
            "@type": "cr:Field",
            "@id": f"{RECORD_SET}/{name}",
            "name": name,
            "description": model_field.description,
            "dataType": data_type(name, feature),
            "source": {"fileSet": {"@id": FILE_SET}, "extract": {"column": name}},
        }
        if isinstance(feature, List):
            field["isArray"] = True
            field["arrayShape"] = "-1"
        fields.append(field)
    fields.append(
        {
            "@type": "cr:Field",
            "@id": f"{RECORD_SET}/{SPLIT_FIELD}",
            "name": SPLIT_FIELD,
            "description": "Split of the record (train, validation, test), from the name of its shard.",
            "dataType": "sc:Text",
            "source": {
                "fileSet": {"@id": FILE_SET},
                "extract": {"fileProperty": "filename"},
                "transform": {"regex": "^(train|validation|test)-.*\\.parquet$"},
            },
        }
    )
    return fields


def distribution(folder: Path) -> list[dict[str, Any]]:
    """Each shard as a checksummed file object, then the file set the record set reads."""
    files: list[dict[str, Any]] = [
        {
            "@type": "cr:FileObject",
            "@id": f"data/{path.name}",
            "name": path.name,
            "description": f"Parquet shard of the {split} split.",
            "contentUrl": f"data/{path.name}",
            "contentSize": f"{path.stat().st_size} B",
            "encodingFormat": PARQUET_MIME,
            "sha256": sha256_file(path),
        }
        for split, path in shard_paths(folder)
    ]
    ledger = folder / LEDGER_NAME
    if ledger.is_file():
        files.append(
            {
                "@type": "cr:FileObject",
                "@id": LEDGER_NAME,
                "name": LEDGER_NAME,
                "description": "Split ledger: every record id ever released, with its split (kept in later releases).",
                "contentUrl": LEDGER_NAME,
                "contentSize": f"{ledger.stat().st_size} B",
                "encodingFormat": PARQUET_MIME,
                "sha256": sha256_file(ledger),
            }
        )
    files.append(
        {
            "@type": "cr:FileSet",
            "@id": FILE_SET,
            "name": FILE_SET,
            "description": "Every Parquet shard of the build, all splits (the file objects above).",
            "encodingFormat": PARQUET_MIME,
            "includes": "data/*.parquet",
        }
    )
    return files


DATA_COLLECTION = (
    "Posts of public RSS feeds (RSSHub routes: finance news, social media, tech media, blogs, games, anime), "
    "written by a crawler into a Hexo site, one Markdown file per post with YAML front matter and the post's "
    "HTML body; rebuilt here by rule-based cleaning, validation and near-duplicate marking (no annotation)."
)
PERSONAL_INFORMATION = [
    "Public posts name people: journalists and editors (the editor and byline fields), people in the news, and "
    "on social media ordinary users writing about themselves and others; no anonymisation beyond the sources'.",
    "Posts may mention the health, politics, religion or finances of identifiable people. Do not profile "
    "individuals. Removal requests are honoured in the next release.",
]
LIMITATIONS = [
    "Feeds were chosen by the crawler's operator: finance and social media dominate; not a sample of the "
    "Chinese web, nor balanced over time.",
    "Mainland platforms' moderation applies; some feeds give only summaries (truncated) or images (empty_body).",
    "Where a feed gave no date, published_at is the crawl time (date_kind says so).",
    "category, source and feed say where a post came from, not what it is about; rule-based cleaning can err.",
    "Texts are third-party works without a licence: use them only where the law allows it without one.",
]
MAINTENANCE_PLAN = (
    "Versioned releases (semantic versions; tags vX.Y.Z on the Hub), each fixed: the history (releases.json) "
    "and the split ledger ship with the data, a released record never changes split, and each release's "
    "changelog gives records added, removed and changed. New posts come as new versions; removals on request."
)


def collection_timeframe(folder: Path) -> list[str]:
    """First and last publication time of the build's posts (UTC), from its statistics; empty without dates."""
    stats = load_stats(folder) or {}
    dates = stats.get("dates") or {}
    if not dates.get("first"):
        return []
    return [str(dates["first"]), str(dates["last"])]


def croissant(folder: Path) -> dict[str, Any]:
    """The Croissant JSON-LD document describing the build in ``folder``."""
    timeframe = collection_timeframe(folder)
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": PRETTY_NAME,
        "description": (
            "Chinese posts from RSS feeds (finance news, social media, tech media, blogs, games, anime), "
            "cleaned into typed records with provenance, dates, extracted metadata and duplicate flags."
        ),
        "version": DATASET_VERSION,
        "isLiveDataset": False,
        "inLanguage": "zh",
        "keywords": list(TAGS),
        "license": {
            "@type": "sc:CreativeWork",
            "name": LICENSE_NAME,
            "description": (
                "Third-party texts: copyright stays with their authors and publishers; no licence granted. "
                f"See {LICENSE_FILE}."
            ),
            "url": LICENSE_FILE,
        },
        "citeAs": citation_block().removeprefix("```bibtex\n").removesuffix("\n```"),
        "rai:dataCollection": DATA_COLLECTION,
        **({"rai:dataCollectionTimeFrame": timeframe} if timeframe else {}),
        "rai:personalSensitiveInformation": PERSONAL_INFORMATION,
        "rai:dataLimitations": LIMITATIONS,
        "rai:dataReleaseMaintenancePlan": MAINTENANCE_PLAN,
        "distribution": distribution(folder),
        "recordSet": [
            {
                "@type": "cr:RecordSet",
                "@id": RECORD_SET,
                "name": RECORD_SET,
                "description": "One cleaned post per record; duplicates are kept and flagged by is_duplicate.",
                "key": {"@id": f"{RECORD_SET}/id"},
                "field": record_fields(),
            }
        ],
    }


def write_croissant(folder: Path) -> None:
    document = croissant(folder)
    (folder / CROISSANT_FILE).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
