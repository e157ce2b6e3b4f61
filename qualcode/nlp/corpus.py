"""Turn NorNE (Bokmål) into spaCy ``DocBin`` files: train / dev / test (+ lower-cased test).

The UD train file is not distributed with our copy, so *train* is every NDT sentence whose
token sequence does not occur in the UD dev or test split. Dev and test are the UD files.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable

import spacy
from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab

from ..errors import ModelError
from .conll import Sentence, bio_to_spans, read_conllu, read_ndt

from .paths import DEFAULT_NORNE  # noqa: E402  (re-exported)

#: Token attributes stored in the training DocBins.
DOCBIN_ATTRS = ["ORTH", "LEMMA", "TAG", "ENT_IOB", "ENT_TYPE", "SENT_START"]


@dataclass
class NorneFiles:
    ndt: list[Path]
    dev: Path
    test: Path


@dataclass
class SplitReport:
    """What :func:`convert_norne` wrote (counts only, no text)."""

    train_sentences: int
    dev_sentences: int
    test_sentences: int
    ndt_sentences: int
    ndt_in_dev_or_test: int
    entities: dict[str, dict[str, int]]
    paths: dict[str, str]
    nynorsk_sentences: int = 0  # extra training sentences from ud/nno (recipes with extra_nynorsk)

    def as_dict(self) -> dict:
        return asdict(self)


def find_norne(root: Path | str, lang: str = "nob") -> NorneFiles:
    """Locate NDT CoNLL files and the UD dev/test files under a NorNE checkout."""
    root = Path(root)
    if not root.is_dir():
        raise ModelError(f"NorNE folder not found: {root} (pass --norne DIR)")
    ndt = sorted((root / "ndt" / lang).glob("*.conll"))
    if not ndt:
        raise ModelError(f"{root}: no ndt/{lang}/*.conll files (is this a NorNE checkout?)")
    ud = root / "ud" / lang
    dev = sorted(ud.glob("*dev*.conllu"))
    test = sorted(ud.glob("*test*.conllu"))
    if len(dev) != 1 or len(test) != 1:
        raise ModelError(f"{ud}: expected exactly one *dev*.conllu and one *test*.conllu file")
    return NorneFiles(ndt, dev[0], test[0])


def sentence_to_doc(vocab: Vocab, sent: Sentence, *, lower: bool = False) -> Doc:
    """A spaCy Doc with words, spaces, lemmas, tags and entities of one sentence."""
    words = [w.lower() for w in sent.words] if lower else list(sent.words)
    doc = Doc(vocab, words=words, spaces=list(sent.spaces), lemmas=list(sent.lemmas), tags=list(sent.pos))
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in bio_to_spans(sent.tags)]
    return doc


def sentences_to_docs(vocab: Vocab, sentences: Iterable[Sentence], *, n_sents: int = 1,
                      lower: bool = False) -> list[Doc]:
    """Docs of ``n_sents`` consecutive sentences each (sentence starts are kept)."""
    sentences = list(sentences)
    docs = []
    for i in range(0, len(sentences), n_sents):
        group = [sentence_to_doc(vocab, s, lower=lower) for s in sentences[i:i + n_sents]]
        docs.append(Doc.from_docs(group, ensure_whitespace=True) if len(group) > 1 else group[0])
    return docs


def split_ndt(ndt_files: Iterable[Path], held_out: Iterable[Sentence]) -> tuple[list[Sentence], int, int]:
    """NDT sentences not in the held-out set; also the total and the number removed.

    Sentences are matched on their words without punctuation-only tokens, because a few UD
    sentences lost a punctuation token in the conversion from NDT; exact matching would leak
    those sentences into train.
    """
    keys = {s.loose_key for s in held_out}
    train, total, removed = [], 0, 0
    for path in ndt_files:
        for sent in read_ndt(path):
            total += 1
            if sent.loose_key in keys:
                removed += 1
            else:
                train.append(sent)
    return train, total, removed


def nynorsk_sentences(norne_dir: Path | str) -> list[Sentence]:
    """Every sentence of NorNE's UD Nynorsk files (``ud/nno/*.conllu``): extra training text for a
    Bokmål recipe with ``[qualcode] extra_nynorsk`` (round v17 in docs/nlp-rounds.md). Names, places and
    organisations are written alike in both standards; the Bokmål test split is not touched."""
    files = sorted((Path(norne_dir) / "ud" / "nno").glob("*.conllu"))
    if not files:
        raise ModelError(f"{norne_dir}: no ud/nno/*.conllu files for a recipe with extra_nynorsk")
    return [sent for path in files for sent in read_conllu(path)]


def train_sentences(norne_dir: Path | str, lang: str = "nob") -> list[Sentence]:
    """The training split: NDT sentences not in UD dev or test."""
    files = find_norne(norne_dir, lang)
    return split_ndt(files.ndt, read_conllu(files.dev) + read_conllu(files.test))[0]


def _entity_counts(sentences: Iterable[Sentence]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sent in sentences:
        for _, _, label in bio_to_spans(sent.tags):
            counts[label] = counts.get(label, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def convert_norne(norne_dir: Path | str, out_dir: Path | str, *, lang: str = "nob",
                  train_n_sents: int = 10, train_dev: bool = False, nynorsk: bool = False) -> SplitReport:
    """Write ``train.spacy``, ``dev.spacy``, ``test.spacy`` and ``test_lower.spacy`` to out_dir,
    and with ``train_dev`` also ``train_dev.spacy`` (train + dev, for recipes with ``train_on_dev``).
    With ``nynorsk`` the UD Nynorsk sentences join ``train_dev`` (or ``train`` without
    ``train_dev``); the companion's ``train`` stays Bokmål when both are written."""
    files = find_norne(norne_dir, lang)
    dev = read_conllu(files.dev)
    test = read_conllu(files.test)
    train, total, removed = split_ndt(files.ndt, dev + test)
    if not train:
        raise ModelError(f"{norne_dir}: no NDT sentences left for training after removing dev/test")
    extra = nynorsk_sentences(norne_dir) if nynorsk else []
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vocab = spacy.blank("nb").vocab
    outputs = {
        "train": sentences_to_docs(vocab, train + ([] if train_dev else extra), n_sents=train_n_sents),
        **({"train_dev": sentences_to_docs(vocab, train + dev + extra, n_sents=train_n_sents)} if train_dev else {}),
        "dev": sentences_to_docs(vocab, dev),
        "test": sentences_to_docs(vocab, test),
        "test_lower": sentences_to_docs(vocab, test, lower=True),
    }
    paths = {}
    for name, docs in outputs.items():
        path = out / f"{name}.spacy"
        DocBin(attrs=DOCBIN_ATTRS, docs=docs,
               store_user_data=False).to_disk(path)
        paths[name] = str(path)
    report = SplitReport(len(train), len(dev), len(test), total, removed,
                         {"train": _entity_counts(train), "dev": _entity_counts(dev), "test": _entity_counts(test)},
                         paths, len(extra))
    (out / "split.json").write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
    return report
