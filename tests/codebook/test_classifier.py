"""Classifier: refuses without enough manual codings (nothing written); trains, cross-validates and codes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qualcode.codebook import sync_codes
from qualcode.codebook.classifier import best_thresholds, train_project_classifier
from qualcode.errors import ModelError
from qualcode.store.models import Code as CodeRow
from qualcode.store.models import Coder, Coding, Segment, Source

PLAN = ["Vi lagde behandlingsplanen sammen i dag.", "Behandlingsplanen ble endret etter samtalen.",
        "Planen for behandlingen var tydelig.", "Jeg fikk være med på å skrive behandlingsplanen.",
        "Behandlingsplanen ligger i journalen.", "Vi gikk gjennom behandlingsplanen på nytt.",
        "Behandlingsplanen hadde tre mål.", "Målene i behandlingsplanen var mine egne."]
UT = ["Etter utskrivningen var det stille.", "Utskrivningen kom brått på meg.",
      "Før utskrivningen hadde vi et møte.", "Utskrivningen ble utsatt en uke.",
      "Ingen ringte etter utskrivningen.", "Utskrivningen gikk greit denne gangen.",
      "Kommunen var ikke klar ved utskrivningen.", "Utskrivningen skjedde på en fredag."]


def seed(project, mini, n_coded: int):
    with project.store.session() as s:
        sync_codes(s, mini)
        codes = {r.key: r.id for r in s.scalars(select(CodeRow))}
        person = Coder(name="anna", kind="person")
        src = Source(label="S1", format="txt", status="anonymised")
        s.add_all([person, src])
        s.flush()
        texts = [(t, "plan") for t in PLAN] + [(t, "utskrivning") for t in UT] + [("Været var fint.", None)]
        for i, (t, code) in enumerate(texts):
            seg = Segment(source_id=src.id, ordinal=i, turn_index=i, start=0, end=len(t), text=t)
            s.add(seg)
            s.flush()
            if code and i % len(PLAN) < n_coded:
                s.add(Coding(segment_id=seg.id, code_id=codes[code], coder_id=person.id, method="manual"))


def test_not_enough_codings_is_refused(project, mini):
    seed(project, mini, n_coded=3)
    with pytest.raises(ModelError, match="every code needs at least 30 coded segments \\(most coded: plan: 3"):
        train_project_classifier(project, codebook=mini)
    with project.store.session() as s:
        assert s.scalar(select(func.count()).select_from(Coding).where(Coding.method == "classifier")) == 0
    assert not (project.root / "models").exists()


def test_trains_and_codes(project, mini):
    seed(project, mini, n_coded=8)
    rep = train_project_classifier(project, codebook=mini, folds=2, min_per_code=5)
    assert rep.coder == "classifier:textcat" and rep.codes == ["plan", "utskrivning"]
    assert rep.segments == 16 and set(rep.cv["per_code"]) == {"plan", "utskrivning"}
    assert (project.root / "models" / "classifier-textcat" / "meta.json").exists()
    with project.store.session() as s:
        rows = s.execute(select(Segment.text, CodeRow.key, Coding.score, Coding.evidence)
                         .join(Coding, Coding.segment_id == Segment.id).join(CodeRow, Coding.code_id == CodeRow.id)
                         .where(Coding.method == "classifier")).all()
    assert rows and rep.codings_added == len(rows)
    assert all(0 <= score <= 1 and ev["model"] == "classifier:textcat" for _t, _k, score, ev in rows)
    # trained on its own labels, the classifier puts these segments where they were coded
    got = {(t, k) for t, k, _s, _e in rows}
    assert (PLAN[0], "plan") in got and (UT[0], "utskrivning") in got


def test_best_thresholds():
    probs = [{"a": 0.9}, {"a": 0.4}, {"a": 0.35}, {"a": 0.1}]
    assert best_thresholds(probs, [{"a"}, {"a"}, set(), set()], ["a"]) == {"a": 0.4}
