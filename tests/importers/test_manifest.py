"""Manifest rows: every rule names the row and the field."""
from __future__ import annotations

import pytest

from qualcode.cases import CaseRegistry
from qualcode.importers import ManifestError, load_manifest

REGISTRY = CaseRegistry.model_validate({"cases": [
    {"letter": "A", "unit_label": "Poliklinikk PHV", "setting": "poliklinikk", "service_area": "PHV"},
    {"letter": "D", "unit_label": "Poliklinikk PHBU", "setting": "poliklinikk", "service_area": "PHBU"},
]})


@pytest.fixture
def files(write):
    for name in ("a.txt", "b.txt", "c.txt"):
        write(name, "I: Hei.\n")
    return write


def manifest(write, rows: str, name: str = "manifest.yaml"):
    return load_manifest(write(name, rows), registry=REGISTRY)


def test_yaml_rows_defaults_and_registry_fill_in(files) -> None:
    m = manifest(files, """
defaults: {interview_form: fokusgruppe, mode: Teams}
files:
  - {file: a.txt, case: a, year: 2019, informant_group: behandlere, date: 2019-10-03}
  - {file: b.txt, year: "2020", informant_group: brukere, service_area: phv/tsb, interview_form: individuell}
""")
    assert not m.errors
    a, b = m.entries
    assert (a.meta.case, a.meta.year, a.meta.mode, a.meta.study) == ("A", 2019, "teams", "fagfolk")
    assert (a.meta.service_area, a.meta.setting, a.meta.unit_label) == ("PHV", "poliklinikk", "Poliklinikk PHV")
    assert a.meta.date.isoformat() == "2019-10-03"
    assert (b.meta.case, b.meta.service_area, b.meta.study, b.meta.interview_form) == (None, "PHV+TSB", "bsb", "individuell")
    assert a.file.name == "a.txt" and a.row == 1


def test_csv_with_semicolons_in_cp1252(files) -> None:
    csv = "file;case;year;informant_group;mode\na.txt;D;2020;forløpskoordinatorer;telefon\n\n"
    m = manifest(files, csv.encode("cp1252"), name="manifest.csv")
    assert not m.errors
    assert m.entries[0].meta.informant_group == "forløpskoordinatorer"
    assert m.entries[0].meta.service_area == "PHBU"


@pytest.mark.parametrize("row,field,problem", [
    ("{file: borte.txt, case: A, year: 2019}", "file", "does not exist"),
    ("{file: a.txt, case: Q, year: 2019}", "case", "'Q' is not in cases.yaml"),
    ("{file: a.txt, case: A, year: 2021}", "year", "outside the study"),
    ("{file: a.txt, case: A, year: 2018}", "year", "outside the study"),
    ("{file: a.txt, case: A}", "year", "is required"),
    ("{file: a.txt, year: 2019, informant_group: behandlere}", "case", "is required"),
    ("{file: a.txt, year: 2019, informant_group: brukere}", "service_area", "is required"),
    ("{file: a.txt, case: A, year: 2019, interviewer: Kari}", "interviewer", "unknown field"),
    ("{case: A, year: 2019}", "file", "is required"),
    ("{file: a.txt, case: A, year: 2019, informant_group: sjefer}", "informant_group", "not one of"),
    ("{file: a.txt, case: A, year: 2019, setting: hjemme}", "setting", "not one of"),
    ("{file: a.txt, case: A, year: to tusen}", "year", "not a year"),
])
def test_row_errors_name_row_and_field(files, row: str, field: str, problem: str) -> None:
    m = manifest(files, f"- {{file: b.txt, case: A, year: 2019}}\n- {row}\n")
    assert len(m.entries) == 1 and m.entries[0].file.name == "b.txt"
    (err,) = m.errors
    assert err.row == 2 and err.field == field
    assert "manifest.yaml row 2" in err.message and f"field {field!r}" in err.message and problem in err.message


def test_same_file_twice(files) -> None:
    m = manifest(files, "- {file: a.txt, case: A, year: 2019}\n- {file: ./a.txt, case: A, year: 2020}\n")
    assert len(m.entries) == 1 and "already listed in row 1" in m.errors[0].message


@pytest.mark.parametrize("content,name,match", [
    ("files: [unclosed", "manifest.yaml", "not valid YAML"),
    ("just a string", "manifest.yaml", "expected a list"),
    ("files: []\nextra: 1", "manifest.yaml", "unknown top-level key 'extra'"),
    ("a,b\n", "manifest.json", "use a .yaml or .csv"),
    ('file,case\na.txt,"' + "x" * 200_000 + '"\n', "manifest.csv", "not a readable CSV file"),
])
def test_unreadable_manifest(write, content: str, name: str, match: str) -> None:
    with pytest.raises(ManifestError, match=match):
        load_manifest(write(name, content))


def test_spreadsheet_year_and_norwegian_date(files) -> None:
    m = manifest(files, "file;case;year;date\na.txt;A;2020.0;03.10.2020\nb.txt;A;2019;31.02.2019\n",
                 name="manifest.csv")
    assert m.entries[0].meta.year == 2020 and m.entries[0].meta.date.isoformat() == "2020-10-03"
    (err,) = m.errors
    assert err.row == 2 and err.field == "date"


def test_windows_separators_in_file_paths(write) -> None:
    write("sub/a.txt", "I: Hei.\n")
    m = manifest(write, "- {file: 'sub\\a.txt', case: A, year: 2019}\n")
    assert not m.errors and m.entries[0].file.name == "a.txt"
