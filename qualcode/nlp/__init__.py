"""qualcode's Norwegian NLP pipeline: trained from NorNE, shipped as package data.

Public API::

    nlp = qualcode.nlp.load()                  # shipped model (lazy, cached)
    nlp = qualcode.nlp.load("nb_core_news_lg") # or an installed pipeline / a folder
    qualcode.nlp.entities(nlp, texts)          # [[{start, end, label, source}], ...]
    nlp = qualcode.nlp.load(blas="blis")       # matrix products on blis instead of numpy's BLAS

Training and evaluation live in :mod:`qualcode.nlp.train` and :mod:`qualcode.nlp.evaluate`
(imported on demand; they need NorNE).
"""
from __future__ import annotations

from .conll import LABELS
from .entities import Entity, entities, iter_entities
from .loader import SHIPPED_NAME, choose_model, clear_cache, load, shipped_model_path
from .ops import use_blas

__all__ = ["LABELS", "SHIPPED_NAME", "Entity", "choose_model", "clear_cache", "entities", "iter_entities",
           "load", "shipped_model_path", "use_blas"]
