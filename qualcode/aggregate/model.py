"""The summary as data (what every renderer reads): theme → case → year → quotes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .changes import Change
from .units import Unit


@dataclass(frozen=True)
class Quote:
    """An extractive quote: ``text == segment_text[start:end]`` of segment ``segment_id``."""

    segment_id: int
    segment_uid: str
    source_label: str
    informant_group: str | None
    speaker: str | None
    text: str
    start: int
    end: int
    centrality: float
    cut_before: bool = False  # the quote starts after the beginning of the utterance
    cut_after: bool = False  # the quote ends before the end of the utterance

    def provenance(self) -> str:
        group = self.informant_group or "ukjent gruppe"
        return f"{self.source_label}, {group}, segment {self.segment_id}"


@dataclass
class Cell:
    """One year of one (theme, case)."""

    year: int
    status: str  # ok | no_sources | no_coded
    n_passages: int = 0
    total_segments: int = 0
    quotes: list[Quote] = field(default_factory=list)

    def intro_line(self) -> str:
        n = self.n_passages
        return f"{n} kodet passasje:" if n == 1 else f"{n} kodede passasjer; de mest representative:"

    def empty_line(self) -> str:
        if self.status == "no_sources":
            return f"Ingen intervjuer fra {self.year} for denne enheten."
        return f"Ingen kodet materiale for {self.year}."


@dataclass
class CaseBlock:
    unit: Unit
    cells: list[Cell]
    change: Change | None = None


@dataclass
class ThemeBlock:
    key: str
    label: str
    path: str
    cases: list[CaseBlock]
    crosscase_sentence: str = ""


@dataclass
class Summary:
    title: str
    years: list[int]
    themes: list[ThemeBlock]
    filters: dict[str, Any]
    warnings: list[str]
    crosscase: Any = None  # pandas.DataFrame
    generated: str = ""
    matrix: Any = None  # the framework matrix the summary was built from (pandas.DataFrame)
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → {"png": Path, "svg": Path, "title": str}
