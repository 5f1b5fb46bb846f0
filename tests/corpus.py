"""Where the shared corpus of real mail logs lives, and a skip when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def corpus_path(*parts: str) -> Path:
    """Path inside ../shared/corpus; skips the test with a reason when absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared corpus not present here: {path}")
    return path
