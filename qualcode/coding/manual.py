"""Manual coding: apply a code to a segment (or a character span of it) and list codings.

Spans are code-point offsets into the source text (``Source.text``), like ``Segment.start``/
``Segment.end``; ``None`` means the whole segment. A span equal to the whole segment is stored
as ``None`` so both spellings mean the same coding.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from ..errors import CodingError
from ..store import Case, Code, Coder, Coding, Segment, Source
from .resolve import resolve_code, resolve_coder, resolve_segment

METHODS = ("manual", "auto", "classifier", "consensus", "import")


def check_span(segment: Segment, start: int | None, end: int | None) -> tuple[int | None, int | None]:
    """Validate a span against its segment; returns the normalised span (whole segment → None)."""
    if start is None and end is None:
        return None, None
    if start is None or end is None:
        raise CodingError(f"segment {segment.id}: a span needs both start and end")
    if not (segment.start <= start < end <= segment.end):
        raise CodingError(
            f"segment {segment.id}: span {start}:{end} is outside the segment "
            f"({segment.start}:{segment.end}, source-text offsets) or empty"
        )
    if start == segment.start and end == segment.end:
        return None, None
    return start, end


def _extent(segment: Segment, start: int | None, end: int | None) -> tuple[int, int]:
    return (segment.start, segment.end) if start is None else (start, end)  # type: ignore[return-value]


def check_no_overlap(session: Session, segment: Segment, code: Code, coder: Coder,
                     start: int | None, end: int | None, *, ignore_id: int | None = None) -> None:
    """Refuse a span that overlaps an active coding of the same code by the same coder."""
    a, b = _extent(segment, start, end)
    for other in session.scalars(select(Coding).where(
            Coding.segment_id == segment.id, Coding.code_id == code.id, Coding.coder_id == coder.id,
            Coding.status == "active")):
        if other.id == ignore_id:
            continue
        c, d = _extent(segment, other.start, other.end)
        if a < d and c < b:
            where = "the whole segment" if other.start is None else f"span {c}:{d}"
            raise CodingError(
                f"segment {segment.id}: coder {coder.name!r} already has code {code.key!r} on {where} "
                f"(coding {other.id}); change or remove that coding instead"
            )


def add_coding(session: Session, segment: int | str | Segment, code: str | Code, coder: str | Coder, *,
               start: int | None = None, end: int | None = None, comment: str | None = None,
               method: str = "manual", score: float | None = None) -> Coding:
    """Apply ``code`` to ``segment`` (or the span ``start:end`` of it) for ``coder``.

    Unknown segment, code or coder, a span outside the segment and an overlap with the same
    coder's active coding of the same code raise :class:`CodingError`.
    """
    seg = resolve_segment(session, segment)
    cd = resolve_code(session, code)
    who = resolve_coder(session, coder)
    if method not in METHODS:
        raise CodingError(f"method {method!r} is not one of {', '.join(METHODS)}")
    start, end = check_span(seg, start, end)
    check_no_overlap(session, seg, cd, who, start, end)
    coding = Coding(segment_id=seg.id, code_id=cd.id, coder_id=who.id, method=method,
                    codebook_version=cd.codebook_version, start=start, end=end, comment=comment,
                    score=score, status="active")
    session.add(coding)
    session.flush()
    return coding


@dataclass(frozen=True)
class CodingRecord:
    """One coding as shown to users: ids and labels, never segment text."""

    id: int
    uid: str
    segment_id: int
    segment_uid: str
    source: str
    case: str | None
    year: int | None
    informant_group: str | None
    code: str
    code_path: str
    coder: str
    coder_kind: str
    method: str
    codebook_version: str | None
    start: int | None
    end: int | None
    score: float | None
    comment: str | None
    status: str
    replaced_by_id: int | None
    created_at: datetime
    changed_at: datetime | None
    changed_by: str | None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("created_at", "changed_at"):
            d[k] = d[k].isoformat() if d[k] is not None else None
        return d


def list_codings(session: Session, *, case: str | None = None, year: int | None = None,
                 code: str | None = None, coder: str | None = None, informant_group: str | None = None,
                 segment: int | str | None = None, include_history: bool = False) -> list[CodingRecord]:
    """Codings matching the filters (all given filters must hold), oldest first.

    ``code`` matches that code and its sub-codes (by path); ``include_history`` adds superseded
    and removed rows. Unknown code or coder names raise :class:`CodingError`.
    """
    case_ = aliased(Case)
    q = (select(Coding, Segment.uid, Source.label, case_.letter, Source.year, Source.informant_group,
                Code.key, Code.path, Coder.name, Coder.kind)
         .join(Segment, Coding.segment_id == Segment.id)
         .join(Source, Segment.source_id == Source.id)
         .outerjoin(case_, Source.case_id == case_.id)
         .join(Code, Coding.code_id == Code.id)
         .join(Coder, Coding.coder_id == Coder.id))
    if not include_history:
        q = q.where(Coding.status == "active")
    if case is not None:
        q = q.where(case_.letter == case)
    if year is not None:
        q = q.where(Source.year == year)
    if informant_group is not None:
        q = q.where(Source.informant_group == informant_group)
    if code is not None:
        cd = resolve_code(session, code)
        q = q.where(or_(Code.id == cd.id, (Code.codebook == cd.codebook) & Code.path.startswith(cd.path + "/")))
    if coder is not None:
        q = q.where(Coding.coder_id == resolve_coder(session, coder).id)
    if segment is not None:
        q = q.where(Coding.segment_id == resolve_segment(session, segment).id)
    q = q.order_by(Coding.created_at, Coding.id)
    out = []
    for c, seg_uid, label, letter, yr, group, key, path, name, kind in session.execute(q):
        out.append(CodingRecord(
            id=c.id, uid=c.uid, segment_id=c.segment_id, segment_uid=seg_uid, source=label, case=letter,
            year=yr, informant_group=group, code=key, code_path=path, coder=name, coder_kind=kind,
            method=c.method, codebook_version=c.codebook_version, start=c.start, end=c.end, score=c.score,
            comment=c.comment, status=c.status, replaced_by_id=c.replaced_by_id, created_at=c.created_at,
            changed_at=c.changed_at, changed_by=c.changed_by))
    return out
