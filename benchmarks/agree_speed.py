"""Benchmark: ``qualcode agree`` over 100,000 active codings by three coders on SQLite.

Builds a synthetic project (100 sources, 20,000 segments of 120–400 characters, 30 codes,
three coders: two people and an auto coder, each coding every source; a third of the codings
are character spans) with bulk Core ``insert()``s, then times :func:`qualcode.coding.agreement.agreement`
at segment and character level (best and median after a warm-up) and the whole
``qualcode agree --json`` command in a fresh process (interpreter start and imports included).
Writes ``benchmarks/results/agree_speed.json``.

    .venv/bin/python benchmarks/agree_speed.py [--codings 100000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy
from sqlalchemy import insert

from _timing import timed  # benchmarks/ is on sys.path when a script runs
from qualcode.coding.agreement import agreement
from qualcode.project import Project
from qualcode.store.models import Code, Coder, Coding, Segment, Source

RESULTS = Path(__file__).parent / "results" / "agree_speed.json"
CODERS = ["anna", "bjorn", "auto:bench@1"]


def build(project: Project, n_codings: int, seed: int = 11) -> dict:
    """Three coders that agree most of the time: each flips a shared 'true' code set."""
    rng = random.Random(seed)
    n_codes, n_sources = 30, 100
    per_coder = n_codings // len(CODERS)
    n_segments = max(100, per_coder // 2)  # ~2 codes per segment per coder
    with project.store.engine.begin() as conn:
        conn.execute(insert(Code), [{"id": i + 1, "uid": f"code-{i}", "codebook": "bench", "key": f"kode{i}",
                                     "path": f"kode{i}", "label": f"Kode {i}"} for i in range(n_codes)])
        conn.execute(insert(Coder), [{"id": i + 1, "uid": f"coder-{i}", "name": n,
                                      "kind": "auto" if n.startswith("auto") else "person"}
                                     for i, n in enumerate(CODERS)])
        conn.execute(insert(Source), [{"id": s + 1, "uid": f"src-{s}", "label": f"S-{s}", "year": 2019 + s % 2,
                                       "format": "txt", "status": "anonymised"} for s in range(n_sources)])
        segs, pos = [], {}
        for i in range(n_segments):
            src = i % n_sources + 1
            start = pos.get(src, 0)
            length = rng.randint(120, 400)
            segs.append({"id": i + 1, "uid": f"seg-{i}", "source_id": src, "ordinal": i // n_sources,
                         "turn_index": i // n_sources, "start": start, "end": start + length, "text": "x"})
            pos[src] = start + length + 2
        conn.execute(insert(Segment), segs)
        rows = []
        for seg in segs:
            truth = rng.sample(range(1, n_codes + 1), 2)
            for coder_id in range(1, len(CODERS) + 1):
                chosen = [c if rng.random() < 0.85 else rng.randint(1, n_codes) for c in truth]
                for code in dict.fromkeys(chosen):
                    span = rng.random() < 1 / 3
                    a = seg["start"] + rng.randint(0, 40) if span else None
                    b = seg["end"] - rng.randint(0, 40) if span else None
                    rows.append({"id": len(rows) + 1, "uid": f"cod-{len(rows)}", "segment_id": seg["id"],
                                 "code_id": code, "coder_id": coder_id, "method": "manual",
                                 "start": a, "end": b, "status": "active"})
        rows = rows[:n_codings]
        for i in range(0, len(rows), 50_000):
            conn.execute(insert(Coding), rows[i:i + 50_000])
    with project.store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return {"sources": n_sources, "segments": n_segments, "codes": n_codes, "coders": len(CODERS),
            "active_codings": len(rows), "span_codings": sum(r["start"] is not None for r in rows)}




def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codings", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    passphrase = "benchmark passphrase"
    os.environ.setdefault("QUALCODE_VAULT_PASSPHRASE", passphrase)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench"
        project = Project.init(root, passphrase=passphrase)
        t0 = time.perf_counter()
        sizes = build(project, args.codings)
        build_s = time.perf_counter() - t0
        runs = {
            "segment_3_coders": lambda: agreement(project, CODERS),
            "segment_2_coders_kappa": lambda: agreement(project, CODERS[:2]),
            "character_3_coders": lambda: agreement(project, CODERS, level="character"),
        }
        results = {}
        for name, fn in runs.items():
            ts, cpu = timed(fn, args.repeat)
            results[name] = {"best_s": round(min(ts), 4), "median_s": round(statistics.median(ts), 4),
                             "median_cpu_s": round(statistics.median(cpu), 4), "runs": len(ts)}
            print(f"{name:28s} best {min(ts):.3f}s  median {statistics.median(ts):.3f}s  "
                  f"cpu {statistics.median(cpu):.3f}s", file=sys.stderr)
        overall = agreement(project, CODERS).overall
        project.close()
        exe = Path(sys.executable).with_name("qualcode")
        cmd = [str(exe), "-p", str(root), "agree", "--coders", *CODERS, "--json"]
        ts, cpu = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            before = os.times()
            subprocess.run(cmd, check=True, capture_output=True)
            after = os.times()
            ts.append(time.perf_counter() - t0)
            cpu.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
        results["cli_segment_3_coders_wall"] = {"best_s": round(min(ts), 4), "median_s": round(statistics.median(ts), 4),
                                                "median_cpu_s": round(statistics.median(cpu), 4), "runs": len(ts)}
        print(f"{'cli (fresh process)':28s} best {min(ts):.3f}s  median {statistics.median(ts):.3f}s", file=sys.stderr)
    out = {
        "benchmark": "agree_speed",
        "what": "agreement(): SQL fetch of active codings + numpy arrays + per-code percent agreement, "
                "Cohen's kappa (scikit-learn, 2 coders) and Krippendorff's alpha (krippendorff package at "
                "segment level; weighted runs at character level), 30 codes plus the pooled row; the CLI "
                "row is `qualcode agree --json` in a new process, imports included",
        "data": sizes, "build_s": round(build_s, 1), "results": results,
        "overall_segment_alpha": overall.alpha,
        "target": "< 2 s for 100,000 codings by three coders (agreement(), segment level)",
        "meets_target": results["segment_3_coders"]["median_s"] < 2.0,
        "load_average_1min": os.getloadavg()[0],
        "machine": {"python": platform.python_version(), "sqlalchemy": sqlalchemy.__version__,
                    "sqlite": __import__("sqlite3").sqlite_version, "cpus": os.cpu_count(),
                    "platform": platform.platform()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out["results"], indent=2))


if __name__ == "__main__":
    main()
