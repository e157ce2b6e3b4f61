"""Question context: an interviewer's question lends its theme to the answers that follow it."""
from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from qualcode.codebook import parse_codebook
from qualcode.codebook.autocode import autocode_project
from qualcode.codebook.engine import CONTEXT_KEY, RuleEngine
from qualcode.codebook.schema import QuestionContext
from qualcode.store.models import Coding, Segment, Source

QUESTION = "Hvordan bruker dere behandlingsplanen?"
ANSWER = "Vi skriver den sammen med pasienten."  # no cue of its own
WEAK = "Planen ligger i journalen."  # one weak cue (plan-head, 0.5)


@pytest.fixture
def with_context(mini_text):
    """Factory: the mini codebook's YAML with a ``question_context`` section."""

    def make(weight: float = 0.5, **extra) -> str:
        opts = ", ".join([f"weight: {weight}"] + [f"{k}: {v}" for k, v in extra.items()])
        return mini_text.replace("version: 1.0.0\n", f"version: 1.0.0\nquestion_context: {{{opts}}}\n", 1)

    return make


@pytest.fixture
def ctx_engine(with_context):
    return RuleEngine(parse_codebook(with_context(0.5)))


def test_without_question_context_the_question_is_ignored(mini):
    engine = RuleEngine(mini)
    assert engine.code(WEAK, context=QUESTION).codes == []
    results = list(engine.code_sequence([("I", 0, QUESTION), ("B1", 1, WEAK)]))
    assert results[0].codes == ["plan"] and results[1].codes == []


def test_context_adds_weighted_question_score_with_evidence(ctx_engine):
    alone = ctx_engine.code(WEAK)
    assert alone.codes == [] and alone.scores["plan"] == pytest.approx(0.5)
    r = ctx_engine.code(WEAK, context=QUESTION)
    assert r.codes == ["plan"] and r.scores["plan"] == pytest.approx(1.0)
    assert r.evidence["plan"] == {"plan-head": ["planen"]}
    assert r.from_question["plan"] == {"plan-stem": ["behandlingsplanen"]}
    assert r.evidence_record("plan")[CONTEXT_KEY] == {"plan-stem": ["behandlingsplanen"]}
    # half the question's score alone does not reach the threshold
    assert ctx_engine.code(ANSWER, context=QUESTION).codes == []


def test_question_veto_does_not_veto_the_answer(ctx_engine):
    r = ctx_engine.code("Evalueringspunktene er faste.", context="Hva med evalueringen av reformen?")
    assert r.codes == ["evaluering"] and not r.vetoed


def test_agenda_questions_lend_nothing(with_context):
    engine = RuleEngine(parse_codebook(with_context(1.0, max_codes=1)))
    agenda = "Vi skal snakke om behandlingsplanen og om evalueringspunktene."
    assert engine.code(ANSWER, context=agenda).codes == []
    assert engine.code(ANSWER, context=QUESTION).codes == ["plan"]


def test_sequence_exchange_scope_and_uncoded_questions(with_context):
    engine = RuleEngine(parse_codebook(with_context(1.0, code_questions="false")))
    seq = [("Intervjuer", 0, QUESTION), ("B1", 1, ANSWER), ("B2", 2, ANSWER),
           ("I1", 3, "Og noe annet?"), ("B1", 4, ANSWER)]
    codes = [r.codes for r in engine.code_sequence(seq)]
    assert codes == [[], ["plan"], ["plan"], [], []]
    nxt = RuleEngine(parse_codebook(with_context(1.0, scope="next")))
    codes = [r.codes for r in nxt.code_sequence(seq)]
    assert codes == [["plan"], ["plan"], [], [], []]  # questions coded, context for one turn only


def test_sequence_long_turns_and_unlabelled_speakers(with_context):
    engine = RuleEngine(parse_codebook(with_context(1.0)))
    # an interviewer turn split into two segments: both parts make up the question
    seq = [("I", 0, "Jeg lurer på én ting."), ("I", 0, QUESTION), ("B1", 1, ANSWER), ("B1", 1, ANSWER)]
    assert [r.codes for r in engine.code_sequence(seq)][2:] == [["plan"], ["plan"]]
    # without speaker labels a segment ending in '?' is the interviewer's
    seq = [(None, 0, QUESTION), (None, 1, ANSWER)]
    assert [r.codes for r in engine.code_sequence(seq)] == [["plan"], ["plan"]]


@pytest.mark.parametrize(("speaker", "text", "expected"), [
    ("I", "Ja.", True), ("I2", "", True), ("Intervjuer 1", "", True), ("BSB-intervjuer", "", True),
    ("B1", "Hva?", False), ("Ingrid", "", False), ("Leder", "", False), (None, "Hva da?", True),
    (None, "Det vet jeg ikke.", False), ("", "Og planen?»", True),
])
def test_interviewer_detection(speaker, text, expected):
    assert QuestionContext().is_interviewer(speaker, text) is expected


def test_schema_refuses_bad_question_context(with_context):
    with pytest.raises(Exception, match="question_context"):
        parse_codebook(with_context(1.5))
    with pytest.raises(ValidationError):
        QuestionContext(interviewer="(")


def test_autocode_project_uses_question_context(project, with_context):
    cb = parse_codebook(with_context(1.0, code_questions="false"))
    texts = [("Intervjuer", QUESTION), ("B1", ANSWER), ("B2", WEAK)]
    with project.store.session() as s:
        src = Source(label="A-2019-behandlere-1", format="txt", status="anonymised",
                     text="\n\n".join(t for _s, t in texts))
        s.add(src)
        s.flush()
        pos = 0
        for i, (speaker, t) in enumerate(texts):
            s.add(Segment(source_id=src.id, ordinal=i, turn_index=i, speaker=speaker, start=pos,
                          end=pos + len(t), text=t, word_count=len(t.split())))
            pos += len(t) + 2
    rep = autocode_project(project, codebook=cb)
    assert rep.segments_examined == 3 and rep.per_code == {"plan": 2}
    with project.store.session() as s:
        rows = s.execute(select(Segment.text, Coding.evidence).join(Coding.segment).order_by(Segment.ordinal)).all()
    assert [t for t, _e in rows] == [ANSWER, WEAK]
    assert rows[0][1] == {"score": 1.0, "rules": {}, CONTEXT_KEY: {"plan-stem": ["behandlingsplanen"]}}
    assert rows[1][1]["rules"] == {"plan-head": ["planen"]}
    # re-running codes nothing new; the uncoded question is examined again, cheaply
    again = autocode_project(project, codebook=cb)
    assert again.codings_added == 0 and again.segments_examined == 1


@pytest.fixture(scope="module")
def shipped():
    return RuleEngine("pakkeforlop")


@pytest.mark.parametrize(("text", "code"), [
    ("Æ visste itj hva som skulle skje.", "informasjon"),  # dialect negation
    ("Vi setter opp målene sammen med ungdommen.", "behandlingsplan"),
    ("Hun fyller ut skjemaet før timen, og så ser vi på kurven.", "feedback"),
    ("Vi bruker ROM i alle samtaler.", "feedback"),
    ("Hun reiser hjem, men ingen tar imot henne.", "overganger"),
])
def test_shipped_codebook_spoken_forms(shipped, text, code):
    assert code in shipped.code(text).codes


def test_shipped_codebook_room_is_not_rom(shipped):
    assert shipped.code("Det er ikke noe rom for det.").codes == []


def test_shipped_codebook_answers_take_the_question_theme(shipped):
    seq = [("Intervjuer", 0, "Hvordan jobber dere med behandlingsplanen?"), ("B1", 1, "Vi skriver den sammen."),
           ("B2", 2, "Ja, og pasienten får en kopi.")]
    assert [r.codes for r in shipped.code_sequence(seq)] == [[], ["behandlingsplan"], ["behandlingsplan"]]
