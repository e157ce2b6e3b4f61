"""Where NorNE is looked for by default (no spaCy import here: the CLI reads it at start-up)."""
from __future__ import annotations

from pathlib import Path

# ../shared/data/norne beside the repository (as on the project's machines and CI), then /work/shared.
_CANDIDATES = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "norne",
    Path("/work/shared/data/norne"),
)


def default_norne() -> Path:
    """The first candidate NorNE folder that exists (else the first candidate, for messages)."""
    return next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])


DEFAULT_NORNE = default_norne()
