"""CLI: matrix (table, --json, --csv, --xlsx), summarise, plot, and clean errors."""
from __future__ import annotations

import json

import openpyxl
import pandas as pd
from click.testing import CliRunner

from qualcode.cli.main import cli


def _run(coded, *args):
    return CliRunner().invoke(cli, ["-p", str(coded.project.root), *args], catch_exceptions=False)


def test_matrix_json_csv_xlsx(coded, tmp_path):
    csv, xlsx = tmp_path / "m.csv", tmp_path / "m.xlsx"
    res = _run(coded, "matrix", "--json", "--csv", str(csv), "--xlsx", str(xlsx))
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    cell = next(c for c in data["cells"] if c["case"] == "A" and c["year"] == 2019 and c["theme"] == "brukermedvirkning")
    assert (cell["segments"], cell["sources"], cell["informants"], cell["coders"]) == (6, 2, 3, 2)
    flat = pd.read_csv(csv)
    row = flat[(flat["case"] == "A") & (flat["year"] == 2019)].iloc[0]
    assert row["segments:brukermedvirkning"] == 6
    wb = openpyxl.load_workbook(xlsx)
    assert {"segments", "share", "coders", "total"} <= set(wb.sheetnames)


def test_matrix_table_and_filters(coded):
    res = _run(coded, "matrix", "--coder", "auto", "--measure", "segments")
    assert res.exit_code == 0 and "Framework" in res.output
    assert "warning: case D: no coded segments" in res.output  # D has no automatic codings


def test_bad_filter_is_one_clear_line(coded):
    res = CliRunner().invoke(cli, ["-p", str(coded.project.root), "matrix", "--group", "venner"])
    assert res.exit_code == 1
    assert "unknown informant group 'venner'" in res.output and "Traceback" not in res.output


def test_summarise_and_plot(coded, tmp_path):
    res = _run(coded, "summarise", "--out", str(tmp_path / "s"), "--format", "md,docx", "--no-plots", "--json")
    assert res.exit_code == 0, res.output
    paths = json.loads(res.stdout)
    assert set(paths) == {"md", "docx"}
    res = _run(coded, "plot", "--out", str(tmp_path / "f"), "--setting", "poliklinikk")
    assert res.exit_code == 0 and (tmp_path / "f" / "change.svg").exists()
    bad = CliRunner().invoke(cli, ["-p", str(coded.project.root), "summarise", "--format", "pdf"])
    assert bad.exit_code == 1 and "pdf" in bad.output
