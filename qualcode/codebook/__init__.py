"""Codebooks: versioned YAML (schema), rule engine (auto-coding), classifier, evaluation.

Public API: :func:`load_codebook`, :class:`Codebook`, :class:`Code`, :func:`sync_codes`,
:func:`lint`, :class:`RuleEngine`, :func:`autocode_project`, :func:`autocode_jsonl`,
:func:`evaluate_gold`, :func:`train_project_classifier` (the last six load lazily).
"""
from __future__ import annotations

import importlib

from .schema import Code, Codebook, Rule, load_codebook, parse_codebook, resolve_codebook_path
from .store_sync import SyncReport, sync_codes

__all__ = [
    "Code", "Codebook", "Rule", "load_codebook", "parse_codebook", "resolve_codebook_path",
    "SyncReport", "sync_codes",
]


_LAZY = {
    "RuleEngine": "engine", "CodingResult": "engine",
    "lint": "linter", "Finding": "linter",
    "autocode_project": "autocode", "AutocodeReport": "autocode", "autocode_jsonl": "autocode",
    "train_project_classifier": "classifier", "cross_validate": "classifier", "ClassifierReport": "classifier",
    "evaluate_gold": "evaluate", "load_gold": "evaluate", "EvaluationReport": "evaluate",
}


def __getattr__(name: str):  # lazy: keep `import qualcode.codebook` light (no spaCy)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(f".{module}", __name__), name)
