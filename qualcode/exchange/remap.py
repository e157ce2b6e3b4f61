"""Carry positions in a raw text over to its anonymised version, and apply held codings.

``import_qdpx(..., anonymised=False)`` keeps the codings of raw sources in
``private/qdpx-held/*.json``. Once ``qualcode anonymise`` has released a source,
:func:`apply_held_codings` maps each coding from the raw text (in the vault) to the anonymised
text (in the store) and places it on the new segments. The mapping comes from a diff of the two
texts (lines first, then word tokens inside changed lines), so it does not depend on the
anonymiser's internals: a position inside a replaced name snaps to the pseudonym's start (for a
start) or end (for an end).
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import select

from ..errors import ExchangeError
from ..store.models import Code, Coder, Coding, Segment, Source
from .common import parse_datetime

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
Block = tuple[bool, int, int, int, int]  # (equal, a_start, a_end, b_start, b_end)


def _tokens(text: str, base: int) -> tuple[list[str], list[int]]:
    toks, offs = [], []
    for m in _TOKEN.finditer(text):
        toks.append(m.group(0))
        offs.append(base + m.start())
    offs.append(base + len(text))
    return toks, offs


def diff_blocks(a: str, b: str) -> list[Block]:
    """Aligned blocks of ``a`` and ``b`` covering both texts, in order."""
    out: list[Block] = []
    al, bl = a.splitlines(keepends=True), b.splitlines(keepends=True)
    ao, bo = [0], [0]
    for line in al:
        ao.append(ao[-1] + len(line))
    for line in bl:
        bo.append(bo[-1] + len(line))
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, al, bl, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append((True, ao[i1], ao[i2], bo[j1], bo[j2]))
        elif tag == "replace":
            ta, oa = _tokens(a[ao[i1]:ao[i2]], ao[i1])
            tb, ob = _tokens(b[bo[j1]:bo[j2]], bo[j1])
            for t2, k1, k2, l1, l2 in SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes():
                out.append((t2 == "equal", oa[k1], oa[k2], ob[l1], ob[l2]))
        else:
            out.append((False, ao[i1], ao[i2], bo[j1], bo[j2]))
    return _merge_gaps(out, a)


def _merge_gaps(blocks: list[Block], a: str) -> list[Block]:
    """Join changes separated only by whitespace/punctuation, so that a replaced name like
    ``Kari Nordmann`` → ``PERSON 1`` is one change, not two around an 'equal' space."""
    out: list[Block] = []
    for blk in blocks:
        if out and not blk[0] and len(out) >= 2 and out[-1][0] and not out[-2][0] \
                and not any(ch.isalnum() for ch in a[out[-1][1]:out[-1][2]]):
            gap = out.pop()
            prev = out.pop()
            blk = (False, prev[1], blk[2], prev[3], blk[4])
            del gap
        if out and not out[-1][0] and not blk[0]:
            prev = out.pop()
            blk = (False, prev[1], blk[2], prev[3], blk[4])
        out.append(blk)
    return out


class PositionMap:
    """Raw position → anonymised position (see the module docstring for the snapping)."""

    def __init__(self, raw: str, new: str) -> None:
        self.blocks = [b for b in diff_blocks(raw, new) if b[1] < b[2] or b[3] < b[4]]
        self._starts = [b[1] for b in self.blocks]
        self.raw_len, self.new_len = len(raw), len(new)

    def map(self, pos: int, *, side: str = "start") -> int:
        if not self.blocks:
            return min(pos, self.new_len)
        i = (bisect_right(self._starts, pos) if side == "start" else bisect_left(self._starts, pos)) - 1
        i = max(0, min(i, len(self.blocks) - 1))
        equal, a1, a2, b1, b2 = self.blocks[i]
        if equal:
            return min(b1 + max(0, min(pos, a2) - a1), b2)
        return b1 if side == "start" else b2


@dataclass
class HeldReport:
    applied: int = 0
    waiting: int = 0  # sources not anonymised yet
    already: int = 0  # applied before (re-run)
    files: int = 0
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def apply_held_codings(project: Any) -> HeldReport:
    """Apply codings held by raw .qdpx imports to sources that have been anonymised since.
    Safe to re-run: a coding already applied (same uid) is skipped."""
    from .qdpx_import import HELD_DIR, _method, _place

    report = HeldReport()
    folder = project.private_dir / HELD_DIR
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ExchangeError(f"{path.name}: held codings cannot be read ({exc.__class__.__name__})") from exc
        report.files += 1
        remaining: list[dict[str, Any]] = []
        with project.store.session() as s, project.vault.session() as vs:
            maps: dict[str, tuple[PositionMap, list[Segment]] | None] = {}
            for h in data.get("codings", []):
                uid = h["source_uid"]
                if uid not in maps:
                    src = s.scalar(select(Source).where(Source.uid == uid))
                    if src is None or src.status != "anonymised" or src.text is None:
                        maps[uid] = None
                    else:
                        raw = project.vault.transcript(vs, uid).text
                        segs = list(s.scalars(select(Segment).where(Segment.source_id == src.id).order_by(Segment.ordinal)))
                        maps[uid] = (PositionMap(raw, src.text), segs)
                if maps[uid] is None:
                    remaining.append(h)
                    report.waiting += 1
                    continue
                if s.scalar(select(Coding.id).where(Coding.uid == h["coding_guid"])) is not None:
                    report.already += 1
                    continue
                pmap, segs = maps[uid]
                start, end = pmap.map(h["start"], side="start"), pmap.map(h["end"], side="end")
                code = s.scalar(select(Code).where(Code.uid == h["code_uid"]))
                coder = s.scalar(select(Coder).where(Coder.name == h["coder"]))
                if code is None or coder is None:
                    raise ExchangeError(f"{path.name}: coding {h['coding_guid']} refers to a code or coder that is "
                                        "no longer in the project")
                for i, (seg, cs, ce) in enumerate(_place(segs, start, max(start, end))):
                    from .guids import derive

                    s.add(Coding(uid=h["coding_guid"] if i == 0 else derive("coding-piece", h["coding_guid"], i),
                                 segment=seg, code=code, coder=coder, method=_method(coder.kind), start=cs, end=ce,
                                 created_at=parse_datetime(h.get("created_at"))))
                report.applied += 1
        data["codings"] = remaining
        if not remaining and not data.get("notes"):
            path.unlink()
        else:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, path)
    if report.waiting:
        report.messages.append(f"{report.waiting} held codings wait for their sources to be anonymised")
    return report


__all__ = ["apply_held_codings", "HeldReport", "PositionMap", "diff_blocks"]
