"""A build's life after it is written: validate, verify, diff, the release history, Hub publishing, the
semver policy. Research code pins a release with ``from builders.release import load_release``."""

from builders.release.history import ReleaseError, load_release

__all__ = ["ReleaseError", "load_release"]
