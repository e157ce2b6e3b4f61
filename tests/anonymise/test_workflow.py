from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode.anonymise import anonymise_project, apply_review
from qualcode.errors import AnonymisationError, VaultPassphraseError
from qualcode.project import Project
from qualcode.store.models import Code, Coder, Coding, Segment, Source
from qualcode.vault.keymap import VaultKeyMap
from qualcode.vault.models import Pseudonym

from .conftest import add_source


def store_texts(project) -> dict[str, str]:
    with project.store.session() as s:
        return {src.label: src.text for src in s.scalars(select(Source))}


def segments(project, label: str) -> list[Segment]:
    with project.store.session() as s:
        src = s.scalar(select(Source).where(Source.label == label))
        return list(s.scalars(select(Segment).where(Segment.source_id == src.id).order_by(Segment.ordinal)))


def read_rows(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def write_rows(path: Path, rows: list[dict[str, str]]) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def two_sources(project):
    add_source(project, "A-2019-behandlere-1", [
        ("Intervjuer", "Hvordan jobber dere med Sigrun Vatnedal?"),
        ("Torvald", "Sigrun er forløpskoordinator i Fjellvik. Sigruns team ringer 22 33 44 55."),
    ])
    add_source(project, "B-2020-ledere-1", [
        ("Sigrun", "Torvald og jeg startet på Solbakken behandlingssenter."),
        ("Intervjuer", "Takk, Sigrun."),
    ])
    return project


def test_anonymise_project_releases_consistent_text_and_segments(two_sources, nlp) -> None:
    project = two_sources
    report = anonymise_project(project, nlp=nlp, actor="tester")
    assert report.sources == ["A-2019-behandlere-1", "B-2020-ledere-1"]
    texts = store_texts(project)
    for text in texts.values():
        for name in ("Sigrun", "Torvald", "Fjellvik", "Solbakken", "22 33 44 55"):
            assert name not in text
    a, b = texts["A-2019-behandlere-1"], texts["B-2020-ledere-1"]
    # the same person gets the same pseudonym in both transcripts, genitive kept
    assert "[PERSON 1]s team" in a or "[PERSON 2]s team" in a
    sigrun = "[PERSON 2]" if "[PERSON 2]s team" in a else "[PERSON 1]"
    assert b.startswith(f"{sigrun}: ") and b.endswith(f"Takk, {sigrun}.")
    torvald = a.split("\n\n")[1].split(":")[0]
    assert torvald.startswith("[PERSON") and torvald != sigrun and b.count(torvald) == 1
    # speaker labels in segments are the masked ones, offsets point into the anonymised text
    segs = segments(project, "B-2020-ledere-1")
    assert [s.speaker for s in segs] == [sigrun, "Intervjuer"]
    for seg in segs:
        assert b[seg.start:seg.end] == seg.text
    with project.store.session() as s:
        assert {src.status for src in s.scalars(select(Source))} == {"anonymised"}
    assert report.review_csv.parent == project.private_dir / "review"
    assert "IDENTIFYING" in report.review_csv.read_text(encoding="utf-8").splitlines()[0]
    assert "IDENTIFYING" in report.review_html.read_text(encoding="utf-8")
    # the key lives in the vault, encrypted
    with project.vault.session() as vs:
        rows = list(vs.scalars(select(Pseudonym)))
        assert rows and all(b"Sigrun" not in r.original_enc for r in rows)
        assert VaultKeyMap(project.vault).lookup(vs, "PERSON", "sigrun") == sigrun.strip("[]")
        events = project.vault.audit_events(vs)
        assert [e["action"] for e in events].count("anonymise") == 2 and events[0]["actor"] == "tester"
    assert b"Sigrun" not in project.vault_path.read_bytes()


def test_rerun_is_safe_and_new_sources_reuse_pseudonyms(two_sources, nlp) -> None:
    project = two_sources
    anonymise_project(project, nlp=nlp)
    before = store_texts(project)
    assert anonymise_project(project, nlp=nlp).sources == []
    assert store_texts(project) == before
    add_source(project, "C-2020-behandlere-1", [("Intervjuer", "Jobber du fortsatt med Torvald?")])
    anonymise_project(project, nlp=nlp)
    torvald = before["A-2019-behandlere-1"].split("\n\n")[1].split(":")[0]
    assert store_texts(project)["C-2020-behandlere-1"] == f"Intervjuer: Jobber du fortsatt med {torvald}?"


def test_key_survives_reopening_the_project(two_sources, nlp, tmp_path) -> None:
    project = two_sources
    anonymise_project(project, nlp=nlp)
    sigrun_b = store_texts(project)["B-2020-ledere-1"].split(":")[0]
    project.close()
    reopened = Project.open(project.root)
    add_source(reopened, "D-2019-ledere-1", [("Intervjuer", "Og Sigruns rolle?")])
    anonymise_project(reopened, nlp=nlp)
    assert store_texts(reopened)["D-2019-ledere-1"] == f"Intervjuer: Og {sigrun_b}s rolle?"
    reopened.close()


def test_empty_transcript_is_refused_and_nothing_written(project, nlp) -> None:
    add_source(project, "A-2019-ledere-1", [("Intervjuer", "Hei Sigrun.")])
    add_source(project, "A-2019-ledere-2", [("Intervjuer", "   "), ("X", "\n")])
    with pytest.raises(AnonymisationError, match="A-2019-ledere-2") as exc:
        anonymise_project(project, nlp=nlp)
    assert "Sigrun" not in str(exc.value)
    with project.store.session() as s:
        assert {src.status for src in s.scalars(select(Source))} == {"pending"}
        assert s.scalar(select(Segment.id)) is None
    with project.vault.session() as vs:
        assert vs.scalar(select(Pseudonym.id)) is None


def test_wrong_or_missing_passphrase(two_sources, nlp, monkeypatch) -> None:
    root = two_sources.root
    two_sources.close()
    wrong = Project.open(root, passphrase="not the passphrase")
    with pytest.raises(VaultPassphraseError):
        anonymise_project(wrong, nlp=nlp)
    monkeypatch.delenv("QUALCODE_VAULT_PASSPHRASE")
    missing = Project.open(root)
    with pytest.raises(VaultPassphraseError):
        anonymise_project(missing, nlp=nlp)
    with missing.store.session() as s:
        assert {src.status for src in s.scalars(select(Source))} == {"pending"}


def _coded(project, label: str, ordinal: int) -> int:
    with project.store.session() as s:
        src = s.scalar(select(Source).where(Source.label == label))
        seg = s.scalar(select(Segment).where(Segment.source_id == src.id, Segment.ordinal == ordinal))
        code, coder = Code(key="k", path="k", label="K"), Coder(name="anna")
        s.add_all([code, coder])
        s.flush()
        c = Coding(segment_id=seg.id, code_id=code.id, coder_id=coder.id, start=seg.end - 5, end=seg.end)
        s.add(c)
        s.flush()
        return c.id


def test_apply_review_round_trip(two_sources, nlp, tmp_path) -> None:
    project = two_sources
    report = anonymise_project(project, nlp=nlp)
    seg_ids = [s.id for s in segments(project, "A-2019-behandlere-1")]
    coding_id = _coded(project, "A-2019-behandlere-1", 1)
    rows = read_rows(report.review_csv)
    fjellvik = next(r for r in rows if r["text"] == "Fjellvik")
    fjellvik["decision"] = "reject"
    rows.append({k: "" for k in rows[0]} | {"source": "A-2019-behandlere-1", "text": "forløpskoordinator",
                                              "label": "ORG"})
    sheet = write_rows(tmp_path / "reviewed.csv", rows)
    result = apply_review(project, sheet, actor="reviewer")
    assert result.rejected == 1 and result.added == 1
    text = store_texts(project)["A-2019-behandlere-1"]
    assert "Fjellvik" in text and "forløpskoordinator" not in text and "[ORG" in text
    assert "Sigrun" not in text
    new_segs = segments(project, "A-2019-behandlere-1")
    assert [s.id for s in new_segs] == seg_ids  # ids stable
    for seg in new_segs:
        assert text[seg.start:seg.end] == seg.text
    assert result.codings_affected == 1 and result.warnings
    with project.store.session() as s:
        c = s.get(Coding, coding_id)
        assert text[c.start:c.end] == "[TELEFON]."  # a span starting inside a pseudonym widens to all of it
    with project.vault.session() as vs:
        actions = [(e["actor"], e["action"]) for e in project.vault.audit_events(vs)]
    assert ("reviewer", "review-reject") in actions and ("reviewer", "review-add") in actions
    # applying the same sheet again changes nothing
    apply_review(project, sheet, actor="reviewer")
    assert store_texts(project)["A-2019-behandlere-1"] == text


@pytest.mark.parametrize("breakage, message", [
    ("unknown_id", "unknown id"),
    ("overlap", "overlaps"),
    ("encoding", "UTF-8"),
    ("decision", "decision"),
    ("source", "unknown source"),
    ("text_not_found", "do not occur"),
])
def test_invalid_sheets_leave_stores_unchanged(two_sources, nlp, tmp_path, breakage: str, message: str) -> None:
    project = two_sources
    report = anonymise_project(project, nlp=nlp)
    before = store_texts(project)
    with project.vault.session() as vs:
        n_events = len(project.vault.audit_events(vs))
    rows = read_rows(report.review_csv)
    blank = {k: "" for k in rows[0]}
    sheet = tmp_path / "broken.csv"
    if breakage == "unknown_id":
        rows[0]["id"] = "999-1"
    elif breakage == "overlap":
        r = rows[0]
        rows.append(blank | {"source": r["source"], "start": r["start"], "end": str(int(r["end"]) + 1),
                             "text": "", "label": "PER"})
        # text must match the span: take it from the context-free raw offsets via the original row
        rows[-1]["text"] = r["text"] + (" " if False else "")
    elif breakage == "decision":
        rows[0]["decision"] = "maybe"
    elif breakage == "source":
        rows[0]["source"] = "Z-2019-ledere-9"
    elif breakage == "text_not_found":
        rows.append(blank | {"source": rows[0]["source"], "text": "Xyzzyq", "label": "PER"})
    write_rows(sheet, rows)
    if breakage == "overlap":  # give the overlapping row the right words for its offsets
        raw_row = rows[0]
        text = store_texts(project)  # noqa: F841 (raw text is only in the vault)
        from qualcode.vault.keymap import VaultKeyMap  # noqa: F401
        with project.vault.session() as vs:
            src_uid = None
            for uid, tr in project.vault.transcripts(vs):
                if tr.text[int(raw_row["start"]):int(raw_row["end"])] == raw_row["text"]:
                    src_uid, raw = uid, tr.text
        rows[-1]["text"] = raw[int(raw_row["start"]):int(raw_row["end"]) + 1]
        write_rows(sheet, rows)
    if breakage == "encoding":
        sheet.write_bytes(report.review_csv.read_text(encoding="utf-8").encode("latin-1", "replace") + b"\xff\xfe")
    with pytest.raises(AnonymisationError, match=message) as exc:
        apply_review(project, sheet, actor="reviewer")
    assert "Sigrun" not in str(exc.value) and "Xyzzyq" not in str(exc.value)
    assert store_texts(project) == before
    with project.vault.session() as vs:
        assert len(project.vault.audit_events(vs)) == n_events


@pytest.mark.parametrize("column, message", [
    ("source", "unknown source"),
    ("id", "unknown id"),
    ("duplicate_id", "also on line"),
])
def test_misplaced_name_in_a_sheet_cell_is_not_echoed(two_sources, nlp, tmp_path, column: str, message: str) -> None:
    """A name that slipped into the id or source column (e.g. after a column was deleted in a
    spreadsheet) is refused without being repeated in the error."""
    project = two_sources
    report = anonymise_project(project, nlp=nlp)
    rows = read_rows(report.review_csv)
    if column == "duplicate_id":
        rows[0]["id"] = rows[1]["id"] = "Sigrun Vatnedal"
    else:
        rows[0][column] = "Sigrun Vatnedal"
    sheet = write_rows(tmp_path / "shifted.csv", rows)
    with pytest.raises(AnonymisationError, match=message) as exc:
        apply_review(project, sheet, actor="reviewer")
    assert "Sigrun" not in str(exc.value)


def test_a_failure_on_a_later_source_leaves_every_source_of_the_sheet_unchanged(two_sources, nlp, tmp_path,
                                                                                   monkeypatch) -> None:
    import qualcode.anonymise.workflow as wf

    project = two_sources
    report = anonymise_project(project, nlp=nlp)
    rows = read_rows(report.review_csv)
    for label in ("A-2019-behandlere-1", "B-2020-ledere-1"):  # a change in each source
        next(r for r in rows if r["source"] == label)["decision"] = "reject"
    sheet = write_rows(tmp_path / "reviewed.csv", rows)
    before = store_texts(project)
    with project.vault.session() as vs:
        n_events = len(project.vault.audit_events(vs))
        uids = [u for u, _ in project.vault.transcripts(vs)]
        dets = {u: VaultKeyMap(project.vault).load_detections(vs, u) for u in uids}
    real_release, calls = wf._release, []

    def release_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_release(*args, **kwargs)

    monkeypatch.setattr(wf, "_release", release_then_fail)
    with pytest.raises(RuntimeError):
        apply_review(project, sheet, actor="reviewer")
    assert len(calls) == 2
    assert store_texts(project) == before
    with project.vault.session() as vs:
        assert len(project.vault.audit_events(vs)) == n_events
        assert {u: VaultKeyMap(project.vault).load_detections(vs, u) for u in uids} == dets
    monkeypatch.setattr(wf, "_release", real_release)
    result = apply_review(project, sheet, actor="reviewer")  # and the sheet still applies afterwards
    assert result.rejected == 2 and store_texts(project) != before


def test_surrogate_mode_gives_consistent_realistic_names(project, nlp) -> None:
    project.config.anonymise = {"surrogates": True}
    add_source(project, "A-2019-behandlere-1", [("Intervjuer", "Sigrun ringte. Sigrun kom fra Fjellvik.")])
    anonymise_project(project, nlp=nlp)
    text = store_texts(project)["A-2019-behandlere-1"]
    assert "Sigrun" not in text and "Fjellvik" not in text and "[PERSON" not in text
    first = text.split(": ", 1)[1].split(" ringte")[0]
    assert text.count(first) == 2 and first[0].isupper()


def test_name_like_speaker_labels_are_masked_roles_are_not(project, nlp) -> None:
    add_source(project, "E-2020-brukere-1", [
        ("Intervjuer", "Kan du fortelle litt?"),
        ("Vebjørnhild", "Ja. Vebjørnhild heter jeg."),
        ("B1", "Og jeg er med."),
    ])
    anonymise_project(project, nlp=nlp)
    text = store_texts(project)["E-2020-brukere-1"]
    assert "Vebjørnhild" not in text
    assert [s.speaker for s in segments(project, "E-2020-brukere-1")] == ["Intervjuer", "[PERSON 1]", "B1"]
    assert "[PERSON 1] heter jeg" in text


def test_speaker_label_rule_can_be_switched_off(project, nlp) -> None:
    project.config.anonymise = {"speaker_labels": False}
    add_source(project, "E-2020-brukere-2", [("Vebjørnhild", "Ja.")])
    anonymise_project(project, nlp=nlp)
    assert store_texts(project)["E-2020-brukere-2"] == "Vebjørnhild: Ja."


def test_review_html_is_self_contained_and_escaped(project, nlp) -> None:
    add_source(project, "F-2019-ledere-1", [("Intervjuer", "Sigrun sa <script>alert(1)</script> i Fjellvik.")])
    report = anonymise_project(project, nlp=nlp)
    page = report.review_html.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page
    assert oct(report.review_csv.stat().st_mode & 0o777) == "0o600"
