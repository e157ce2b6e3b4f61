"""The coding CLI end to end on a small corpus (thin layer: behaviour is tested in the API tests)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from qualcode.cli.main import cli


def run(project, *args, ok=True):
    result = CliRunner().invoke(cli, ["-p", str(project.root), *args], catch_exceptions=False)
    assert (result.exit_code == 0) == ok, (result.output, getattr(result, "stderr", ""))
    return result


def test_cli_workflow(project, corpus, tmp_path):
    seg = corpus.segments
    run(project, "coder", "add", "per")
    run(project, "code", "add", str(seg[0].id), "informasjon", "--coder", "kari", "--comment", "klar")
    run(project, "code", "add", seg[0].uid, "informasjon", "--coder", "ola")
    run(project, "code", "add", str(seg[1].id), "parorende", "--coder", "kari",
        "--span", f"{seg[1].start + 4}:{seg[1].start + 12}")
    run(project, "code", "add", str(seg[3].id), "evaluering", "--coder", "ola")
    run(project, "code", "add", str(seg[3].id), "ventetid", "--coder", "nina", "--create-coder")
    listed = json.loads(run(project, "code", "list", "--coder", "kari", "--json").output)
    assert [(r["code"], r["start"]) for r in listed] == [("informasjon", None), ("parorende", seg[1].start + 4)]
    run(project, "code", "change", str(listed[1]["id"]), "--whole", "--by", "ola")
    run(project, "code", "remove", str(seg[3].id), "ventetid", "--coder", "nina")
    hist = json.loads(run(project, "code", "list", "--history", "--json").output)
    assert sorted(r["status"] for r in hist) == ["active"] * 4 + ["removed", "superseded"]
    chain = json.loads(run(project, "code", "history", str(listed[1]["id"]), "--json").output)
    assert [r["status"] for r in chain] == ["superseded", "active"]

    agree = json.loads(run(project, "agree", "--coders", "kari", "ola", "--json").output)
    by = {c["code"]: c for c in agree["codes"]}
    assert by["informasjon"]["agreement"] == 1.0 and agree["complete_units"] == 6
    table = run(project, "agree", "--coders", "kari,ola", "--codes", "samhandling").output  # nobody used it
    assert "undefined" in table and "category" in table and "nan" not in table.lower()
    chars = json.loads(run(project, "agree", "--coders", "kari", "ola", "--level", "character", "--json").output)
    assert chars["level"] == "character" and chars["units"] == sum(len(s.text) for s in seg[:6])

    dis = json.loads(run(project, "disagreements", "--coders", "kari", "ola", "--json").output)
    assert [d["segment_id"] for d in dis] == [seg[1].id, seg[3].id]
    run(project, "disagreements", "--coders", "kari", "ola", "--html", str(tmp_path / "d.html"),
        "--csv", str(tmp_path / "d.csv"))
    assert (tmp_path / "d.html").exists() and (tmp_path / "d.csv").exists()
    rec = json.loads(run(project, "reconcile", "--coders", "kari", "ola", "--json").output)
    assert rec["added"] == 1 and rec["ties"] == 2
    rec = json.loads(run(project, "reconcile", "--coders", "kari", "ola", "--sheet", str(tmp_path / "d.csv"),
                         "--json").output)
    assert rec["from_sheet"] == 2

    sheet = tmp_path / "sheet.xlsx"
    run(project, "code", "export", str(sheet), "--coder", "kari", "--layout", "codes")
    imp = json.loads(run(project, "code", "import", str(sheet), "--coder", "kari", "--json").output)
    assert (imp["added"], imp["removed"]) == (0, 0)
    run(project, "code", "export", str(tmp_path / "blank.csv"), "--template")

    run(project, "memo", "add", "source", corpus.sources[0].label, "--kind", "intervjuoppsummering",
        "--text", "Kort oppsummering.", "--author", "kari", "--year", "2019")
    run(project, "memo", "add", "project", "--text", "Prosjektnotat.", "--author", "ola")
    memos = json.loads(run(project, "memo", "list", "--json").output)
    assert {m["kind"] for m in memos} == {"memo", "intervjuoppsummering"}
    run(project, "memo", "export", str(tmp_path / "memos.md"), "--kind", "intervjuoppsummering")
    assert "Kort oppsummering." in (tmp_path / "memos.md").read_text(encoding="utf-8")
    coders = json.loads(run(project, "coder", "list", "--json").output)
    assert {c["name"] for c in coders} == {"kari", "ola", "per", "nina", "consensus"}


def test_cli_errors_are_one_line(project, corpus):
    seg = corpus.segments
    for args, needle in [
        (("code", "add", "99999", "informasjon", "--coder", "kari"), "unknown segment '99999'"),
        (("code", "add", str(seg[0].id), "informasjon", "--coder", "kari", "--span", "a:b"), "not START:END"),
        (("agree", "--coders", "kari"), "at least two coders"),
        (("agree", "--coders", "kari", "ghost"), "unknown coder 'ghost'"),
        (("agree", "--coders", "kari", "ola"), "has no active codings"),
        (("code", "remove"), "give SEGMENT CODE"),
        (("memo", "add", "project", "--author", "kari"), "--text or --file"),
    ]:
        result = run(project, *args, ok=False)
        err = getattr(result, "stderr", result.output) or result.output
        assert needle in err and "Traceback" not in err
