"""Lexical features of recipe v3: the table's columns and a trained pipeline that carries it."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import spacy

from qualcode.nlp.lexicon import FEATURES, build_lexicon_vectors, lexicon_table, spellings, token_features
from qualcode.nlp.train import train_model

NORNE = Path(__file__).parent / "fixtures" / "norne"
V3 = Path(__file__).parents[2] / "qualcode" / "nlp" / "configs" / "ner_v3.cfg"
COL = {name: i for i, name in enumerate(FEATURES)}


def test_table_is_keyed_on_lower_case_and_marks_names_and_places() -> None:
    keys, table = lexicon_table()
    assert keys == sorted(keys) and all(k == k.lower() for k in keys)
    row = dict(zip(keys, table))
    assert row["tromsø"][COL["municipality"]] == 1.0 and row["tromsø"][COL["first_name"]] == 0.0
    assert row["solveig"][COL["first_name_no"]] == 1.0
    assert row["bosnia"][COL["country"]] == 1.0
    assert table.dtype == np.float32 and table.shape == (len(keys), len(FEATURES))
    assert set(np.unique(table)) <= {0.0, 1.0} and table.any(axis=1).all()


def test_small_words_inside_multi_word_names_are_not_list_members() -> None:
    keys, _ = lexicon_table()
    assert not {"og", "i", "la"} & set(keys)  # "Bosnia og Hercegovina", "de la Cruz"


def test_spellings_cover_the_usual_casings() -> None:
    assert spellings("mo-i-rana") == ["mo-i-rana", "Mo-i-rana", "Mo-I-Rana", "MO-I-RANA"]
    assert spellings("x") == ["x", "X"]


def test_vectors_are_case_free(tmp_path: Path) -> None:
    info = build_lexicon_vectors(tmp_path / "lex")
    nlp = spacy.load(tmp_path / "lex")
    rows = token_features(nlp("TROMSØ tromsø Tromsø"))
    assert info["rows"] == nlp.vocab.vectors.shape[0] and info["keys"] > info["rows"]
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


def test_common_words_are_lower_case_ordinary_words_not_names() -> None:
    from qualcode.lexicons import COMMON_WORD_MAX_LENGTH, common_words

    words = common_words()
    assert {"sykehus", "jobber", "og", "på", "bjørn", "mai"} <= words  # "bjørn" is also an animal
    assert not {"kari", "oslo", "hansen", "tromsø"} & words  # Ordbank's capitalised proper nouns are left out
    assert all(w.isalpha() and w == w.lower() and len(w) <= COMMON_WORD_MAX_LENGTH for w in words)


def test_table_version_2_adds_the_common_word_column_with_shared_rows(tmp_path: Path) -> None:
    from qualcode.errors import ModelError
    from qualcode.nlp.lexicon import FEATURES_V2, features

    assert features(1) == FEATURES and features(2) == FEATURES_V2 == FEATURES + ("common_word",)
    info = build_lexicon_vectors(tmp_path / "lex2", version=2)
    nlp = spacy.load(tmp_path / "lex2")
    assert info["rows"] == nlp.vocab.vectors.shape[0] < 512 < info["words"]  # distinct 0/1 rows only
    common = FEATURES_V2.index("common_word")
    rows = {t.text: r for t, r in zip(*(lambda d: (d, token_features(d)))(nlp("Kari jobber BJØRN bjørn JOBBER")))}
    assert rows["jobber"][common] == 1.0 and not rows["jobber"][:common].any()
    assert rows["Kari"][FEATURES_V2.index("first_name_no")] == 1.0 and rows["Kari"][common] == 0.0
    assert np.array_equal(rows["BJØRN"], rows["bjørn"]) and rows["bjørn"][common] == 1.0  # a name: all spellings
    assert not rows["JOBBER"].any()  # an ordinary word only: lower and Capitalised spellings
    import pytest

    with pytest.raises(ModelError, match="unknown lexicon table version"):
        features(4)



def test_table_digest_changes_with_any_word_or_feature() -> None:
    from qualcode.nlp.lexicon import table_digest

    keys, table = ["kari", "tromsø"], np.eye(2, 8, dtype="float32")
    base = table_digest(keys, table)
    assert base == table_digest(list(keys), table.copy())
    assert table_digest(["kari", "tromso"], table) != base
    flipped = table.copy()
    flipped[1, 5] = 1.0
    assert table_digest(keys, flipped) != base


def test_training_tells_whether_the_lists_are_the_shipped_models() -> None:
    from qualcode.nlp.train import _same_lists_as_shipped

    from qualcode.nlp import load

    shipped = load().meta["qualcode"]["lexicon"]
    info = {"version": shipped["version"], "sha256": shipped["sha256"]}
    assert _same_lists_as_shipped(info) is True
    assert _same_lists_as_shipped({**info, "sha256": "0" * 64}) is False
    other = 2 if shipped["version"] != 2 else 1
    assert _same_lists_as_shipped({**info, "version": other}) is None  # another table version: cannot tell


def test_table_version_3_adds_world_places_and_genitives(monkeypatch) -> None:
    import qualcode.lexicons as lexicons
    from qualcode.nlp.lexicon import FEATURES_V3

    monkeypatch.setattr(lexicons, "world_places", lambda: frozenset({"Bamako", "Elnesvågen", "Tromsø"}))
    keys, table = lexicon_table(3)
    row = dict(zip(keys, table))
    col = {name: i for i, name in enumerate(FEATURES_V3)}
    assert table.shape == (len(keys), len(FEATURES_V3)) and keys == sorted(keys)
    assert row["bamako"][col["place_world"]] == 1.0 and row["tromsø"][col["municipality"]] == 1.0
    assert (row["bamakos"] == row["bamako"]).all() and (row["tromsøs"] == row["tromsø"]).all()  # genitives
    assert (row["solveigs"] == row["solveig"]).all()
    assert "bamakoss" not in keys  # no genitive after a final s
    assert spellings("tromsø", 3) == ["tromsø", "Tromsø"] and "TROMSØ" in spellings("tromsø")


def test_save_compact_stores_each_row_once_and_keeps_predictions(tmp_path: Path) -> None:
    import json

    from qualcode.nlp.lexicon import save_compact
    from spacy.strings import get_string_id
    from spacy.vectors import Vectors

    nlp = spacy.blank("nb")
    nlp.add_pipe("entity_ruler", name="ner").add_patterns([{"label": "PER", "pattern": "Åse"}])
    data = np.array([[1, 0], [1, 0], [0, 1]], dtype="float32")
    vectors = Vectors(strings=nlp.vocab.strings, data=data, name="lex")
    for i, word in enumerate(["åse", "kari", "oslo"]):
        vectors.add(get_string_id(word), row=i)
    nlp.vocab.vectors = vectors
    nlp("Åse og Kari bor i Oslo, sa hun.")  # fills the string store
    save_compact(nlp, tmp_path / "p")
    back = spacy.load(tmp_path / "p")
    assert back.vocab.vectors.shape == (2, 2)
    for word in ("åse", "kari", "oslo"):
        assert (back.vocab.vectors[get_string_id(word)] == nlp.vocab.vectors[get_string_id(word)]).all()
    assert json.loads((tmp_path / "p" / "vocab" / "strings.json").read_text(encoding="utf-8")) == ["PER"]
    assert [(e.text, e.label_) for e in back("Åse og Kari bor i Oslo.").ents] == [("Åse", "PER")]


def test_genitives_skip_final_s_ordinary_words_and_own_words() -> None:
    from qualcode.nlp.lexicon import FEATURES_V3, _with_genitives

    person = np.zeros(len(FEATURES_V3), dtype="float32")
    person[FEATURES_V3.index("first_name")] = 1.0
    other = np.zeros(len(FEATURES_V3), dtype="float32")
    other[FEATURES_V3.index("institution_word")] = 1.0
    keys, table = _with_genitives(["han", "kari", "klinikk", "lars", "ola", "olas"],
                                  np.stack([person, person, other, person, person, other]), {"hans"})
    assert keys == sorted(keys)
    assert set(keys) == {"han", "kari", "karis", "klinikk", "lars", "ola", "olas"}
    row = dict(zip(keys, table))
    assert (row["karis"] == person).all() and (row["olas"] == other).all()  # an own word keeps its row
