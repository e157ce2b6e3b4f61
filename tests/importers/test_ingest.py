"""import_files / import_transcripts: vault + store per file, duplicates, bad input leaves no trace."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

from qualcode.importers import Transcript, TranscriptMeta, import_files, import_transcripts
from qualcode.store.models import Case, Source
from qualcode.vault.models import RawSource

from .conftest import INTERVIEW

FIXTURES = Path(__file__).parents[1] / "fixtures" / "importers"
SECRET = "Kari Nordmann"


def counts(project) -> tuple[int, int]:
    with project.store.session() as s:
        n_src = s.scalar(select(func.count()).select_from(Source))
    with project.vault.session() as vs:
        n_raw = vs.scalar(select(func.count()).select_from(RawSource))
    return n_src, n_raw


def test_import_with_manifest(cases_project, write) -> None:
    write("a1.txt", INTERVIEW)
    write("a2.txt", INTERVIEW.replace("Takk", "Tusen takk"))
    write("sub/b.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ola>Hei fra døgn.</v>\n")
    m = write("manifest.yaml", """
- {file: a1.txt, case: A, year: 2019, informant_group: behandlere, interview_form: fokusgruppe, mode: fysisk}
- {file: a2.txt, case: A, year: 2019, informant_group: behandlere}
- {file: sub/b.vtt, case: B, year: 2020, informant_group: ledere, mode: teams, date: 2020-11-02}
""")
    calls = []
    report = import_files(cases_project, [m.parent], manifest=m, progress=lambda d, t: calls.append((d, t)))
    assert report.ok and len(report.imported) == 3, report.as_dict()
    assert calls[-1] == (3, 3)
    by_file = {Path(r.file).name: r for r in report.results}
    assert by_file["a1.txt"].label == "A-2019-behandlere-1"
    assert by_file["a2.txt"].label == "A-2019-behandlere-2"
    assert by_file["b.vtt"].label == "B-2020-ledere-1"
    with cases_project.store.session() as s:
        src = s.scalar(select(Source).where(Source.label == "B-2020-ledere-1"))
        assert (src.status, src.format, src.year, src.mode, src.interview_date) == ("pending", "vtt", 2020, "teams", "2020-11-02")
        assert (src.service_area, src.setting, src.unit_label, src.study) == ("PHV", "døgn", "Døgnenhet PHV", "fagfolk")
        assert src.text is None and src.case.letter == "B" and src.n_speakers == 1 and src.word_count == 3
        assert s.scalar(select(func.count()).select_from(Case)) == 3  # registry synced
        uid = s.scalar(select(Source.uid).where(Source.label == "A-2019-behandlere-1"))
    with cases_project.vault.session() as vs:
        raw = cases_project.vault.transcript(vs, uid)
        assert SECRET in raw.text and raw.filename == "a1.txt" and raw.meta.case == "A"
        assert [e["action"] for e in cases_project.vault.audit_events(vs)] == ["import"] * 3


def test_duplicate_content_reported_not_duplicated(cases_project, write) -> None:
    a = write("a.txt", INTERVIEW)
    first = import_files(cases_project, [a])
    assert len(first.imported) == 1 and first.imported[0].warnings  # no manifest: warned
    copy = write("kopi av a.txt", INTERVIEW)
    again = import_files(cases_project, [a, copy])
    assert [r.status for r in again.results] == ["duplicate", "duplicate"]
    assert again.ok and again.duplicates[1].label == first.imported[0].label
    assert counts(cases_project) == (1, 1)


def _bad_inputs(write) -> dict[str, Path]:
    return {
        "corrupt.docx": write("corrupt.docx", b"PK\x03\x04" + SECRET.encode() * 20),
        "empty.txt": write("empty.txt", b""),
        "binary.txt": write("binary.txt", b"\x89PNG\r\n\x1a\n" + SECRET.encode() + bytes(range(256))),
        "odd.txt": write("odd.txt", bytes(range(0x80, 0x100)) * 10),
        "protected.docx": write("protected.docx", (FIXTURES / "password_protected.docx").read_bytes()),
    }


def test_bad_files_leave_both_stores_unchanged(cases_project, write) -> None:
    good = write("good.txt", INTERVIEW)
    bad = _bad_inputs(write)
    report = import_files(cases_project, [good, *bad.values()])
    assert [Path(r.file).name for r in report.imported] == ["good.txt"]
    errors = {Path(r.file).name: r.message for r in report.errors}
    assert set(errors) == set(bad)
    for name, msg in errors.items():
        assert name in msg and SECRET not in msg and "Kari" not in msg
    assert counts(cases_project) == (1, 1)


@pytest.mark.parametrize("row,message", [
    ("{file: borte.txt, case: A, year: 2019}", "does not exist"),
    ("{file: x.txt, case: Q, year: 2019}", "not in cases.yaml"),
    ("{file: x.txt, case: A, year: 2022}", "outside the study"),
    ("{file: x.txt, informant_group: behandlere}", "'year': is required"),
    ("{file: x.txt, year: 2019, informant_group: behandlere}", "'case': is required"),
])
def test_manifest_problems_import_nothing_for_that_file(cases_project, write, row: str, message: str) -> None:
    write("x.txt", INTERVIEW)
    write("ok.txt", "I: Et annet intervju.\n")
    m = write("manifest.yaml", f"- {{file: ok.txt, case: D, year: 2020, informant_group: ledere}}\n- {row}\n")
    report = import_files(cases_project, [], manifest=m)
    assert [r.label for r in report.imported] == ["D-2020-ledere-1"]
    (err,) = report.errors
    assert message in err.message and "row 2" in err.message
    assert counts(cases_project) == (1, 1)
    # the same with the folder given: x.txt is refused by its row, not imported without metadata
    report = import_files(cases_project, [m.parent], manifest=m)
    assert not report.imported and counts(cases_project) == (1, 1)


def test_file_not_in_manifest_is_an_error(cases_project, write) -> None:
    write("listed.txt", INTERVIEW)
    other = write("other.txt", "I: Hei.\n")
    m = write("manifest.yaml", "- {file: listed.txt, case: A, year: 2019}\n")
    report = import_files(cases_project, [other], manifest=m)
    assert "not listed in manifest manifest.yaml" in report.errors[0].message
    assert counts(cases_project) == (0, 0)


def test_vault_failure_rolls_back_the_store(cases_project, write, monkeypatch) -> None:
    vault = cases_project.vault

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(vault, "add_transcript", broken)
    report = import_files(cases_project, [write("a.txt", INTERVIEW)])
    assert report.errors and "RuntimeError" in report.errors[0].message
    monkeypatch.undo()
    assert counts(cases_project) == (0, 0)


def test_store_commit_failure_removes_the_vault_row(cases_project, write, monkeypatch) -> None:
    store = cases_project.store
    real = store.session

    @contextmanager
    def failing_commit():
        with real() as s:
            yield s
            if s.execute(select(Source.id)).first() is not None:  # the import's own transaction
                raise RuntimeError("connection lost at commit")

    monkeypatch.setattr(store, "session", failing_commit)
    report = import_files(cases_project, [write("a.txt", INTERVIEW)])
    monkeypatch.undo()
    assert report.errors and counts(cases_project) == (0, 0)
    with cases_project.vault.session() as vs:
        assert [e["action"] for e in cases_project.vault.audit_events(vs)] == ["import", "import_rolled_back"]
    # and the file imports cleanly afterwards
    assert len(import_files(cases_project, [write("a.txt", INTERVIEW)]).imported) == 1


def test_orphan_vault_row_from_an_interrupted_import_is_replaced(cases_project, write) -> None:
    path = write("a.txt", INTERVIEW)
    from qualcode.importers import read_transcript

    with cases_project.vault.session() as vs:  # as if the process died before the store commit
        cases_project.vault.add_transcript(vs, "00000000-0000-0000-0000-000000000000", read_transcript(path))
    report = import_files(cases_project, [path])
    assert len(report.imported) == 1
    assert counts(cases_project) == (1, 1)


def test_import_transcripts_for_programmatic_callers(cases_project) -> None:
    good = Transcript.from_turns([("I", "Hei."), ("B1", f"Jeg heter {SECRET}.")],
                                 meta=TranscriptMeta(case="D", year=2020, informant_group="behandlere"),
                                 format="qdpx", filename="intervju 1")
    unknown_case = Transcript.from_turns([("I", "Annet.")], meta=TranscriptMeta(case="H", year=2019))
    report = import_transcripts(cases_project, [good, unknown_case, good])
    assert [r.status for r in report.results] == ["imported", "error", "duplicate"]
    assert report.results[0].label == "D-2020-behandlere-1"
    assert "transcript 2: case 'H' is not in cases.yaml" in report.results[1].message
    assert good.content_hash  # filled from the text
    assert counts(cases_project) == (1, 1)


def test_raw_text_is_not_readable_in_any_database_file(cases_project, write, tmp_path) -> None:
    d = docx.Document()
    d.add_paragraph(f"Intervjuer: Velkommen, {SECRET}.")
    path = tmp_path / "in" / "samtale.docx"
    path.parent.mkdir(exist_ok=True)
    d.save(path)
    report = import_files(cases_project, [write("a.txt", INTERVIEW), path])
    assert len(report.imported) == 2
    root = cases_project.root
    cases_project.close()  # flush WAL files
    needles = [s.encode(enc) for s in (SECRET, "Nordmann", "samtale.docx") for enc in ("utf-8", "utf-16-le")]
    db_files = [p for p in root.rglob("*") if p.is_file() and ".sqlite" in p.name]
    assert any("vault" in p.name for p in db_files)
    for p in db_files:
        data = p.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle!r} readable in {p.name}"


@pytest.mark.postgres
def test_import_on_postgresql(tmp_path, write, postgres_url) -> None:
    from qualcode.project import Project

    from .conftest import CASES_YAML

    cases = tmp_path / "cases.yaml"
    cases.write_text(CASES_YAML, encoding="utf-8")
    project = Project.init(tmp_path / "pg-project", database_url=postgres_url, cases_file=cases)
    try:
        a = write("a.txt", INTERVIEW)
        m = write("manifest.yaml", "- {file: a.txt, case: B, year: 2020, informant_group: ledere}\n"
                                   "- {file: a.txt, case: B, year: 2019}\n")
        report = import_files(project, [a, write("tom.txt", b"")], manifest=m)
        assert [r.label for r in report.imported] == ["B-2020-ledere-1"]
        assert len(report.errors) == 1
        assert import_files(project, [a], manifest=m).duplicates
        assert counts(project) == (1, 1)
    finally:
        project.close()


def test_unlabelled_transcript_imports_with_warning(cases_project, write) -> None:
    report = import_files(cases_project, [write("prosa.txt", "Et referat uten talere.\n\nAndre avsnitt.\n")])
    (r,) = report.imported
    assert any("no speaker labels" in w for w in r.warnings)
    with cases_project.store.session() as s:
        assert s.scalar(select(Source.n_speakers)) == 0


def test_wrong_passphrase_fails_before_any_write(cases_project, write) -> None:
    from qualcode.errors import VaultPassphraseError
    from qualcode.project import Project

    root = cases_project.root
    cases_project.close()
    wrong = Project.open(root, passphrase="not the passphrase")
    with pytest.raises(VaultPassphraseError):
        import_files(wrong, [write("a.txt", INTERVIEW)])
    with wrong.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
    wrong.close()
