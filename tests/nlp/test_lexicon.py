"""Lexical features of recipe v3: the table's columns and a trained pipeline that carries it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import spacy

from qualcode.nlp.lexicon import FEATURES, build_lexicon_vectors, casing_counts, lexicon_table, token_features
from qualcode.nlp.train import train_model

NORNE = Path(__file__).parent / "fixtures" / "norne"
V3 = Path(__file__).parents[2] / "qualcode" / "nlp" / "configs" / "ner_v3.cfg"
COL = {name: i for i, name in enumerate(FEATURES)}

SENTENCES = [
    ["Hun", "flyttet", "til", "Tromsø", "i", "fjor", "."],
    ["Tromsø", "er", "kaldt", ",", "sa", "hun", "."],
    ["Vi", "dro", "til", "tromsø", "med", "Solveig", "."],
]


def test_casing_counts_skip_the_sentence_start_and_punctuation() -> None:
    total, cap, mid = casing_counts(SENTENCES)
    assert total["tromsø"] == 3 and mid["tromsø"] == 2 and cap["tromsø"] == 1
    assert total["hun"] == 2 and mid["hun"] == 1 and cap["hun"] == 0
    assert "." not in total and "," not in total


def test_table_is_keyed_on_lower_case_and_marks_names_and_places() -> None:
    keys, table = lexicon_table(SENTENCES)
    assert keys == sorted(keys) and all(k == k.lower() for k in keys)
    row = dict(zip(keys, table))
    assert row["tromsø"][COL["municipality"]] == 1.0
    assert row["tromsø"][COL["capitalised_share"]] == 0.5
    assert row["solveig"][COL["first_name_no"]] == 1.0 and row["solveig"][COL["in_corpus"]] == 1.0
    assert row["hun"][COL["capitalised_share"]] == 0.0 and row["hun"][COL["municipality"]] == 0.0
    assert row["vi"][COL["sentence_start_only"]] == 1.0
    # words only in the lists are in the table, with no corpus features
    assert row["bergen"][COL["in_corpus"]] == 0.0 and row["bergen"][COL["municipality"]] == 1.0
    assert table.dtype == np.float32 and table.shape == (len(keys), len(FEATURES))


def test_vectors_are_case_free(tmp_path: Path) -> None:
    info = build_lexicon_vectors(SENTENCES, tmp_path / "lex")
    nlp = spacy.load(tmp_path / "lex")
    doc = nlp("TROMSØ tromsø Tromsø")
    assert info["rows"] == nlp.vocab.vectors.shape[0]
    rows = token_features(doc)
    assert np.array_equal(rows[0], rows[1]) and np.array_equal(rows[1], rows[2])
    assert rows[0][COL["municipality"]] == 1.0
    assert not token_features(nlp("Xqzv"))[0].any()


def test_a_lexicon_recipe_trains_and_ships_its_table(tmp_path: Path) -> None:
    tiny = {"training.max_steps": 4, "training.eval_frequency": 2,
            "components.tok2vec.model.encode.width": 16, "components.tok2vec.model.encode.depth": 1,
            "components.tok2vec.model.embed.rows": [100, 50, 50, 20]}
    meta = train_model(NORNE, tmp_path / "model", work_dir=tmp_path / "work", config_path=V3, overrides=tiny)
    assert meta["qualcode"]["lexicon"]["features"] == list(FEATURES)
    nlp = spacy.load(tmp_path / "model")
    assert nlp.vocab.vectors.shape == (meta["qualcode"]["lexicon"]["rows"], len(FEATURES))
    assert token_features(nlp("SOLVEIG bor i Bergen."))[0][COL["first_name_no"]] == 1.0


def test_small_words_inside_multi_word_names_are_not_list_members() -> None:
    keys, table = lexicon_table([["Vi", "bor", "i", "Bosnia", "og", "her", "."]])
    row = dict(zip(keys, table))
    assert row["bosnia"][COL["country"]] == 1.0
    assert not row["og"][:COL["in_corpus"]].any() and not row["i"][:COL["in_corpus"]].any()
