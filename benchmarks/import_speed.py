"""Benchmark: import 100 generated transcripts of 10,000 words each (parse + vault + store).

Writes ``benchmarks/results/import_speed.json``. The transcripts are fictional, generated
from a small Norwegian word list in a temporary folder; nothing is kept.

    .venv/bin/python benchmarks/import_speed.py [--files 100] [--words 10000] [--format txt]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("vi har en pasient som venter på time og det er viktig at behandleren tar seg tid til "
         "kartlegging brukermedvirkning pårørende forløpskoordinator sjekkpunkt evaluering "
         "døgnenheten poliklinikken samarbeid kommunen fastlegen ventetid henvisning oppfølging "
         "skjema møte tiltak ansvar rutiner opplæring ledelsen behov informasjon trygghet "
         "ungdom familie rus psykisk helse erfaring utfordring praksis endring").split()
SPEAKERS = ("Intervjuer", "B1", "B2", "Deltaker 3", "Leder")


def make_transcript(rng: random.Random, n_words: int) -> str:
    lines, written, minute = [], 0, 0
    while written < n_words:
        speaker = rng.choice(SPEAKERS)
        sentences = []
        for _ in range(rng.randint(1, 8)):
            k = rng.randint(5, 18)
            words = [rng.choice(WORDS) for _ in range(k)]
            sentences.append(words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice(".?!"))
            written += k
        minute += 1
        lines.append(f"[{minute // 60:02d}:{minute % 60:02d}:00] {speaker}: " + " ".join(sentences))
        if rng.random() < 0.2:
            lines.append("")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--words", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "import_speed.json")
    args = ap.parse_args()

    from qualcode.importers import import_files
    from qualcode.project import Project

    os.environ.setdefault("QUALCODE_VAULT_PASSPHRASE", "benchmark passphrase")
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="qualcode-import-bench-") as tmp:
        tmp = Path(tmp)
        folder = tmp / "in"
        folder.mkdir()
        rows = []
        letters = "ABCDEFGH"
        for i in range(args.files):
            name = f"intervju-{i:03d}.txt"
            (folder / name).write_text(make_transcript(rng, args.words), encoding="utf-8")
            rows.append(f"- {{file: {name}, case: {letters[i % 8]}, year: {2019 + i % 2}, informant_group: behandlere}}")
        (folder / "manifest.yaml").write_text("\n".join(rows) + "\n", encoding="utf-8")
        cases = "cases:\n" + "".join(
            f"  - {{letter: {c}, unit_label: Enhet {c}, setting: poliklinikk, service_area: PHV}}\n" for c in letters)
        (tmp / "cases.yaml").write_text(cases, encoding="utf-8")
        total_bytes = sum(p.stat().st_size for p in folder.glob("*.txt"))

        t0 = time.perf_counter()
        project = Project.init(tmp / "project", passphrase=os.environ["QUALCODE_VAULT_PASSPHRASE"],
                               cases_file=tmp / "cases.yaml")
        _ = project.store, project.vault  # migrations + key derivation, outside the timed import
        t1, c1 = time.perf_counter(), time.process_time()
        report = import_files(project, [folder], manifest=folder / "manifest.yaml")
        t2, c2 = time.perf_counter(), time.process_time()
        again = import_files(project, [folder], manifest=folder / "manifest.yaml")
        t3 = time.perf_counter()
        words = sum(r.word_count for r in report.imported)
        vault_bytes = project.vault_path.stat().st_size
        project.close()

    if not report.ok or len(report.imported) != args.files:
        print(json.dumps(report.as_dict(), indent=2, default=str)[:2000], file=sys.stderr)
        return 1
    result = {
        "benchmark": "import_speed",
        "files": args.files,
        "words_per_file": args.words,
        "words_imported": words,
        "input_mb": round(total_bytes / 1e6, 2),
        "vault_mb": round(vault_bytes / 1e6, 2),
        "project_setup_s": round(t1 - t0, 3),
        "import_s": round(t2 - t1, 3),
        "import_cpu_s": round(c2 - c1, 3),  # this process only; wall time also waits for disk and other load
        "files_per_s": round(args.files / (t2 - t1), 1),
        "words_per_s": round(words / (t2 - t1)),
        "reimport_duplicates_s": round(t3 - t2, 3),
        "duplicates_detected": len(again.duplicates),
        "target_s": 10.0,
        "meets_target": (t2 - t1) < 10.0,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_1m": round(os.getloadavg()[0], 2)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
