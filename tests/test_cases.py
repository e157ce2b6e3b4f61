"""Case registry: validation, syncing into the store, and the contradiction check."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from qualcode.cases import check_cases, check_registry, implied_setting, load_registry, sync_cases
from qualcode.cli.main import cli
from qualcode.errors import CaseRegistryError
from qualcode.importers import Transcript, TranscriptMeta, import_transcripts
from qualcode.store.models import Case

REGISTRY = """\
cases:
  - {letter: A, unit_label: Poliklinikk PHV, setting: poliklinikk, service_area: PHV, region: Nord}
  - {letter: D, unit_label: Poliklinikk i PHBU, setting: poliklinikk, service_area: PHBU, region: Sør}
  - {letter: F, unit_label: Poliklinikk PHV og TSB, setting: Poliklinikk, service_area: PHV/TSB}
  - {letter: G, unit_label: Poliklinikk for psykisk helse og rus, setting: poliklinikk, service_area: PHV+TSB}
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_load_and_normalise(tmp_path: Path) -> None:
    reg = load_registry(write(tmp_path / "cases.yaml", REGISTRY))
    assert reg.letters == ["A", "D", "F", "G"]
    f = reg.get("f")
    assert (f.setting, f.service_area, f.region) == ("poliklinikk", "PHV+TSB", None)
    assert check_registry(reg) == []


@pytest.mark.parametrize("text,match", [
    ("cases:\n  - {letter: A, unit_label: X, setting: hjemme, service_area: PHV}\n", "case #1, field 'setting'"),
    ("cases:\n  - {letter: AB, unit_label: X, setting: døgn, service_area: PHV}\n", "case #1, field 'letter'"),
    ("cases:\n  - {letter: A, unit_label: X, setting: døgn, service_area: BUP}\n", "field 'service_area'"),
    ("cases:\n  - {letter: A, setting: døgn, service_area: PHV}\n", "field 'unit_label'"),
    ("cases:\n  - {letter: A, unit_label: X, setting: døgn, service_area: PHV, farge: rød}\n", "field 'farge'"),
    ("cases: [unclosed\n", "not valid YAML"),
    (REGISTRY + "  - {letter: A, unit_label: Døgnenhet PHV, setting: døgn, service_area: PHV}\n", "A is listed more than once"),
])
def test_invalid_registry(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(CaseRegistryError, match=match) as info:
        load_registry(write(tmp_path / "cases.yaml", text))
    assert "cases.yaml" in str(info.value)


def test_sync_cases_upserts(project) -> None:
    reg = load_registry(write(project.cases_path, REGISTRY))
    with project.store.session() as s:
        ids = sync_cases(s, reg)
    changed = load_registry(write(project.cases_path, REGISTRY.replace("region: Nord", "region: Vest")))
    with project.store.session() as s:
        assert sync_cases(s, changed) == ids
        rows = {c.letter: c for c in s.scalars(select(Case))}
    assert set(rows) == {"A", "D", "F", "G"} and rows["A"].region == "Vest" and rows["F"].service_area == "PHV+TSB"


def test_implied_setting() -> None:
    assert implied_setting("Døgnenhet PHBU") == "døgn"
    assert implied_setting("Poliklinikk i BUP") == "poliklinikk"
    assert implied_setting("Enhet 4") is None


def test_registry_internal_contradictions(tmp_path: Path) -> None:
    text = REGISTRY + ("  - {letter: D, unit_label: Døgnenhet PHBU, setting: døgn, service_area: PHBU}\n"
                       "  - {letter: K, unit_label: Døgnenhet TSB, setting: poliklinikk, service_area: TSB}\n"
                       "  - {letter: H, unit_label: Døgnenhet TSB, setting: døgn, service_area: PHV}\n")
    found = check_registry(load_registry(write(tmp_path / "cases.yaml", text), allow_duplicates=True))
    got = {(c.case, c.field) for c in found}
    assert got == {("D", "unit_label"), ("D", "setting"), ("D", "region"), ("K", "setting"), ("H", "service_area")}


def test_check_cases_finds_manifest_and_source_contradictions(project, tmp_path: Path) -> None:
    write(project.cases_path, REGISTRY)
    folder = tmp_path / "m"
    folder.mkdir()
    manifest = write(folder / "manifest.yaml", """
- {file: a.txt, case: D, year: 2019, unit_label: Poliklinikk i PHBU}
- {file: b.txt, case: D, year: 2020, unit_label: Døgnenhet PHBU}
- {file: c.txt, case: A, year: 2020, setting: døgn}
- {file: d.txt, case: C, year: 2020}
- {file: e.txt, case: F, year: 2020, unit_label: Poliklinikk i PHV og TSB, service_area: TSB}
- {file: f.txt, case: D, year: 2020, unit_label: Poliklinikk i BUP}
""")
    found = check_cases(project, [manifest])
    where = {(c.case, c.field, c.where) for c in found}
    assert ("D", "unit_label", "manifest.yaml row 2") in where  # "Døgnenhet PHBU" vs registered poliklinikk
    assert ("A", "setting", "manifest.yaml row 3") in where
    assert ("C", "letter", "manifest.yaml row 4") in where
    assert ("F", "service_area", "manifest.yaml row 5") in where
    assert not any(c.where in ("manifest.yaml row 1", "manifest.yaml row 6") for c in found)  # name variants are fine
    assert any(c.case == "D" and "both as a døgn unit and as a poliklinikk" in c.message for c in found)

    # a source imported with a unit label that contradicts the registry is caught as well
    t = Transcript.from_turns([("I", "Hei.")], meta=TranscriptMeta(case="A", year=2019, unit_label="Døgnenhet PHV"))
    assert import_transcripts(project, [t]).ok
    assert [(c.field, c.where) for c in check_cases(project)] == [("unit_label", "source A-2019-ukjent-1")]


def test_clean_registry_has_no_contradictions(project) -> None:
    write(project.cases_path, REGISTRY)
    assert check_cases(project) == []


def test_cli_cases_check_exit_code_and_json(project, tmp_path: Path) -> None:
    write(project.cases_path, REGISTRY)
    runner = CliRunner()
    ok = runner.invoke(cli, ["-p", str(project.root), "cases", "check"])
    assert ok.exit_code == 0 and "no contradictions" in ok.output
    manifest = write(tmp_path / "manifest.yaml", "- {file: b.txt, case: D, year: 2020, unit_label: Døgnenhet PHBU}\n")
    bad = runner.invoke(cli, ["-p", str(project.root), "cases", "check", "-m", str(manifest), "--json"])
    assert bad.exit_code == 1
    import json

    data = json.loads(bad.stdout)
    assert data["contradictions"][0]["case"] == "D" and data["contradictions"][0]["field"] == "unit_label"
    table = runner.invoke(cli, ["-p", str(project.root), "cases", "check", "-m", str(manifest)])
    assert table.exit_code == 1 and "Case contradictions (1)" in table.output
    listed = runner.invoke(cli, ["-p", str(project.root), "cases", "list", "--json"])
    assert [c["letter"] for c in json.loads(listed.stdout)] == ["A", "D", "F", "G"]
