"""NER benchmark of qualcode's NLP pipeline: NorNE UD test scores (cased and lower-cased),
nlp.pipe speed on one process, and model size. Writes benchmarks/results/nlp_ner.json.

    .venv/bin/python benchmarks/nlp_ner.py [--norne /work/shared/data/norne] [--model NAME_OR_PATH]

Needs NorNE (read-only; not in the repo). Published spaCy figures are from the 3.8.0 metas of
nb_core_news_sm/md/lg (same NorNE labels and UD test split).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import spacy
from _timing import machine_facts  # benchmarks/ is on sys.path when a script runs

from qualcode.nlp import load, shipped_model_path
from qualcode.nlp.conll import read_conllu
from qualcode.nlp.corpus import DEFAULT_NORNE, find_norne
from qualcode.nlp.entities import DEFAULT_BATCH_SIZE
from qualcode.nlp.evaluate import dir_size_bytes, evaluate_norne, trained_on_dev, words_per_second

PUBLISHED = {  # spaCy 3.8.0 model metas, NorNE UD test, exact span
    "nb_core_news_sm": {"micro": {"p": 75.6, "r": 74.0, "f": 74.8}, "PER": {"f": 81.4}},
    "nb_core_news_md": {"micro": {"f": 81.6}, "PER": {"f": 89.8}},
    "nb_core_news_lg": {"micro": {"f": 83.9}, "PER": {"f": 92.2}, "LOC": {"f": 75.1}, "GPE_LOC": {"f": 87.4}},
}


def speed_texts(norne: Path, sents_per_text: int = 8) -> list[str]:
    """Dev + test sentences joined into paragraph-sized texts (about the length of a transcript turn)."""
    files = find_norne(norne)
    sents = [s.text for s in read_conllu(files.test) + read_conllu(files.dev)]
    return [" ".join(sents[i:i + sents_per_text]) for i in range(0, len(sents), sents_per_text)]


# Full-precision NER figures of spaCy's Norwegian model cards (Hugging Face spacy/nb_core_news_*,
# README model-index, two 3.x releases each). A recall is (true positives) / (gold entities): the
# denominators that make each value an exact fraction tell on which split it was computed.
MODEL_CARD_FIGURES = {
    "nb_core_news_sm (3.x card)": {"p": 0.7606060606, "r": 0.7434834123},
    "nb_core_news_md (3.x card)": {"p": 0.811827957, "r": 0.8050947867},
    "nb_core_news_sm (older card)": {"r": 0.7531010041},
    "nb_core_news_md (older card)": {"r": 0.8399291199},
}


def exact_denominators(value: float, lo: int = 1000, hi: int = 2500) -> list[list[int]]:
    """[denominator, numerator] pairs in [lo, hi) for which numerator/denominator equals ``value``
    to the 10 digits the card prints."""
    return [[n, round(value * n)] for n in range(lo, hi) if abs(round(value * n) / n - value) < 5e-10]


def published_split_check(norne: Path) -> dict:
    """Entities per UD split against the recall denominators of the published figures."""
    from qualcode.nlp.conll import bio_to_spans

    files = find_norne(norne)
    gold = {name: sum(len(bio_to_spans(s.tags)) for s in read_conllu(path))
            for name, path in (("dev", files.dev), ("test", files.test))}
    cards = {name: {k: exact_denominators(v) for k, v in figures.items()} for name, figures in MODEL_CARD_FIGURES.items()}
    return {"gold_entities": gold, "model_cards": cards,
            "recall_denominator_is_dev": all(any(n == gold["dev"] for n, _ in c["r"]) for name, c in cards.items()
                                             if "older" not in name)}


def gemm_gflops(shape: tuple[int, int, int] = (1024, 312, 208), seconds: float = 0.5) -> dict:
    """GFLOP/s of one float32 matrix product of the tok2vec layer's shape, blis against numpy's BLAS."""
    import time

    import numpy

    from qualcode.nlp.ops import cpu_ops, one_blas_thread

    m, k, n = shape
    rng = numpy.random.default_rng(0)
    x, w = rng.random((m, k), dtype="float32"), rng.random((n, k), dtype="float32")
    out = {"shape": list(shape)}
    with one_blas_thread():
        for name in ("blis", "numpy"):
            ops = cpu_ops(name)
            ops.gemm(x, w, trans2=True)
            reps, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds:
                ops.gemm(x, w, trans2=True)
                reps += 1
            out[name] = round(2 * m * k * n * reps / (time.perf_counter() - start) / 1e9, 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--norne", type=Path, default=DEFAULT_NORNE)
    ap.add_argument("--model", default=None, help="pipeline name or path (default: the shipped model)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "nlp_ner.json")
    ap.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    args = ap.parse_args()
    if not args.norne.is_dir():
        print(f"NorNE not found at {args.norne}; pass --norne DIR", file=sys.stderr)
        return 2
    nlp = load(args.model)
    path = Path(args.model) if args.model and Path(args.model).exists() else (
        shipped_model_path() if args.model is None else Path(spacy.util.get_package_path(args.model)))
    scores = evaluate_norne(nlp, args.norne)
    dev_scores = evaluate_norne(nlp, args.norne, split="dev")
    texts = speed_texts(args.norne)
    speed = words_per_second(nlp, texts, batch_size=args.batch_size)
    sweep = {bs: words_per_second(nlp, texts, batch_size=bs, repeats=2)["words_per_cpu_second"]
             for bs in (8, 32, 128, 256, 1000)}
    blis_speed = words_per_second(load(args.model, blas="blis"), texts, batch_size=args.batch_size)
    cased, lower = scores["cased"], scores["lower"]
    per_r = cased["per_label"]["PER"]["r"]
    per_r_lower = lower["per_label"]["PER"]["r"]
    per_r_tc = scores["lower_truecased"]["per_label"]["PER"]["r"] if "lower_truecased" in scores else None
    result = {
        "model": args.model or "shipped:" + shipped_model_path().name,
        "model_version": nlp.meta.get("version"),
        "pipes": nlp.pipe_names,
        "recipe_version": nlp.meta.get("qualcode", {}).get("recipe_version"),
        "size_bytes": dir_size_bytes(path),
        "size_mb": round(dir_size_bytes(path) / 1e6, 2),
        "ner": scores,
        "lower_vs_cased": {"per_recall_cased": per_r, "per_recall_lower": per_r_lower,
                           "per_recall_gap": round(per_r - per_r_lower, 2),
                           "within_5_points": per_r - per_r_lower <= 5.0,
                           **({"per_recall_lower_truecased": per_r_tc, "per_recall_gap_truecased": round(per_r - per_r_tc, 2),
                               "within_5_points_truecased": per_r - per_r_tc <= 5.0} if per_r_tc is not None else {})},
        "speed": {**speed, "texts": len(texts), "n_process": 1,
                  "batch_size_sweep_words_per_cpu_second": sweep,
                  "with_blis": {k: blis_speed[k] for k in ("words_per_second", "words_per_cpu_second")},
                  "gemm_gflops_one_thread": gemm_gflops()},
        "published": PUBLISHED,
        "comparison": {
            name: {"micro_f_gap": round(cased["micro"]["f"] - pub["micro"]["f"], 2),
                   "per_f_gap": round(cased["per_label"]["PER"]["f"] - pub["PER"]["f"], 2)}
            for name, pub in PUBLISHED.items()
        },
        # spaCy's published figures are dev figures (published_split_check): the same comparison on dev,
        # unless the model was trained on dev (then it is a score on training data, not compared).
        "dev": {"cased": {"micro": dev_scores["cased"]["micro"], "per_label": dev_scores["cased"]["per_label"]},
                "trained_on_dev": trained_on_dev(nlp),
                "comparison": None if trained_on_dev(nlp) else {
                    name: {"micro_f_gap": round(dev_scores["cased"]["micro"]["f"] - pub["micro"]["f"], 2),
                           "per_f_gap": round(dev_scores["cased"]["per_label"]["PER"]["f"] - pub["PER"]["f"], 2)}
                    for name, pub in PUBLISHED.items()}},
        "published_split_check": published_split_check(args.norne),
        "machine": machine_facts(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    m = cased["micro"]
    print(f"micro P/R/F {m['p']:.1f}/{m['r']:.1f}/{m['f']:.1f}  PER F {cased['per_label']['PER']['f']:.1f}  "
          f"lower micro F {lower['micro']['f']:.1f}  PER R {per_r:.1f} -> {per_r_lower:.1f} (truecased {per_r_tc})  "
          f"{speed['words_per_second']} words/s wall, {speed['words_per_cpu_second']} per CPU-s "
          f"(blis: {blis_speed['words_per_second']})  {result['size_mb']} MB  -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
