"""Scoring and the ``qualcode model`` commands on the fictional NorNE sample."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.cli.main import cli
from qualcode.nlp import load
from qualcode.nlp.conll import read_conllu
from qualcode.nlp.corpus import find_norne
from qualcode.nlp.evaluate import evaluate_norne, train_mentions, unseen_mention_recall


NORNE = Path(__file__).parent / "fixtures" / "norne"


def test_exact_span_scores(tmp_path: Path, ruler_pipeline) -> None:
    # the ruler finds "Jørgen Læstad" and "Tromsø" (cased only for Tromsø), misses "Kautokeino"
    result = evaluate_norne(load(ruler_pipeline(tmp_path / "ruler")), NORNE)
    cased, lower = result["cased"], result["lower"]
    assert cased["entities"] == 3
    assert cased["micro"] == {"p": 100.0, "r": pytest.approx(66.67), "f": pytest.approx(80.0)}
    assert cased["per_label"]["PER"] == {"p": 100.0, "r": 100.0, "f": 100.0, "n": 1}
    assert cased["per_label"]["GPE_LOC"]["r"] == 50.0
    assert lower["micro"]["r"] == pytest.approx(33.33)  # only the LOWER-pattern person survives


def test_unseen_mention_recall_counts_only_names_new_to_training(tmp_path: Path, ruler_pipeline) -> None:
    seen = train_mentions(NORNE)
    assert seen == {"siri åsheim", "bodø", "nordlys omsorg", "øyvind", "fjellheimen"}
    test = read_conllu(find_norne(NORNE).test)
    nlp = load(ruler_pipeline(tmp_path / "ruler"))
    # all three test mentions are new; the ruler finds the person and Tromsø, not Kautokeino
    result = unseen_mention_recall(nlp, test, seen)
    assert result["entities"] == 3 and result["recall"] == pytest.approx(66.67)
    assert result["per_label"] == {"GPE_LOC": {"r": 50.0, "n": 2}, "PER": {"r": 100.0, "n": 1}}
    # once Kautokeino and Tromsø count as seen, only the person is left
    only_person = unseen_mention_recall(nlp, test, seen | {"kautokeino", "tromsø"})
    assert only_person["entities"] == 1 and only_person["recall"] == 100.0


def test_cli_evaluate_json_and_out_file(tmp_path: Path, ruler_pipeline) -> None:
    model = ruler_pipeline(tmp_path / "ruler")
    out = tmp_path / "scores.json"
    res = CliRunner().invoke(cli, ["-p", str(tmp_path), "--model", str(model), "model", "evaluate",
                                   "--norne", str(NORNE), "--json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    printed = json.loads(res.output)
    assert printed == json.loads(out.read_text(encoding="utf-8"))
    assert printed["cased"]["per_label"]["PER"]["f"] == 100.0
    assert printed["unseen"]["entities"] == 3 and printed["unseen"]["recall"] == pytest.approx(66.67)
    table = CliRunner().invoke(cli, ["-p", str(tmp_path), "--model", str(model), "model", "evaluate",
                                     "--norne", str(NORNE)])
    assert table.exit_code == 0 and "recall on the 3 mentions not seen in training: 66.7" in table.output


def test_cli_uses_project_config_model(project, tmp_path: Path, ruler_pipeline) -> None:
    model = ruler_pipeline(tmp_path / "ruler")
    config_path = project.root / "qualcode.yaml"
    config_path.write_text(config_path.read_text(encoding="utf-8").replace("model: null", f"model: {model}"),
                           encoding="utf-8")
    res = CliRunner().invoke(cli, ["-p", str(project.root), "model", "info", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["lang"] == "nb"
    assert "qualcode" not in json.loads(res.output)  # the ruler, not the shipped model


def test_cli_missing_model_is_one_clear_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["-p", str(tmp_path), "--model", str(tmp_path / "nope"), "model", "info"])
    assert res.exit_code == 1
    assert "qualcode model train" in res.output and "Traceback" not in res.output


def test_cli_info_shipped_model(tmp_path: Path) -> None:
    res = CliRunner().invoke(cli, ["-p", str(tmp_path), "model", "info", "--json"])
    assert res.exit_code == 0, res.output
    meta = json.loads(res.output)
    assert meta["qualcode"]["data"]["split"]["test_sentences"] == 1939
    text = CliRunner().invoke(cli, ["-p", str(tmp_path), "model", "info"]).output
    flat = " ".join(text.split())  # rich wraps long lines
    assert "truecasing for text without capitals: 25,894 spellings, unknown-word rule ordbank-compounds" in flat
    assert "matrix products: numpy" in text
    assert meta["qualcode"]["data"]["train_on_dev"] is True and "trained on UD dev too" in " ".join(text.split())


def test_cli_evaluate_bad_norne_dir(tmp_path: Path, ruler_pipeline) -> None:
    res = CliRunner().invoke(cli, ["-p", str(tmp_path), "--model", str(ruler_pipeline(tmp_path / "r")),
                                   "model", "evaluate", "--norne", str(tmp_path / "missing")])
    assert res.exit_code == 1
    assert "NorNE folder not found" in res.output
