"""Benchmark: REFI-QDA .qdpx export of a demo-sized project (target < 5 s), plus import.

Builds a synthetic anonymised project with the exchange tests' builder (25 sources,
2,000 segments, 5,000 codings by 3 coders, 8 codes, 2 cases, memos), then times
:func:`qualcode.exchange.export_qdpx` end to end (store queries, XML, schema validation when
the REFI-QDA schema is available, zip) — best and median of several runs after a warm-up —
and one :func:`qualcode.exchange.import_qdpx` of the result into a fresh project
(``anonymised=True``), checking that export → import → export gives the same XML.
Writes ``benchmarks/results/qdpx_export.json``.

    .venv/bin/python benchmarks/qdpx_export.py [--sources 25] [--segments 2000] [--codings 5000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

from qualcode.exchange import export_qdpx, import_qdpx
from qualcode.exchange.schema import project_schema
from qualcode.project import Project

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "qdpx_export.json"


def _builder():
    path = HERE.parent / "tests" / "exchange" / "builders.py"
    spec = importlib.util.spec_from_file_location("exchange_builders", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _qde(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("project.qde"))
    root.attrib.pop("name")
    return etree.tostring(root, method="c14n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=25)
    ap.add_argument("--segments", type=int, default=2000)
    ap.add_argument("--codings", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    os.environ.setdefault("QUALCODE_VAULT_PASSPHRASE", "benchmark passphrase")
    build = _builder().build_project
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = Project.init(tmp / "demo", passphrase="benchmark passphrase")
        t = time.perf_counter()
        counts = build(project, n_sources=args.sources, turns=args.segments // args.sources,
                       sentences_per_turn=3, n_codings=args.codings)
        build_s = time.perf_counter() - t
        out = tmp / "demo.qdpx"
        export_qdpx(project, out)  # warm-up (imports, schema parse)
        times, cpu = [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            report = export_qdpx(project, out)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        other = Project.init(tmp / "other", passphrase="benchmark passphrase")
        t = time.perf_counter()
        imp = import_qdpx(other, out, anonymised=True)
        import_s = time.perf_counter() - t
        export_qdpx(other, tmp / "again.qdpx")
        same = _qde(out) == _qde(tmp / "again.qdpx")
        size = out.stat().st_size
        project.close()
        other.close()
    result = {
        "benchmark": "qdpx_export",
        "project": {**counts, "selections": report.selections, "codes": report.codes, "notes": report.notes},
        "export_seconds_best": round(min(times), 3),
        "export_seconds_median": round(statistics.median(times), 3),
        "export_cpu_seconds_median": round(statistics.median(cpu), 3),
        "target_seconds": 5.0,
        "validated_with": report.validated_with,
        "qdpx_bytes": size,
        "import_seconds": round(import_s, 3),
        "import_codings": imp.codings,
        "round_trip_identical": same,
        "build_seconds": round(build_s, 2),
        "repeat": args.repeat,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "xsd_available": project_schema() is not None,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0 if same and min(times) < result["target_seconds"] else 1


if __name__ == "__main__":
    sys.exit(main())
