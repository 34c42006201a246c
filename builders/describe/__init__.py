"""Describing a build: stats and plots, the card (README.md), Croissant, and MANIFEST.json."""
