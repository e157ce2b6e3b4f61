"""Apply replacements to a text and carry offsets (turns, codings) through them."""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace as dc_replace
from typing import Sequence

from ..importers.base import Turn


@dataclass(frozen=True)
class Replacement:
    start: int  # in the raw text
    end: int
    new: str


class OffsetMap:
    """Maps offsets of the raw text to the anonymised text and back."""

    def __init__(self, replacements: Sequence[Replacement]) -> None:
        self.reps = sorted(replacements, key=lambda r: r.start)
        self._starts = [r.start for r in self.reps]
        self._shift = []  # cumulative length change after each replacement
        total = 0
        self._new_starts = []
        for r in self.reps:
            self._new_starts.append(r.start + total)
            total += len(r.new) - (r.end - r.start)
            self._shift.append(total)

    def to_new(self, offset: int, *, side: str = "start") -> int:
        """Raw offset -> anonymised offset. Inside a replaced span it snaps to the span's
        start (``side="start"``) or end (``side="end"``)."""
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        r = self.reps[i]
        before = self._shift[i - 1] if i > 0 else 0
        if offset < r.end and offset > r.start:
            return self._new_starts[i] + (len(r.new) if side == "end" else 0)
        if offset == r.start:
            return offset + before
        return offset + self._shift[i]

    def to_raw(self, offset: int, *, side: str = "start") -> int:
        """Anonymised offset -> raw offset (inverse of :meth:`to_new`)."""
        shift = 0
        for i, r in enumerate(self.reps):
            ns = self._new_starts[i]
            ne = ns + len(r.new)
            if offset <= ns:
                return offset - shift
            if offset < ne:
                return r.start if side == "start" else r.end
            if offset == ne:
                return r.end
            shift = self._shift[i]
        return offset - shift


def apply(text: str, replacements: Sequence[Replacement]) -> str:
    parts, pos = [], 0
    for r in sorted(replacements, key=lambda r: r.start):
        if r.start < pos:
            raise ValueError("overlapping replacements")
        parts.append(text[pos:r.start])
        parts.append(r.new)
        pos = r.end
    parts.append(text[pos:])
    return "".join(parts)


def map_turns(turns: Sequence[Turn], omap: OffsetMap, new_text: str) -> list[Turn]:
    """Turns with offsets into the anonymised text and masked speaker labels."""
    out = []
    for t in turns:
        sp_start = omap.to_new(t.speaker_start, side="start")
        sp_end = omap.to_new(t.speaker_end, side="end")
        start = omap.to_new(t.start, side="start")
        end = omap.to_new(t.end, side="end")
        speaker = new_text[sp_start:sp_end] if t.speaker is not None else None
        out.append(dc_replace(t, speaker=speaker, start=start, end=end, speaker_start=sp_start, speaker_end=sp_end))
    return out
