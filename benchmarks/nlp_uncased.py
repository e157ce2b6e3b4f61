"""Reading text typed without capitals (round v7): the case-free companion against today's front-end.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/nlp_uncased.py [--split dev|test] [--companion DIR]
        [--model NAME_OR_PATH] [--out FILE]

Scores the lower-cased UD split through every way of combining the readings of an uncased text
(exact spans, as `qualcode model evaluate` scores them), and times each on the lower-cased
speed texts of `nlp_ner.py` (words per CPU-second, one process, one BLAS thread, batch 32):

- as typed: the cased pipeline alone on the text as typed;
- front-end without companion: typed ∪ truecased reading of the cased pipeline (model 0.3.1);
- M1 (the shipped way when the pipeline has a companion): companion on the text as typed ∪
  cased pipeline on the truecased text;
- M2: M1 ∪ the cased pipeline's reading of the text as typed;
- M3: the companion alone;
- M4: companion on the text as typed ∪ cased pipeline on the text as typed.

`--companion DIR` adds a trained companion pipeline (a `ner_v7*.cfg` model) to the pipeline
in memory; without it the pipeline's own `ner_uncased` is used. The round-v7 rule in
`docs/nlp.md` is judged on dev; test is reported. Writes
`benchmarks/results/nlp_uncased_<split>.json`. Needs NorNE (read-only).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import spacy

from qualcode.nlp import load, use_blas
from qualcode.nlp.conll import read_conllu
from qualcode.nlp.corpus import DEFAULT_NORNE, find_norne
from qualcode.nlp.evaluate import score_sentences, trained_on_dev, words_per_second
from qualcode.nlp.ops import one_blas_thread
from qualcode.nlp.truecase import pipe as read_pipe
from qualcode.nlp.loader import shipped_model_path
from qualcode.nlp.uncased import UNCASED_PIPE, add_companion, companion

sys.path.insert(0, str(Path(__file__).parent))
from nlp_ner import speed_texts  # noqa: E402

MODES = {
    "as typed": dict(truecase=False),
    "front-end without companion": dict(companion=False),
    "M1 companion + truecased (shipped)": dict(),
    "M2 M1 + typed": dict(keep_typed=True),
    "M4 companion + typed": dict(truecased=False),
}


def companion_alone(nlp):
    """The companion as a pipeline of its own (mode M3), sharing ``nlp``'s vocab."""
    alone = spacy.blank("nb", vocab=nlp.vocab)
    alone.add_pipe(UNCASED_PIPE, name="ner", source=nlp)
    return use_blas(alone)


def _row(scores: dict) -> dict:
    per = scores["per_label"].get("PER", {})
    return {**scores["micro"], "per_p": per.get("p"), "per_r": per.get("r"), "per_f": per.get("f")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--norne", type=Path, default=DEFAULT_NORNE)
    ap.add_argument("--split", choices=["dev", "test"], default="dev")
    ap.add_argument("--model", default=None, help="cased pipeline (default: the shipped model)")
    ap.add_argument("--companion", type=Path, default=None, help="a trained companion pipeline folder")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not args.norne.is_dir():
        print(f"NorNE not found at {args.norne}; pass --norne DIR", file=sys.stderr)
        return 2
    if args.companion is None:
        nlp = load(args.model)
    else:  # a trained companion added in memory, as `qualcode model train` adds it
        nlp = use_blas(add_companion(spacy.load(args.model or shipped_model_path()), spacy.load(args.companion)))
    if companion(nlp) is None:
        print("the pipeline has no case-free companion; pass --companion DIR", file=sys.stderr)
        return 2
    if args.split == "dev" and trained_on_dev(nlp) and args.out is None:
        print("this model was trained on UD dev: its dev scores are training-data scores; pass --out FILE "
              "to write them anyway (results/nlp_uncased_dev.json keeps the last model judged on dev)", file=sys.stderr)
        return 2
    files = find_norne(args.norne)
    sentences = read_conllu(files.dev if args.split == "dev" else files.test)
    lower_texts = [t.lower() for t in speed_texts(args.norne)]
    rows = {}
    with one_blas_thread():
        for name, options in MODES.items():
            rows[name] = _row(score_sentences(nlp, sentences, lower=True, batch_size=32, **{"truecase": True, **options}))
            rows[name]["speed"] = words_per_second(nlp, lower_texts, batch_size=32, repeats=2,
                                                   read=lambda ts, o=options, **kw: read_pipe(nlp, ts, **kw, **o))
            _print(name, rows[name])
        alone = companion_alone(nlp)
        rows["M3 companion alone"] = _row(score_sentences(alone, sentences, lower=True, batch_size=32))
        rows["M3 companion alone"]["speed"] = words_per_second(alone, lower_texts, batch_size=32, repeats=2)
        _print("M3 companion alone", rows["M3 companion alone"])
        cased = _row(score_sentences(nlp, sentences, batch_size=32))
    out = args.out or Path(__file__).parent / "results" / f"nlp_uncased_{args.split}.json"
    out.write_text(json.dumps({
        "split": args.split, "model": args.model or "shipped", "model_version": nlp.meta.get("version"),
        "trained_on_dev": trained_on_dev(nlp),
        "companion": str(args.companion) if args.companion else "the pipeline's own",
        "cased_reference": cased, "modes": rows, "threads": os.environ.get("OMP_NUM_THREADS", "default"),
        "load_avg_1min": round(os.getloadavg()[0], 2)}, indent=2), encoding="utf-8")
    print(f"cased reference: micro F {cased['f']:.1f}, PER R {cased['per_r']:.1f} -> {out}")
    return 0


def _print(name: str, r: dict) -> None:
    print(f"{name:38s} P/R/F {r['p']:.1f}/{r['r']:.1f}/{r['f']:.1f}  PER P/R/F "
          f"{r['per_p']:.1f}/{r['per_r']:.1f}/{r['per_f']:.1f}  {r['speed']['words_per_cpu_second']:,} words/CPU-s",
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
