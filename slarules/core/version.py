"""The installed slarules version, as outputs state it beside the ruleset's fingerprint.

Read from the package metadata (pyproject.toml is its one source), once, when first asked.
"""
from __future__ import annotations

import functools
from importlib import metadata


@functools.cache
def version() -> str:
    try:
        return metadata.version("slarules")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"
