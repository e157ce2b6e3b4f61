"""``qualcode anonymise [--apply SHEET]``, ``qualcode ner --jsonl``, ``qualcode anonymise-text --jsonl``."""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from .common import CliState, console, handle_errors, pass_state, print_json, progress


def _anonymiser(state: CliState, recognisers: str | None, deny: Path | None, propagate: bool = True):
    """An Anonymiser from the project config (when run inside a project) or the defaults."""
    from ..anonymise import Anonymiser, AnonymiseConfig, RECOGNISERS
    from ..anonymise.anonymiser import load_nlp, read_deny_file
    from ..config import CONFIG_NAME
    from ..errors import ConfigError

    section, deny_list, config_model = {}, [], None
    if (Path(state.project_dir) / CONFIG_NAME).is_file():
        project = state.project()
        section = dict(project.config.anonymise)
        config_model = project.config.model
        cfg = AnonymiseConfig.from_section(section)
        if cfg.deny_list_file:
            deny_list = read_deny_file(project.root / cfg.deny_list_file)
    if recognisers:
        chosen = [r.strip() for r in recognisers.split(",") if r.strip()]
        unknown = sorted(set(chosen) - set(RECOGNISERS))
        if unknown:
            raise ConfigError(f"--recognisers: unknown {', '.join(unknown)} (known: {', '.join(RECOGNISERS)})")
        section["recognisers"] = {name: name in chosen for name in RECOGNISERS}
    if not propagate:
        section["propagate"] = False
    cfg = AnonymiseConfig.from_section(section)
    if deny is not None:
        deny_list += read_deny_file(deny)
    nlp = None
    if cfg.enabled("ner"):
        nlp = load_nlp(state.model or config_model)
    else:
        import spacy

        nlp = spacy.blank("nb")
    return Anonymiser(nlp, cfg, deny_list=deny_list)


_recognisers_opt = click.option("--recognisers", default=None, metavar="LIST",
                                help="Comma-separated recognisers to run: ner,identifiers,gazetteers,denylist "
                                     "(default: those enabled in the project config, else all).")
_prop_opt = click.option("--no-propagation", "no_propagation", is_flag=True,
                         help="Do not propagate names found on one line to the other lines.")
_deny_opt = click.option("--deny", type=click.Path(dir_okay=False, path_type=Path), default=None,
                         help="Extra deny-list file (one name per line).")


def register(cli: click.Group) -> None:
    """Add ``anonymise``, ``ner`` and ``anonymise-text``."""

    @cli.command("anonymise")
    @click.option("--apply", "sheet", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Apply a reviewed sheet (CSV from private/review) instead of anonymising pending sources.")
    @click.option("--actor", default=None, help="Who is doing this (audit log; default: the login name).")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    @pass_state
    @handle_errors
    def anonymise_cmd(state: CliState, sheet: Path | None, actor: str | None, as_json: bool) -> None:
        """Anonymise every pending source into the analysis store and write a review sheet
        (identifying: it goes to private/review). With --apply, apply a reviewer's decisions."""
        from ..anonymise import anonymise_project, apply_review
        from ..anonymise.anonymiser import load_nlp
        from ..anonymise.workflow import project_config

        project = state.project()
        if sheet is not None:
            report = apply_review(project, sheet, actor=actor)
            if as_json:
                print_json(report.to_dict())
                return
            console.print(f"review applied to {len(report.sources)} source(s): {report.accepted} accepted, "
                          f"{report.rejected} rejected, {report.added} added; "
                          f"{report.segments_changed} segment(s) changed")
            for w in report.warnings:
                console.print(f"[yellow]warning:[/] {w}")
            return
        cfg, _ = project_config(project)
        nlp = load_nlp(state.model or project.config.model) if cfg.enabled("ner") else None
        with progress() as bar:
            task = bar.add_task("anonymising", total=None)
            report = anonymise_project(project, nlp=nlp, actor=actor,
                                       progress=lambda done, total: bar.update(task, completed=done, total=total))
        if as_json:
            print_json(report.to_dict())
            return
        if not report.sources:
            console.print("no pending sources")
            return
        table = Table(title=f"{len(report.sources)} source(s) anonymised, {report.detections} detections")
        table.add_column("label")
        table.add_column("n", justify="right")
        for label, n in sorted(report.by_label.items()):
            table.add_row(label, str(n))
        console.print(table)
        console.print(f"review sheet (IDENTIFYING, keep private): {report.review_csv}\n"
                      f"  and {report.review_html}; apply with `qualcode anonymise --apply SHEET`")

    @cli.command("ner")
    @click.option("--jsonl", "in_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help='Input: one {"id": ..., "text": ...} per line.')
    @click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
    @_recognisers_opt
    @_deny_opt
    @_prop_opt
    @click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True,
                  help="Worker processes for the spaCy pipeline.")
    @pass_state
    @handle_errors
    def ner_cmd(state: CliState, in_path: Path, out_path: Path, recognisers: str | None, deny: Path | None,
                no_propagation: bool, processes: int) -> None:
        """Named entities and identifiers per line, each with the recogniser that found it
        ("source"); names found on one line are propagated to all lines."""
        from ..anonymise.jsonl import ner_jsonl

        n = ner_jsonl(_anonymiser(state, recognisers, deny, not no_propagation), in_path, out_path,
                      n_process=processes)
        console.print(f"{n} line(s) → {out_path}")

    @cli.command("anonymise-text")
    @click.option("--jsonl", "in_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
                  help='Input: one {"id": ..., "text": ...} per line.')
    @click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
    @_recognisers_opt
    @_deny_opt
    @click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True)
    @pass_state
    @handle_errors
    def anonymise_text_cmd(state: CliState, in_path: Path, out_path: Path, recognisers: str | None,
                           deny: Path | None, processes: int) -> None:
        """Write {"id", "text": anonymised} per line; pseudonyms are consistent across the file
        (the key is not kept: use a project for a persistent key)."""
        from ..anonymise.jsonl import anonymise_jsonl

        n = anonymise_jsonl(_anonymiser(state, recognisers, deny), in_path, out_path, n_process=processes)
        console.print(f"{n} line(s) → {out_path}")
