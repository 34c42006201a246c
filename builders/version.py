"""The dataset version: the one place that says which release a build is (semver X.Y.Z)."""

from __future__ import annotations

DATASET_VERSION = "0.1.0"
