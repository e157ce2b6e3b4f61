"""Aggregation: framework matrix, case summaries, cross-case view, plots and renderers.

Public API::

    framework_matrix(project, *, service_area=None, setting=None, informant_group=None,
                     coder=None, code=None, min_score=None, years=None, depth=1,
                     with_coders=True) -> pandas.DataFrame
    summarise(project, out_dir, *, formats=("md", "html", "docx"), themes=None, per_cell=3,
              lambda_=0.7, max_words=80, plots=True, **filters) -> dict[str, Path]
    build_summary(session, *, themes=None, per_cell=3, **filters) -> Summary
    crosscase(project, *, themes=None, **filters) -> pandas.DataFrame
    plot(project, out_dir, **filters) -> dict[name, {"png": Path, "svg": Path, "title": str}]
"""
from __future__ import annotations

from .crosscase import crosscase
from .matrix import MEASURES, NO_CASE, flatten, framework_matrix, to_records
from .plots import plot
from .summarise import FORMATS, build_summary, summarise

__all__ = ["FORMATS", "MEASURES", "NO_CASE", "build_summary", "crosscase", "flatten", "framework_matrix",
           "plot", "summarise", "to_records"]
