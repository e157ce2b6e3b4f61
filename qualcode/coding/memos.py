"""Memos: researchers' notes on codes, segments, sources, cases or the whole project.

Kinds: ``memo`` (any target), ``intervjuoppsummering`` (summary of one interview — target
a source) and ``enhetsoppsummering`` (synthesis for one unit — target a case, usually with a
``year``). Memos live in the analysis store, so they must hold anonymised text only.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import CodingError
from ..store import Case, Code, Memo, Segment, Source
from .resolve import resolve_code, resolve_segment

TARGETS = ("code", "segment", "source", "case", "project")
KINDS = {"memo": TARGETS, "intervjuoppsummering": ("source",), "enhetsoppsummering": ("case",)}


def _resolve_source(session: Session, ref: str) -> Source:
    text = str(ref).strip()
    src = session.scalar(select(Source).where((Source.label == text) | (Source.uid == text)))
    if src is None and text.isdigit():
        src = session.get(Source, int(text))
    if src is None:
        raise CodingError(f"unknown source {text!r} (give its label, id or uid)")
    return src


def _resolve_case(session: Session, ref: str) -> Case:
    text = str(ref).strip()
    case = session.scalar(select(Case).where((Case.letter == text.upper()) | (Case.uid == text)))
    if case is None:
        raise CodingError(f"unknown case {text!r} (give its letter, e.g. A)")
    return case


def resolve_target(session: Session, target_type: str, target: str | int | None) -> tuple[int | None, str]:
    """(target_id, display label) for a memo target; ``project`` takes no target."""
    if target_type not in TARGETS:
        raise CodingError(f"memo target {target_type!r} is not one of {', '.join(TARGETS)}")
    if target_type == "project":
        if target not in (None, ""):
            raise CodingError("a project memo takes no target")
        return None, "project"
    if target in (None, ""):
        raise CodingError(f"a {target_type} memo needs a target")
    if target_type == "code":
        code = resolve_code(session, str(target))
        return code.id, code.path
    if target_type == "segment":
        seg = resolve_segment(session, target)
        return seg.id, f"segment {seg.id}"
    if target_type == "source":
        src = _resolve_source(session, str(target))
        return src.id, src.label
    case = _resolve_case(session, str(target))
    return case.id, f"case {case.letter}"


def add_memo(session: Session, target_type: str, target: str | int | None, *, text: str, author: str,
             kind: str = "memo", title: str | None = None, year: int | None = None) -> Memo:
    """Write a memo; the target must exist and suit the kind (see the module doc)."""
    if kind not in KINDS:
        raise CodingError(f"memo kind {kind!r} is not one of {', '.join(KINDS)}")
    if target_type not in TARGETS:
        raise CodingError(f"memo target {target_type!r} is not one of {', '.join(TARGETS)}")
    if target_type not in KINDS[kind]:
        raise CodingError(f"a {kind} memo belongs to a {' or '.join(KINDS[kind])}, not a {target_type}")
    if not text or not text.strip():
        raise CodingError("a memo needs text")
    if not author or not author.strip():
        raise CodingError("a memo needs an author")
    target_id, _ = resolve_target(session, target_type, target)
    memo = Memo(target_type=target_type, target_id=target_id, kind=kind, author=author.strip(), title=title,
                text=text.strip(), year=year)
    session.add(memo)
    session.flush()
    return memo


@dataclass(frozen=True)
class MemoRecord:
    id: int
    uid: str
    target_type: str
    target_id: int | None
    target: str
    kind: str
    author: str
    title: str | None
    text: str
    year: int | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat()
        return d


def _labels(session: Session, memos: list[Memo]) -> dict[tuple[str, int | None], str]:
    want: dict[str, set[int]] = {}
    for m in memos:
        if m.target_id is not None:
            want.setdefault(m.target_type, set()).add(m.target_id)
    out: dict[tuple[str, int | None], str] = {("project", None): "project"}
    if want.get("code"):
        out.update({("code", i): p for i, p in session.execute(select(Code.id, Code.path).where(Code.id.in_(want["code"])))})
    if want.get("source"):
        out.update({("source", i): lab for i, lab in session.execute(select(Source.id, Source.label).where(Source.id.in_(want["source"])))})
    if want.get("case"):
        out.update({("case", i): f"case {lt}" for i, lt in session.execute(select(Case.id, Case.letter).where(Case.id.in_(want["case"])))})
    for i in want.get("segment", ()):
        out[("segment", i)] = f"segment {i}"
    return out


def list_memos(session: Session, *, target_type: str | None = None, target: str | int | None = None,
               kind: str | None = None, author: str | None = None, year: int | None = None) -> list[MemoRecord]:
    """Memos matching all given filters, ordered by target then time."""
    q = select(Memo)
    if target_type is not None:
        target_id, _ = resolve_target(session, target_type, target) if target not in (None, "") or target_type == "project" else (None, "")
        q = q.where(Memo.target_type == target_type)
        if target not in (None, ""):
            q = q.where(Memo.target_id == target_id)
    elif target not in (None, ""):
        raise CodingError("give the target type with the target (e.g. source A-2019-behandlere-1)")
    if kind is not None:
        if kind not in KINDS:
            raise CodingError(f"memo kind {kind!r} is not one of {', '.join(KINDS)}")
        q = q.where(Memo.kind == kind)
    if author is not None:
        q = q.where(Memo.author == author)
    if year is not None:
        q = q.where(Memo.year == year)
    memos = list(session.scalars(q.order_by(Memo.target_type, Memo.target_id, Memo.created_at, Memo.id)))
    labels = _labels(session, memos)
    return [MemoRecord(id=m.id, uid=m.uid, target_type=m.target_type, target_id=m.target_id,
                       target=labels.get((m.target_type, m.target_id), f"{m.target_type} {m.target_id} (deleted)"),
                       kind=m.kind, author=m.author, title=m.title, text=m.text, year=m.year, created_at=m.created_at)
            for m in memos]


def memos_markdown(memos: list[MemoRecord]) -> str:
    """One Markdown document: a heading per target, a sub-heading per memo."""
    lines = ["# Memos", ""]
    current = None
    for m in memos:
        if m.target != current:
            current = m.target
            lines += [f"## {m.target_type}: {m.target}" if m.target_type != "project" else "## project", ""]
        title = m.title or m.kind
        meta = ", ".join(x for x in (m.kind, m.author, str(m.year) if m.year else None,
                                      m.created_at.strftime("%Y-%m-%d")) if x)
        lines += [f"### {title}", "", f"*{meta}*", "", m.text, ""]
    return "\n".join(lines).rstrip() + "\n"


def export_memos(memos: list[MemoRecord], path: Path | str, fmt: str | None = None) -> int:
    """Write memos as Markdown (.md) or CSV (.csv, UTF-8 with BOM); returns the count."""
    path = Path(path)
    fmt = fmt or path.suffix.lower().lstrip(".")
    if fmt not in ("md", "csv"):
        raise CodingError(f"{path.name}: memos export to .md or .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "md":
        path.write_text(memos_markdown(memos), encoding="utf-8")
    else:
        import csv

        cols = ["id", "uid", "target_type", "target_id", "target", "kind", "author", "title", "year", "created_at", "text"]
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=cols)
            w.writeheader()
            for m in memos:
                w.writerow({k: v for k, v in m.to_dict().items() if k in cols})
    return len(memos)
