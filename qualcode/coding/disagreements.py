"""Disagreement review and reconciliation into a ``consensus`` coder.

A disagreement is a segment in every chosen coder's universe (see :mod:`.agreement`) on which
the coders' sets of codes differ (segment level: a span coding counts as the code being
present in the segment). The review sheet (CSV/XLSX) has the coding-sheet layout — ``segment_id``,
``segment_uid``, ``source``, ``speaker``, ``text``, one ``coder:<name>`` column per coder, ``differs``
and a ``codes`` column pre-filled with the majority suggestion — so the team edits ``codes``
and feeds the sheet back to :func:`reconcile`.
"""
from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import CodingError
from ..store import Coder, Segment, Source
from .agreement import CodingData, load_coding_data
from .spreadsheets import apply_decisions, parse_sheet, write_table

RULES = ("majority", "unanimous", "any")


@dataclass
class Disagreement:
    segment_id: int
    segment_uid: str
    source: str
    speaker: str | None
    text: str  # anonymised segment text (analysis store)
    codes: dict[str, list[str]]  # coder -> code keys
    differs: list[str]
    suggested: list[str]  # codes applied by more than half of the coders

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _presence(d: CodingData) -> np.ndarray:
    """coders × codes × segments, 1/0 inside each coder's universe, NaN outside."""
    k, nq, n = len(d.coders), len(d.codes), len(d.seg_ids)
    present = np.zeros((k, nq, n))
    present[d.coder_idx, d.code_idx, d.seg_pos] = 1.0
    present[np.broadcast_to(~d.universe[:, None, :], present.shape)] = np.nan
    return present


def disagreements(session: Session, coders: Sequence[str], codes: Iterable[str] | None = None, *,
                  segments: Iterable[int] | None = None, sources: Iterable[str] | None = None) -> list[Disagreement]:
    """Segments coded by all ``coders`` on which their code sets differ, in source order."""
    d = load_coding_data(session, coders, codes, segments=segments, sources=sources)
    present = _presence(d)
    complete = d.universe.all(axis=0)
    sub = present[:, :, complete]
    differ_mask = ~(sub == sub[0]).all(axis=0)  # codes × segments
    cols = np.flatnonzero(differ_mask.any(axis=0))
    seg_ids = d.seg_ids[complete][cols]
    if len(seg_ids) == 0:
        return []
    info = {}
    ids = seg_ids.tolist()
    for chunk in range(0, len(ids), 500):
        q = (select(Segment.id, Segment.uid, Source.label, Segment.speaker, Segment.text, Segment.ordinal)
             .join(Source, Segment.source_id == Source.id).where(Segment.id.in_(ids[chunk:chunk + 500])))
        info.update({r[0]: r[1:] for r in session.execute(q)})
    keys = [c.key for c in d.codes]
    names = [c.name for c in d.coders]
    k = len(names)
    out = []
    for col, sid in zip(cols, ids):
        block = sub[:, :, col]
        uid, label, speaker, text, _ = info[sid]
        out.append(Disagreement(
            segment_id=sid, segment_uid=uid, source=label, speaker=speaker, text=text,
            codes={names[i]: [keys[j] for j in np.flatnonzero(block[i] == 1)] for i in range(k)},
            differs=[keys[j] for j in np.flatnonzero(differ_mask[:, col])],
            suggested=[keys[j] for j in np.flatnonzero(block.sum(axis=0) * 2 > k)]))
    out.sort(key=lambda x: (x.source, info[x.segment_id][4]))
    return out


def disagreement_table(items: list[Disagreement], coders: Sequence[str]) -> tuple[list[str], list[list[Any]]]:
    header = ["segment_id", "segment_uid", "source", "speaker", "text", *[f"coder:{c}" for c in coders],
              "differs", "codes"]
    rows = [[x.segment_id, x.segment_uid, x.source, x.speaker or "", x.text,
             *[";".join(x.codes.get(c, [])) for c in coders], ";".join(x.differs), ";".join(x.suggested)]
            for x in items]
    return header, rows


def export_disagreements(items: list[Disagreement], coders: Sequence[str], path: Path | str) -> int:
    """Write the review sheet (.csv or .xlsx; see the module doc) or a self-contained .html page."""
    path = Path(path)
    if path.suffix.lower() in (".html", ".htm"):
        path.write_text(disagreements_html(items, coders), encoding="utf-8")
    else:
        header, rows = disagreement_table(items, coders)
        write_table(path, header, rows, sheet="codings")
    return len(items)


_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.4rem;vertical-align:top}
th{background:#f2f2f2;text-align:left}td.text{max-width:40rem;white-space:pre-wrap}
span.code{display:inline-block;margin:.1rem;padding:0 .3rem;border-radius:.3rem;background:#e8eef7}
span.diff{background:#fde2c8;font-weight:600}
"""


def disagreements_html(items: list[Disagreement], coders: Sequence[str], title: str = "Disagreements") -> str:
    """A single HTML page (inline CSS, no scripts, everything escaped) for a reconciliation meeting."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in coders)
    body = []
    for x in items:
        diff = set(x.differs)
        cells = "".join(
            "<td>" + " ".join(f'<span class="code{" diff" if k in diff else ""}">{e(k)}</span>'
                              for k in x.codes.get(c, [])) + "</td>" for c in coders)
        body.append(f"<tr><td>{x.segment_id}</td><td>{e(x.source)}</td><td>{e(x.speaker or '')}</td>"
                    f'<td class="text">{e(x.text)}</td>{cells}<td>{e(", ".join(x.suggested))}</td></tr>')
    return (f'<!DOCTYPE html>\n<html lang="no"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{_CSS}</style></head><body><h1>{e(title)}</h1>"
            f"<p>{len(items)} segment(s) where {e(', '.join(coders))} differ. Highlighted codes are the "
            "ones not all coders applied.</p>"
            f"<table><thead><tr><th>segment</th><th>source</th><th>speaker</th><th>text</th>{head}"
            f"<th>majority</th></tr></thead><tbody>{''.join(body)}</tbody></table></body></html>\n")


@dataclass
class ReconcileReport:
    consensus: str
    rule: str | None
    sheet: str | None
    segments: int = 0
    added: int = 0
    removed: int = 0
    unchanged: int = 0
    ties: int = 0  # (segment, code) pairs split exactly in half under the majority rule
    from_sheet: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reconcile(session: Session, coders: Sequence[str], *, rule: str | None = "majority",
              sheet: Path | str | None = None, consensus: str = "consensus", codes: Iterable[str] | None = None,
              by: str = "reconcile") -> ReconcileReport:
    """Write the ``consensus`` coder's codings for every segment all ``coders`` coded.

    ``rule``: ``majority`` (more than half the coders), ``unanimous`` or ``any``; ``None`` with a
    sheet uses only the sheet. A decided ``sheet`` (the review sheet with its ``codes`` column
    edited) overrides the rule for the segments it lists. Re-running is safe; earlier consensus
    codings that no longer hold are marked removed. One transaction (the caller's session).
    """
    if rule is not None and rule not in RULES:
        raise CodingError(f"rule {rule!r} is not one of {', '.join(RULES)}")
    if rule is None and sheet is None:
        raise CodingError("reconcile needs a rule, a decided sheet, or both")
    if consensus in coders:
        raise CodingError(f"the consensus coder {consensus!r} cannot be one of the coders compared")
    existing = session.scalar(select(Coder).where(Coder.name == consensus))
    if existing is not None and existing.kind != "consensus":
        raise CodingError(f"coder {consensus!r} exists and is a {existing.kind}, not a consensus coder")
    d = load_coding_data(session, coders, codes)
    report = ReconcileReport(consensus=consensus, rule=rule, sheet=str(sheet) if sheet else None)
    scope = {c.id for c in d.codes}
    decided: dict[tuple[int, str], set[int]] = {}
    if rule is not None:
        present = _presence(d)
        complete = d.universe.all(axis=0)
        counts = np.nansum(present[:, :, complete], axis=0)  # codes × segments
        k = len(d.coders)
        need = {"majority": counts * 2 > k, "unanimous": counts == k, "any": counts >= 1}[rule]
        if rule == "majority":
            report.ties = int((counts * 2 == k).sum())
        code_ids = np.array([c.id for c in d.codes])
        for col, sid in enumerate(d.seg_ids[complete].tolist()):
            decided[(sid, consensus)] = set(code_ids[need[:, col]].tolist())
    if sheet is not None:
        parsed = parse_sheet(session, sheet, coder=consensus, create_coder=True)
        report.from_sheet = len(parsed.decided)
        if rule is None:
            scope = parsed.scope
        for key, chosen in parsed.decided.items():
            # codes the sheet has no column for keep the rule's decision
            decided[key] = (decided.get(key, set()) - parsed.scope) | chosen
        scope |= parsed.scope if rule is not None else set()
    if not decided:
        raise CodingError(f"no segment was coded by all of {', '.join(coders)}: nothing to reconcile")
    rep = apply_decisions(session, decided, scope, coder_kind="consensus", mode="replace",
                          method="consensus", by=by)
    report.segments, report.added, report.removed, report.unchanged = len(decided), rep.added, rep.removed, rep.unchanged
    return report
