"""Ranking: centrality equals the pairwise mean cosine; selection ignores row order; excerpts are substrings."""
from __future__ import annotations

import random

import numpy as np

from qualcode.aggregate.ranking import centrality, excerpt, make_vectorizer, mmr_select, strip_speaker, vectors

TEXTS = [
    "Vi informerer pasientene om forløpet i første samtale.",
    "Pasientene får informasjon om forløpet i første samtale med behandler.",
    "Brosjyrene ligger på venterommet, men få leser dem.",
    "Forløpskoordinatoren ringer før første time.",
    "Vi informerer pasientene om forløpet i første samtale.",
]


def test_centrality_is_mean_pairwise_cosine():
    vec = make_vectorizer(TEXTS)
    x = vectors(vec, TEXTS)
    dense = (x @ x.T).toarray()
    expected = (dense.sum(axis=1) - np.diag(dense)) / (len(TEXTS) - 1)
    assert np.allclose(centrality(x), expected)


def test_selection_does_not_depend_on_row_order():
    vec = make_vectorizer(TEXTS)
    keys = [("S", i) for i in range(len(TEXTS))]

    def pick(order):
        texts = [TEXTS[i] for i in order]
        sel = mmr_select(vectors(vec, texts), [keys[i] for i in order], 3, 0.7)
        return [keys[order[i]] for i, _ in sel]

    first = pick(list(range(len(TEXTS))))
    for seed in range(5):
        order = list(range(len(TEXTS)))
        random.Random(seed).shuffle(order)
        assert pick(order) == first
    # the exact duplicates (rows 0 and 4) are never both chosen with the diversity penalty
    assert not {("S", 0), ("S", 4)} <= set(first)


def test_excerpt_is_a_substring_and_keeps_whole_sentences():
    text = "Informant 1: " + " ".join(TEXTS)
    vec = make_vectorizer(TEXTS)
    a, b = excerpt(text, "Informant 1", max_words=12, vec=vec, centroid=np.asarray(vectors(vec, TEXTS).mean(axis=0)))
    quote = text[a:b]
    assert quote in text and len(quote.split()) <= 12 and quote.endswith(".")
    assert a >= strip_speaker(text, "Informant 1") == len("Informant 1: ")
    whole = excerpt("Bruker: Kort svar.", "Bruker", max_words=50, vec=None, centroid=None)
    assert "Bruker: Kort svar."[whole[0]:whole[1]] == "Kort svar."
