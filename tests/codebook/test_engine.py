"""Rule engine: each rule type, compound matching, context windows, vetoes, scores, evidence."""
from __future__ import annotations

import pytest
import spacy

from qualcode.codebook.engine import RuleEngine, StemIndex


@pytest.fixture
def engine(mini):
    return RuleEngine(mini)


@pytest.mark.parametrize(
    ("stem", "mode", "word", "hit"),
    [
        ("behandlingsplan", "part", "behandlingsplanen", True),
        ("evalueringspunkt", "part", "evalueringspunktene", True),
        ("feedback", "prefix", "feedbackverktøyet", True),
        ("feedback", "prefix", "brukerfeedback", False),
        ("utskrivning", "word", "utskrivningen", True),
        ("utskrivning", "word", "utskrivningsklar", False),
        ("plan", "head", "behandlingsplanene", True),
        ("plan", "head", "planlegge", False),
        ("kor", "exact", "kor", True),
        ("kor", "exact", "kort", False),
        ("kor", "word", "kort", True),  # why abbreviations need exact mode
    ],
)
def test_compound_modes(stem, mode, word, hit):
    idx = StemIndex()
    idx.add(stem, mode, ("rule", 0))
    assert bool(idx.lookup(word)) is hit


def test_except_terms():
    idx = StemIndex()
    idx.add("evaluer", "part", ("rule", 0), ("devaluer",))
    assert idx.lookup("evalueringen") and not idx.lookup("devaluering")


def test_terms_rule_compounds_and_evidence(engine):
    r = engine.code("Behandlingsplanen ble laget, og evalueringspunktene kom etterpå.")
    assert r.codes == ["plan", "evaluering"]
    assert r.evidence["plan"] == {"plan-stem": ["behandlingsplanen"]}
    assert r.evidence["evaluering"] == {"ev-stem": ["evalueringspunktene"]}
    assert r.words("plan") == ["behandlingsplanen"]
    assert r.evidence_record("plan") == {"score": 1.0, "rules": {"plan-stem": ["behandlingsplanen"]}}


def test_exact_rule(engine):
    assert engine.code("Vi bruker FIT hver uke.").codes == ["evaluering"]
    assert engine.code("Det var en fitness-time.").codes == []


def test_phrase_rule(engine):
    r = engine.code("Hun ble skrevet ut i går.")
    assert r.codes == ["utskrivning"]
    assert r.evidence["utskrivning"] == {"ut-phrase": ["skrevet ut"]}


def test_matcher_rule(engine):
    r = engine.code("De avsluttet behandlingen brått.")
    assert r.evidence["utskrivning"] == {"ut-matcher": ["avsluttet behandlingen"]}


def test_regex_negative_rule_vetoes(engine):
    r = engine.code("I evalueringen av reformen ble det sagt lite.")
    assert "evaluering" not in r.codes
    assert r.vetoed == {"evaluering": ["ev-report"]}


def test_threshold_and_weights(engine):
    # one weak head hit (0.5) stays below the threshold, two distinct rules reach it
    assert engine.code("Vi lagde en plan.").codes == []
    assert engine.code("Vi lagde en plan.").scores["plan"] == pytest.approx(0.5)


def test_forbid_context_window(engine):
    assert engine.code("Vi lagde en plan.").scores.get("plan") == pytest.approx(0.5)
    assert "plan" not in engine.code("Hun har en individuell plan.").scores
    # outside the window the forbidden word does not count
    assert engine.code("Individuell oppfølging er viktig, sa hun, men vi lagde en plan.").scores["plan"] == pytest.approx(0.5)


def test_require_context_window_and_max_hits(engine):
    assert "vente" not in engine.code("Vi må vente litt.").scores
    assert engine.code("Vi må vente på time.").scores["vente"] == pytest.approx(0.5)
    both = engine.code("Vente på time, vente på henvisning, vente på henvisning igjen.")
    assert both.scores["vente"] == pytest.approx(1.0)  # max_hits 2
    assert both.codes == ["vente"]


def test_code_doc_on_pretokenised_doc(engine):
    nlp = spacy.blank("nb")
    doc = nlp.make_doc("Etter utskrivningen var det stille.")
    assert engine.code_doc(doc).codes == ["utskrivning"]


def test_lemmas_used_when_present(mini):
    nlp = spacy.blank("nb")
    engine = RuleEngine(mini, nlp=nlp)
    doc = nlp.make_doc("Vi skrev planene")
    doc[2].lemma_ = "behandlingsplan"
    assert engine.code_doc(doc).codes == ["plan"]


def test_code_many_matches_code(engine):
    texts = ["Behandlingsplanen.", "Ingenting her.", "Bruker FIT."]
    assert [r.codes for r in engine.code_many(texts)] == [engine.code(t).codes for t in texts]


def test_anchored_matcher_finds_what_the_full_matcher_finds():
    from qualcode.codebook import load_codebook

    engine = RuleEngine(load_codebook("pakkeforlop"))
    texts = [
        "Vi snakket ikke om pakkeforløpet, og hun visste ikke hva som skulle skje.",
        "De avsluttet behandlingen. Jeg fikk ikke vite noe. Vi avslutter ikke behandlingen før møtet.",
        "Pakkeforløp begrepet brukes lite; ordet pakkeforløp unngås, sier de om pakkeforløpene.",
        "Jeg har en IP. Han forteller pasienten alt.",
    ]
    for t in texts:
        doc = engine.nlp.make_doc(t)
        lowers = doc.to_array("LOWER").tolist()
        assert sorted(engine._matcher_hits(doc, lowers)) == sorted(engine.matcher(doc))
        assert engine.matcher(doc)  # the texts do exercise the Matcher
