"""Case-free lexical features for the NER model (recipe v3): a small static-vector table.

Every row belongs to a lower-cased word and holds hand-made features, not learned embeddings:
membership in the name and place lists of :mod:`qualcode.lexicons` and how the word is written
in a casing corpus (the NorNE training sentences): seen or not, the share of its mid-sentence
occurrences that are capitalised, and its frequency. Every word is stored under its lower-case,
capitalised, title-case and upper-case spellings with the same row, so a name written in lower
case by a transcriber gets the same features as the capitalised name: that is what lets the
model find lower-cased names whose shape no longer gives them away. (spaCy can key a table on
``LOWER``, but does not save that setting for ordinary vector tables, so the spellings are
stored explicitly.)

The table is built at training time (``build_lexicon_vectors``) and stored inside the trained
pipeline (``vocab/vectors``), so loading the shipped model needs none of the lists.
"""
from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

#: Names of the feature columns, in table order (also written to the model's meta).
FEATURES: tuple[str, ...] = (
    "first_name_no", "first_name", "surname", "name_any_locale", "municipality", "country", "place_extra",
    "institution_word", "in_corpus", "capitalised_share", "log_frequency", "sentence_start_only",
)

_IN_CORPUS = FEATURES.index("in_corpus")


def _lower_parts(names: Iterable[str]) -> set[str]:
    """Lower-cased capitalised parts of (multi-word) names: "Bosnia og Hercegovina" → bosnia, hercegovina."""
    return {p.lower() for n in names for p in n.replace("-", " ").split() if p[:1].isupper()}


def casing_counts(sentences: Iterable[Sequence[str]]) -> tuple[Counter, Counter, Counter]:
    """(all, capitalised mid-sentence, mid-sentence) counts per lower-cased word."""
    total: Counter = Counter()
    cap: Counter = Counter()
    mid: Counter = Counter()
    for words in sentences:
        first = True
        for w in words:
            if not any(c.isalpha() for c in w):
                continue
            low = w.lower()
            total[low] += 1
            if not first:
                mid[low] += 1
                if w[:1].isupper():
                    cap[low] += 1
            first = False
    return total, cap, mid


def lexicon_table(sentences: Iterable[Sequence[str]]) -> tuple[list[str], np.ndarray]:
    """Keys (lower-cased words) and a float32 feature matrix with columns :data:`FEATURES`."""
    from .. import lexicons

    lists = [
        _lower_parts(lexicons.norwegian_first_names()),
        _lower_parts(lexicons.first_names()),
        _lower_parts(lexicons.surnames()),
        {n for n in _lower_parts(lexicons.names_any_locale()) if len(n) >= 3},
        _lower_parts(lexicons.municipalities()),
        _lower_parts(lexicons.countries()),
        _lower_parts(lexicons.extra_places()),
        _lower_parts(lexicons.health_institutions()),
    ]
    total, cap, mid = casing_counts(sentences)
    keys = sorted(set(total) | set().union(*lists))
    table = np.zeros((len(keys), len(FEATURES)), dtype="float32")
    log_max = math.log1p(max(total.values(), default=1))
    for i, key in enumerate(keys):
        for j, members in enumerate(lists):
            if key in members:
                table[i, j] = 1.0
        n = total.get(key, 0)
        if n:
            m = mid.get(key, 0)
            table[i, _IN_CORPUS] = 1.0
            table[i, _IN_CORPUS + 1] = cap.get(key, 0) / m if m else 0.5
            table[i, _IN_CORPUS + 2] = math.log1p(n) / log_max
            table[i, _IN_CORPUS + 3] = 1.0 if m == 0 else 0.0
    return keys, table


def build_lexicon_vectors(sentences: Iterable[Sequence[str]], out_dir: Path | str, *, lang: str = "nb") -> dict:
    """Write a blank pipeline whose vectors are the lexicon table (for ``[initialize] vectors``)."""
    import spacy
    from spacy.strings import get_string_id
    from spacy.vectors import Vectors

    keys, table = lexicon_table(sentences)
    nlp = spacy.blank(lang)
    vectors = Vectors(strings=nlp.vocab.strings, data=table, name="qualcode_lexicon")
    n_keys = 0
    for row, key in enumerate(keys):
        for spelling in spellings(key):
            vectors.add(get_string_id(spelling), row=row)  # hash only: the strings are not needed
            n_keys += 1
    nlp.vocab.vectors = vectors
    out = Path(out_dir)
    nlp.to_disk(out)
    return {"rows": len(keys), "keys": n_keys, "features": list(FEATURES), "path": str(out)}


def spellings(word: str) -> list[str]:
    """The spellings a lower-cased word is stored under: lower, Capitalised, Title-Case, UPPER."""
    return list(dict.fromkeys([word, word[:1].upper() + word[1:], word.title(), word.upper()]))


def token_features(doc) -> np.ndarray:
    """The lexicon rows the model sees for each token of ``doc`` (zeros for unknown words).

    Looks the tokens up the way spaCy's ``StaticVectors`` layer does (by the table's key
    attribute, ``ORTH``: a spelling outside :func:`spellings`, such as "mcDonald", has no row).
    """
    vectors = doc.vocab.vectors
    rows = vectors.find(keys=doc.to_array(vectors.attr))
    out = np.zeros((len(doc), vectors.shape[1]), dtype="float32")
    known = rows >= 0
    out[known] = vectors.data[rows[known]]
    return out
