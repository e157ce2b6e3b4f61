"""What changed in a (theme, case) cell between two years — counts, direction, distinctive words.

* Amount: the theme's share of the case-year's segments. "Clearly more/fewer" needs both a
  rate ratio of at least :data:`MIN_RATIO` and an exact binomial test (the later year's share
  of the coded passages against its share of all segments) with p < :data:`ALPHA`.
* Words: log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008),
  the prior taken from all passages of the theme; words with z > :data:`Z_MIN` are
  distinctive for a year. Words absent in the other year are marked "ny".
Sentences are fixed templates filled with numbers and words; nothing is generated freely.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from scipy.stats import binomtest
from sklearn.feature_extraction.text import CountVectorizer

from .ranking import stop_words

MIN_RATIO = 1.5
ALPHA = 0.05
Z_MIN = 1.96
MAX_WORDS = 4
PRIOR_MASS = 10.0  # total pseudo-count of the prior: weak, cells are small


@dataclass
class Change:
    """The comparison of one (theme, case) between ``year_a`` and ``year_b``."""

    year_a: int
    year_b: int
    n_a: int
    n_b: int
    total_a: int
    total_b: int
    kind: str  # more | fewer | similar | only_a | only_b | none | no_sources_a | no_sources_b
    p_value: float | None = None
    words_a: list[str] = field(default_factory=list)
    words_b: list[str] = field(default_factory=list)
    new_b: list[str] = field(default_factory=list)

    @property
    def rate_a(self) -> float | None:
        return 100.0 * self.n_a / self.total_a if self.total_a else None

    @property
    def rate_b(self) -> float | None:
        return 100.0 * self.n_b / self.total_b if self.total_b else None

    @property
    def changed(self) -> bool:
        return self.kind in ("more", "fewer", "only_a", "only_b")

    def sentence(self) -> str:
        """The templated change line (Norwegian)."""
        a, b = self.year_a, self.year_b
        if self.kind == "no_sources_a":
            return f"Ingen intervjuer fra {a}; ingen sammenligning med {b}."
        if self.kind == "no_sources_b":
            return f"Ingen intervjuer fra {b}; ingen sammenligning med {a}."
        if self.kind == "none":
            return f"Temaet er ikke kodet verken i {a} eller {b}."
        if self.kind == "only_a":
            line = f"Temaet er bare kodet i {a} ({_passages(self.n_a)}), ikke i {b}."
        elif self.kind == "only_b":
            line = f"Temaet er bare kodet i {b} ({_passages(self.n_b)}), ikke i {a}."
        else:
            rates = f"{_num(self.rate_b)} mot {_num(self.rate_a)} per 100 segmenter"
            word = {"more": "Klart mer", "fewer": "Klart mindre", "similar": "Omtrent like mye"}[self.kind]
            than = "som" if self.kind == "similar" else "enn"
            line = (f"{word} kodet materiale i {b} {than} i {a} ({self.n_b} mot {self.n_a} passasjer; "
                    f"{rates}).")  # both pairs in the order year b, year a
        if self.words_b:
            marked = [f"«{w}»" + (" (ny)" if w in self.new_b else "") for w in self.words_b]
            line += f" Ord som skiller {b} fra {a}: {', '.join(marked)}."
        if self.words_a:
            line += f" Ord som skiller {a} fra {b}: {', '.join(f'«{w}»' for w in self.words_a)}."
        return line


def _passages(n: int) -> str:
    return "1 passasje" if n == 1 else f"{n} passasjer"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}".replace(".", ",")


def _counts(texts: Sequence[str], vocab: Sequence[str]) -> np.ndarray:
    if not texts or not vocab:
        return np.zeros(len(vocab))
    cv = CountVectorizer(vocabulary=list(vocab), lowercase=True)
    return np.asarray(cv.transform(list(texts)).sum(axis=0)).ravel().astype(float)


def distinctive_words(texts_a: Sequence[str], texts_b: Sequence[str], background: Sequence[str],
                      *, limit: int = MAX_WORDS) -> tuple[list[str], list[str]]:
    """Words distinctive for a and for b (z-scored log-odds, informative Dirichlet prior)."""
    if not texts_a or not texts_b:
        return [], []
    cv = CountVectorizer(stop_words=list(stop_words()), lowercase=True)
    try:
        cv.fit(sorted([*texts_a, *texts_b]))
    except ValueError:
        return [], []
    vocab = sorted(cv.vocabulary_)
    ya, yb = _counts(texts_a, vocab), _counts(texts_b, vocab)
    return log_odds_words(ya, yb, _counts(background, vocab) + ya + yb, vocab, limit=limit)


def log_odds_words(ya: np.ndarray, yb: np.ndarray, bg: np.ndarray, vocab: Sequence[str], *,
                   limit: int = MAX_WORDS) -> tuple[list[str], list[str]]:
    """The log-odds test on count vectors over ``vocab`` (``bg``: prior counts, > 0 where used)."""
    keep = (ya + yb) > 0
    if not keep.any() or bg.sum() == 0:
        return [], []
    idx = np.flatnonzero(keep)
    vocab = [vocab[i] for i in idx]
    ya, yb, bg = ya[idx].astype(float), yb[idx].astype(float), np.maximum(bg[idx].astype(float), 1e-9)
    alpha = PRIOR_MASS * bg / bg.sum()
    a0 = alpha.sum()
    na, nb = ya.sum(), yb.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = (np.log((yb + alpha) / (nb + a0 - yb - alpha))
                 - np.log((ya + alpha) / (na + a0 - ya - alpha)))
        z = np.round(delta / np.sqrt(1.0 / (yb + alpha) + 1.0 / (ya + alpha)), 9)
    z = np.where(np.isfinite(z), z, 0.0)  # a one-word vocabulary has nothing to contrast
    order_b = sorted(range(len(vocab)), key=lambda i: (-z[i], vocab[i]))
    order_a = sorted(range(len(vocab)), key=lambda i: (z[i], vocab[i]))
    words_b = [vocab[i] for i in order_b if z[i] > Z_MIN and yb[i] >= 2][:limit]
    words_a = [vocab[i] for i in order_a if z[i] < -Z_MIN and ya[i] >= 2][:limit]
    return words_a, words_b


class ThemeCounts:
    """Word counts of one theme's passages, computed once and summed per cell."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.cv = CountVectorizer(stop_words=list(stop_words()), lowercase=True)
        try:
            self.x = self.cv.fit_transform(list(texts)).tocsr()
            self.vocab = self.cv.get_feature_names_out().tolist()
        except ValueError:  # no words
            self.x, self.vocab = None, []
        self.background = (np.asarray(self.x.sum(axis=0)).ravel().astype(float)
                           if self.x is not None else np.zeros(0))

    def counts(self, rows: Sequence[int]) -> np.ndarray:
        if self.x is None or not rows:
            return np.zeros(len(self.vocab))
        return np.asarray(self.x[list(rows)].sum(axis=0)).ravel().astype(float)


def compare_years(year_a: int, year_b: int, texts_a: Sequence[str], texts_b: Sequence[str], *,
                  total_a: int, total_b: int, background: Sequence[str] = (),
                  theme_counts: "ThemeCounts | None" = None, rows_a: Sequence[int] | None = None,
                  rows_b: Sequence[int] | None = None) -> Change:
    """Compare one cell's passages in two years (``total_*``: all segments of that case-year).

    With ``theme_counts`` (and the passages' row numbers in it) the word counts are reused
    instead of re-tokenising the theme's text for every cell."""
    n_a, n_b = len(texts_a), len(texts_b)
    ch = Change(year_a, year_b, n_a, n_b, total_a, total_b, kind="similar")
    if total_a == 0:
        ch.kind = "no_sources_a"
        return ch
    if total_b == 0:
        ch.kind = "no_sources_b"
        return ch
    if n_a == 0 and n_b == 0:
        ch.kind = "none"
        return ch
    if n_a == 0:
        ch.kind = "only_b"
    elif n_b == 0:
        ch.kind = "only_a"
    else:
        ratio = (n_b / total_b) / (n_a / total_a)
        ch.p_value = float(binomtest(n_b, n_a + n_b, total_b / (total_a + total_b)).pvalue)
        if ch.p_value < ALPHA and ratio >= MIN_RATIO:
            ch.kind = "more"
        elif ch.p_value < ALPHA and ratio <= 1 / MIN_RATIO:
            ch.kind = "fewer"
    if theme_counts is not None and rows_a is not None and rows_b is not None:
        ya, yb = theme_counts.counts(rows_a), theme_counts.counts(rows_b)
        ch.words_a, ch.words_b = log_odds_words(ya, yb, theme_counts.background, theme_counts.vocab)
        vocab_index = {w: i for i, w in enumerate(theme_counts.vocab)}
        ch.new_b = [w for w in ch.words_b if ya[vocab_index[w]] == 0]
    else:
        ch.words_a, ch.words_b = distinctive_words(texts_a, texts_b, background)
        if ch.words_b:
            seen = _counts(texts_a, ch.words_b)
            ch.new_b = [w for i, w in enumerate(ch.words_b) if seen[i] == 0]
    return ch
