"""Anonymisation: recognisers (spaCy components), propagation, consistent pseudonyms, review.

Public API: :class:`Anonymiser` (texts in, detections/anonymised texts out),
:func:`anonymise_project` and :func:`apply_review` (vault → analysis store).
"""
from __future__ import annotations

from . import components  # noqa: F401  (registers the spaCy factories)
from .anonymiser import Anonymiser, load_nlp
from .config import AnonymiseConfig, RECOGNISERS
from .detection import Detection
from .pseudonyms import PseudonymMap

__all__ = ["Anonymiser", "AnonymiseConfig", "Detection", "PseudonymMap", "RECOGNISERS", "load_nlp",
           "anonymise_project", "apply_review", "AnonymiseReport", "ReviewReport"]


def __getattr__(name: str):  # lazy: the project workflow pulls in the stores
    if name in ("anonymise_project", "apply_review", "AnonymiseReport", "ReviewReport"):
        from . import workflow

        return getattr(workflow, name)
    raise AttributeError(name)
