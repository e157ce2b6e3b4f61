"""Look up segments, codes and coders the way users name them (id, uid, key, path, name).

Every failure raises :class:`~qualcode.errors.CodingError` naming what was asked for —
never any segment text.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..errors import CodingError
from ..store import Code, Coder, Segment

CODER_KINDS = ("person", "auto", "classifier", "consensus")


def resolve_segment(session: Session, ref: int | str | Segment) -> Segment:
    """A segment by database id (``12`` or ``"12"``) or uid."""
    if isinstance(ref, Segment):
        return ref
    seg: Segment | None = None
    text = str(ref).strip()
    if isinstance(ref, int) or text.isdigit():
        seg = session.get(Segment, int(text))
    else:
        seg = session.scalar(select(Segment).where(Segment.uid == text))
    if seg is None:
        raise CodingError(f"unknown segment {text!r} (give a segment id or uid)")
    return seg


def resolve_code(session: Session, ref: str | Code) -> Code:
    """A code by key (``informasjon``), path (``brukermedvirkning/informasjon``) or uid.

    A key used by two codebooks is ambiguous; the active code wins, else an error lists the paths.
    """
    if isinstance(ref, Code):
        return ref
    text = str(ref).strip()
    if not text:
        raise CodingError("empty code name")
    rows = list(session.scalars(select(Code).where(or_(Code.key == text, Code.path == text, Code.uid == text))))
    if len(rows) > 1:
        active = [c for c in rows if c.active]
        rows = active if len(active) == 1 else rows
    if not rows:
        raise CodingError(f"unknown code {text!r} (not in the codebook synced into this project)")
    if len(rows) > 1:
        paths = ", ".join(sorted(f"{c.codebook}:{c.path}" for c in rows))
        raise CodingError(f"code {text!r} is ambiguous ({paths}); give its path")
    return rows[0]


def resolve_coder(session: Session, ref: str | Coder) -> Coder:
    """A coder by name. ``auto`` (when no coder has that name) means the project's only auto coder."""
    if isinstance(ref, Coder):
        return ref
    name = str(ref).strip()
    coder = session.scalar(select(Coder).where(Coder.name == name))
    if coder is None and name in ("auto", "classifier"):
        kinds = list(session.scalars(select(Coder).where(Coder.kind == name)))
        if len(kinds) == 1:
            return kinds[0]
        if len(kinds) > 1:
            raise CodingError(f"coder {name!r} is ambiguous: {', '.join(sorted(c.name for c in kinds))}")
    if coder is None:
        raise CodingError(f"unknown coder {name!r} (add it with `qualcode coder add {name}`)")
    return coder


def add_coder(session: Session, name: str, kind: str = "person") -> Coder:
    """Create a coder; refuses an empty or existing name and unknown kinds."""
    name = name.strip()
    if not name:
        raise CodingError("a coder needs a name")
    if kind not in CODER_KINDS:
        raise CodingError(f"coder kind {kind!r} is not one of {', '.join(CODER_KINDS)}")
    if session.scalar(select(Coder).where(Coder.name == name)) is not None:
        raise CodingError(f"coder {name!r} exists already")
    coder = Coder(name=name, kind=kind)
    session.add(coder)
    session.flush()
    return coder


def ensure_coder(session: Session, name: str, kind: str = "person") -> Coder:
    """The coder called ``name``, created with ``kind`` when missing."""
    coder = session.scalar(select(Coder).where(Coder.name == name.strip()))
    return coder if coder is not None else add_coder(session, name, kind)


def list_coders(session: Session) -> list[Coder]:
    return list(session.scalars(select(Coder).order_by(Coder.name)))


def parse_span(text: str) -> tuple[int, int]:
    """``"120:180"`` → ``(120, 180)``."""
    try:
        a, b = text.split(":")
        return int(a), int(b)
    except ValueError:
        raise CodingError(f"span {text!r} is not START:END (two whole numbers)") from None
