"""Codebooks: versioned YAML (schema), rule engine (auto-coding), classifier, evaluation.

Public API: :func:`load_codebook`, :class:`Codebook`, :class:`Code`, :func:`sync_codes`,
:func:`lint`, :class:`RuleEngine`, :func:`autocode_project`, :func:`evaluate_gold`.
"""
from __future__ import annotations

from .schema import Code, Codebook, Rule, load_codebook, parse_codebook, resolve_codebook_path
from .store_sync import SyncReport, sync_codes

__all__ = [
    "Code", "Codebook", "Rule", "load_codebook", "parse_codebook", "resolve_codebook_path",
    "SyncReport", "sync_codes",
]


def __getattr__(name: str):  # lazy: keep `import qualcode.codebook` light (no spaCy)
    if name in {"RuleEngine", "CodingResult"}:
        from . import engine

        return getattr(engine, name)
    if name in {"lint", "Finding"}:
        from . import lint as _lint

        return getattr(_lint, name)
    if name in {"autocode_project", "AutocodeReport", "autocode_jsonl"}:
        from . import autocode

        return getattr(autocode, name)
    if name in {"evaluate_gold", "load_gold", "EvaluationReport"}:
        from . import evaluate

        return getattr(evaluate, name)
    raise AttributeError(name)
