"""Held-out training documents (qualcode.nlp.folds), on the committed NorNE sample."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from spacy.tokens import DocBin
import spacy

from qualcode.errors import ModelError
from qualcode.nlp.folds import assign_folds, convert_fold, document_id, split_fold, training_documents

NORNE = Path(__file__).parent / "fixtures" / "norne"
SECOND_DOC = "".join(
    f"{i}\t{w}\t{w}\t_\t_\t_\t0\t_\t_\tname={t}\n"
    for i, (w, t) in enumerate([("Ola", "B-PER"), ("Nordmann", "I-PER"), ("flyttet", "O"), ("til", "O"),
                                ("Bodø", "B-GPE_LOC"), (".", "O")], start=1)) + "\n"


def _two_documents(tmp_path: Path) -> Path:
    root = tmp_path / "norne"
    shutil.copytree(NORNE, root)
    (root / "ndt" / "nob" / "annet_0001.conll").write_text(SECOND_DOC, encoding="utf-8")
    return root


def test_document_id_groups_the_parts_of_one_file() -> None:
    assert document_id("x/ap001_0000.conll") == document_id("ap001_0001.conll") == "ap001"
    assert document_id("db001a_0000.conll") == "db001a"


def test_training_documents_leave_out_dev_and_test() -> None:
    docs = training_documents(NORNE)
    assert list(docs) == ["fiksjon"]  # fiksjon_0002's sentences are all in UD dev/test
    assert [s.words[0] for s in docs["fiksjon"]] == ["Siri", "Hun", "Teamet"]


def test_folds_are_balanced_and_fixed() -> None:
    sizes = {f"d{i}": n for i, n in enumerate([50, 40, 30, 20, 10, 10, 10, 5, 5, 5])}
    folds = assign_folds(sizes, k=3)
    assert folds == assign_folds(dict(reversed(list(sizes.items()))), k=3)  # order of input is irrelevant
    totals = [sum(n for d, n in sizes.items() if folds[d] == f) for f in range(3)]
    assert max(totals) - min(totals) <= 50
    with pytest.raises(ModelError):
        assign_folds({"a": 1}, k=2)


def test_convert_fold_holds_out_whole_documents(tmp_path: Path) -> None:
    root = _two_documents(tmp_path)
    folds = assign_folds({d: len(s) for d, s in training_documents(root).items()}, k=2)
    fold = folds["annet"]
    train, held = split_fold(root, fold, k=2)
    assert [s.words[0] for s in held] == ["Ola"]
    assert len(train) == 3
    report = convert_fold(root, tmp_path / "out", fold, k=2)
    assert report["heldout_sentences"] == 1 and report["train_sentences"] == 3
    assert report["heldout_seen_share"] == 50.0  # Bodø occurs in fold-train, Ola Nordmann does not
    assert report["heldout_per_seen_share"] == 0.0
    assert json.loads((tmp_path / "out" / "fold.json").read_text())["fold"] == fold
    nlp = spacy.blank("nb")
    held_docs = list(DocBin().from_disk(tmp_path / "out" / "heldout.spacy").get_docs(nlp.vocab))
    assert [(e.text, e.label_) for e in held_docs[0].ents] == [("Ola Nordmann", "PER"), ("Bodø", "GPE_LOC")]
    with pytest.raises(ModelError):
        split_fold(root, 2, k=2)


def test_documents_sharing_a_ud_split(tmp_path: Path) -> None:
    from qualcode.nlp.folds import documents_sharing

    root = _two_documents(tmp_path)
    assert documents_sharing(root, "dev") == {"fiksjon"}  # "annet" has no UD sentence
    assert documents_sharing(root, "test") == {"fiksjon"}
