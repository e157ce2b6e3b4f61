"""The truecasing front-end: spellings from training text, names from the lexicon table, offsets kept."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import spacy
from spacy.strings import get_string_id
from spacy.vectors import Vectors

from qualcode.nlp import entities, load
from qualcode.nlp.lexicon import FEATURES_V2
from qualcode.nlp.train import train_model
from qualcode.nlp.truecase import Truecaser, add_truecase_table, casing_forms, is_uncased

NORNE = Path(__file__).parent / "fixtures" / "norne"
V3 = Path(__file__).parents[2] / "qualcode" / "nlp" / "configs" / "ner_v3.cfg"


def _pipeline(with_table: bool = True):
    """A blank pipeline with a hand-made version-2 lexicon table and a truecasing table."""
    nlp = spacy.blank("nb")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PER", "pattern": [{"ORTH": "Åse"}, {"ORTH": "Brækhus"}]},
                        {"label": "GPE_LOC", "pattern": [{"ORTH": "Tromsø"}]}])
    name, common, both = (np.eye(len(FEATURES_V2), dtype="float32")[i] for i in (0, -1, -1))
    both = both + name
    rows = {"åse": name, "tromsø": np.eye(len(FEATURES_V2), dtype="float32")[4], "mai": both, "bor": common}
    vectors = Vectors(strings=nlp.vocab.strings, data=np.stack(list(rows.values())), name="lex")
    for i, word in enumerate(rows):
        for spelling in (word, word.capitalize()):
            vectors.add(get_string_id(spelling), row=i)
    nlp.vocab.vectors = vectors
    nlp.meta["qualcode"] = {"lexicon": {"features": list(FEATURES_V2)}}
    if with_table:
        add_truecase_table(nlp, casing_forms([["Hun", "møtte", "Brækhus", "og", "NAV", "i", "mai"],
                                              ["I", "går", "."], ["Så", "per", "dag"], ["Per", "kom"]]))
    return nlp


def test_is_uncased() -> None:
    assert is_uncased("åse bor i tromsø.") and is_uncased("ærlig talt")
    assert not is_uncased("åse bor i Tromsø.") and not is_uncased("123 456") and not is_uncased("")


def test_casing_forms_take_the_mid_sentence_spelling() -> None:
    forms = casing_forms([["Hun", "møtte", "Brækhus"], ["Brækhus", "kom"], ["Det", "er", "NAV"], ["Ja", ".", "Nei"]])
    assert forms["brækhus"] == "Brækhus" and forms["nav"] == "NAV" and forms["møtte"] == "møtte"
    assert "hun" not in forms and "det" not in forms  # sentence-initial spellings say nothing
    assert "nei" not in forms  # after a full stop


def test_truecaser_restores_names_and_keeps_ordinary_words() -> None:
    restore = Truecaser(_pipeline())
    assert restore.enabled and restore.common_columns == [len(FEATURES_V2) - 1]
    text = "åse brækhus bor i tromsø, per dag, og nav i mai."
    out = restore(text)
    assert out == "Åse Brækhus bor i Tromsø, per dag, og NAV i mai."
    assert len(out) == len(text) and out.lower() == text
    assert restore("Åse brækhus bor i tromsø.") == "Åse brækhus bor i tromsø."  # cased text: untouched
    assert restore("åse-tromsø") == "Åse-Tromsø"  # hyphenated parts one by one


def test_a_pipeline_without_the_table_is_never_truecased() -> None:
    restore = Truecaser(_pipeline(with_table=False))
    assert not restore.enabled and restore("åse bor i tromsø") == "åse bor i tromsø"


def test_entities_of_uncased_text_are_offsets_into_the_original(tmp_path: Path) -> None:
    _pipeline().to_disk(tmp_path / "p")
    nlp = load(tmp_path / "p")
    text = "i går møtte vi åse brækhus i tromsø."
    found = entities(nlp, [text])[0]
    assert [(text[e["start"]:e["end"]], e["label"]) for e in found] == [("åse brækhus", "PER"), ("tromsø", "GPE_LOC")]
    assert entities(nlp, [text], truecase=False) == [[]]


def test_a_truecase_recipe_ships_the_table_and_scores_with_it(tmp_path: Path) -> None:
    config = tmp_path / "ner_tc.cfg"
    config.write_text(V3.read_text(encoding="utf-8").replace("lexicon = true", "lexicon = true\ntruecase = true"),
                      encoding="utf-8")
    tiny = {"training.max_steps": 4, "training.eval_frequency": 2,
            "components.tok2vec.model.encode.width": 16, "components.tok2vec.model.encode.depth": 1,
            "components.tok2vec.model.embed.rows": [100, 50, 50, 20]}
    meta = train_model(NORNE, tmp_path / "model", work_dir=tmp_path / "work", config_path=config, overrides=tiny)
    assert meta["qualcode"]["truecase"]["forms"] > 0
    assert {"cased", "lower", "lower_truecased"} <= set(meta["qualcode"]["scores"])
    restore = Truecaser(load(tmp_path / "model"))
    assert restore.enabled and restore.name_columns


def test_pipe_keeps_the_longer_entity_of_the_two_readings() -> None:
    from qualcode.nlp.truecase import pipe

    nlp = _pipeline()
    nlp.get_pipe("ner").add_patterns([{"label": "PER", "pattern": [{"LOWER": "kari"}, {"LOWER": "nordmann"}]},
                                      {"label": "PER", "pattern": [{"ORTH": "Kari"}]}])
    add_truecase_table(nlp, {"kari": "Kari", "nordmann": "nordmann"})  # "nordmann" is an ordinary word
    texts = ["jeg møtte kari nordmann og kari.", "Kari Nordmann kom."]
    docs = list(pipe(nlp, texts))
    assert [d.text for d in docs] == texts  # always the text as typed
    assert [(e.text, e.label_) for e in docs[0].ents] == [("kari nordmann", "PER"), ("kari", "PER")]
    assert [e.text for e in docs[1].ents] == ["Kari Nordmann"]
    assert [e.text for e in list(pipe(nlp, texts, truecase=False))[0].ents] == ["kari nordmann"]


def test_an_unknown_word_after_a_restored_first_name_is_a_surname() -> None:
    restore = Truecaser(_pipeline())
    assert restore("vi møtte åse xylander og mai.") == "vi møtte Åse Xylander og mai."
    assert restore("vi møtte åse og xylander.") == "vi møtte Åse og xylander."  # not right after the name
    assert restore("vi møtte åse  xylander.") == "vi møtte Åse  xylander."  # two spaces: not one name
    assert restore("i tromsø xylander.") == "i Tromsø xylander."  # a place is not a first name
    assert restore("åse bor i tromsø") == "Åse bor i Tromsø"  # a known ordinary word stays


def test_the_comparison_knobs_union_and_surname_rule() -> None:
    from qualcode.nlp.truecase import pipe

    nlp = _pipeline()
    nlp.get_pipe("ner").add_patterns([{"label": "PER", "pattern": [{"ORTH": "kari"}, {"ORTH": "nordmann"}]},
                                      {"label": "PER", "pattern": [{"ORTH": "Kari"}]}])
    add_truecase_table(nlp, {"kari": "Kari", "nordmann": "nordmann"})
    doc = next(pipe(nlp, ["jeg møtte kari nordmann."], union=False))
    assert [e.text for e in doc.ents] == ["kari"]  # only the truecased reading
    assert Truecaser(_pipeline(), surname_rule=False)("åse xylander") == "Åse xylander"


def test_the_unknown_word_rule_capitalises_words_no_lexicon_has() -> None:
    nlp = _pipeline()
    text = "vi leste om borten og ruspolitikken i mai, og bjurstrøms tabbe."
    assert Truecaser(nlp)(text) == text  # off unless the meta asks for it
    nlp.meta["qualcode"]["truecase"] = {"unknown_words": "ordbank-compounds"}
    out = Truecaser(nlp)(text)
    # "borten" is neither training text nor Ordbank; "ruspolitikken" is a compound of Ordbank words;
    # "leste" and "tabbe" are Ordbank forms; "om" is too short
    assert out == "vi leste om Borten og ruspolitikken i mai, og Bjurstrøms tabbe."
    assert len(out) == len(text) and out.lower() == text
    assert Truecaser(nlp, unknown_rule=False)(text) == text
    assert Truecaser(nlp)("Vi leste om borten.") == "Vi leste om borten."  # cased text: untouched


def test_a_recipe_asks_for_the_unknown_word_rule_in_the_meta(tmp_path: Path) -> None:
    from qualcode.nlp.truecase import unknown_rule_of

    config = tmp_path / "ner_tc.cfg"
    config.write_text(V3.read_text(encoding="utf-8").replace(
        "lexicon = true", 'lexicon = true\ntruecase = true\ntruecase_unknown_words = "ordbank-compounds"'),
        encoding="utf-8")
    tiny = {"training.max_steps": 2, "training.eval_frequency": 2,
            "components.tok2vec.model.encode.width": 8, "components.tok2vec.model.encode.depth": 1,
            "components.tok2vec.model.embed.rows": [50, 20, 20, 10]}
    meta = train_model(NORNE, tmp_path / "model", work_dir=tmp_path / "work", config_path=config, overrides=tiny)
    assert meta["qualcode"]["truecase"]["unknown_words"] == "ordbank-compounds"
    assert unknown_rule_of(load(tmp_path / "model")) and Truecaser(load(tmp_path / "model")).unknown_rule


def test_the_endings_variant_reads_name_like_compounds_as_names() -> None:
    import pytest

    from qualcode.errors import ModelError

    nlp = _pipeline()
    text = "vi møtte storhaug om asylpolitikk."
    assert Truecaser(nlp, unknown_rule=True)(text) == text  # "stor" + "haug": a compound
    assert Truecaser(nlp, unknown_rule="ordbank-compounds-endings")(text) == "vi møtte Storhaug om asylpolitikk."
    nlp.meta["qualcode"]["truecase"] = {"unknown_words": "ordbank-compounds-endings"}
    assert Truecaser(nlp).unknown_rule == "ordbank-compounds-endings"
    with pytest.raises(ModelError, match="unknown truecasing rule"):
        Truecaser(nlp, unknown_rule="guess")


def test_the_first_name_rule_capitalises_a_first_name_before_a_restored_name() -> None:
    from qualcode.nlp.truecase import first_names_rule_of

    nlp = _pipeline()
    nlp.meta["qualcode"]["truecase"] = {"unknown_words": "ordbank-compounds"}
    text = "vi møtte mai borten i tromsø."  # "mai" is a first name and a month; the training text has "i mai"
    assert Truecaser(nlp)(text) == "vi møtte mai Borten i Tromsø."  # off unless the meta asks for it
    assert not first_names_rule_of(nlp)
    nlp.meta["qualcode"]["truecase"]["first_names_before_names"] = True
    assert first_names_rule_of(nlp) and Truecaser(nlp).first_names
    assert Truecaser(nlp)(text) == "vi møtte Mai Borten i Tromsø."
    assert Truecaser(nlp)("mai mai borten.") == "Mai Mai Borten."  # right to left: a run of first names
    assert Truecaser(nlp)("bor tromsø, mai  borten.") == "bor Tromsø, mai  Borten."  # not a first name; two spaces
    assert Truecaser(nlp)("i mai og i tromsø.") == "i mai og i Tromsø."  # no name follows
    assert Truecaser(nlp, first_names=False)(text) == "vi møtte mai Borten i Tromsø."
    assert Truecaser(nlp)("Vi møtte mai Borten.") == "Vi møtte mai Borten."  # cased text: untouched


def test_a_recipe_turns_the_first_name_rule_on_in_the_meta(tmp_path: Path) -> None:
    import pytest

    from qualcode.errors import ModelError
    from qualcode.nlp.train import _with_truecase_rules

    config = tmp_path / "ner_fn.cfg"
    config.write_text(V3.read_text(encoding="utf-8").replace(
        "lexicon = true", "lexicon = true\ntruecase = true\ntruecase_first_names_before_names = true"),
        encoding="utf-8")
    assert _with_truecase_rules({"forms": 3, "first_names_before_names": False}, config) == {
        "forms": 3, "first_names_before_names": True}
    assert _with_truecase_rules({"forms": 3, "first_names_before_names": True}, V3) == {"forms": 3}
    config.write_text(config.read_text(encoding="utf-8").replace("names = true", 'names = "yes"'), encoding="utf-8")
    with pytest.raises(ModelError, match="must be true or false"):
        _with_truecase_rules({}, config)
