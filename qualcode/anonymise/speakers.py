"""Speaker labels that are names.

Transcripts label turns with roles (``Intervjuer``, ``Informant 2``, ``B1``) or with names
(``Kari``). A label is taken as a person's name unless every word of it is a role word, a
short code (``I``, ``B1``, ``IP2``) or a number. Names used as labels are then masked like
any other mention, and propagate.
"""
from __future__ import annotations

import re
from typing import Iterable

from ..importers.base import Transcript
from .detection import Detection

SOURCE = "speakers"

ROLE_WORDS = frozenset("""
intervjuer intervjuar interviewer int informant informanten deltaker deltakar deltagar participant
respondent moderator fasilitator leder leiar avdelingsleder enhetsleder seksjonsleder behandler behandlar
terapeut psykolog psykiater lege sykepleier sjukepleiar koordinator forløpskoordinator
forløpskoordinatoren bruker brukar pasient pårørende pårørande mor far forelder foreldre sekretær
observatør referent ukjent alle flere fleire mange mann kvinne person stemme spørsmål svar
kommentar tolk fokusgruppe gruppe ansatt tilsett medarbeider erfaringskonsulent
og and the en ei et
""".split())
_CODE = re.compile(r"^(?:[A-ZÆØÅ]{1,3}\d{0,3}|\d+|[A-ZÆØÅ]\d*[a-z]?)$")


def is_name_label(label: str) -> bool:
    words = re.findall(r"[\wæøåÆØÅ]+", label)
    if not words:
        return False
    for w in words:
        if w.lower() in ROLE_WORDS or _CODE.match(w) or w.isdigit():
            continue
        if w[0].isupper():
            return True
    return False


def speaker_detections(transcript: Transcript) -> list[Detection]:
    """A PER detection for every name-like speaker label (role labels are left alone)."""
    out = []
    for turn in transcript.turns:
        if turn.speaker and turn.speaker_end > turn.speaker_start and is_name_label(turn.speaker):
            text = transcript.text[turn.speaker_start:turn.speaker_end]
            out.append(Detection(turn.speaker_start, turn.speaker_end, text, "PER", SOURCE, 0.8))
    return out


def labels_to_mask(labels: Iterable[str]) -> list[str]:
    return sorted({label for label in labels if is_name_label(label)})
