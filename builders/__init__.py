"""Builders: raw Hexo posts -> parsed front matter -> cleaned body -> validated records -> dataset."""

__version__ = "0.1.0"
