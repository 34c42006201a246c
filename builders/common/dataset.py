"""The dataset's own facts, in one place: its name, the release a build is, its licence and tags.

``DATASET_VERSION`` is the one place that says which release a build is (semver X.Y.Z); the policy that
moves it lives in ``builders.common.semver``. The builder package's own version is ``builders.__version__``.
"""

from __future__ import annotations

DATASET_NAME = "zh-rss-posts"
DATASET_VERSION = "1.0.0"  # 1.0.0: script, language, language_score, pii_masked, label (a schema change)
PRETTY_NAME = "zh-rss-posts"
LICENSE_NAME = "third-party-texts"
LICENSE_FILE = "LICENSE.md"
LICENSE_NOTICE = """# Licence notice: third-party texts

The posts in this dataset were written and published by third parties (news sites, social media users,
blog authors, ...) and collected from their public RSS feeds by a crawler. **Their copyright stays with
their authors and publishers; none of them has granted a licence for this collection.** The builder code
and the metadata it adds (ids, flags, cleaning results, statistics) carry no claim over the texts.

Use the texts only where the law of your country allows it without a licence (for example research,
text and data mining exceptions, quotation), keep the attribution fields (`source`, `feed`, `url`,
`byline`, `attribution`), and do not republish the texts. Rights holders who want a post removed can
ask for it; removal happens in the next release (see the card's Versioning section).
"""

TAGS: tuple[str, ...] = ("chinese", "news", "rss", "finance", "social-media", "web-crawl")
