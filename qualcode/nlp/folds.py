"""Held-out training documents: a selection split with the UD test split's share of new names.

Half of the UD dev split's mentions are names the training split has (a third of test's), so a
lexicon that helps with new names moves dev F little and test F a lot (docs/nlp-rounds.md, rounds
v8–v10). Folding the *training* split by document gives held-out text whose names are as new as
test's, without looking at test: a recipe is trained on the other folds (still stopped on UD
dev) and scored on the held-out one.

Documents are NDT's files grouped by their stem before ``_`` (``ap001_0000`` and ``ap001_0001``
are one article). Folds are balanced by sentence count: documents in the order of a salted
SHA-256 of their id, each to the fold with the fewest sentences so far.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from ..errors import ModelError
from .conll import Sentence, bio_to_spans, read_conllu, read_ndt
from .corpus import DOCBIN_ATTRS, find_norne, sentences_to_docs

SALT = "qualcode-folds-v1"


def document_id(path: Path | str) -> str:
    """The document an NDT file belongs to (``ap001_0001.conll`` → ``ap001``)."""
    return Path(path).stem.split("_")[0]


def training_documents(norne_dir: Path | str, lang: str = "nob") -> dict[str, list[Sentence]]:
    """The training split (NDT minus UD dev/test, as :func:`corpus.split_ndt`) by document."""
    files = find_norne(norne_dir, lang)
    held_out = {s.loose_key for s in read_conllu(files.dev) + read_conllu(files.test)}
    docs: dict[str, list[Sentence]] = {}
    for path in files.ndt:
        docs.setdefault(document_id(path), []).extend(s for s in read_ndt(path) if s.loose_key not in held_out)
    return {d: sents for d, sents in docs.items() if sents}


def documents_sharing(norne_dir: Path | str, split: str = "dev", lang: str = "nob") -> set[str]:
    """NDT documents that have sentences in the UD ``split`` (UD cut its splits inside articles,
    so a recipe that trains on dev sees neighbouring sentences of these documents)."""
    files = find_norne(norne_dir, lang)
    if split not in ("dev", "test"):
        raise ModelError(f"unknown UD split '{split}' (use dev or test)")
    keys = {s.loose_key for s in read_conllu({"dev": files.dev, "test": files.test}[split])}
    return {document_id(p) for p in files.ndt if any(s.loose_key in keys for s in read_ndt(p))}


def assign_folds(sizes: dict[str, int], k: int = 5, salt: str = SALT) -> dict[str, int]:
    """Fold number of each document: balanced by size, order fixed by a salted hash."""
    if k < 2 or len(sizes) < k:
        raise ModelError(f"cannot make {k} folds from {len(sizes)} documents")
    order = sorted(sizes, key=lambda d: hashlib.sha256(f"{salt}:{d}".encode()).hexdigest())
    totals = [0] * k
    folds = {}
    for doc in order:
        fold = min(range(k), key=lambda i: (totals[i], i))
        folds[doc] = fold
        totals[fold] += sizes[doc]
    return folds


def _mentions(sentences: list[Sentence]) -> list[tuple[str, str]]:
    return [(" ".join(s.words[a:b]).lower(), label) for s in sentences for a, b, label in bio_to_spans(s.tags)]


def split_fold(norne_dir: Path | str, fold: int, k: int = 5, lang: str = "nob") -> tuple[list[Sentence], list[Sentence]]:
    """(training sentences outside ``fold``, sentences of ``fold``), in NDT order."""
    docs = training_documents(norne_dir, lang)
    folds = assign_folds({d: len(s) for d, s in docs.items()}, k)
    if not 0 <= fold < k:
        raise ModelError(f"fold {fold} out of range 0..{k - 1}")
    train = [s for d, sents in docs.items() if folds[d] != fold for s in sents]
    held = [s for d, sents in docs.items() if folds[d] == fold for s in sents]
    return train, held


def convert_fold(norne_dir: Path | str, out_dir: Path | str, fold: int, *, k: int = 5, lang: str = "nob",
                 train_n_sents: int = 10) -> dict:
    """Write ``train.spacy`` (the other folds) and ``heldout.spacy`` (this fold, one sentence per
    doc) to ``out_dir``; returns counts and the share of held-out mentions seen in fold-train."""
    train, held = split_fold(norne_dir, fold, k, lang)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vocab = spacy.blank("nb").vocab
    for name, docs in (("train", sentences_to_docs(vocab, train, n_sents=train_n_sents)),
                       ("heldout", sentences_to_docs(vocab, held))):
        DocBin(attrs=DOCBIN_ATTRS, docs=docs, store_user_data=False).to_disk(out / f"{name}.spacy")
    seen = set(_mentions(train))
    held_mentions = _mentions(held)
    per = [m for m in held_mentions if m[1] == "PER"]
    report = {"fold": fold, "k": k, "salt": SALT, "train_sentences": len(train), "heldout_sentences": len(held),
              "heldout_entities": len(held_mentions),
              "heldout_seen_share": round(100 * sum(m in seen for m in held_mentions) / max(1, len(held_mentions)), 1),
              "heldout_per_seen_share": round(100 * sum(m in seen for m in per) / max(1, len(per)), 1)}
    (out / "fold.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report
