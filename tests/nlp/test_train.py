"""The training recipe end to end on the fictional sample (a few steps of a tiny network)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from qualcode.errors import ModelError
from qualcode.nlp import load
from qualcode.nlp.train import CONFIG_PATH, check_out_dir, finalize_model, recipe_version, train_model

NORNE = Path(__file__).parent / "fixtures" / "norne"
TINY = {
    "training.max_steps": 6, "training.eval_frequency": 3,
    "components.tok2vec.model.encode.width": 16, "components.tok2vec.model.encode.depth": 1,
    "components.tok2vec.model.embed.rows": [100, 50, 50, 20],
}


def test_train_writes_a_loadable_model_with_provenance(tmp_path: Path) -> None:
    meta = train_model(NORNE, tmp_path / "model", work_dir=tmp_path / "work", overrides=TINY)
    q = meta["qualcode"]
    assert q["recipe_version"] == recipe_version(CONFIG_PATH) != "unversioned"
    assert q["data"]["split"]["train_sentences"] == 3
    assert set(q["scores"]) >= {"cased", "lower"} and q["scores"]["cased"]["entities"] == 3
    on_disk = json.loads((tmp_path / "model" / "meta.json").read_text(encoding="utf-8"))
    assert on_disk["qualcode"] == json.loads(json.dumps(q))
    nlp = load(tmp_path / "model")
    assert nlp.pipe_names[0] == "tok2vec" and "ner" in nlp.pipe_names and "PER" in nlp.get_pipe("ner").labels


def test_finalize_refuses_an_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no trained pipeline"):
        finalize_model(tmp_path, tmp_path / "out", norne_dir=NORNE, split={})


def test_training_refuses_an_output_folder_it_would_wrongly_delete(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ModelError, match="not a spaCy pipeline folder"):  # before any training
        train_model(NORNE, project, work_dir=tmp_path / "work", overrides=TINY)
    assert (project / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not (tmp_path / "work").exists()
    with pytest.raises(ModelError, match="holds"):  # --out is the work folder or holds it
        train_model(NORNE, tmp_path, work_dir=tmp_path / "work", overrides=TINY)
    with pytest.raises(ModelError, match="holds"):
        check_out_dir(tmp_path / "work" / "run", tmp_path / "work" / "run" / "model-last")
    check_out_dir(tmp_path / "new")  # a new folder is fine, and so is an empty one
    (project / "empty").mkdir()
    check_out_dir(project / "empty")


def test_recipe_version_of_a_broken_config(tmp_path: Path) -> None:
    bad = tmp_path / "bad.cfg"
    bad.write_text("[nlp\nlang = nb\n", encoding="utf-8")
    with pytest.raises(ModelError, match="not a valid spaCy config"):
        recipe_version(bad)


def test_a_recipe_with_a_companion_ships_it_compact(tmp_path: Path) -> None:
    from qualcode.nlp.uncased import UNCASED_PIPE

    configs = Path(__file__).parents[2] / "qualcode" / "nlp" / "configs"
    main = (configs / "ner_v3e.cfg").read_text(encoding="utf-8")
    assert "lexicon = true" in main
    (tmp_path / "main.cfg").write_text(
        main.replace("lexicon = true", 'lexicon = true\ncompact = true\ncompanion = "uncased.cfg"'), encoding="utf-8")
    (tmp_path / "uncased.cfg").write_text((configs / "ner_v7x.cfg").read_text(encoding="utf-8"), encoding="utf-8")
    meta = train_model(NORNE, tmp_path / "model", work_dir=tmp_path / "work", config_path=tmp_path / "main.cfg",
                       overrides=TINY)
    q = meta["qualcode"]
    assert q["uncased_companion"]["recipe"] == "uncased.cfg" and q["uncased_companion"]["recipe_version"] == "7x"
    assert "lower_truecased" in q["scores"] and "companion" in meta["description"]
    nlp = load(tmp_path / "model")
    assert UNCASED_PIPE in nlp.component_names and UNCASED_PIPE not in nlp.pipe_names
    assert nlp.vocab.vectors.shape[0] < 100 < q["lexicon"]["rows"]  # each distinct row stored once
    strings = json.loads((tmp_path / "model" / "vocab" / "strings.json").read_text(encoding="utf-8"))
    assert "PER" in strings and len(strings) < 20


def test_a_train_on_dev_recipe_trains_on_dev_and_keeps_the_last_model(tmp_path: Path) -> None:
    configs = Path(__file__).parents[2] / "qualcode" / "nlp" / "configs"
    recipe = (configs / "ner_v11.cfg").read_text(encoding="utf-8")
    assert "train_on_dev = true" in recipe and "patience = 0" in recipe
    (tmp_path / "v11.cfg").write_text(recipe.replace("lexicon = 3", "lexicon = true"), encoding="utf-8")
    meta = train_model(NORNE, tmp_path / "model", work_dir=tmp_path / "work", config_path=tmp_path / "v11.cfg",
                       overrides=TINY, evaluate=False)
    q = meta["qualcode"]
    assert "plus UD dev" in q["data"]["train"]
    run = tmp_path / "work" / "run"
    trained_on = (run / "model-last" / "config.cfg").read_text(encoding="utf-8")
    assert "train_dev.spacy" in trained_on  # the corpus spaCy read: train + dev
    assert (tmp_path / "model" / "tok2vec" / "model").read_bytes() == (run / "model-last" / "tok2vec" / "model").read_bytes()


def test_rewrite_meta_keeps_the_weights_and_follows_the_recipe(tmp_path: Path) -> None:
    from qualcode.nlp.train import MODEL_VERSION, rewrite_meta

    without = tmp_path / "without.cfg"
    without.write_text(CONFIG_PATH.read_text(encoding="utf-8").replace(
        'truecase_unknown_words = "ordbank-compounds"\n', "").replace('companion = "ner_v10u2.cfg"\n', ""),
        encoding="utf-8")
    train_model(NORNE, tmp_path / "model", work_dir=tmp_path / "work", config_path=without, overrides=TINY)
    before = json.loads((tmp_path / "model" / "meta.json").read_text(encoding="utf-8"))["qualcode"]
    assert "unknown_words" not in before["truecase"]
    weights = (tmp_path / "model" / "ner" / "model").read_bytes()
    meta = rewrite_meta(tmp_path / "model", norne_dir=NORNE, config_path=CONFIG_PATH)
    q = meta["qualcode"]
    assert meta["version"] == MODEL_VERSION and q["recipe_version"] == recipe_version(CONFIG_PATH)
    assert q["truecase"] == {**before["truecase"], "unknown_words": "ordbank-compounds"}
    assert q["training_seconds"] == before["training_seconds"] and q["lexicon"] == before["lexicon"]
    assert {"cased", "lower", "lower_truecased"} <= set(q["scores"])
    assert (tmp_path / "model" / "ner" / "model").read_bytes() == weights
    assert load(tmp_path / "model").meta["qualcode"]["truecase"]["unknown_words"] == "ordbank-compounds"
