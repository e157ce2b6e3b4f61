"""`qualcode import`, `sources list/show` through click's CliRunner."""
from __future__ import annotations

import json
import sys
import types

from click.testing import CliRunner

from qualcode.cli.main import cli

from .conftest import INTERVIEW


def run(project, *args: str):
    return CliRunner().invoke(cli, ["-p", str(project.root), *args])


def test_import_summary_sources_list_and_show(cases_project, write) -> None:
    write("a.txt", INTERVIEW)
    write("b.txt", b"")
    m = write("manifest.csv", "file,case,year,informant_group\na.txt,A,2019,behandlere\nb.txt,A,2020,ledere\n")
    res = run(cases_project, "import", str(m.parent), "--manifest", str(m))
    assert res.exit_code == 1  # b.txt is empty
    assert "imported 1, duplicates 0, errors 1" in res.output
    assert "Kari" not in res.output

    again = run(cases_project, "import", str(m.parent / "a.txt"), "--manifest", str(m), "--json")
    assert again.exit_code == 0
    data = json.loads(again.stdout)
    assert (data["imported"], data["duplicates"], data["errors"]) == (0, 1, 0)
    assert data["files"][0]["label"] == "A-2019-behandlere-1"

    listed = json.loads(run(cases_project, "sources", "list", "--json").stdout)
    assert [(s["label"], s["case"], s["status"]) for s in listed] == [("A-2019-behandlere-1", "A", "pending")]
    assert "a.txt" not in json.dumps(listed)  # no file names in the analysis store

    shown = run(cases_project, "sources", "show", "A-2019-behandlere-1", "--json")
    info = json.loads(shown.stdout)
    assert info["text"] is None and info["word_count"] > 0 and info["unit_label"] == "Poliklinikk PHV"
    human = run(cases_project, "sources", "show", str(info["id"]))
    assert human.exit_code == 0 and "not anonymised yet" in human.output and "Kari" not in human.output
    table = run(cases_project, "sources", "list")
    assert table.exit_code == 0 and "Sources (1)" in table.output

    missing = run(cases_project, "sources", "show", "Z-9")
    assert missing.exit_code == 1 and "no source 'Z-9'" in missing.output


def test_import_needs_paths_or_manifest(cases_project) -> None:
    res = run(cases_project, "import")
    assert res.exit_code == 2 and "give files or folders" in res.output


def test_qdpx_delegates_to_exchange(cases_project, tmp_path, monkeypatch) -> None:
    calls = []
    fake = types.ModuleType("qualcode.exchange")
    fake.import_qdpx = lambda project, path, anonymised=False: calls.append((path.name, anonymised)) or {"sources": 0}
    monkeypatch.setitem(sys.modules, "qualcode.exchange", fake)
    qdpx = tmp_path / "prosjekt.qdpx"
    qdpx.write_bytes(b"PK")
    res = run(cases_project, "import", "--qdpx", str(qdpx), "--anonymised", "--json")
    assert res.exit_code == 0, res.output
    assert calls == [("prosjekt.qdpx", True)]
    human = run(cases_project, "import", "--qdpx", str(qdpx))
    assert human.exit_code == 0 and "sources" in human.output and calls[-1] == ("prosjekt.qdpx", False)
    both = run(cases_project, "import", "--qdpx", str(qdpx), str(qdpx))
    assert both.exit_code == 1 and "cannot be combined" in both.output


def test_sources_show_text_only_once_anonymised(cases_project, write) -> None:
    from sqlalchemy import select

    from qualcode.importers import import_files
    from qualcode.store.models import Segment, Source

    import_files(cases_project, [write("a.txt", INTERVIEW)])
    with cases_project.store.session() as s:  # what the anonymiser does on release
        src = s.scalar(select(Source))
        src.status, src.text = "anonymised", "I: Velkommen, [PERSON 1]."
        s.add(Segment(source=src, ordinal=0, turn_index=0, speaker="I", start=3, end=25, text="Velkommen, [PERSON 1]."))
    shown = json.loads(run(cases_project, "sources", "show", "1", "--json").stdout)
    assert shown["text"] == "I: Velkommen, [PERSON 1]." and shown["segments"] == 1
    listed = json.loads(run(cases_project, "sources", "list", "--status", "anonymised", "--json").stdout)
    assert [x["segments"] for x in listed] == [1]
    assert json.loads(run(cases_project, "sources", "list", "--status", "pending", "--json").stdout) == []
