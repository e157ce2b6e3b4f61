"""A trainable second coder: spaCy ``textcat_multilabel`` (bag-of-words n-grams, fast, CPU).

Trained from a project's manual codings (one label per code with enough coded segments),
evaluated by k-fold cross-validation, then used to code every segment not yet coded by
``classifier:<name>``. Its codings are stored with ``method="classifier"`` and reported
separately from the rules. Only codes with at least ``min_per_code`` manually coded segments
are learned; with none, a clear :class:`~qualcode.errors.ModelError` says what is missing.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from sqlalchemy import exists, select

from ..errors import ModelError
from ..store.models import Code as CodeRow
from ..store.models import Coder, Coding, Segment

Progress = Callable[[int, int], None]
BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
       "no_output_layer": False, "length": 262144}


def build_pipeline(labels: Sequence[str], lang: str = "nb"):
    import spacy

    nlp = spacy.blank(lang)
    textcat = nlp.add_pipe("textcat_multilabel", config={"model": BOW, "threshold": 0.5})
    for label in labels:
        textcat.add_label(label)
    return nlp


def train(texts: Sequence[str], labels: Sequence[set[str]], codes: Sequence[str], *, epochs: int = 12,
          seed: int = 0, lang: str = "nb"):
    """Train a textcat_multilabel pipeline; returns the spaCy ``Language``."""
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = build_pipeline(codes, lang)
    examples = [Example.from_dict(nlp.make_doc(t), {"cats": {c: float(c in ls) for c in codes}})
                for t, ls in zip(texts, labels)]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer, drop=0.1)
    return nlp


def predict(nlp, texts: Sequence[str]) -> list[dict[str, float]]:
    """Per-text label probabilities."""
    return [dict(doc.cats) for doc in nlp.pipe(texts, batch_size=64)]


def best_thresholds(probs: Sequence[dict[str, float]], labels: Sequence[set[str]], codes: Sequence[str],
                    grid: Sequence[float] = tuple(x / 100 for x in range(5, 96, 5))) -> dict[str, float]:
    """Per-code probability threshold maximising F1 on (held-out) predictions."""
    out = {}
    for c in codes:
        y = [c in ls for ls in labels]
        best, best_f1 = 0.5, -1.0
        for t in grid:
            tp = sum(1 for p, g in zip(probs, y) if g and p.get(c, 0) >= t)
            fp = sum(1 for p, g in zip(probs, y) if not g and p.get(c, 0) >= t)
            fn = sum(1 for p, g in zip(probs, y) if g and p.get(c, 0) < t)
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 > best_f1:
                best, best_f1 = t, f1
        out[c] = best
    return out


def _folds(labels: Sequence[set[str]], folds: int, seed: int) -> list[int]:
    order = list(range(len(labels)))
    random.Random(seed).shuffle(order)
    order.sort(key=lambda i: len(labels[i]) == 0)  # spread labelled passages over the folds
    fold_of = [0] * len(labels)
    for k, i in enumerate(order):
        fold_of[i] = k % folds
    return fold_of


def cross_validate(texts: Sequence[str], labels: Sequence[set[str]], codes: Sequence[str], *, folds: int = 5,
                   seed: int = 0, epochs: int = 12, progress: Progress | None = None) -> dict[str, Any]:
    """k-fold cross-validation with out-of-fold predictions scored like the rules (P/R/F1/κ).

    Small training sets give low probabilities, so a fixed 0.5 cut-off predicts almost
    nothing; each fold therefore picks per-code thresholds on an inner split of its own
    training part (never on the fold it is scored on). Returns the scores, the out-of-fold
    probabilities' best thresholds (for a final model) and the per-fold thresholds."""
    from .evaluate import score_sets

    if folds < 2 or folds > len(texts):
        raise ModelError(f"cannot run {folds}-fold cross-validation on {len(texts)} segments")
    fold_of = _folds(labels, folds, seed)
    predicted: list[set[str]] = [set() for _ in texts]
    oof: list[dict[str, float]] = [{} for _ in texts]
    per_fold = []
    for f in range(folds):
        tr = [i for i in range(len(texts)) if fold_of[i] != f]
        te = [i for i in range(len(texts)) if fold_of[i] == f]
        inner = _folds([labels[i] for i in tr], 4, seed + 1)
        fit = [i for i, k in zip(tr, inner) if k != 0]
        held = [i for i, k in zip(tr, inner) if k == 0]
        nlp = train([texts[i] for i in fit], [labels[i] for i in fit], codes, epochs=epochs, seed=seed)
        th = best_thresholds(predict(nlp, [texts[i] for i in held]), [labels[i] for i in held], codes)
        per_fold.append(th)
        nlp = train([texts[i] for i in tr], [labels[i] for i in tr], codes, epochs=epochs, seed=seed)
        for i, cats in zip(te, predict(nlp, [texts[i] for i in te])):
            oof[i] = cats
            predicted[i] = {c for c, p in cats.items() if c in th and p >= th[c]}
        if progress:
            progress(f + 1, folds)
    return {"folds": folds, **score_sets(labels, predicted, codes),
            "thresholds_per_fold": per_fold, "thresholds_final": best_thresholds(oof, labels, codes)}


@dataclass
class ClassifierReport:
    coder: str
    codes: list[str]
    skipped_codes: dict[str, int]
    segments: int
    folds: int
    cv: dict[str, Any]
    model_path: str
    segments_coded: int = 0
    codings_added: int = 0
    per_code: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def manual_training_data(session, codebook_name: str) -> tuple[list[int], list[str], list[set[str]]]:
    """Segments with at least one active manual coding of this codebook, and their code keys."""
    rows = session.execute(
        select(Segment.id, Segment.text, CodeRow.key)
        .join(Coding, Coding.segment_id == Segment.id).join(CodeRow, Coding.code_id == CodeRow.id)
        .where(Coding.method == "manual", Coding.status == "active", CodeRow.codebook == codebook_name)
        .order_by(Segment.id)
    ).all()
    by_seg: dict[int, tuple[str, set[str]]] = {}
    for seg_id, text, key in rows:
        by_seg.setdefault(seg_id, (text, set()))[1].add(key)
    ids = list(by_seg)
    return ids, [by_seg[i][0] for i in ids], [by_seg[i][1] for i in ids]


def train_project_classifier(project, *, codebook=None, name: str = "textcat", folds: int = 5,
                             min_per_code: int = 30, threshold: float | None = None,
                             progress: Progress | None = None) -> ClassifierReport:
    """Cross-validate, train on all manual codings, save the model and code un-coded segments.

    ``threshold`` None: per-code thresholds chosen on the cross-validation's out-of-fold
    predictions."""
    from .autocode import resolve_project_codebook

    cb = resolve_project_codebook(project, codebook)
    with project.store.session() as s:
        _ids, texts, labels = manual_training_data(s, cb.name)
    counts = {c: sum(c in ls for ls in labels) for c in cb.ids}
    codes = [c for c in cb.ids if counts[c] >= min_per_code]
    skipped = {c: n for c, n in counts.items() if 0 < n < min_per_code}
    if not codes:
        most = ", ".join(f"{c}: {n}" for c, n in sorted(counts.items(), key=lambda x: -x[1])[:5] if n) or "none"
        raise ModelError(
            f"not enough manually coded segments to train a classifier: every code needs at least "
            f"{min_per_code} coded segments (most coded: {most})"
        )
    total = folds + 1
    step = [0]

    def tick(*_a) -> None:
        step[0] += 1
        if progress:
            progress(step[0], total)

    cv = cross_validate(texts, labels, codes, folds=folds, progress=tick)
    thresholds = {c: (threshold if threshold is not None else cv["thresholds_final"][c]) for c in codes}
    nlp = train(texts, labels, codes)
    tick()
    model_dir = Path(project.root) / "models" / f"classifier-{name}"
    model_dir.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(model_dir)
    coder_name = f"classifier:{name}"
    rep = ClassifierReport(coder_name, codes, skipped, len(texts), folds, cv, str(model_dir))
    with project.store.session() as s:
        code_ids = {r.key: r.id for r in s.scalars(select(CodeRow).where(CodeRow.codebook == cb.name))}
        coder = s.scalar(select(Coder).where(Coder.name == coder_name))
        if coder is None:
            coder = Coder(name=coder_name, kind="classifier")
            s.add(coder)
            s.flush()
        done = exists().where(Coding.segment_id == Segment.id, Coding.coder_id == coder.id)
        rows = s.execute(select(Segment.id, Segment.text).where(~done).order_by(Segment.id)).all()
        for (seg_id, _t), cats in zip(rows, predict(nlp, [t for _i, t in rows])):
            hit = False
            for code in codes:
                p = float(cats.get(code, 0.0))
                if p >= thresholds[code]:
                    s.add(Coding(segment_id=seg_id, code_id=code_ids[code], coder_id=coder.id, method="classifier",
                                 codebook_version=cb.version, score=round(p, 4),
                                 evidence={"model": coder_name, "probability": round(p, 4),
                                           "threshold": thresholds[code]}))
                    rep.codings_added += 1
                    rep.per_code[code] = rep.per_code.get(code, 0) + 1
                    hit = True
            rep.segments_coded += hit
    return rep
