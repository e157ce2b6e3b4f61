"""``qualcode codebook lint|show``, ``qualcode autocode`` and ``qualcode evaluate``."""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from rich.tree import Tree

from ..errors import CodebookError
from .common import CliState, console, handle_errors, pass_state, print_json, progress


def _codebook_ref(state: CliState, file: Path | None) -> str | Path:
    """An explicit file, else the project's codebook (when run inside a project), else the builtin."""
    if file is not None:
        return file
    from ..config import CONFIG_NAME, ProjectConfig

    config_path = state.project_dir / CONFIG_NAME
    if not config_path.exists():  # no project here: the builtin codebook
        return "pakkeforlop"
    return ProjectConfig.load(config_path).codebook  # a broken project config is an error, not a fallback


@click.group()
def codebook() -> None:
    """Inspect and check codebooks."""


@codebook.command("lint")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print findings as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@pass_state
@handle_errors
def lint_cmd(state: CliState, file: Path | None, as_json: bool, strict: bool) -> None:
    """Check a codebook: structure, rule syntax, rules vs. examples."""
    from ..codebook.linter import lint

    findings = lint(_codebook_ref(state, file))
    if as_json:
        print_json([f.to_dict() for f in findings])
    else:
        style = {"error": "bold red", "warning": "yellow", "info": "cyan"}
        for f in findings:
            console.print(f"[{style[f.level]}]{f.level}[/]: {f.message}", highlight=False)
        n_err = sum(f.level == "error" for f in findings)
        n_warn = sum(f.level == "warning" for f in findings)
        console.print(f"{n_err} error(s), {n_warn} warning(s)" if findings else "[green]no findings[/]")
    if any(f.level == "error" for f in findings) or (strict and any(f.level == "warning" for f in findings)):
        raise SystemExit(1)


@codebook.command("show")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--rules/--no-rules", default=False, help="List each code's rules.")
@click.option("--json", "as_json", is_flag=True, help="Print the codebook as JSON.")
@pass_state
@handle_errors
def show_cmd(state: CliState, file: Path | None, rules: bool, as_json: bool) -> None:
    """Show a codebook as a tree."""
    from ..codebook import load_codebook

    cb = load_codebook(_codebook_ref(state, file))
    if as_json:
        print_json(cb.model_dump(mode="json"))
        return
    root = Tree(f"[bold]{cb.name}[/] {cb.version} — {len(cb.codes)} codes")

    def add(node: Tree, parent: str | None) -> None:
        for c in cb.children(parent):
            colour = c.colour or "white"
            n_rules = len(c.rules) + sum(1 for r in cb.rules if r.code == c.id)
            label = f"[{colour}]■[/] [bold]{c.id}[/] {c.label_nb} / [dim]{c.label_en}[/]"
            if n_rules:
                label += f" [dim]({n_rules} rules, threshold {c.threshold:g})[/]"
            child = node.add(label)
            if rules:
                for r in c.rules:
                    what = r.terms or r.phrases or ([r.pattern] if r.pattern else []) or [f"{len(r.patterns)} patterns"]
                    sign = "veto " if r.negative else f"{r.weight:+g} "
                    child.add(f"[dim]{r.id} {r.type}{'/' + r.mode if r.type == 'terms' else ''} {sign}{', '.join(map(str, what))[:80]}[/]")
            add(child, c.id)

    add(root, None)
    console.print(root)


def _bar_callback(bar, task):
    def cb(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return cb


class _NoBar:
    """Stands in for the progress bar when output must stay machine-readable (--json)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def add_task(self, *_a, **_k) -> int:
        return 0

    def update(self, *_a, **_k) -> None:
        return None


def _bar(quiet: bool):
    return _NoBar() if quiet else progress()


@click.command()
@click.option("--codebook", "codebook_file", type=click.Path(path_type=Path), default=None,
              help="Codebook YAML (default: the project's codebook).")
@click.option("--jsonl", "jsonl_in", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help='Code lines {"id","text"} of this file instead of the project (no project needed).')
@click.option("--out", "jsonl_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Output JSONL for --jsonl.")
@click.option("--train", is_flag=True, help="Train the textcat classifier from manual codings and code with it.")
@click.option("--folds", default=5, show_default=True, help="Cross-validation folds for --train.")
@click.option("--min-per-code", default=30, show_default=True, help="Manual codings needed per code for --train.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
@handle_errors
def autocode(state: CliState, codebook_file: Path | None, jsonl_in: Path | None, jsonl_out: Path | None,
             train: bool, folds: int, min_per_code: int, as_json: bool) -> None:
    """Code un-coded segments with the codebook's rules (or a JSONL file with --jsonl)."""
    if jsonl_in is not None:
        from ..codebook.autocode import autocode_jsonl

        if jsonl_out is None:
            raise CodebookError("--jsonl needs --out")
        with _bar(as_json) as bar:
            task = bar.add_task("autocode", total=None)
            n = autocode_jsonl(jsonl_in, jsonl_out, codebook=_codebook_ref(state, codebook_file),
                               progress=_bar_callback(bar, task))
        data = {"coded": n, "out": str(jsonl_out)}
        print_json(data) if as_json else console.print(f"coded {n} passages → {jsonl_out}")
        return
    if jsonl_out is not None:
        raise CodebookError("--out only goes with --jsonl")
    project = state.project()
    if train:
        from ..codebook.classifier import train_project_classifier

        with _bar(as_json) as bar:
            task = bar.add_task("train", total=None)
            rep = train_project_classifier(project, codebook=codebook_file, folds=folds,
                                           min_per_code=min_per_code, progress=_bar_callback(bar, task))
        data = rep.to_dict()
        if as_json:
            print_json(data)
        else:
            _print_cv(data)
        return
    from ..codebook.autocode import autocode_project

    with _bar(as_json) as bar:
        task = bar.add_task("autocode", total=None)
        rep = autocode_project(project, codebook=codebook_file, progress=_bar_callback(bar, task))
    if as_json:
        print_json(rep.to_dict())
        return
    console.print(f"[green]{rep.coder}[/]: examined {rep.segments_examined} segments, coded "
                  f"{rep.segments_coded}, added {rep.codings_added} codings")
    for code, n in sorted(rep.per_code.items(), key=lambda x: -x[1]):
        console.print(f"  {code:32s} {n}")


def _print_cv(data: dict) -> None:
    t = Table(title=f"{data['coder']} — {data['folds']}-fold cross-validation ({data['segments']} segments)")
    for col in ("code", "n", "precision", "recall", "F1", "κ"):
        t.add_column(col, justify="right" if col != "code" else "left")
    for code, m in data["cv"]["per_code"].items():
        t.add_row(code, str(m["support"]), f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", f"{m['kappa']:.3f}")
    console.print(t)
    console.print(f"coded {data.get('segments_coded', 0)} segments, added {data.get('codings_added', 0)} codings")


@click.command()
@click.option("--gold", "gold_file", type=click.Path(path_type=Path), required=True,
              help='JSONL lines {"id","text","codes":[...]}.')
@click.option("--codebook", "codebook_file", type=click.Path(path_type=Path), default=None,
              help="Codebook YAML (default: the project's, else the builtin).")
@click.option("--code", "codes", multiple=True, help="Score only these codes (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--max-disagreements", default=50, show_default=True, help="How many disagreements to list.")
@pass_state
@handle_errors
def evaluate(state: CliState, gold_file: Path, codebook_file: Path | None, codes: tuple[str, ...],
             as_json: bool, max_disagreements: int) -> None:
    """Per-code precision, recall, F1 and Cohen's κ of the rules against a gold file."""
    from ..codebook.evaluate import evaluate_gold

    rep = evaluate_gold(gold_file, _codebook_ref(state, codebook_file), codes=list(codes) or None)
    if as_json:
        print_json(rep.to_dict())
        return
    t = Table(title=f"{rep.codebook} vs {gold_file.name} ({rep.passages} passages)")
    for col in ("code", "gold n", "rules n", "precision", "recall", "F1", "κ"):
        t.add_column(col, justify="right" if col != "code" else "left")
    for code, m in rep.metrics["per_code"].items():
        t.add_row(code, str(m["support"]), str(m["predicted"]), f"{m['precision']:.3f}", f"{m['recall']:.3f}",
                  f"{m['f1']:.3f}", f"{m['kappa']:.3f}")
    console.print(t)
    mi = rep.metrics["micro"]
    console.print(f"micro: P {mi['precision']:.3f}  R {mi['recall']:.3f}  F1 {mi['f1']:.3f}")
    if rep.disagreements:
        console.print(f"[bold]{len(rep.disagreements)} disagreements[/] (passage id: missed / extra):")
        for d in rep.disagreements[:max_disagreements]:
            console.print(f"  {d['id']}: missed {', '.join(d['missed']) or '-'} / extra {', '.join(d['extra']) or '-'}",
                          highlight=False)


def register(cli: click.Group) -> None:
    """Add this stage's commands to the root group."""
    cli.add_command(codebook)
    cli.add_command(autocode)
    cli.add_command(evaluate)
