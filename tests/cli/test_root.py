"""The root command: init, info, errors without tracebacks."""
from __future__ import annotations

import json

from click.testing import CliRunner

from qualcode.cli.main import cli


def test_init_and_info(tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["init", str(tmp_path / "p")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["-p", str(tmp_path / "p"), "info", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["sources"] == 0


def test_missing_project_is_one_line_error(tmp_path):
    res = CliRunner().invoke(cli, ["-p", str(tmp_path), "info"])
    assert res.exit_code == 1
    assert "run `qualcode init` first" in res.output
    assert "Traceback" not in res.output


def test_kv_table_shows_values_literally_and_leaves_out_empty_ones() -> None:
    from rich.console import Console

    from qualcode.cli.common import kv_table

    console = Console(width=200, record=True)
    console.print(kv_table({"path": "/x", "note": "[bold]fil[/bold].txt", "empty": [], "flag": True,
                            "kept": {"a": 1}}, skip_bools=True))
    out = console.export_text()
    assert "[bold]fil[/bold].txt" in out and "a: 1" in out
    assert "path" not in out and "empty" not in out and "flag" not in out
