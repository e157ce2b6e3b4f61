"""evaluate: P/R/F1/kappa per code, disagreements, and refusal of bad gold files."""
from __future__ import annotations

import json

import pytest

from qualcode.codebook.evaluate import evaluate_gold, load_gold, score_sets
from qualcode.errors import CodebookError


def write_gold(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_score_sets_hand_computed():
    gold = [{"a"}, {"a"}, set(), set()]
    pred = [{"a"}, set(), {"a"}, set()]
    m = score_sets(gold, pred, ["a"])["per_code"]["a"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)
    assert m["precision"] == 0.5 and m["recall"] == 0.5
    assert m["kappa"] == pytest.approx(0.0)


def test_evaluate_gold(tmp_path, mini):
    p = write_gold(tmp_path / "gold.jsonl", [
        {"id": 1, "text": "Behandlingsplanen var fin.", "codes": ["plan"]},
        {"id": 2, "text": "Etter utskrivningen.", "codes": ["utskrivning"]},
        {"id": 3, "text": "Vi bruker FIT.", "codes": []},
        {"id": 4, "text": "Ingenting.", "codes": ["tema/evaluering"]},
    ])
    rep = evaluate_gold(p, mini, codes=["plan", "utskrivning", "evaluering"])
    per = rep.metrics["per_code"]
    assert per["plan"]["kappa"] == 1.0 and per["utskrivning"]["f1"] == 1.0
    assert per["evaluering"]["tp"] == 0 and per["evaluering"]["fp"] == 1 and per["evaluering"]["fn"] == 1
    assert rep.disagreements == [{"id": "3", "missed": [], "extra": ["evaluering"]},
                                 {"id": "4", "missed": ["evaluering"], "extra": []}]


def test_gold_with_unknown_codes_is_refused(tmp_path, mini):
    p = write_gold(tmp_path / "gold.jsonl", [{"id": 1, "text": "x", "codes": ["plan"]},
                                             {"id": 2, "text": "hemmelig tekst", "codes": ["nope"]}])
    with pytest.raises(CodebookError) as e:
        load_gold(p, mini)
    assert "'nope' (line 2)" in str(e.value)
    assert "hemmelig" not in str(e.value)


@pytest.mark.parametrize(
    ("line", "expected"),
    [("{not json", "gold.jsonl:1: not valid JSON"),
     ('{"id": 1, "codes": []}', "field 'text' missing"),
     ('{"id": 1, "text": "a", "codes": "plan"}', "field 'codes' missing or of the wrong type")],
)
def test_bad_gold_lines(tmp_path, mini, line, expected):
    p = tmp_path / "gold.jsonl"
    p.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=expected):
        load_gold(p, mini)


def test_duplicate_ids(tmp_path, mini):
    p = write_gold(tmp_path / "gold.jsonl", [{"id": 1, "text": "a", "codes": []}, {"id": 1, "text": "b", "codes": []}])
    with pytest.raises(CodebookError, match="duplicate id '1'"):
        load_gold(p, mini)
