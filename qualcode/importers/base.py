"""The shared transcript model every importer produces.

A :class:`Transcript` is metadata plus speaker turns. Its canonical ``text`` renders each
turn as ``"<speaker>: <utterance>"`` (or just the utterance when there is no speaker),
turns separated by a blank line. Turn offsets are character (code point) offsets into
that text, so every later stage (anonymiser, segmenter, REFI export) shares one coordinate
system. Build transcripts with :meth:`Transcript.from_turns`; importers only parse.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
import datetime as dt
from typing import Any, Iterable, Literal

from pydantic import BaseModel, ConfigDict, field_validator

STUDY_YEARS = (2019, 2020)
SERVICE_AREAS = ("PHV", "PHBU", "TSB")
INFORMANT_GROUPS = ("behandlere", "ledere", "forløpskoordinatorer", "brukere", "pårørende")
INTERVIEW_FORMS = ("fokusgruppe", "individuell")
MODES = ("fysisk", "teams", "telefon")

TURN_SEPARATOR = "\n\n"


class TranscriptMeta(BaseModel):
    """Metadata of one interview, usually from the manifest. Nothing here may identify a person."""

    model_config = ConfigDict(extra="forbid")

    case: str | None = None  # "A".."H"; None for BSB user/relative interviews without a unit
    year: int | None = None
    informant_group: str | None = None
    interview_form: str | None = None
    mode: str | None = None
    date: dt.date | None = None
    language: str = "nb"
    service_area: str | None = None  # "PHV", "PHBU", "TSB" or a combination like "PHV+TSB"
    unit_label: str | None = None  # as the manifest states it, checked against cases.yaml
    setting: str | None = None  # "poliklinikk" | "døgn"
    study: str | None = None  # "fagfolk" | "bsb" | "pårørende"

    @field_validator("case")
    @classmethod
    def _case_letter(cls, v: str | None) -> str | None:
        if v is None:
            return v
        v = v.strip().upper()
        if len(v) != 1 or not v.isalpha():
            raise ValueError(f"case must be one letter such as 'A', got {v!r}")
        return v

    @field_validator("year")
    @classmethod
    def _year_in_study(cls, v: int | None) -> int | None:
        if v is not None and v not in STUDY_YEARS:
            raise ValueError(f"year {v} is outside the study ({', '.join(map(str, STUDY_YEARS))})")
        return v

    @field_validator("informant_group")
    @classmethod
    def _group(cls, v: str | None) -> str | None:
        if v is not None and v not in INFORMANT_GROUPS:
            raise ValueError(f"informant group {v!r} is not one of {', '.join(INFORMANT_GROUPS)}")
        return v

    @field_validator("interview_form")
    @classmethod
    def _form(cls, v: str | None) -> str | None:
        if v is not None and v not in INTERVIEW_FORMS:
            raise ValueError(f"interview form {v!r} is not one of {', '.join(INTERVIEW_FORMS)}")
        return v

    @field_validator("mode")
    @classmethod
    def _mode(cls, v: str | None) -> str | None:
        if v is not None and v not in MODES:
            raise ValueError(f"mode {v!r} is not one of {', '.join(MODES)}")
        return v

    @field_validator("service_area")
    @classmethod
    def _area(cls, v: str | None) -> str | None:
        return None if v is None else normalise_service_area(v)


def normalise_service_area(value: str) -> str:
    """``"phv/tsb"`` -> ``"PHV+TSB"``; ValueError for an unknown area."""
    parts = [p.strip().upper() for p in value.replace("/", "+").replace(" og ", "+").split("+")]
    bad = [p for p in parts if p not in SERVICE_AREAS]
    if bad:
        raise ValueError(f"service area {value!r}: {', '.join(bad)} not in {', '.join(SERVICE_AREAS)}")
    return "+".join(parts)


@dataclass(frozen=True)
class Turn:
    """One speaker turn. ``start``/``end`` delimit the utterance in ``Transcript.text``;
    ``speaker_start``/``speaker_end`` the label (both equal ``start`` when there is none)."""

    speaker: str | None
    start: int
    end: int
    speaker_start: int
    speaker_end: int
    timestamp: float | None = None  # seconds from the start of the recording
    end_timestamp: float | None = None


@dataclass
class Transcript:
    """An imported interview: canonical text, turns with offsets, metadata and provenance."""

    text: str
    turns: list[Turn]
    meta: TranscriptMeta = field(default_factory=TranscriptMeta)
    format: str = "txt"
    filename: str | None = None  # identifying: kept in the vault only
    content_hash: str = ""  # sha256 of the raw file bytes (duplicate detection)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_turns(
        cls,
        turns: Iterable[tuple[str | None, str] | tuple[str | None, str, float | None] | tuple[str | None, str, float | None, float | None]],
        *,
        meta: TranscriptMeta | None = None,
        format: str = "txt",
        filename: str | None = None,
        content_hash: str = "",
    ) -> "Transcript":
        """Build the canonical text from ``(speaker, utterance[, timestamp[, end_timestamp]])`` tuples.

        Empty utterances are dropped; utterances are stripped of surrounding whitespace.
        """
        parts: list[str] = []
        out: list[Turn] = []
        pos = 0
        for item in turns:
            speaker, utterance = item[0], item[1]
            ts = item[2] if len(item) > 2 else None
            ts_end = item[3] if len(item) > 3 else None
            utterance = utterance.strip()
            if not utterance:
                continue
            if out:
                parts.append(TURN_SEPARATOR)
                pos += len(TURN_SEPARATOR)
            speaker = speaker.strip() if speaker else None
            if speaker:
                label = f"{speaker}: "
                sp_start, sp_end = pos, pos + len(speaker)
                parts.append(label)
                pos += len(label)
            else:
                sp_start = sp_end = pos
            parts.append(utterance)
            out.append(Turn(speaker, pos, pos + len(utterance), sp_start, sp_end, ts, ts_end))
            pos += len(utterance)
        return cls(
            text="".join(parts),
            turns=out,
            meta=meta or TranscriptMeta(),
            format=format,
            filename=filename,
            content_hash=content_hash,
        )

    @property
    def word_count(self) -> int:
        return sum(len(self.text[t.start : t.end].split()) for t in self.turns)

    def utterance(self, turn: Turn) -> str:
        return self.text[turn.start : turn.end]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form (used by the vault)."""
        return {
            "text": self.text,
            "turns": [dict(vars(t)) for t in self.turns],  # asdict() is slow on long transcripts
            "meta": self.meta.model_dump(mode="json"),
            "format": self.format,
            "filename": self.filename,
            "content_hash": self.content_hash,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Transcript":
        return cls(
            text=data["text"],
            turns=[Turn(**t) for t in data["turns"]],
            meta=TranscriptMeta.model_validate(data["meta"]),
            format=data.get("format", "txt"),
            filename=data.get("filename"),
            content_hash=data.get("content_hash", ""),
            warnings=list(data.get("warnings", [])),
        )


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


ImporterFormat = Literal["txt", "md", "docx", "vtt", "srt"]
