"""Fixtures for importer tests: a project with a small case registry, and file writers."""
from __future__ import annotations

from pathlib import Path

import pytest

CASES_YAML = """\
cases:
  - {letter: A, unit_label: Poliklinikk PHV, setting: poliklinikk, service_area: PHV, region: Nord}
  - {letter: B, unit_label: Døgnenhet PHV, setting: døgn, service_area: PHV, region: Nord}
  - {letter: D, unit_label: Poliklinikk PHBU, setting: poliklinikk, service_area: PHBU, region: Sør}
"""

# Fictional interview; "Kari Nordmann" stands for an identifying name.
INTERVIEW = """\
[00:00:04] Intervjuer: Velkommen, Kari Nordmann. Hvordan har pakkeforløpet påvirket hverdagen på enheten?
B1: Vi bruker mer tid på kartlegging nå. Særlig når pasienten møter en ny behandler.
Det tar tid å få til gode rutiner.

Men vi ser at sjekkpunktene hjelper oss å huske brukermedvirkningen.
Deltaker 2: Jeg er enig. Forløpskoordinatoren følger opp de som venter.
I: Takk, da går vi videre.
"""


@pytest.fixture
def cases_project(project):
    """The shared ``project`` fixture with cases A, B and D registered."""
    project.cases_path.write_text(CASES_YAML, encoding="utf-8")
    return project


@pytest.fixture
def write(tmp_path: Path):
    """``write(name, content, encoding="utf-8")`` -> Path inside an ``in/`` folder."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    return _write
