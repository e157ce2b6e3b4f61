"""autocode_project on a tiny project; JSONL mode; refusal of older codebooks; nothing written on error."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from qualcode.codebook import parse_codebook
from qualcode.codebook.autocode import autocode_jsonl, autocode_project
from qualcode.errors import CodebookError
from qualcode.store.models import Code as CodeRow
from qualcode.store.models import Coder, Coding, Segment, Source

TEXTS = [
    "Behandlingsplanen lagde vi sammen.",
    "Etter utskrivningen hørte jeg ingenting.",
    "Vi snakket om været.",
]


def add_segments(project, texts, label="A-2019-behandlere-1"):
    with project.store.session() as s:
        src = Source(label=label, format="txt", status="anonymised", text="\n\n".join(texts))
        s.add(src)
        s.flush()
        pos = 0
        for i, t in enumerate(texts):
            s.add(Segment(source_id=src.id, ordinal=i, turn_index=i, start=pos, end=pos + len(t), text=t,
                          word_count=len(t.split())))
            pos += len(t) + 2


def codings(project):
    with project.store.session() as s:
        return [(c.segment.text, c.code.key, c.coder.name, c.method, c.score, c.evidence, c.codebook_version)
                for c in s.scalars(select(Coding).order_by(Coding.id))]


def test_autocode_codes_once_and_is_rerunnable(project, mini):
    add_segments(project, TEXTS)
    seen = []
    rep = autocode_project(project, codebook=mini, progress=lambda d, t: seen.append((d, t)))
    assert (rep.segments_examined, rep.segments_coded, rep.codings_added) == (3, 2, 2)
    assert rep.per_code == {"plan": 1, "utskrivning": 1}
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    rows = codings(project)
    assert rows[0][:5] == (TEXTS[0], "plan", "auto:mini@1.0.0", "auto", 1.0)
    assert rows[0][5] == {"score": 1.0, "rules": {"plan-stem": ["behandlingsplanen"]}}
    assert rows[0][6] == "1.0.0"
    # re-running adds nothing; new segments are picked up
    again = autocode_project(project, codebook=mini)
    assert again.codings_added == 0 and again.segments_examined == 1  # only the un-coded segment
    add_segments(project, ["Ble skrevet ut i dag."], label="A-2019-behandlere-2")
    third = autocode_project(project, codebook=mini)
    assert third.codings_added == 1
    with project.store.session() as s:
        assert s.scalar(select(Coder.kind).where(Coder.name == "auto:mini@1.0.0")) == "auto"
        assert s.scalar(select(CodeRow.path).where(CodeRow.key == "plan")) == "tema/plan"


def test_newer_codebook_version_is_a_new_coder(project, mini, mini_text):
    add_segments(project, TEXTS)
    autocode_project(project, codebook=mini)
    newer = parse_codebook(mini_text.replace("version: 1.0.0", "version: 1.1.0"))
    rep = autocode_project(project, codebook=newer)
    assert rep.coder == "auto:mini@1.1.0" and rep.codings_added == 2


def test_older_codebook_is_refused_and_nothing_written(project, mini, mini_text):
    add_segments(project, TEXTS)
    newer = parse_codebook(mini_text.replace("version: 1.0.0", "version: 2.0.0"))
    autocode_project(project, codebook=newer)
    before = codings(project)
    add_segments(project, ["Behandlingsplanen igjen."], label="A-2019-behandlere-2")
    with pytest.raises(CodebookError, match="mini 1.0.0 is older than codings in the analysis store \\(version 2.0.0\\)"):
        autocode_project(project, codebook=mini)
    assert codings(project) == before
    with project.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Coder).where(Coder.name == "auto:mini@1.0.0")) == 0


def test_builtin_codebook_from_project_config(project):
    add_segments(project, ["Vi fikk ingen informasjon om pakkeforløpet.", "Etter utskrivningen var jeg alene."])
    rep = autocode_project(project)
    assert rep.coder.startswith("auto:pakkeforlop@")
    assert rep.per_code.get("informasjon") == 1 and rep.per_code.get("overganger") == 1


def test_jsonl(tmp_path, mini):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(TEXTS)) + "\n",
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert autocode_jsonl(src, out, codebook=mini) == 3
    lines = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"id": 0, "codes": ["plan"], "evidence": {"plan": ["behandlingsplanen"]}}
    assert lines[2] == {"id": 2, "codes": [], "evidence": {}}


def test_jsonl_bad_line_writes_nothing(tmp_path, mini):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "text": "ok"}\n{"id": 2, "tekst": "privat innhold"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with pytest.raises(CodebookError) as e:
        autocode_jsonl(src, out, codebook=mini)
    assert "in.jsonl:2" in str(e.value) and "privat" not in str(e.value)
    assert not out.exists() and list(tmp_path.iterdir()) == [src]
