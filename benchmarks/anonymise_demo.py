"""Anonymiser on the fictional demo corpus (spoken-style transcripts, 22 files) against its gold
standard (``corpora/pakkeforlop-demo/gold/identifiers.jsonl``, written by hand, not by qualcode).

    .venv/bin/python benchmarks/anonymise_demo.py [--model NAME_OR_PATH]

Imports the corpus into a temporary project, runs ``anonymise_project`` (all recognisers,
propagation, speaker labels), and scores the detections stored in the vault: a gold span is
caught when a detection overlaps it (recall, by label); a detection is correct when it overlaps a
gold span (precision). Also checks that no gold span's text survives, as a whole word, in the
analysis store of its source. Writes ``benchmarks/results/anonymise_demo.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "pakkeforlop-demo"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "anonymise_demo.json")
    args = ap.parse_args()
    gold_path = CORPUS / "gold" / "identifiers.jsonl"
    if not gold_path.exists():
        print(f"SKIPPED: {gold_path} missing", file=sys.stderr)
        return 0
    os.environ.setdefault("QUALCODE_VAULT_PASSPHRASE", "benchmark passphrase")
    from sqlalchemy import select

    from qualcode.anonymise import anonymise_project, load_nlp
    from qualcode.importers import import_files
    from qualcode.project import Project
    from qualcode.store.models import Source
    from qualcode.vault.keymap import VaultKeyMap

    gold: dict[str, list[dict]] = {}
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            g = json.loads(line)
            gold.setdefault(g["file"], []).append(g)
    nlp = load_nlp(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.init(Path(tmp) / "p", passphrase=os.environ["QUALCODE_VAULT_PASSPHRASE"],
                               cases_file=CORPUS / "cases.yaml")
        rep = import_files(project, [CORPUS / "transcripts"], manifest=CORPUS / "manifest.yaml", actor="bench")
        t0 = time.perf_counter()
        report = anonymise_project(project, nlp=nlp, actor="bench")
        seconds = time.perf_counter() - t0
        keymap = VaultKeyMap(project.vault)
        caught, total, correct, n_det, leaked = Counter(), Counter(), 0, 0, Counter()
        by_source = Counter()
        missed: list[str] = []
        with project.store.session() as s, project.vault.session() as vs:
            sources = {src.uid: src for src in s.scalars(select(Source))}
            for uid, tr in project.vault.transcripts(vs):
                stem = Path(tr.filename or "").stem
                spans = []
                for g in gold.get(stem, []):
                    turn = tr.turns[g["turn"]]
                    base = turn.speaker_start if g["in_speaker"] else turn.start
                    start, end = base + g["start"], base + g["end"]
                    if tr.text[start:end] != g["text"]:
                        raise SystemExit(f"gold offsets do not match {stem} turn {g['turn']}")
                    spans.append((start, end, g["label"], g["text"]))
                dets = [d for d in keymap.load_detections(vs, uid) or []]
                for start, end, label, text in spans:
                    hit = any(d["start"] < end and start < d["end"] for d in dets)
                    total[label] += 1
                    caught[label] += hit
                    if not hit:
                        missed.append(f"{stem} turn {tr.text.count(chr(10) * 2, 0, start)}: {label} {text!r}")
                    anon = sources[uid].text or ""
                    if re.search(rf"(?<!\w){re.escape(text)}(?!\w)", anon):
                        leaked[label] += 1
                for d in dets:
                    n_det += 1
                    ok = any(d["start"] < e and s_ < d["end"] for s_, e, _, _ in spans)
                    correct += ok
                    if not ok:
                        by_source[d["source"]] += 1
        project.close()
    result = {
        "benchmark": "anonymise_demo", "corpus": "corpora/pakkeforlop-demo (fictional)",
        "model": args.model or "qualcode shipped model", "model_version": nlp.meta.get("version"),
        "transcripts": len(rep.imported), "gold_spans": sum(total.values()),
        "recall": round(sum(caught.values()) / sum(total.values()), 4),
        "recall_by_label": {k: round(caught[k] / total[k], 4) for k in sorted(total)},
        "gold_by_label": dict(sorted(total.items())),
        "detections": n_det, "precision": round(correct / n_det, 4) if n_det else None,
        "false_positives_by_recogniser": dict(by_source),
        "gold_texts_left_in_store_by_label": dict(leaked),
        "missed (fictional names)": missed,
        "anonymise_seconds": round(seconds, 2),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
