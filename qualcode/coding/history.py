"""Changing and removing codings without losing history.

A change writes a new row and marks the old one ``superseded`` (``replaced_by_id`` points to
the new row; ``changed_at``/``changed_by`` say when and who). A removal marks the row
``removed`` the same way. Nothing is deleted or overwritten.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import CodingError
from ..store import Coding
from ..store.models import utcnow
from .manual import check_no_overlap, check_span
from .resolve import resolve_code, resolve_coder, resolve_segment

_KEEP: Any = object()


def get_coding(session: Session, ref: int | str | Coding) -> Coding:
    """A coding by id or uid."""
    if isinstance(ref, Coding):
        return ref
    text = str(ref).strip()
    coding = (session.get(Coding, int(text)) if text.isdigit()
              else session.scalar(select(Coding).where(Coding.uid == text)))
    if coding is None:
        raise CodingError(f"unknown coding {text!r}")
    return coding


def _active(coding: Coding) -> None:
    if coding.status != "active":
        raise CodingError(f"coding {coding.id} is {coding.status}, not active; change its latest version")


def find_codings(session: Session, segment: int | str, code: str, coder: str, *,
                 start: int | None = None, end: int | None = None) -> list[Coding]:
    """Active codings of ``code`` by ``coder`` on ``segment`` (only the given span, when given)."""
    seg = resolve_segment(session, segment)
    cd = resolve_code(session, code)
    who = resolve_coder(session, coder)
    q = select(Coding).where(Coding.segment_id == seg.id, Coding.code_id == cd.id,
                             Coding.coder_id == who.id, Coding.status == "active")
    rows = list(session.scalars(q.order_by(Coding.id)))
    if start is not None or end is not None:
        start, end = check_span(seg, start, end)
        rows = [r for r in rows if (r.start, r.end) == (start, end)]
    if not rows:
        span = "" if start is None else f" span {start}:{end}"
        raise CodingError(f"segment {seg.id}: coder {who.name!r} has no active coding {cd.key!r}{span}")
    return rows


def remove_coding(session: Session, coding: int | str | Coding, *, by: str) -> Coding:
    """Mark an active coding ``removed`` (kept as history, with who and when)."""
    row = get_coding(session, coding)
    _active(row)
    row.status = "removed"
    row.changed_at = utcnow()
    row.changed_by = by
    session.flush()
    return row


def change_coding(session: Session, coding: int | str | Coding, *, by: str, code: str | None = None,
                  start: int | None | Any = _KEEP, end: int | None | Any = _KEEP,
                  comment: str | None | Any = _KEEP) -> Coding:
    """Replace an active coding by a new row with the given changes; the old row is superseded.

    Pass ``start=None, end=None`` to widen a span coding to the whole segment.
    """
    old = get_coding(session, coding)
    _active(old)
    seg = old.segment
    new_code = resolve_code(session, code) if code is not None else old.code
    new_start = old.start if start is _KEEP else start
    new_end = old.end if end is _KEEP else end
    new_comment = old.comment if comment is _KEEP else comment
    new_start, new_end = check_span(seg, new_start, new_end)
    if (new_code.id, new_start, new_end, new_comment) == (old.code_id, old.start, old.end, old.comment):
        raise CodingError(f"coding {old.id}: nothing to change")
    check_no_overlap(session, seg, new_code, old.coder, new_start, new_end, ignore_id=old.id)
    new = Coding(segment_id=old.segment_id, code_id=new_code.id, coder_id=old.coder_id, method=old.method,
                 codebook_version=new_code.codebook_version, start=new_start, end=new_end,
                 comment=new_comment, score=old.score, evidence=old.evidence, status="active")
    session.add(new)
    session.flush()
    old.status = "superseded"
    old.replaced_by_id = new.id
    old.changed_at = utcnow()
    old.changed_by = by
    session.flush()
    return new


def coding_history(session: Session, coding: int | str | Coding) -> list[Coding]:
    """The chain of versions a coding belongs to, oldest first."""
    row = get_coding(session, coding)
    # walk back to the first version
    while True:
        prev = session.scalar(select(Coding).where(Coding.replaced_by_id == row.id))
        if prev is None:
            break
        row = prev
    chain = [row]
    while row.replaced_by_id is not None:
        row = session.get(Coding, row.replaced_by_id)
        chain.append(row)
    return chain


__all__ = ["change_coding", "coding_history", "find_codings", "get_coding", "remove_coding"]
