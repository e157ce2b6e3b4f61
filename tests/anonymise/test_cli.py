from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from qualcode.cli.main import cli
from qualcode.store.models import Source

from .conftest import add_source


def _jsonl(path: Path, texts: list[str]) -> Path:
    path.write_text("".join(json.dumps({"id": f"t{i}", "text": t}, ensure_ascii=False) + "\n"
                            for i, t in enumerate(texts)), encoding="utf-8")
    return path


def test_ner_jsonl_without_project_reports_sources_and_propagates(tmp_path: Path) -> None:
    src = _jsonl(tmp_path / "in.jsonl", ["Ingrid Hansen bor i Tromsø, tlf 48123456.", "Hansen ringte."])
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, ["-p", str(tmp_path / "none"), "ner", "--jsonl", str(src), "--out", str(out),
                                   "--recognisers", "identifiers,gazetteers"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert [ln["id"] for ln in lines] == ["t0", "t1"]
    first = {(e["text"], e["source"]) for e in lines[0]["entities"]}
    assert {("Ingrid Hansen", "gazetteers"), ("Tromsø", "gazetteers"), ("48123456", "identifiers")} <= first
    assert lines[1]["entities"][0]["text"] == "Hansen"


def test_anonymise_text_jsonl_with_model_folder(tmp_path: Path, nlp) -> None:
    model = tmp_path / "model"
    nlp.to_disk(model)
    src = _jsonl(tmp_path / "in.jsonl", ["Sigrun kom fra Fjellvik.", "Sigrun dro."])
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(cli, ["-p", str(tmp_path / "none"), "--model", str(model), "anonymise-text",
                                   "--jsonl", str(src), "--out", str(out)])
    assert res.exit_code == 0, res.output
    lines = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [{"id": "t0", "text": "[PERSON 1] kom fra [STED 1]."}, {"id": "t1", "text": "[PERSON 1] dro."}]


def test_bad_jsonl_line_is_a_clear_error_without_content(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "Sigrun"}\n{"id": 2, "tekst": "Torvald Hemmelig"}\n', encoding="utf-8")
    res = CliRunner().invoke(cli, ["-p", str(tmp_path), "ner", "--jsonl", str(src), "--out", str(tmp_path / "o"),
                                   "--recognisers", "gazetteers"])
    assert res.exit_code == 1
    assert "line 2" in res.output and "Hemmelig" not in res.output and "Sigrun" not in res.output


def test_anonymise_command_in_a_project(project, nlp, tmp_path: Path) -> None:
    model = tmp_path / "model"
    nlp.to_disk(model)
    add_source(project, "A-2019-ledere-1", [("Sigrun", "Vi startet i Fjellvik.")])
    runner = CliRunner()
    res = runner.invoke(cli, ["-p", str(project.root), "--model", str(model), "anonymise", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output[res.output.index("{"):])
    assert data["sources"] == ["A-2019-ledere-1"] and "Sigrun" not in res.output
    with project.store.session() as s:
        assert s.scalar(select(Source.text)) == "[PERSON 1]: Vi startet i [STED 1]."
    res = runner.invoke(cli, ["-p", str(project.root), "anonymise", "--apply", data["review_csv"], "--json"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["-p", str(project.root), "anonymise", "--apply", str(tmp_path / "missing.csv")])
    assert res.exit_code == 1 and "does not exist" in res.output
