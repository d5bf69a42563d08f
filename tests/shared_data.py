"""Where the shared, read-only test data lives (RFC 9162 vectors and the like).

The data is used in place and never copied into the repository. Outside CI a missing
directory skips the tests that need it; in CI it fails them, so a misconfigured job
cannot pass by testing nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_ENV = "IRO_LEDGER_SHARED"
REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared data directory: $IRO_LEDGER_SHARED, else <repo>/../shared."""
    configured = os.environ.get(SHARED_ENV)
    directory = Path(configured) if configured else REPO_ROOT.parent / "shared"
    if directory.is_dir():
        return directory
    why = (
        f"shared test data not found at {directory}; set {SHARED_ENV} to the directory "
        "holding vectors/ (it is read in place, never copied into the repository)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(why, pytrace=False)
    pytest.skip(why, allow_module_level=True)
