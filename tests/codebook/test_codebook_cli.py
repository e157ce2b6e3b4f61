"""CLI: codebook show/lint, autocode (project and --jsonl), evaluate."""
from __future__ import annotations

import json

from click.testing import CliRunner

from qualcode.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_show_tree(tmp_path, mini_text):
    p = tmp_path / "mini.yaml"
    p.write_text(mini_text, encoding="utf-8")
    res = run("-p", str(tmp_path), "codebook", "show", str(p), "--rules")
    assert res.exit_code == 0, res.output
    assert "mini 1.0.0" in res.output and "plan-stem" in res.output
    assert res.output.index("tema") < res.output.index("plan")
    res = run("-p", str(tmp_path), "codebook", "show", "--json")  # no project: the builtin codebook
    assert res.exit_code == 0 and json.loads(res.output)["name"] == "pakkeforlop"


def test_lint_exit_codes(tmp_path, mini_text):
    assert run("-p", str(tmp_path), "codebook", "lint").exit_code == 0
    good = tmp_path / "mini.yaml"
    good.write_text(mini_text, encoding="utf-8")
    res = run("-p", str(tmp_path), "codebook", "lint", str(good), "--json")
    assert res.exit_code == 0
    assert any("ev-tool" in f["message"] for f in json.loads(res.output))
    assert run("-p", str(tmp_path), "codebook", "lint", str(good), "--strict").exit_code == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(mini_text.replace("    parent: tema\n    label_nb: Evaluering", "    parent: vente\n    label_nb: Evaluering")
                   .replace("  - id: vente\n    parent: tema", "  - id: vente\n    parent: evaluering"), encoding="utf-8")
    res = run("-p", str(tmp_path), "codebook", "lint", str(bad))
    assert res.exit_code == 1 and "parent cycle" in res.output
    res = run("-p", str(tmp_path), "autocode", "--codebook", str(bad), "--jsonl", str(bad), "--out", str(tmp_path / "o"))
    assert res.exit_code == 1 and "parent cycle" in res.output and "Traceback" not in res.output


def test_autocode_jsonl_and_evaluate(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [{"id": "a", "text": "Vi fikk ingen informasjon om pakkeforløpet.", "codes": ["informasjon"]},
            {"id": "b", "text": "Etter utskrivningen var jeg alene.", "codes": ["overganger"]},
            {"id": "c", "text": "Været var fint.", "codes": ["feedback"]}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = run("-p", str(tmp_path), "autocode", "--jsonl", str(src), "--out", str(out))
    assert res.exit_code == 0, res.output
    got = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert got[0]["codes"] == ["informasjon"] and got[0]["evidence"]["informasjon"]
    res = run("-p", str(tmp_path), "evaluate", "--gold", str(src), "--json", "--code", "informasjon",
              "--code", "overganger", "--code", "feedback")
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert rep["per_code"]["informasjon"]["f1"] == 1.0
    assert rep["disagreements"] == [{"id": "c", "missed": ["feedback"], "extra": []}]
    res = run("-p", str(tmp_path), "evaluate", "--gold", str(src))
    assert res.exit_code == 0 and "disagreements" in res.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "text": "x", "codes": ["ukjent"]}\n', encoding="utf-8")
    res = run("-p", str(tmp_path), "evaluate", "--gold", str(bad))
    assert res.exit_code == 1 and "'ukjent'" in res.output


def test_autocode_project(tmp_path):
    assert run("init", str(tmp_path / "p")).exit_code == 0
    res = run("-p", str(tmp_path / "p"), "autocode", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["segments_examined"] == 0
    res = run("-p", str(tmp_path / "p"), "autocode", "--out", "x.jsonl")
    assert res.exit_code == 1 and "--out only goes with --jsonl" in res.output


def test_autocode_train_refuses_without_manual_codings(tmp_path):
    assert run("init", str(tmp_path / "p")).exit_code == 0
    res = run("-p", str(tmp_path / "p"), "autocode", "--train")
    assert res.exit_code == 1
    assert "not enough manually coded segments" in res.output and "Traceback" not in res.output


def test_a_broken_project_config_is_reported_not_replaced_by_the_builtin(tmp_path):
    (tmp_path / "qualcode.yaml").write_text("codebook: [1, 2]\n", encoding="utf-8")
    res = run("-p", str(tmp_path), "codebook", "show", "--json")
    assert res.exit_code == 1 and "qualcode.yaml" in res.output and "pakkeforlop" not in res.output
    res = run("-p", str(tmp_path), "export", "--qdc", str(tmp_path / "cb.qdc"))
    assert res.exit_code == 1 and "qualcode.yaml" in res.output and "outside a project" not in res.output
