"""The ``anonymise`` section of ``qualcode.yaml``, validated here."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import ConfigError

RECOGNISERS = ("ner", "identifiers", "gazetteers", "denylist")
"""Recogniser names as used in config and in each detection's ``source``."""

DEFAULT_NER_LABELS = ("PER", "LOC", "GPE_LOC", "GPE_ORG", "ORG")
OPTIONAL_NER_LABELS = ("PROD", "EVT", "DRV")


class AnonymiseConfig(BaseModel):
    """Which recognisers run and how; every field has a privacy-first default."""

    model_config = ConfigDict(extra="forbid")

    recognisers: dict[str, bool] = Field(default_factory=lambda: {name: True for name in RECOGNISERS})
    ner_labels: list[str] = Field(default_factory=lambda: list(DEFAULT_NER_LABELS))
    deny_list: list[str] = Field(default_factory=list)
    """Names of participants, staff and places known to the team (identifying: keep the
    project config private, or put them in ``deny_list_file`` inside ``private/``)."""
    deny_list_file: str | None = "private/deny-list.txt"
    allow_list: list[str] = Field(default_factory=list)
    """Terms never masked, added to the built-in allow-list."""
    use_builtin_allow_list: bool = True
    fuzzy_threshold: float = Field(default=88.0, ge=50, le=100)
    """rapidfuzz ratio (0–100) at which a word counts as a typo of a deny-listed name."""
    fuzzy_min_length: int = Field(default=5, ge=3)
    propagate: bool = True
    speaker_labels: bool = True
    """Treat name-like speaker labels (not roles such as "Intervjuer" or codes such as "B1") as names."""
    surrogates: bool = False
    """Replace with realistic Norwegian surrogates (Faker no_NO) instead of ``[PERSON 3]``."""
    context_chars: int = Field(default=40, ge=0, le=400)
    max_words: int | None = None
    """Segment length passed to ``segment_turns`` (None = its default)."""
    batch_size: int = Field(default=32, ge=1)
    truecase: bool = True
    """Let NER read a text typed without any capital letter with its extra readings: truecased
    (``qualcode.nlp.truecase``; with a pipeline that has a truecasing table) and by the case-free
    companion (``qualcode.nlp.uncased``; with a pipeline that has one). The other recognisers
    see the text as typed."""

    def enabled(self, name: str) -> bool:
        return self.recognisers.get(name, True)

    @classmethod
    def from_section(cls, section: dict[str, Any] | None) -> "AnonymiseConfig":
        try:
            cfg = cls.model_validate(section or {})
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise ConfigError(f"qualcode.yaml anonymise.{where}: {err['msg']}") from exc
        unknown = sorted(set(cfg.recognisers) - set(RECOGNISERS))
        if unknown:
            raise ConfigError(
                f"qualcode.yaml anonymise.recognisers: unknown recogniser {', '.join(unknown)} "
                f"(known: {', '.join(RECOGNISERS)})"
            )
        bad = sorted(set(cfg.ner_labels) - set(DEFAULT_NER_LABELS) - set(OPTIONAL_NER_LABELS))
        if bad:
            raise ConfigError(f"qualcode.yaml anonymise.ner_labels: unknown label {', '.join(bad)}")
        return cfg
