"""``python -m builders.commands``: the same as the ``zh-rss-posts`` console script."""

from builders.commands import main

raise SystemExit(main())
