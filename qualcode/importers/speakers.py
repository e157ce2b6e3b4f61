"""Speaker labels and timestamps, and building turns from labelled lines.

Shared by the text, Word and subtitle importers. A *label* is the text before a colon or tab
at the start of a line: ``I:``, ``Intervjuer:``, ``B1:``, ``Deltaker 2:``, ``Leder:``,
``Kari:``. Built-in role words and short codes (``B1``, ``P12``, ``I``) are *strong* labels,
accepted wherever they occur; capitalised names (``Kari``, ``Kari Nordmann``) are *weak*
labels, accepted only when the same label starts lines at least
``ImporterOptions.name_label_min_count`` times in the file, so a sentence such as
"Problemet: ..." is not mistaken for a speaker. A line holding only a name and a time
(``Kari Nordmann   0:03``, as Teams writes transcripts) is a speaker header: the utterance
follows on the next lines. Extra strong patterns come from
``importers.speaker_labels`` in ``qualcode.yaml``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from .registry import ImporterOptions, ParseResult

ROLE_WORDS = (
    "i", "iv", "int", "intervjuer", "intervjuar", "intervjuer \\d+", "moderator", "informant", "respondent",
    "leder", "leiar", "deltaker", "deltakar", "behandler", "behandlar", "koordinator", "forløpskoordinator",
    "pårørende", "pårørande", "bruker", "brukar", "pasient", "terapeut", "sykepleier", "psykolog", "lege",
    "kvinne", "mann", "ukjent", "flere", "alle", "fasilitator", "sekretær", "observatør", "spørsmål", "svar",
)
_ROLE = "(?:" + "|".join(ROLE_WORDS) + r")(?:\s*(?:\d{1,3}|[a-zæøå]))?"
_CODE = r"(?:[a-zæøå]\d{0,3}|[a-zæøå]{2,3}\d{1,3})"
_STRONG = re.compile(rf"^(?:{_ROLE}|{_CODE})(?:\s*\([^()]{{1,30}}\))?$", re.IGNORECASE)
_NAME_WORD = r"[A-ZÆØÅÄÖÉ][a-zæøåäöüéèáA-ZÆØÅ'’\-]*\.?"
_WEAK = re.compile(rf"^{_NAME_WORD}(?:\s(?:{_NAME_WORD}|\d{{1,3}})){{0,2}}(?:\s*\([^()]{{1,30}}\))?$")

TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_TS_PREFIX = re.compile(rf"^\s*[\[(]\s*({TIMESTAMP})\s*[\])]\s*")
_TS_BARE_LINE = re.compile(rf"^\s*({TIMESTAMP})\s*$")
_TS_BARE_PREFIX = re.compile(rf"^\s*({TIMESTAMP})\s+(?=\S)")
# A speaker header line as in Teams transcripts: "Kari Nordmann   0:03" (the utterance follows).
_HEADER = re.compile(rf"^\s*([^:\t\n\[\]()]{{1,40}}?)\s+[\[(]?({TIMESTAMP})[\])]?\s*$")
_LABEL = re.compile(r"^\s*(?:[*_]{1,2})?([^:\t\n*_]{1,40}?)(?:[*_]{1,2})?[ ]*(?::(?:[*_]{1,2})?(?=\s|$)|\t)\s*(.*)$",
                    re.DOTALL)

STRONG, WEAK = 2, 1


def parse_timestamp(value: str) -> float:
    """Seconds from ``hh:mm:ss``, ``mm:ss`` or ``hh:mm:ss.mmm``."""
    value = value.replace(",", ".")
    parts = value.split(":")
    seconds = float(parts[-1])
    minutes = int(parts[-2]) if len(parts) >= 2 else 0
    hours = int(parts[-3]) if len(parts) >= 3 else 0
    return hours * 3600 + minutes * 60 + seconds


class LabelMatcher:
    """Finds speaker labels and leading timestamps in a line."""

    def __init__(self, options: ImporterOptions) -> None:
        self.options = options
        self._extra = [re.compile(rf"^(?:{p})$", re.IGNORECASE) for p in options.speaker_labels]

    def strength(self, label: str) -> int:
        """STRONG, WEAK (a name) or 0 (not a label)."""
        label = label.strip()
        if not label:
            return 0
        if _STRONG.match(label) or any(p.match(label) for p in self._extra):
            return STRONG
        if self.options.name_labels and _WEAK.match(label):
            return WEAK
        return 0

    def split(self, line: str) -> tuple[str | None, int, str, float | None]:
        """``(label, strength, rest, timestamp)``; label None when the line has none."""
        ts: float | None = None
        m = _TS_PREFIX.match(line)
        if m:
            ts = parse_timestamp(m.group(1))
            line = line[m.end():]
        elif _TS_BARE_LINE.match(line):
            return None, 0, "", parse_timestamp(line.strip())
        else:
            header = _HEADER.match(line)
            if header:
                # a name followed by nothing but a time is a strong signal on its own
                if self.strength(header.group(1)):
                    return header.group(1).strip(), STRONG, "", parse_timestamp(header.group(2))
            bare = _TS_BARE_PREFIX.match(line)  # "00:12:34 I: ..." (only before a label)
            if bare:
                m = _LABEL.match(line[bare.end():])
                if m and self.strength(m.group(1).strip()):
                    ts, line = parse_timestamp(bare.group(1)), line[bare.end():]
        m = _LABEL.match(line)
        if m:
            label = m.group(1).strip()
            strength = self.strength(label)
            if strength:
                rest = m.group(2)
                m2 = _TS_PREFIX.match(rest)
                if m2:
                    ts = ts if ts is not None else parse_timestamp(m2.group(1))
                    rest = rest[m2.end():]
                return label, strength, rest, ts
        return None, 0, line, ts


@dataclass
class Line:
    """One line of a document. ``label`` set means the importer already knows the speaker
    (a bold run, a table cell); ``label=""`` means "explicitly no label"."""

    text: str
    label: str | None = None
    timestamp: float | None = None
    weak_label: tuple[str, str] | None = None  # (name, rest): a name label candidate, must recur


BREAK = None  # paragraph break marker in a line stream


def build_turns(items: Iterable[Line | None], matcher: LabelMatcher, *, paragraph_join: str = "\n",
                line_join: str = " ") -> ParseResult:
    """Turns from lines and paragraph breaks (``BREAK``).

    A labelled line starts a turn; following unlabelled lines continue it (joined by
    ``line_join``, or ``paragraph_join`` after a break). Text before the first label, and
    every paragraph of a file without any label, becomes a turn with speaker ``None``.
    """
    parsed: list[tuple[str | None, int, str, float | None, str] | None] = []
    weak = Counter()
    for item in items:
        if item is BREAK:
            parsed.append(None)
            continue
        if item.label is not None:
            parsed.append((item.label or None, STRONG if item.label else 0, item.text, item.timestamp, item.text))
            continue
        if item.weak_label is not None:
            (label, rest), strength, ts, orig = item.weak_label, WEAK, item.timestamp, item.text
        else:
            label, strength, rest, ts = matcher.split(item.text)
            orig = _TS_PREFIX.sub("", item.text, count=1)
            if item.timestamp is not None:
                ts = item.timestamp
        if strength == WEAK:
            weak[label] += 1
        parsed.append((label, strength, rest, ts, orig))

    min_count = matcher.options.name_label_min_count
    turns: list[list] = []  # [speaker, [paragraphs of [lines]], ts]
    pending_ts: float | None = None
    after_break = True
    labelled = 0
    for entry in parsed:
        if entry is None:
            after_break = True
            continue
        label, strength, rest, ts, orig = entry
        if strength == WEAK and weak[label] < min_count:
            label, strength, rest = None, 0, orig
        rest = rest.strip()
        if label is None and not rest:
            if ts is not None:
                pending_ts = ts
            continue
        if ts is None and pending_ts is not None and (label is not None or after_break):
            ts, pending_ts = pending_ts, None
        if label is not None:
            labelled += 1
            turns.append([label, [[rest]] if rest else [[]], ts])
        elif not turns or (turns[-1][0] is None and after_break):
            turns.append([None, [[rest]], ts])
        elif after_break:
            turns[-1][1].append([rest])
        else:
            turns[-1][1][-1].append(rest)
        after_break = False

    warnings: list[str] = []
    if not labelled:
        warnings.append("no speaker labels found: one turn per paragraph, speaker unknown")
    out = []
    for speaker, paragraphs, ts in turns:
        text = paragraph_join.join(line_join.join(p for p in para if p) for para in paragraphs if any(para))
        out.append((speaker, text, ts))
    return ParseResult(out, warnings)

