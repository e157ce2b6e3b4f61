"""Fetching the coded passages behind each matrix cell (one query, all filters applied)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from ..store.models import Segment, Source
from .filters import ResolvedFilters
from .matrix import coded_base, theme_expression


@dataclass(frozen=True)
class Passage:
    segment_id: int
    segment_uid: str
    ordinal: int
    source_label: str
    informant_group: str | None
    speaker: str | None
    text: str
    case_id: int | None
    year: int | None
    theme_id: int

    @property
    def key(self) -> tuple:
        """Stable, content-derived order (independent of insertion order and row ids)."""
        return (self.source_label, self.ordinal)


def coded_passages(session: Session, rf: ResolvedFilters) -> list[Passage]:
    """Distinct (theme, segment) passages matching the filters, in a stable order."""
    theme = theme_expression(rf).label("theme")
    stmt = (
        coded_base(rf)
        .add_columns(theme, Segment.id, Segment.uid, Segment.ordinal, Source.label, Source.informant_group,
                     Segment.speaker, Segment.text, Source.case_id, Source.year)
        .distinct()
    )
    out = [
        Passage(segment_id=r[1], segment_uid=r[2], ordinal=r[3], source_label=r[4], informant_group=r[5],
                speaker=r[6], text=r[7], case_id=r[8], year=r[9], theme_id=r[0])
        for r in session.execute(stmt)
        if r[0] is not None
    ]
    return sorted(out, key=lambda p: (p.theme_id, p.key))
