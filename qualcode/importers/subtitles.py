"""Subtitle transcripts: WebVTT (webvtt-py) and SubRip (srt), e.g. Teams or Zoom exports.

The speaker comes from a ``<v Name>`` voice tag or a label at the start of the cue
(``Kari Nordmann: ...``). Consecutive cues of one speaker merge into one turn that keeps the
first cue's start and the last cue's end time. Cues without a speaker merge while the pause
between them is shorter than ``importers.subtitle_merge_gap`` seconds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import SourceImportError
from .encoding import decode_text
from .registry import ImporterOptions, ParseResult, register_importer
from .speakers import STRONG, WEAK, LabelMatcher, parse_timestamp

_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")
_ASS = re.compile(r"\{\\[^}]*\}")


@dataclass
class Cue:
    start: float
    end: float
    speaker: str | None
    text: str


def _clean(text: str) -> str:
    text = _ASS.sub("", _TAG.sub("", text))
    return " ".join(text.split())


def _merge(cues: list[Cue], matcher: LabelMatcher, gap: float) -> ParseResult:
    # Names as weak labels must recur (as in the text importer).
    counts: dict[str, int] = {}
    split: list[Cue] = []
    for cue in cues:
        if cue.speaker is None:
            label, strength, rest, _ts = matcher.split(cue.text)
            if strength:
                split.append(Cue(cue.start, cue.end, label, rest.strip()))
                if strength == WEAK:
                    counts[label] = counts.get(label, 0) + 1
                continue
        split.append(cue)
    turns: list[list] = []
    labelled = False
    for cue in split:
        speaker = cue.speaker
        text = cue.text
        if speaker is not None and speaker in counts and counts[speaker] < matcher.options.name_label_min_count \
                and matcher.strength(speaker) != STRONG:
            speaker, text = None, f"{cue.speaker}: {cue.text}"
        if not text:
            continue
        labelled = labelled or speaker is not None
        if turns:
            prev = turns[-1]
            same = prev[0] == speaker and (speaker is not None or cue.start - prev[3] < gap)
            if same:
                prev[1].append(text)
                prev[3] = max(prev[3], cue.end)
                continue
        turns.append([speaker, [text], cue.start, cue.end])
    warnings = [] if labelled else ["no speaker labels found: cues merged by pauses, speaker unknown"]
    return ParseResult([(s, " ".join(parts), start, end) for s, parts, start, end in turns], warnings)


@register_importer(".vtt", format="vtt")
def read_vtt(data: bytes, *, name: str, options: ImporterOptions) -> ParseResult:
    import webvtt
    from webvtt.errors import MalformedFileError

    text, _codec = decode_text(data, name=name, encoding=options.encoding)
    try:
        captions = webvtt.WebVTT.from_string(text).captions
    except MalformedFileError as exc:
        raise SourceImportError(f"{name}: not a valid WebVTT file ({_no_content(exc)})") from None
    cues = []
    for c in captions:
        voice = _VOICE.search(c.raw_text)
        cues.append(Cue(parse_timestamp(c.start), parse_timestamp(c.end),
                        voice.group(1).strip() if voice else None, _clean(c.raw_text)))
    if not cues:
        raise SourceImportError(f"{name}: the WebVTT file has no cues")
    return _merge(cues, LabelMatcher(options), options.subtitle_merge_gap)


@register_importer(".srt", format="srt")
def read_srt(data: bytes, *, name: str, options: ImporterOptions) -> ParseResult:
    import srt

    text, _codec = decode_text(data, name=name, encoding=options.encoding)
    try:
        subs = list(srt.parse(text))
    except srt.SRTParseError as exc:
        raise SourceImportError(f"{name}: not a valid SubRip (.srt) file near character "
                                f"{getattr(exc, 'expected_start', '?')}") from None
    cues = []
    for sub in subs:
        voice = _VOICE.search(sub.content)
        cues.append(Cue(sub.start.total_seconds(), sub.end.total_seconds(),
                        voice.group(1).strip() if voice else None, _clean(sub.content)))
    if not cues:
        raise SourceImportError(f"{name}: the SubRip file has no cues")
    return _merge(cues, LabelMatcher(options), options.subtitle_merge_gap)


def _no_content(exc: Exception) -> str:
    """webvtt messages may quote a line of the file: keep only the first words of the message."""
    msg = str(exc).split(":")[0]
    return msg[:80]
