"""Benchmark: framework matrix over 1,000,000 active codings on SQLite.

Builds a synthetic coded project (8 cases × 2 years, 128 sources, 200,000 segments,
30 codes in 6 themes, 3 coders) with bulk Core ``insert()``s, then times only
:func:`qualcode.aggregate.framework_matrix` (best and median of several runs, after one
warm-up). Writes ``benchmarks/results/matrix_speed.json``.

    .venv/bin/python benchmarks/matrix_speed.py [--codings 1000000] [--repeat 5] [--dir /tmp/matrix-bench]
                                                [--baseline GIT_REF]

``--baseline`` also times the default matrix with ``qualcode/aggregate/matrix.py`` as of that
commit, alternating run by run with the current code, so both see the same machine load.
"""
from __future__ import annotations

import argparse
import importlib.util
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
from qualcode.aggregate import framework_matrix
from qualcode.project import Project
from qualcode.store.models import Case, Code, Coder, Coding, Segment, Source

RESULTS = Path(__file__).parent / "results" / "matrix_speed.json"
SUMMARY_RESULTS = Path(__file__).parent / "results" / "matrix_summary.json"
# Words for synthetic passages (no real interview text is used).
WORDS = ("pasient behandler forløp informasjon brev samtale time plan evaluering koordinator frist rutine "
         "venterom brosjyre pårørende leder rettigheter tilbud henvisning vurdering oppfølging skjema "
         "tilbakemelding innkomst utskrivning kontakt avtale møte ventetid tiltak").split()


def summary_benchmark(n_segments: int, n_codings: int, repeat: int) -> dict:
    """Time build_summary (ranking, change lines) and summarise (md+html+docx+figures)."""
    from qualcode.aggregate import build_summary, summarise

    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.init(Path(tmp) / "sum", passphrase="benchmark passphrase")
        with project.store.engine.begin() as conn:
            conn.execute(insert(Case), [
                {"id": i + 1, "uid": f"c{i}", "letter": L, "unit_label": f"Enhet {L}",
                 "setting": ("poliklinikk", "døgn")[i % 2], "service_area": "PHV"} for i, L in enumerate("ABCDEFGH")])
            conn.execute(insert(Source), [
                {"id": i + 1, "uid": f"s{i}", "label": f"S{i}", "case_id": i % 8 + 1, "year": 2019 + (i // 8) % 2,
                 "informant_group": "behandlere", "format": "txt", "status": "anonymised"} for i in range(64)])
            conn.execute(insert(Code), [{"id": i + 1, "uid": f"k{i}", "codebook": "b", "key": f"tema{i}",
                                         "path": f"tema{i}", "label": f"Tema {i}"} for i in range(6)])
            conn.execute(insert(Coder), [{"id": 1, "uid": "a", "name": "anna", "kind": "person"}])
            segs = []
            for i in range(n_segments):
                sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 18))).capitalize() + "."
                             for _ in range(rng.randint(1, 8))]
                text = "Informant 1: " + " ".join(sentences)
                segs.append({"id": i + 1, "uid": f"g{i}", "source_id": i % 64 + 1, "ordinal": i, "turn_index": i,
                             "speaker": "Informant 1", "start": 0, "end": len(text), "text": text,
                             "word_count": len(text.split()) - 2})
            conn.execute(insert(Segment), segs)
            conn.execute(insert(Coding), [
                {"uid": f"x{i}", "segment_id": rng.randint(1, n_segments), "code_id": rng.randint(1, 6),
                 "coder_id": 1, "method": "manual", "status": "active"} for i in range(n_codings)])

        def build_only() -> None:
            with project.store.session() as s:
                build_summary(s)

        out = {}
        for name, fn in {"build_summary": build_only,
                         "summarise_all_formats": lambda: summarise(project, Path(tmp) / "out")}.items():
            ts, cpu = timed(fn, repeat)
            out[name] = {"best_s": round(min(ts), 3), "median_s": round(statistics.median(ts), 3),
                         "cpu_median_s": round(statistics.median(cpu), 3), "runs": len(ts)}
            print(f"{name:32s} wall best {min(ts):.2f}s median {statistics.median(ts):.2f}s | "
                  f"cpu median {statistics.median(cpu):.2f}s", file=sys.stderr)
        project.close()
    return {"benchmark": "matrix_summary", "data": {"segments": n_segments, "codings": n_codings, "themes": 6,
                                                    "cases": 8, "years": 2, "sources": 64},
            "results": out, "load_average_at_end": os.getloadavg()}


def build(project: Project, n_codings: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    n_segments = max(1, n_codings // 5)
    letters = "ABCDEFGH"
    settings = ["poliklinikk", "døgn"]
    areas = ["PHV", "PHBU", "TSB", "PHV+TSB"]
    groups = ["behandlere", "ledere", "forløpskoordinatorer", "brukere"]
    with project.store.engine.begin() as conn:
        conn.execute(insert(Case), [
            {"id": i + 1, "uid": f"case-{i}", "letter": L, "unit_label": f"Enhet {L}",
             "setting": settings[i % 2], "service_area": areas[i % 4]} for i, L in enumerate(letters)])
        sources = []
        for ci, L in enumerate(letters):
            for year in (2019, 2020):
                for g in groups:
                    for k in range(2):
                        sources.append({"id": len(sources) + 1, "uid": f"src-{len(sources)}",
                                        "label": f"{L}-{year}-{g}-{k}", "case_id": ci + 1, "year": year,
                                        "informant_group": g, "format": "txt", "status": "anonymised"})
        conn.execute(insert(Source), sources)
        codes, cid = [], 0
        for r in range(6):
            cid += 1
            root = cid
            codes.append({"id": root, "uid": f"code-{root}", "codebook": "bench", "key": f"tema{r}",
                          "path": f"tema{r}", "parent_id": None, "label": f"Tema {r}"})
            for c in range(4):
                cid += 1
                codes.append({"id": cid, "uid": f"code-{cid}", "codebook": "bench", "key": f"tema{r}_{c}",
                              "path": f"tema{r}/tema{r}_{c}", "parent_id": root, "label": f"Tema {r}.{c}"})
        conn.execute(insert(Code), codes)
        conn.execute(insert(Coder), [
            {"id": 1, "uid": "coder-1", "name": "anna", "kind": "person"},
            {"id": 2, "uid": "coder-2", "name": "auto:bench@1", "kind": "auto"},
            {"id": 3, "uid": "coder-3", "name": "consensus", "kind": "consensus"}])
        per_source = n_segments // len(sources) + 1
        batch = []
        sid = 0
        for src in sources:
            for o in range(per_source):
                if sid >= n_segments:
                    break
                sid += 1
                batch.append({"id": sid, "uid": f"seg-{sid}", "source_id": src["id"], "ordinal": o,
                              "turn_index": o, "speaker": f"Informant {o % 3 + 1}", "start": 0, "end": 1,
                              "text": "x", "word_count": rng.randint(10, 120)})
        conn.execute(insert(Segment), batch)
        rows = []
        for i in range(n_codings):
            rows.append({"id": i + 1, "uid": f"cod-{i}", "segment_id": rng.randint(1, n_segments),
                         "code_id": rng.randint(1, len(codes)), "coder_id": rng.randint(1, 3),
                         "method": "manual", "score": rng.random(),
                         "status": "active" if rng.random() < 0.95 else "superseded"})
            if len(rows) == 100_000:
                conn.execute(insert(Coding), rows)
                rows = []
        if rows:
            conn.execute(insert(Coding), rows)
    with project.store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    return {"cases": len(letters), "sources": len(sources), "segments": n_segments, "codes": len(codes),
            "coders": 3, "codings": n_codings}




def baseline_module(ref: str):
    """``qualcode.aggregate.matrix`` as of git ``ref``, imported beside the current one."""
    root = Path(__file__).resolve().parent.parent
    code = subprocess.run(["git", "show", f"{ref}:qualcode/aggregate/matrix.py"], cwd=root, check=True,
                          capture_output=True, text=True).stdout
    tmp = Path(tempfile.mkdtemp()) / "baseline_matrix.py"
    tmp.write_text(code, encoding="utf-8")
    name = "qualcode.aggregate._baseline_matrix"
    spec = importlib.util.spec_from_file_location(name, tmp)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def before_after(project: Project, ref: str, repeat: int) -> dict:
    """Default matrix, baseline and current code alternating run by run (after one warm-up each)."""
    from qualcode.aggregate import matrix as current

    mods = {"baseline": baseline_module(ref), "current": current}
    for m in mods.values():
        m.framework_matrix(project)
    times = {k: ([], []) for k in mods}
    for _ in range(repeat):
        for k, m in mods.items():
            t0, c0 = time.perf_counter(), time.process_time()
            m.framework_matrix(project)
            times[k][0].append(time.perf_counter() - t0)
            times[k][1].append(time.process_time() - c0)
    out = {"baseline_ref": ref}
    for k, (ts, cpu) in times.items():
        out[k] = {"best_s": round(min(ts), 4), "median_s": round(statistics.median(ts), 4),
                  "cpu_best_s": round(min(cpu), 4), "cpu_median_s": round(statistics.median(cpu), 4), "runs": len(ts)}
        print(f"before/after {k:9s} wall best {min(ts):.3f}s median {statistics.median(ts):.3f}s | "
              f"cpu median {statistics.median(cpu):.3f}s", file=sys.stderr)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codings", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--summary-segments", type=int, default=20_000,
                    help="Also time case summaries on a synthetic text project of this size (0: skip).")
    ap.add_argument("--baseline", metavar="GIT_REF", default=None,
                    help="Also time the default matrix with qualcode/aggregate/matrix.py at this commit.")
    ap.add_argument("--dir", type=Path, default=None,
                    help="Keep the synthetic project here and reuse it on the next run (default: a temp folder).")
    args = ap.parse_args()
    os.environ.setdefault("QUALCODE_VAULT_PASSPHRASE", "benchmark passphrase")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.dir or Path(tmp) / "bench"
        t0 = time.perf_counter()
        reused = (root / "qualcode.yaml").exists()
        if reused:
            project = Project.open(root, passphrase="benchmark passphrase")
            with project.store.engine.connect() as conn:
                sizes = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                         for t in ("cases", "sources", "segments", "codes", "coders", "codings")}
        else:
            project = Project.init(root, passphrase="benchmark passphrase")
            sizes = build(project, args.codings)
        build_s = time.perf_counter() - t0
        runs = {
            "all_themes": lambda: framework_matrix(project),
            "all_themes_without_coders": lambda: framework_matrix(project, with_coders=False),
            "depth2_30_themes": lambda: framework_matrix(project, depth=2),
            "subtree_depth1_children": lambda: framework_matrix(project, code="tema0"),
            "filtered_setting_coder_score": lambda: framework_matrix(
                project, setting="poliklinikk", coder="auto", min_score=0.5),
        }
        results = {}
        load_start = os.getloadavg()
        for name, fn in runs.items():
            ts, cpu = timed(fn, args.repeat)
            results[name] = {"best_s": round(min(ts), 4), "median_s": round(statistics.median(ts), 4),
                             "cpu_best_s": round(min(cpu), 4), "cpu_median_s": round(statistics.median(cpu), 4),
                             "runs": len(ts)}
            print(f"{name:32s} wall best {min(ts):.3f}s median {statistics.median(ts):.3f}s | "
                  f"cpu best {min(cpu):.3f}s median {statistics.median(cpu):.3f}s", file=sys.stderr)
        compare = before_after(project, args.baseline, args.repeat) if args.baseline else None
        project.close()
    out = {
        "benchmark": "matrix_speed",
        "what": "framework_matrix (GROUP BY in SQLite) over synthetic active+superseded codings; "
                "time covers filter resolution, the SQL queries and building the DataFrame",
        "data": sizes, "build_s": None if reused else round(build_s, 1), "reused_data": reused,
        "results": results,
        "before_after_default": compare,
        "target": "< 1 s for 1,000,000 codings",
        "meets_target_wall": {k: r["median_s"] < 1.0 for k, r in results.items()},
        "meets_target_cpu": {k: r["cpu_median_s"] < 1.0 for k, r in results.items()},
        "load_average_at_start": load_start,
        "load_average_at_end": os.getloadavg(),
        "machine": {"python": platform.python_version(), "sqlalchemy": sqlalchemy.__version__,
                    "sqlite": __import__("sqlite3").sqlite_version, "cpus": os.cpu_count(),
                    "platform": platform.platform()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out["results"], indent=2))
    if args.summary_segments:
        summ = summary_benchmark(args.summary_segments, int(args.summary_segments * 1.5), max(1, args.repeat // 2))
        SUMMARY_RESULTS.write_text(json.dumps(summ, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
