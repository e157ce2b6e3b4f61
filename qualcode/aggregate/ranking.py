"""Choosing the most representative passages of a cell: TF-IDF centrality with an MMR penalty.

Centrality of a passage = its mean cosine similarity (TF-IDF, Norwegian stop words removed)
to the other passages of the same cell. Selection is Maximal Marginal Relevance
(Carbonell & Goldstein 1998): each step takes the passage maximising
``λ·centrality − (1−λ)·max similarity to those already chosen``, so near-duplicates do not
crowd out other points of view. Scores are rounded before comparison and ties are broken by
``(source label, ordinal)``, so the order does not depend on insertion order or float noise.
Long passages are cut to the sentence window closest to the cell's centroid; a quote is
always an exact substring of its segment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

ROUND = 9
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+|$)\s*")


@lru_cache(maxsize=1)
def stop_words() -> tuple[str, ...]:
    """Norwegian Bokmål stop words (spaCy's list), sorted for reproducibility."""
    from spacy.lang.nb.stop_words import STOP_WORDS

    return tuple(sorted(STOP_WORDS))


def make_vectorizer(corpus: Sequence[str]) -> TfidfVectorizer | None:
    """A TF-IDF model fitted on every passage of the summary (None if nothing has a term)."""
    vec = TfidfVectorizer(stop_words=list(stop_words()), sublinear_tf=True, lowercase=True)
    try:
        vec.fit(sorted(corpus))
    except ValueError:  # empty vocabulary
        return None
    return vec


def vectors(vec: TfidfVectorizer | None, texts: Sequence[str]):
    """L2-normalised TF-IDF rows (sparse); all-zero rows for passages with no known term."""
    from scipy.sparse import csr_matrix

    if vec is None or not texts:
        return csr_matrix((len(texts), 1))
    return vec.transform(list(texts))


def centrality(x) -> np.ndarray:
    """Mean cosine similarity of each row to the other rows, in O(non-zeros).

    With unit-length rows, ``Σ_{j≠i} x_i·x_j = x_i·(Σ_j x_j) − x_i·x_i``; no n×n matrix is built.
    """
    n = x.shape[0]
    if n == 0:
        return np.zeros(0)
    if n == 1:
        return np.ones(1)
    total = np.asarray(x.sum(axis=0)).ravel()
    own = np.asarray(x.multiply(x).sum(axis=1)).ravel()
    return (x @ total - own) / (n - 1)


def mmr_select(x, keys: Sequence[tuple], k: int, lambda_: float = 0.7) -> list[tuple[int, float]]:
    """Indices (with their centrality) of up to ``k`` rows of ``x``, best first (MMR)."""
    n = x.shape[0]
    cent = np.round(centrality(x), ROUND)
    redundancy = np.zeros(n)
    chosen: list[int] = []
    available = np.ones(n, dtype=bool)
    order = sorted(range(n), key=lambda i: keys[i])  # ties go to the smallest key
    rank_of_key = np.empty(n, dtype=np.int64)
    rank_of_key[order] = np.arange(n)
    while len(chosen) < min(k, n):
        gain = np.round(lambda_ * cent - (1 - lambda_) * redundancy, ROUND)
        gain[~available] = -np.inf
        best_gain = gain.max()
        ties = np.flatnonzero(gain == best_gain)
        best = int(ties[np.argmin(rank_of_key[ties])])
        chosen.append(best)
        available[best] = False
        sim = np.asarray((x @ x[best].T).todense()).ravel()
        redundancy = np.maximum(redundancy, sim)
    return [(i, float(cent[i])) for i in chosen]


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    @property
    def cut_before(self) -> bool:
        return self.start > 0


def strip_speaker(text: str, speaker: str | None) -> int:
    """Offset after a leading ``"<speaker>: "`` (the canonical turn prefix), else 0."""
    if speaker and text.startswith(f"{speaker}:"):
        i = len(speaker) + 1
        while i < len(text) and text[i].isspace():
            i += 1
        return i
    return 0


def excerpt(text: str, speaker: str | None, *, max_words: int, vec: TfidfVectorizer | None,
            centroid: np.ndarray | None) -> tuple[int, int]:
    """(start, end) of the quote inside ``text``: the whole utterance, or the window of whole
    sentences (≤ ``max_words``) most similar to the cell centroid."""
    start = strip_speaker(text, speaker)
    end = len(text.rstrip())
    if len(text[start:end].split()) <= max_words:
        return start, end
    sents = [(start + m.start(), start + m.end()) for m in _SENTENCE.finditer(text[start:end]) if m.group().strip()]
    windows: list[tuple[int, int]] = []
    for i in range(len(sents)):
        words = 0
        for j in range(i, len(sents)):
            words += len(text[sents[j][0]:sents[j][1]].split())
            if words > max_words:
                break
            windows.append((sents[i][0], sents[j][1]))
    if not windows:  # one very long sentence: cut at a word boundary
        words = list(re.finditer(r"\S+", text[start:end]))[:max_words]
        return start, start + words[-1].end()
    if vec is not None and centroid is not None:
        x = vec.transform([text[a:b] for a, b in windows])
        scores = np.round((x @ centroid.T).ravel(), ROUND)
    else:
        scores = np.zeros(len(windows))
    best = min(range(len(windows)), key=lambda i: (-scores[i], windows[i][0], -windows[i][1]))
    a, b = windows[best]
    return a, len(text[:b].rstrip())
