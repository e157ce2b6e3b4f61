"""A small codebook exercising every rule type, shared by the codebook tests."""
from __future__ import annotations

import pytest

from qualcode.codebook import parse_codebook

MINI = """\
name: mini
version: 1.0.0
codes:
  - id: tema
    label_nb: Tema
    label_en: Theme
  - id: plan
    parent: tema
    label_nb: Plan
    label_en: Plan
    examples_typical: [Vi skrev behandlingsplanen sammen.]
    rules:
      - {id: plan-stem, type: terms, terms: [behandlingsplan], mode: part}
      - id: plan-head
        type: terms
        terms: [plan]
        mode: head
        weight: 0.5
        except_terms: [behandlingsplan]
        forbid: {terms: [individuell], window: 2}
  - id: evaluering
    parent: tema
    label_nb: Evaluering
    label_en: Evaluation
    examples_typical: [Evalueringspunktene fungerer godt.]
    rules:
      - {id: ev-stem, type: terms, terms: [evaluer], mode: part, except_terms: [devaluer]}
      - {id: ev-tool, type: terms, terms: [fit], mode: exact}
      - {id: ev-report, type: regex, pattern: "evalueringen av reformen", negative: true}
  - id: utskrivning
    parent: tema
    label_nb: Utskrivning
    label_en: Discharge
    threshold: 1.0
    examples_typical: [Etter utskrivningen var det stille.]
    rules:
      - {id: ut-stem, type: terms, terms: [utskriv], mode: prefix}
      - {id: ut-phrase, type: phrase, phrases: [skrevet ut]}
      - id: ut-matcher
        type: matcher
        patterns: [[{LOWER: {REGEX: "^avslutt"}}, {LOWER: behandlingen}]]
  - id: vente
    parent: tema
    label_nb: Venting
    label_en: Waiting
    rules:
      - id: vente-word
        type: terms
        terms: [vente]
        mode: word
        weight: 0.5
        max_hits: 2
        require: {terms: [time, henvisning], window: 4}
"""


@pytest.fixture
def mini():
    return parse_codebook(MINI)


@pytest.fixture
def mini_text() -> str:
    return MINI
