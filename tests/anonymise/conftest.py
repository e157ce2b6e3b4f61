"""Fixtures for the anonymiser: a tiny deterministic 'NER model' and pending sources."""
from __future__ import annotations

import spacy
import pytest
from stdnum.no import fodselsnummer

from qualcode.importers.base import Transcript
from qualcode.store.models import Source

import qualcode.anonymise  # noqa: F401  (registers the components)

# Fictional names used across the tests (the gazetteers do not need to know them).
RULER_PATTERNS = [
    {"label": "PER", "pattern": "Sigrun Vatnedal"},
    {"label": "PER", "pattern": "Sigrun"},
    {"label": "PER", "pattern": "Torvald"},
    {"label": "GPE_LOC", "pattern": "Fjellvik"},
    {"label": "ORG", "pattern": "Solbakken behandlingssenter"},
]


@pytest.fixture
def nlp():
    """A blank Norwegian pipeline whose ``ner`` is an entity ruler (stands in for a trained model)."""
    pipeline = spacy.blank("nb")
    ruler = pipeline.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(RULER_PATTERNS)
    return pipeline


def valid_fnr(birth: str = "150586", individual: str = "123") -> str:
    """A checksum-valid fødselsnummer for a birth date DDMMYY (D-nummer: day + 40)."""
    base = birth + individual
    k1 = fodselsnummer.calc_check_digit1(base)
    k2 = fodselsnummer.calc_check_digit2(base + k1)
    return base + k1 + k2


def add_source(project, label: str, turns, *, content_hash: str | None = None) -> str:
    """Put a raw transcript in the vault and a pending Source in the store (as the importer does)."""
    transcript = Transcript.from_turns(turns, content_hash=content_hash or f"hash-{label}")
    with project.store.session() as s, project.vault.session() as vs:
        src = Source(label=label, format="txt")
        s.add(src)
        s.flush()
        project.vault.add_transcript(vs, src.uid, transcript)
        return src.uid
