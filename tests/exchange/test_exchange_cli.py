from __future__ import annotations

import json
import zipfile
from pathlib import Path

import yaml
from click.testing import CliRunner

from builders import build_project
from qualcode.cli.main import cli
from test_qdc import make_codebook


def test_export_qdpx_and_reimport_via_cli(project, tmp_path: Path):
    build_project(project)
    runner = CliRunner()
    out = tmp_path / "p.qdpx"
    res = runner.invoke(cli, ["-p", str(project.root), "export", "--qdpx", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)["qdpx"]
    assert data["codings"] == 40 and data["sources"] == 3
    assert "project.qde" in zipfile.ZipFile(out).namelist()
    res = runner.invoke(cli, ["-p", str(project.root), "apply-held-codings", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["applied"] == 0


def test_qdc_export_and_import_via_cli(tmp_path: Path):
    cb = make_codebook()
    src = tmp_path / "testbok.yaml"
    src.write_text(yaml.safe_dump(cb.model_dump(mode="json", exclude_defaults=True), allow_unicode=True), encoding="utf-8")
    runner = CliRunner()
    qdc = tmp_path / "bok.qdc"
    res = runner.invoke(cli, ["-p", str(tmp_path), "export", "--qdc", str(qdc), "--codebook", str(src)])
    assert res.exit_code == 0, res.output
    back = tmp_path / "back.yaml"
    res = runner.invoke(cli, ["import-qdc", str(qdc), "-o", str(back), "--json"])
    assert res.exit_code == 0, res.output
    assert yaml.safe_load(back.read_text(encoding="utf-8"))["codes"][1]["examples_typical"][0].startswith("«Vi fikk")
    res = runner.invoke(cli, ["import-qdc", str(qdc), "-o", str(back)])
    assert res.exit_code == 1 and "exists" in res.output


def test_cli_errors_are_one_line_without_content(tmp_path: Path):
    bad = tmp_path / "bad.qdc"
    bad.write_text("<CodeBook", encoding="utf-8")
    res = CliRunner().invoke(cli, ["import-qdc", str(bad), "-o", str(tmp_path / "x.yaml")])
    assert res.exit_code == 1 and "not well-formed" in res.output and "Traceback" not in res.output


def test_import_qdpx_through_the_import_command(project, tmp_path: Path):
    build_project(project)
    runner = CliRunner()
    out = tmp_path / "p.qdpx"
    assert runner.invoke(cli, ["-p", str(project.root), "export", "--qdpx", str(out)]).exit_code == 0
    from qualcode.project import Project

    other = Project.init(tmp_path / "other", passphrase="correct horse battery staple")
    other.close()
    res = runner.invoke(cli, ["-p", str(other.root), "import", "--qdpx", str(out), "--anonymised", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["codings"] == 40
