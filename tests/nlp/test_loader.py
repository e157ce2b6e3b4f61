"""load(): shipped model, paths, package names, caching and clear errors; entities() offsets."""
from __future__ import annotations

from pathlib import Path

import pytest
import qualcode.nlp as qnlp
from qualcode.errors import ModelError
from qualcode.nlp import LABELS, choose_model, entities, load, shipped_model_path


def test_shipped_model_loads_with_norne_labels() -> None:
    nlp = load()
    assert "ner" in nlp.pipe_names
    assert set(LABELS) - {"MISC"} <= set(nlp.get_pipe("ner").labels)
    meta = nlp.meta["qualcode"]
    assert meta["recipe_version"] and meta["scores"]["cased"]["micro"]["f"] > 0
    assert load(None) is nlp  # cached


def test_shipped_model_has_the_case_free_companion_and_a_compact_vocab() -> None:
    from qualcode.nlp.uncased import UNCASED_PIPE, companion

    nlp = load()
    assert companion(nlp) is not None and UNCASED_PIPE not in nlp.pipe_names  # never run by nlp.pipe
    assert set(LABELS) - {"MISC"} <= set(companion(nlp).labels)
    meta = nlp.meta["qualcode"]
    assert meta["uncased_companion"]["recipe_version"] and meta["lexicon"]["rows_stored"] == nlp.vocab.vectors.shape[0]
    assert meta["size_bytes"] <= 15_000_000


def test_shipped_model_finds_a_person_cased_and_lower() -> None:
    nlp = load()
    for text, name in [("Jeg snakket med Kari Nordmann i går.", "Kari Nordmann"),
                       ("jeg snakket med kari nordmann i går.", "kari nordmann")]:
        found = [(text[e["start"]:e["end"]], e["label"]) for e in entities(nlp, [text])[0]]
        assert (name, "PER") in found, found


def test_path_and_cache(tmp_path: Path, ruler_pipeline) -> None:
    path = ruler_pipeline(tmp_path / "ruler")
    nlp = load(str(path))
    assert nlp.pipe_names == ["ner"]
    assert load(path) is nlp


def test_entities_offsets_on_aeoeaa_text(tmp_path: Path, ruler_pipeline) -> None:
    nlp = load(ruler_pipeline(tmp_path / "ruler"))
    texts = ["Ærlig talt: Jørgen Læstad flyttet fra Bærum til Tromsø.", "Ingen navn her, bare øl.", ""]
    result = entities(nlp, texts, batch_size=2)
    assert len(result) == 3
    assert [(texts[0][e["start"]:e["end"]], e["label"], e["source"]) for e in result[0]] == [
        ("Jørgen Læstad", "PER", "ner"), ("Bærum", "GPE_LOC", "ner"), ("Tromsø", "GPE_LOC", "ner")]
    assert result[0][0]["start"] == texts[0].index("Jørgen")
    assert result[1] == [] and result[2] == []


def test_missing_path_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        load(str(tmp_path / "no-such-model"))
    assert "qualcode model train" in str(err.value) and "--model" in str(err.value)


def test_folder_without_config(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a spaCy pipeline folder"):
        load(tmp_path)


def test_broken_model(tmp_path: Path, ruler_pipeline) -> None:
    path = ruler_pipeline(tmp_path / "broken")
    (path / "config.cfg").write_text("[nlp]\nlang = \"xx-nonsense\"\n[components\n", encoding="utf-8")
    with pytest.raises(ModelError, match="cannot load NLP model"):
        load(path)


def test_missing_shipped_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("qualcode.nlp.loader.MODELS_DIR", tmp_path)
    with pytest.raises(ModelError, match="shipped NLP model is missing"):
        load()
    assert shipped_model_path() == tmp_path / qnlp.SHIPPED_NAME


def test_choose_model_precedence() -> None:
    assert choose_model(None, None) is None
    assert choose_model(None, "nb_core_news_lg") == "nb_core_news_lg"
    assert choose_model("/models/x", "nb_core_news_lg") == "/models/x"
