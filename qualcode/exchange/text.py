"""Source text of REFI-QDA files: decoding, line endings, positions and turns.

The standard (section 10.2) counts selection positions in Unicode code points of the plain-text
file, first code point 0. A CRLF in the file is therefore two positions. qualcode keeps LF
only, so on import CRLF (and a lone CR) becomes LF and positions are shifted accordingly.

Vendor quirk (documented in QualCoder's REFI importer): ATLAS.ti writes CRLF into the
plain-text files but counts each line break as ONE position. For files whose ``origin`` names
ATLAS.ti positions are taken as already collapsed. ``line_endings`` overrides the guess.
qualcode itself writes LF only, so its exports are read the same way by every tool.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Literal

from ..importers.base import TURN_SEPARATOR, Turn

LineEndings = Literal["auto", "standard", "collapsed"]
#: A speaker label: up to four words (40 characters) before ": " at the start of a block.
_SPEAKER = re.compile(r"([^\s:][^\n:]{0,39}?): ")


def decode_source(data: bytes) -> str:
    """UTF-8 text of a source file (a leading BOM is not part of the text)."""
    return data.decode("utf-8-sig")


#: Vendor quirks, by a lower-case fragment of the file's ``origin`` attribute.
VENDOR_LINE_ENDINGS: dict[str, Literal["standard", "collapsed"]] = {"atlas.ti": "collapsed"}


def register_vendor_line_endings(origin_fragment: str, mode: Literal["standard", "collapsed"]) -> None:
    """Declare how a tool counts line breaks (e.g. when a new version's quirk is found)."""
    if mode not in ("standard", "collapsed"):
        raise ValueError(f"line-ending mode must be 'standard' or 'collapsed', not {mode!r}")
    VENDOR_LINE_ENDINGS[origin_fragment.lower()] = mode


def line_ending_mode(origin: str | None, requested: LineEndings = "auto") -> Literal["standard", "collapsed"]:
    """How the positions in a file count CRLF: as the user says, by known vendor quirk, else as
    the standard says (two code points)."""
    if requested != "auto":
        return requested
    low = (origin or "").lower()
    for fragment, mode in VENDOR_LINE_ENDINGS.items():
        if fragment in low:
            return mode
    return "standard"


@dataclass
class NormalisedText:
    """LF-only text plus the CRLF positions of the original, to map positions."""

    text: str
    crlf_at: list[int]  # index of each '\r' of a CRLF pair in the original text
    original_length: int
    mode: Literal["standard", "collapsed"]

    def map(self, position: int) -> int:
        """A position as the file's vendor counted it → position in :attr:`text`."""
        if self.mode == "collapsed" or not self.crlf_at:
            return position
        # every CRLF pair wholly before ``position`` lost one code point
        return position - bisect_left(self.crlf_at, position - 1)

    @property
    def limit(self) -> int:
        """Largest valid position as counted in the file."""
        return self.original_length if self.mode == "standard" else len(self.text)


def normalise_line_endings(raw: str, mode: Literal["standard", "collapsed"]) -> NormalisedText:
    crlf_at = [m.start() for m in re.finditer("\r\n", raw)]
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    return NormalisedText(text, crlf_at, len(raw), mode)


def split_turns(text: str) -> list[Turn]:
    """Turns of a plain text: blocks separated by blank lines (qualcode's canonical text) or,
    when there are none, by single line breaks; ``Speaker: `` at a block start is the label."""
    sep = TURN_SEPARATOR if TURN_SEPARATOR in text else "\n"
    turns: list[Turn] = []
    pos = 0
    for block in text.split(sep):
        start, end = pos, pos + len(block)
        pos = end + len(sep)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        m = _SPEAKER.match(text, start, end)
        if m and m.end() < end and len(m.group(1).split()) <= 4:
            turns.append(Turn(m.group(1).strip(), m.end(), end, start, start + len(m.group(1))))
        else:
            turns.append(Turn(None, start, end, start, start))
    return turns


__all__ = ["decode_source", "line_ending_mode", "register_vendor_line_endings", "VENDOR_LINE_ENDINGS", "normalise_line_endings", "NormalisedText", "split_turns"]
