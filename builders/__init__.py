"""Builders: raw Hexo posts -> parsed front matter -> cleaned body -> validated records -> dataset.

Rooms, bottom to top (a room imports only the ones below it; ``./dev lint`` enforces it): ``common``,
``cleaners``, ``dedup``, ``pipeline``, ``write``, ``describe``, ``build`` (the stages wired), ``release``,
``commands`` (the command line, which nothing imports).
"""

__version__ = "0.1.0"
