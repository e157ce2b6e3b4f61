"""Which pipes entity recognition runs: entity pipes and what they listen to, whatever their names."""
from __future__ import annotations

import spacy

from qualcode.nlp import load
from qualcode.nlp.entities import pipes_ner_does_not_need

LISTENING_NER = {"model": {
    "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
    "hidden_width": 8, "maxout_pieces": 2, "use_upper": True,
    "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}}}


def test_entity_pipes_and_their_embedding_are_kept_under_any_name() -> None:
    nlp = spacy.blank("nb")
    nlp.add_pipe("tok2vec", name="embed")
    nlp.add_pipe("ner", name="names", config=LISTENING_NER).add_label("PER")
    nlp.add_pipe("entity_ruler", name="ner_rules")
    nlp.add_pipe("sentencizer")
    nlp.initialize()
    assert nlp.get_pipe("embed").listening_components == ["names"]
    assert pipes_ner_does_not_need(nlp) == ["sentencizer"]


def test_an_embedding_nobody_listens_to_is_disabled() -> None:
    nlp = spacy.blank("nb")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("entity_ruler", name="ner")
    nlp.initialize()
    assert pipes_ner_does_not_need(nlp) == ["tok2vec"]


def test_the_shipped_model_runs_all_its_enabled_pipes() -> None:
    assert pipes_ner_does_not_need(load()) == []
