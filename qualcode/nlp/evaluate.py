"""Evaluation on NorNE's UD test split: exact-span P/R/F per label and micro; speed and size."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Iterable

from spacy.training import Example

from ..errors import ModelError
from .conll import Sentence, read_conllu
from .corpus import find_norne, sentences_to_docs
from .ops import blas_of, one_blas_thread
from .truecase import Truecaser
from .truecase import pipe as truecase_pipe
from .uncased import companion


def _round(x: float) -> float:
    return round(100 * float(x), 2)


def score_sentences(nlp, sentences: Iterable[Sentence], *, lower: bool = False, truecase: bool = False,
                    batch_size: int = 256, **truecase_options) -> dict:
    """Exact-span NER scores (percent) of ``nlp`` on gold sentences, re-tokenised from their text.

    With ``truecase``, uncased texts are also read truecased, as :func:`qualcode.nlp.entities`
    reads them (:func:`qualcode.nlp.truecase.pipe`, which takes ``truecase_options``).
    """
    sentences = list(sentences)
    if not sentences:
        raise ModelError("no sentences to evaluate")
    if "ner" not in nlp.pipe_names:
        raise ModelError("the pipeline has no 'ner' component")
    refs = sentences_to_docs(nlp.vocab, sentences, lower=lower)
    if truecase:  # predicted as qualcode.nlp.entities does it; scored as nlp.evaluate scores ents
        from spacy.scorer import Scorer

        docs = truecase_pipe(nlp, (ref.text for ref in refs), batch_size=batch_size, **truecase_options)
        scores = Scorer.score_spans([Example(doc, ref) for doc, ref in zip(docs, refs)], "ents")
    else:
        examples = [Example(nlp.make_doc(ref.text), ref) for ref in refs]
        scores = nlp.evaluate(examples, batch_size=batch_size)
    per_type = {
        label: {"p": _round(v["p"]), "r": _round(v["r"]), "f": _round(v["f"])}
        for label, v in sorted((scores.get("ents_per_type") or {}).items())
    }
    support: dict[str, int] = {}
    for ref in refs:
        for ent in ref.ents:
            support[ent.label_] = support.get(ent.label_, 0) + 1
    for label, v in per_type.items():
        v["n"] = support.get(label, 0)
    return {
        "micro": {"p": _round(scores["ents_p"]), "r": _round(scores["ents_r"]), "f": _round(scores["ents_f"])},
        "per_label": per_type,
        "sentences": len(refs),
        "entities": sum(support.values()),
    }


def evaluate_norne(nlp, norne_dir: Path | str, *, split: str = "test", lang: str = "nob",
                   seen: set[str] | None = None) -> dict:
    """Scores on the cased and the lower-cased UD split (``test`` or ``dev``); also on the
    lower-cased split read as :func:`qualcode.nlp.entities` reads it (``lower_truecased``: with
    the truecasing table and the case-free companion, when the pipeline has them), and, given the
    training mentions ``seen`` (:func:`train_mentions`), the unseen-mention recall."""
    files = find_norne(norne_dir, lang)
    path = {"test": files.test, "dev": files.dev}.get(split)
    if path is None:
        raise ModelError(f"unknown split '{split}' (use test or dev)")
    sentences = read_conllu(path)
    cased = score_sentences(nlp, sentences)
    lower = score_sentences(nlp, sentences, lower=True)
    out = {"split": f"{lang}/{Path(path).name}", "cased": cased, "lower": lower}
    if Truecaser(nlp).enabled or companion(nlp) is not None:  # what qualcode.nlp.entities finds in lower-cased text
        out["lower_truecased"] = score_sentences(nlp, sentences, lower=True, truecase=True)
    if seen is not None:
        out["unseen"] = unseen_mention_recall(nlp, sentences, seen)
    return out


def dir_size_bytes(path: Path | str) -> int:
    """Total size of the files under a folder."""
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def words_per_second(nlp, texts: list[str], *, batch_size: int | None = None, repeats: int = 3,
                     read: Callable[..., Iterable] | None = None) -> dict:
    """Throughput of ``nlp.pipe`` in one process (best of ``repeats`` runs, after a warm-up).

    Reports wall-clock and CPU-time rates: on a shared machine the CPU-time rate is what the
    pipeline achieves on one free core; the wall-clock rate depends on the machine's load.
    ``read(texts, batch_size=...)`` replaces ``nlp.pipe`` (e.g. :func:`qualcode.nlp.truecase.pipe`
    with its options) to time another way of reading the texts.
    """
    from .entities import DEFAULT_BATCH_SIZE

    batch_size = batch_size or DEFAULT_BATCH_SIZE
    read = read or nlp.pipe
    best_wall = best_cpu = float("inf")
    n_words = 0
    with one_blas_thread():  # as qualcode.nlp.entities and the anonymiser run it
        list(read(texts[:200], batch_size=batch_size))
        for _ in range(repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            n_words = sum(len(doc) for doc in read(texts, batch_size=batch_size))
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
    return {"words": n_words, "wall_seconds": round(best_wall, 3), "cpu_seconds": round(best_cpu, 3),
            "words_per_second": round(n_words / best_wall), "words_per_cpu_second": round(n_words / best_cpu),
            "batch_size": batch_size, "threads": os.environ.get("OMP_NUM_THREADS", "default"),
            "blas": blas_of(nlp), "blas_threads": 1,
            "load_avg_1min": round(os.getloadavg()[0], 2)}


def mention_key(words: Iterable[str]) -> str:
    return " ".join(words).lower()


def mention_keys(sentences: Iterable[Sentence]) -> set[str]:
    """Lower-cased texts (:func:`mention_key`) of every entity mention in ``sentences``."""
    from .conll import bio_to_spans

    return {mention_key(s.words[a:b]) for s in sentences for a, b, _ in bio_to_spans(s.tags)}


def train_mentions(norne_dir: Path | str, lang: str = "nob", *, include_dev: bool = False) -> set[str]:
    """Mention keys of the training split (NDT minus UD dev/test), and of UD dev with
    ``include_dev`` (for models trained on it: :func:`trained_on_dev`)."""
    from .corpus import train_sentences

    sentences = train_sentences(norne_dir, lang)
    if include_dev:
        sentences += read_conllu(find_norne(norne_dir, lang).dev)
    return mention_keys(sentences)


def trained_on_dev(nlp) -> bool:
    """Whether the pipeline's meta says it was trained on UD dev too (its dev scores are then
    scores on training data)."""
    return bool(((nlp.meta.get("qualcode") or {}).get("data") or {}).get("train_on_dev"))


def unseen_mention_recall(nlp, sentences: Iterable[Sentence], seen: set[str], *,
                          batch_size: int = 256) -> dict:
    """Exact-span recall on the gold entities whose text never occurs as a training mention.

    Dev F rewards remembering the names of the training text; this figure measures what a
    model does with names it has never seen, which is what transcripts are full of.
    """
    refs = sentences_to_docs(nlp.vocab, sentences)
    gold = [(i, e.start_char, e.end_char, e.label_) for i, ref in enumerate(refs) for e in ref.ents
            if mention_key(t.text for t in e) not in seen]
    docs = list(nlp.pipe((ref.text for ref in refs), batch_size=batch_size))
    found = {(i, e.start_char, e.end_char, e.label_) for i, doc in enumerate(docs) for e in doc.ents}
    by_label: dict[str, list[int]] = {}
    for g in gold:
        by_label.setdefault(g[3], [0, 0])
        by_label[g[3]][0] += g in found
        by_label[g[3]][1] += 1
    hits = sum(h for h, _ in by_label.values())
    return {"recall": _round(hits / len(gold)) if gold else None, "entities": len(gold),
            "per_label": {k: {"r": _round(h / n), "n": n} for k, (h, n) in sorted(by_label.items())}}
