"""The end-to-end demo: the bundled fictional corpus through every stage.

``run_demo(out_dir)`` creates a fresh project, imports the corpus, anonymises it (review sheet
written), auto-codes it, builds the matrix, case summaries and plots, and exports a REFI-QDA
project. It returns a :class:`DemoResult` listing every output. The CLI (`qualcode demo`) and
the notebooks call the same function.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import ConfigError
from .project import Project
from .vault import PASSPHRASE_ENV

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "pakkeforlop-demo"
DEMO_PASSPHRASE = "demo-only-not-secret"
MARKER = ".qualcode-demo"
CORE_THEMES = ("informasjon", "behandlingsplan", "feedback", "overganger")

ProgressCallback = Callable[[int, int], None]


@dataclass
class DemoResult:
    project_dir: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    figures: dict[str, object] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    project: Project | None = None  # left open for the caller (notebooks); close() when done


def corpus_dir() -> Path:
    if not (CORPUS / "manifest.yaml").exists():
        raise ConfigError(f"the demo corpus is missing at {CORPUS}")
    return CORPUS


def fresh_demo_folder(out_dir: Path) -> Path:
    """Empty ``out_dir`` if it is an earlier demo's folder; refuse to touch anything else."""
    out_dir = Path(out_dir)
    if out_dir.exists() and any(out_dir.iterdir()):
        if not (out_dir / MARKER).exists():
            raise ConfigError(f"{out_dir} exists and is not a qualcode demo folder; choose another --out")
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MARKER).write_text("made by `qualcode demo`; safe to delete\n", encoding="utf-8")
    return out_dir


def run_demo(out_dir: Path, *, passphrase: str | None = None,
             progress_factory: Callable[[str], ProgressCallback] | None = None,
             with_exports: bool = True) -> DemoResult:
    """Run every stage on the demo corpus; outputs go under ``out_dir`` (emptied if an earlier demo's).

    ``progress_factory(stage)`` may return a ``(done, total)`` callback for that stage.
    ``with_exports=False`` stops after auto-coding (the notebooks draw their own outputs).
    """
    from .aggregate import crosscase, framework_matrix, summarise
    from .anonymise import anonymise_project
    from .codebook import autocode_project
    from .importers import import_files

    corpus = corpus_dir()
    out_dir = fresh_demo_folder(out_dir)
    passphrase = passphrase or os.environ.get(PASSPHRASE_ENV) or DEMO_PASSPHRASE
    result = DemoResult(project_dir=out_dir / "project")
    make_cb = progress_factory or (lambda _stage: None)

    def timed(stage: str, fn: Callable[[ProgressCallback | None], object]):
        t0 = time.perf_counter()
        value = fn(make_cb(stage))
        result.timings[stage] = round(time.perf_counter() - t0, 2)
        return value

    project = Project.init(result.project_dir, passphrase=passphrase, name="pakkeforlop-demo",
                           cases_file=corpus / "cases.yaml")
    result.project = project
    report = timed("import", lambda cb: import_files(project, [corpus / "transcripts"],
                                                     manifest=corpus / "manifest.yaml", progress=cb, actor="demo"))
    if report.errors:
        raise ConfigError(f"the demo corpus did not import cleanly: {len(report.errors)} file(s) failed")
    result.figures["transcripts imported"] = len(report.imported)
    anon = timed("anonymise", lambda cb: anonymise_project(project, progress=cb, actor="demo"))
    result.figures["identifying spans masked"] = anon.detections
    result.figures["pseudonyms"] = anon.new_pseudonyms
    result.outputs["review sheet (identifying, private)"] = anon.review_html or anon.review_csv
    coded = timed("autocode", lambda cb: autocode_project(project, progress=cb))
    result.figures["segments"] = coded.segments_examined
    result.figures["auto codings"] = coded.codings_added
    if not with_exports:
        return result

    exports = project.exports_dir
    matrix = timed("matrix", lambda cb: framework_matrix(project, depth=2))
    matrix.to_csv(exports / "matrix.csv")
    matrix.to_excel(exports / "matrix.xlsx")
    result.outputs["framework matrix (CSV)"] = exports / "matrix.csv"
    result.outputs["framework matrix (XLSX)"] = exports / "matrix.xlsx"
    changes = timed("crosscase", lambda cb: crosscase(project, themes=CORE_THEMES, depth=2))
    changes.to_csv(exports / "crosscase.csv", index=False)
    result.outputs["cross-case changes (CSV)"] = exports / "crosscase.csv"
    written = timed("summarise", lambda cb: summarise(project, exports / "summaries", themes=CORE_THEMES, depth=2))
    names = {"md": "case summaries (Markdown)", "html": "case summaries (HTML, with plots)",
             "docx": "case summaries (Word)", "figures": "plots (PNG/SVG)"}
    for fmt, path in written.items():
        result.outputs[names.get(fmt, f"case summaries ({fmt})")] = path
    if with_exports:
        from .exchange import export_qdpx

        timed("REFI-QDA export", lambda cb: export_qdpx(project, exports / "pakkeforlop-demo.qdpx"))
        result.outputs["REFI-QDA project (NVivo, ATLAS.ti, MAXQDA)"] = exports / "pakkeforlop-demo.qdpx"
    return result
