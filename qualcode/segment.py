"""Split a transcript into segments for coding.

One segment per speaker turn; a turn longer than ``max_words`` is split at sentence
boundaries into passages of at most ``max_words`` words (a single sentence longer than the
limit is cut at word boundaries). Offsets are code points into the text the turns point
into, so the same input always gives the same spans and codings survive re-runs.

The sentence splitter is a small regular expression tuned for Norwegian transcripts: a
sentence ends at ``.``, ``!``, ``?`` or ``…`` (optionally followed by closing quotes or
brackets) before whitespace and an upper-case letter, digit, quote or dash. Common
abbreviations (``f.eks.``, ``bl.a.``, ``dvs.``, ``ca.``, ``osv.`` ...) do not end a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ConfigError
from .importers.base import Turn

DEFAULT_MAX_WORDS = 120

# Lower-cased abbreviations (without the final dot) that are followed by a dot mid-sentence.
ABBREVIATIONS = frozenset(
    """f.eks bl.a dvs ca osv mht iht evt ev jf jfr nr kl pga vha mv m.m m.fl o.l ift
    tlf dr prof st mnd ref pkt kap s fig tab osb avd ltd""".split()
)

_BOUNDARY = re.compile(r"""(?:\.\.\.|[.!?…])["'»”)\]]*(?=\s+["'«“(\[\-–—]?[A-ZÆØÅÄÖÉ0-9])""")
_WORD = re.compile(r"\S+")
_PREV_TOKEN = re.compile(r"(\S+)$")


class SegmentationOptions(BaseModel):
    """The ``segmentation`` section of ``qualcode.yaml``: ``max_words`` per passage."""

    model_config = ConfigDict(extra="forbid")

    max_words: int = Field(default=DEFAULT_MAX_WORDS, ge=1)

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> "SegmentationOptions":
        try:
            return cls.model_validate(dict(section or {}))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ConfigError(f"qualcode.yaml segmentation.{where}: {err['msg']}") from None


# Speaker labels that mark the interviewer (also numbered: "I2", "Intervjuer 1", "BSB-intervjuer").
_INTERVIEWER = re.compile(
    r"^(?:i|iv|int|intervjuer|intervjuar|interviewer|moderator|forsker|bsb-intervjuer|bsb-intervjuar)"
    r"\s*\d{0,3}$",
    re.IGNORECASE,
)


def is_interviewer(speaker: str | None) -> bool:
    """Whether a (anonymised) speaker label names the interviewer rather than an informant.

    Interviewer turns carry the question, not the informant's experience: the auto-coder and
    the case summaries leave them out by default.
    """
    return bool(speaker) and _INTERVIEWER.match(speaker.strip()) is not None


@dataclass(frozen=True)
class SegmentSpan:
    """A passage of one turn: ``text[start:end]``; ``timestamp`` is the turn's (seconds)."""

    turn_index: int
    speaker: str | None
    start: int
    end: int
    timestamp: float | None = None


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence spans (stripped of surrounding whitespace) of ``text[start:end]``."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for m in _BOUNDARY.finditer(text, start, end):
        token = _PREV_TOKEN.search(text, cursor, m.end())
        if token is not None and m.group(0).startswith(".") and not m.group(0).startswith("..."):
            word = token.group(1).rstrip(".\"'»”)]").lower()
            if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
        spans.append((cursor, m.end()))
        cursor = m.end()
    spans.append((cursor, end))
    out = []
    for s, e in spans:
        s, e = _strip(text, s, e)
        if s < e:
            out.append((s, e))
    return out


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text, start, end)]


def _split_turn(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """Greedy packing of sentences into passages of at most ``max_words`` words."""
    words = _word_spans(text, start, end)
    if len(words) <= max_words:
        return [(start, end)] if words else []
    passages: list[tuple[int, int]] = []
    cur_start: int | None = None
    cur_end = start
    cur_words = 0
    for s, e in sentence_spans(text, start, end):
        sent_words = _word_spans(text, s, e)
        n = len(sent_words)
        if n > max_words:  # one over-long sentence: close the passage, cut at word boundaries
            if cur_start is not None:
                passages.append((cur_start, cur_end))
                cur_start, cur_words = None, 0
            for i in range(0, n, max_words):
                chunk = sent_words[i : i + max_words]
                passages.append((chunk[0][0], chunk[-1][1]))
            continue
        if cur_start is not None and cur_words + n > max_words:
            passages.append((cur_start, cur_end))
            cur_start, cur_words = None, 0
        if cur_start is None:
            cur_start = s
        cur_end = e
        cur_words += n
    if cur_start is not None:
        passages.append((cur_start, cur_end))
    return passages


def segment_turns(text: str, turns: Sequence[Turn], *, max_words: int = DEFAULT_MAX_WORDS) -> list[SegmentSpan]:
    """One :class:`SegmentSpan` per turn, long turns split at sentence boundaries.

    ``turns`` point into ``text`` (``turn.start``/``turn.end`` delimit the utterance, without
    the speaker label). Empty turns give no segment. Deterministic.
    """
    if max_words < 1:
        raise ValueError("max_words must be at least 1")
    out: list[SegmentSpan] = []
    for index, turn in enumerate(turns):
        if not (0 <= turn.start <= turn.end <= len(text)):
            raise ValueError(f"turn {index} has offsets {turn.start}..{turn.end} outside the text")
        for s, e in _split_turn(text, turn.start, turn.end, max_words):
            out.append(SegmentSpan(index, turn.speaker, s, e, turn.timestamp))
    return out


__all__ = ["DEFAULT_MAX_WORDS", "SegmentSpan", "SegmentationOptions", "segment_turns", "sentence_spans"]
