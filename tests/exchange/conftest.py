"""Fixtures for the REFI-QDA exchange tests."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

#: Reference material (schema, standard, vendor samples) beside the repository; never copied in.
REFI_DIR = Path(os.environ.get("QUALCODE_REFI_QDA_DIR") or
                Path(__file__).resolve().parents[2].parent / "shared" / "data" / "refi-qda")


@pytest.fixture
def refi_dir() -> Path:
    if not (REFI_DIR / "Project-mrt2019.xsd").is_file():
        pytest.skip(f"REFI-QDA reference material not found at {REFI_DIR} (../shared beside the repo); "
                    "schema/sample tests skipped")
    return REFI_DIR


@pytest.fixture
def no_refi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Pretend the official schemas are absent (structural validation only)."""
    monkeypatch.setenv("QUALCODE_REFI_QDA_DIR", str(tmp_path / "nowhere"))
    import qualcode.exchange.schema as schema

    monkeypatch.setattr(schema, "refi_dir", lambda: None)
