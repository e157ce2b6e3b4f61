"""The NorNE converter on a small fictional sample (tests/nlp/fixtures/norne, same layout as NorNE)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from qualcode.errors import ModelError
from qualcode.nlp.conll import bio_to_spans, read_conllu, read_ndt
from qualcode.nlp.corpus import convert_norne, find_norne

NORNE = Path(__file__).parent / "fixtures" / "norne"


def test_read_ndt_words_tags_and_spacing() -> None:
    sents = read_ndt(NORNE / "ndt" / "nob" / "fiksjon_0001.conll")
    assert len(sents) == 3
    first = sents[0]
    assert first.words[:2] == ["Siri", "Åsheim"]
    assert first.tags[:2] == ["B-PER", "I-PER"]
    assert first.lemmas[2] == "jobbe"
    assert first.pos[:2] == ["subst|prop", "subst"]  # fine NDT tag when features are given
    assert first.text == "Siri Åsheim jobber i Bodø."
    # brackets attach to their neighbours, commas to the previous word
    assert sents[1].text == "Hun leder Nordlys Omsorg, sa Øyvind."
    assert sents[2].text == "Teamet møttes på Fjellheimen (i fjor)."


def test_read_conllu_uses_space_after() -> None:
    sents = read_conllu(NORNE / "ud" / "nob" / "fiksjon-ud-test.conllu")
    assert [s.sent_id for s in sents] == ["100", "101"]
    assert sents[1].text == "Jørgen Læstad flyttet til Tromsø."
    assert bio_to_spans(sents[1].tags) == [(0, 2, "PER"), (4, 5, "GPE_LOC")]


@pytest.mark.parametrize("tags, spans", [
    (["B-PER", "I-PER", "O"], [(0, 2, "PER")]),
    (["B-PER", "B-PER"], [(0, 1, "PER"), (1, 2, "PER")]),
    (["I-ORG", "I-ORG", "O", "I-LOC"], [(0, 2, "ORG"), (3, 4, "LOC")]),  # stray I- starts an entity
    (["B-ORG", "I-LOC"], [(0, 1, "ORG"), (1, 2, "LOC")]),
    (["O", "O"], []),
])
def test_bio_to_spans(tags: list[str], spans: list[tuple[int, int, str]]) -> None:
    assert bio_to_spans(tags) == spans


def test_convert_excludes_dev_and_test_sentences(tmp_path: Path) -> None:
    report = convert_norne(NORNE, tmp_path / "corpus", train_n_sents=1)
    # 5 NDT sentences; the dev sentence matches exactly, the test one only without its leading dash
    assert report.ndt_sentences == 5
    assert report.ndt_in_dev_or_test == 2
    assert report.train_sentences == 3
    assert (report.dev_sentences, report.test_sentences) == (1, 2)
    nlp = spacy.blank("nb")
    train = list(DocBin().from_disk(report.paths["train"]).get_docs(nlp.vocab))
    texts = [d.text for d in train]
    assert not any("Kautokeino" in t or "Kari" in t for t in texts)
    ents = [(e.text, e.label_) for d in train for e in d.ents]
    assert ("Siri Åsheim", "PER") in ents and ("Nordlys Omsorg", "ORG") in ents and ("Fjellheimen", "LOC") in ents
    assert train[0][2].lemma_ == "jobbe"
    test = list(DocBin().from_disk(report.paths["test"]).get_docs(nlp.vocab))
    lower = list(DocBin().from_disk(report.paths["test_lower"]).get_docs(nlp.vocab))
    assert [d.text.lower() for d in test] == [d.text for d in lower]
    assert [(e.start_char, e.end_char, e.label_) for d in test for e in d.ents] == \
           [(e.start_char, e.end_char, e.label_) for d in lower for e in d.ents]
    assert report.entities["test"] == {"GPE_LOC": 2, "PER": 1}


def test_train_docs_group_sentences(tmp_path: Path) -> None:
    report = convert_norne(NORNE, tmp_path / "corpus", train_n_sents=10)
    docs = list(DocBin().from_disk(report.paths["train"]).get_docs(spacy.blank("nb").vocab))
    assert len(docs) == 1
    assert sum(1 for t in docs[0] if t.is_sent_start) == 3


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "norne"
    shutil.copytree(NORNE, root)
    return root


def test_bad_column_count_names_file_and_line_not_text(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "ndt" / "nob" / "fiksjon_0002.conll"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = "3\tKautokeino\tKautokeino"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ModelError) as err:
        read_ndt(path)
    assert f"{path}:3" in str(err.value)
    assert "Kautokeino" not in str(err.value).replace(str(path), "")


def test_unknown_label_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "ud" / "nob" / "fiksjon-ud-dev.conllu"
    path.write_text(path.read_text(encoding="utf-8").replace("B-PER", "B-PERSON"), encoding="utf-8")
    with pytest.raises(ModelError, match="unknown entity tag"):
        read_conllu(path)


def test_missing_or_incomplete_norne(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="NorNE folder not found"):
        find_norne(tmp_path / "nope")
    root = _copy(tmp_path)
    (root / "ud" / "nob" / "fiksjon-ud-dev.conllu").unlink()
    with pytest.raises(ModelError, match="dev"):
        find_norne(root)
    with pytest.raises(ModelError, match="no ndt/nob"):
        find_norne(root / "ud")


def test_train_dev_corpus_is_train_plus_dev(tmp_path: Path) -> None:
    assert "train_dev" not in convert_norne(NORNE, tmp_path / "plain", train_n_sents=1).paths  # only on request
    report = convert_norne(NORNE, tmp_path / "corpus", train_n_sents=1, train_dev=True)
    nlp = spacy.blank("nb")
    train = [d.text for d in DocBin().from_disk(report.paths["train"]).get_docs(nlp.vocab)]
    dev = [d.text for d in DocBin().from_disk(report.paths["dev"]).get_docs(nlp.vocab)]
    both = [d.text for d in DocBin().from_disk(report.paths["train_dev"]).get_docs(nlp.vocab)]
    assert both == train + dev and dev
