"""``qualcode matrix``, ``qualcode summarise``, ``qualcode plot`` — thin wrappers over qualcode.aggregate."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click
from rich.table import Table

from ..errors import AggregationError
from .common import CliState, console, err_console, handle_errors, pass_state, print_json


def filter_options(func: Callable) -> Callable:
    """The filters shared by every aggregation command."""
    options = [
        click.option("--service-area", "service_area", multiple=True, help="PHV, PHBU, TSB … (repeat or comma-separate)."),
        click.option("--setting", multiple=True, help="poliklinikk or døgn."),
        click.option("--group", "informant_group", multiple=True,
                     help="Informant group: behandlere, ledere, forløpskoordinatorer, brukere, pårørende."),
        click.option("--coder", multiple=True, help="A coder's name, 'auto' (any automatic coder) or 'consensus'."),
        click.option("--code", multiple=True, help="Code key or path: keep its subtree; its children become the themes."),
        click.option("--min-score", type=float, default=None, help="Drop scored codings below this (manual codings count)."),
        click.option("--year", "years", type=int, multiple=True, help="Only these years (repeatable)."),
        click.option("--depth", type=int, default=1, show_default=True, help="Theme level below the root (or --code)."),
    ]
    for opt in reversed(options):
        func = opt(func)
    return func


def _filters(kw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("service_area", "setting", "informant_group", "coder", "code"):
        vals = kw.pop(name, ())
        if vals:
            out[name] = [v for item in vals for v in item.split(",") if v.strip()]
    if kw.get("min_score") is not None:
        out["min_score"] = kw["min_score"]
    kw.pop("min_score", None)
    years = kw.pop("years", ())
    if years:
        out["years"] = list(years)
    out["depth"] = kw.pop("depth", 1)
    return out


def _warn(warnings: list[str]) -> None:
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {w}", highlight=False)


@click.command("matrix")
@filter_options
@click.option("--measure", type=click.Choice(["segments", "sources", "informants", "words", "share", "coders"]),
              default="segments", show_default=True, help="Which measure the table shows.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write all measures as CSV.")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write an Excel workbook, one sheet per measure.")
@click.option("--json", "as_json", is_flag=True, help="Print tidy records (case, year, theme, measures) as JSON.")
@pass_state
@handle_errors
def matrix_cmd(state: CliState, measure: str, csv_path: Path | None, xlsx_path: Path | None, as_json: bool,
               **kw: Any) -> None:
    """Case × year × theme framework matrix of the active codings."""
    from ..aggregate import flatten, framework_matrix, to_records

    df = framework_matrix(state.project(), **_filters(kw))
    if csv_path:
        flatten(df).to_csv(csv_path, index=False)
    if xlsx_path:
        _write_xlsx(df, xlsx_path)
    if as_json:
        print_json({"filters": df.attrs.get("filters", {}), "warnings": df.attrs.get("warnings", []),
                    "cells": to_records(df)})
        return
    _warn(df.attrs.get("warnings", []))
    table = Table(title=f"Framework matrix — {measure}")
    for col in ("case", "unit", "year"):
        table.add_column(col)
    themes = list(df[measure].columns) if measure in df.columns.get_level_values(0) else []
    for t in themes:
        table.add_column(t, justify="right")
    table.add_column("segments (all)", justify="right", style="dim")
    for (case, year), row in df.iterrows():
        cells = []
        for t in themes:
            v = row[(measure, t)]
            if measure == "share":
                cells.append("" if v != v else f"{100 * v:.1f}%")
            else:
                cells.append(str(int(v)) if v else "·")
        table.add_row(str(case), str(row[("case", "unit_label")]), str(year), *cells,
                      str(int(row[("total", "segments")])))
    console.print(table)
    for p in (csv_path, xlsx_path):
        if p:
            console.print(f"[green]wrote[/] {p}")


def _write_xlsx(df, path: Path) -> None:
    import pandas as pd

    from ..aggregate import MEASURES

    try:
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            meta = df["case"].copy()
            for m in MEASURES:
                sheet = pd.concat([meta, df[m]], axis=1).reset_index()
                sheet.to_excel(xl, sheet_name=m, index=False)
            df["total"].reset_index().to_excel(xl, sheet_name="total", index=False)
    except OSError as exc:
        raise AggregationError(f"cannot write {path}: {exc.strerror}") from exc


@click.command("summarise")
@filter_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: <project>/exports/summaries).")
@click.option("--format", "formats", default="md,html,docx", show_default=True, help="Comma-separated: md, html, docx.")
@click.option("--theme", "themes", multiple=True, help="Only these themes (keys; repeatable).")
@click.option("--per-cell", type=int, default=3, show_default=True, help="Quotes per case and year.")
@click.option("--no-plots", is_flag=True, help="Do not draw or embed figures.")
@click.option("--json", "as_json", is_flag=True, help="Print the written paths and the cross-case table as JSON.")
@pass_state
@handle_errors
def summarise_cmd(state: CliState, out_dir: Path | None, formats: str, themes: tuple[str, ...], per_cell: int,
                  no_plots: bool, as_json: bool, **kw: Any) -> None:
    """Case summaries per theme → unit → year with representative quotes, change lines and figures."""
    from ..aggregate import summarise
    from ..aggregate.summarise import parse_formats

    project = state.project()
    fmts = parse_formats(formats)
    out = out_dir or project.exports_dir / "summaries"
    with err_console.status("building summaries…"):
        paths = summarise(project, out, formats=fmts, themes=list(themes) or None, per_cell=per_cell,
                          plots=not no_plots, **_filters(kw))
    if as_json:
        print_json({k: str(v) for k, v in paths.items()})
        return
    for k, p in paths.items():
        console.print(f"[green]wrote[/] {k}: {p}")


@click.command("plot")
@filter_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: <project>/exports/figures).")
@pass_state
@handle_errors
def plot_cmd(state: CliState, out_dir: Path | None, **kw: Any) -> None:
    """Heatmap of case × theme per year and the first→last year change plot (PNG and SVG)."""
    from ..aggregate import plot

    project = state.project()
    figs = plot(project, out_dir or project.exports_dir / "figures", **_filters(kw))
    for name, f in figs.items():
        console.print(f"[green]wrote[/] {name}: {f['png']} {f['svg']}")


def register(cli: click.Group) -> None:
    """Add this stage's commands to the root group."""
    cli.add_command(matrix_cmd)
    cli.add_command(summarise_cmd)
    cli.add_command(plot_cmd)
