"""Fixtures for the NLP tests: a fresh model cache per test and a tiny rule-based pipeline."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
import spacy

import qualcode.nlp as qnlp


@pytest.fixture(autouse=True)
def _fresh_model_cache():
    qnlp.clear_cache()
    yield
    qnlp.clear_cache()


def _ruler_pipeline(path: Path) -> Path:
    """A tiny rule-based pipeline saved to disk (stands in for a trained model)."""
    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([
        {"label": "PER", "pattern": [{"LOWER": "jørgen"}, {"LOWER": "læstad"}]},
        {"label": "GPE_LOC", "pattern": "Tromsø"},
        {"label": "GPE_LOC", "pattern": "Bærum"},
    ])
    nlp.to_disk(path)
    return path


@pytest.fixture
def ruler_pipeline() -> Callable[[Path], Path]:
    return _ruler_pipeline
