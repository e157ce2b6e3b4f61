"""Registry of importers by file suffix, and :func:`read_transcript`.

An importer is a function ``(data: bytes, *, name: str, options: ImporterOptions) ->
list[RawTurn]`` plus optional warnings; it only parses. :func:`read_transcript` reads the
file, calls the importer, and builds the :class:`~qualcode.importers.base.Transcript`
(canonical text, offsets, ``content_hash`` = sha256 of the raw bytes).

Register a new format like a spaCy factory::

    @register_importer(".rtf")
    def read_rtf(data: bytes, *, name: str, options: ImporterOptions) -> ParseResult: ...
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import ConfigError, SourceImportError
from .base import Transcript, TranscriptMeta, sha256_bytes


class ImporterOptions(BaseModel):
    """The ``importers`` section of ``qualcode.yaml``."""

    model_config = ConfigDict(extra="forbid")

    # Extra speaker-label regular expressions (matched case-insensitively against the text
    # before the colon/tab), e.g. ["Terapeut", "Pasient ?\\d*"]. The built-in ones stay.
    speaker_labels: list[str] = []
    # Accept capitalised names ("Kari:", "Kari Nordmann:") as labels when a label occurs at
    # least this often in the file (guards against "Problemet: ..." in running text).
    name_labels: bool = True
    name_label_min_count: int = 2
    # Force a text encoding (e.g. "cp1252") instead of detecting it.
    encoding: str | None = None
    # Subtitles: cues without a speaker are merged when the pause between them is shorter.
    subtitle_merge_gap: float = 2.0
    # Largest file accepted (bytes).
    max_bytes: int = 50_000_000

    @field_validator("speaker_labels")
    @classmethod
    def _compiles(cls, v: list[str]) -> list[str]:
        import re

        for pattern in v:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"speaker label pattern {pattern!r} is not a valid regular expression: {exc}")
        return v

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> "ImporterOptions":
        try:
            return cls.model_validate(dict(section or {}))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ConfigError(f"qualcode.yaml importers.{where}: {err['msg']}") from exc


RawTurn = tuple  # (speaker | None, utterance, timestamp | None[, end_timestamp | None])


@dataclass
class ParseResult:
    """What an importer returns: turns in order, and warnings (never containing text)."""

    turns: list[RawTurn]
    warnings: list[str] = field(default_factory=list)


Importer = Callable[..., ParseResult]

_IMPORTERS: dict[str, tuple[str, Importer]] = {}


def register_importer(*suffixes: str, format: str | None = None) -> Callable[[Importer], Importer]:
    """Decorator registering ``func`` for the given suffixes (".txt", ".md", ...)."""

    def deco(func: Importer) -> Importer:
        for suffix in suffixes:
            suffix = suffix.lower()
            if not suffix.startswith("."):
                suffix = "." + suffix
            _IMPORTERS[suffix] = (format or suffix[1:], func)
        return func

    return deco


def _ensure_builtin() -> None:
    # Importing the modules registers them.
    from . import docx as _docx, subtitles as _subtitles, txt as _txt  # noqa: F401


def supported_suffixes() -> list[str]:
    _ensure_builtin()
    return sorted(_IMPORTERS)


def get_importer(suffix: str) -> tuple[str, Importer]:
    _ensure_builtin()
    try:
        return _IMPORTERS[suffix.lower()]
    except KeyError:
        raise SourceImportError(
            f"no importer for {suffix or 'files without a suffix'!r} (supported: {', '.join(sorted(_IMPORTERS))})"
        ) from None


def parse_bytes(data: bytes, *, name: str, suffix: str | None = None, meta: TranscriptMeta | None = None,
                options: ImporterOptions | None = None) -> Transcript:
    """Parse raw file bytes into a :class:`Transcript`; ``name`` is used in messages only."""
    options = options or ImporterOptions()
    suffix = suffix if suffix is not None else Path(name).suffix
    fmt, importer = get_importer(suffix)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SourceImportError(f"{name}: the file is empty")
    if len(data) > options.max_bytes:
        raise SourceImportError(f"{name}: the file is larger than {options.max_bytes} bytes (importers.max_bytes)")
    result = importer(data, name=name, options=options)
    transcript = Transcript.from_turns(result.turns, meta=meta, format=fmt, filename=name,
                                       content_hash=sha256_bytes(data))
    if not transcript.turns:
        raise SourceImportError(f"{name}: no text found")
    transcript.warnings.extend(result.warnings)
    return transcript


def read_file_bytes(path: Path) -> bytes:
    """The raw bytes of a file, or a :class:`SourceImportError` naming it."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise SourceImportError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise SourceImportError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise SourceImportError(f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})") from None


def read_transcript(path: Path | str, *, meta: TranscriptMeta | None = None,
                    options: ImporterOptions | None = None) -> Transcript:
    """Read one transcript file with the importer registered for its suffix."""
    path = Path(path)
    get_importer(path.suffix)  # unknown suffix: fail before reading
    transcript = parse_bytes(read_file_bytes(path), name=str(path), suffix=path.suffix, meta=meta, options=options)
    transcript.filename = path.name
    return transcript
