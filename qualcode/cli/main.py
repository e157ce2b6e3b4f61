"""The ``qualcode`` command: a thin layer over the library API.

Each stage registers its commands from its own module in this package (see ``STAGES``).
"""
from __future__ import annotations

import importlib
from pathlib import Path

import click

from .. import __version__
from .common import CliState, console, handle_errors

# Modules under qualcode.cli that each expose ``register(cli: click.Group) -> None``.
STAGES = (
    "project_cmds",   # init, info
    "importing",      # import, sources, cases
    "nlp_cmds",       # model train/evaluate/info
    "anonymise_cmds", # anonymise, anonymise-text, ner
    "codebook_cmds",  # codebook lint/show/export, autocode, evaluate
    "coding_cmds",    # code add/remove/list/import/export, memo, agree, disagreements, reconcile
    "aggregate_cmds", # matrix, summarise, plot
    "exchange_cmds",  # export --qdpx
    "demo_cmds",      # demo
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qualcode")
@click.option("-p", "--project", "project_dir", type=click.Path(path_type=Path), default=Path("."),
              envvar="QUALCODE_PROJECT", show_default=True, help="Project folder.")
@click.option("--db", "db_url", default=None, envvar="QUALCODE_DATABASE_URL",
              help="Analysis store URL (default: SQLite in the project; postgresql+psycopg://… for PostgreSQL).")
@click.option("--model", default=None, help="spaCy pipeline name or path (default: the shipped qualcode model).")
@click.pass_context
def cli(ctx: click.Context, project_dir: Path, db_url: str | None, model: str | None) -> None:
    """qualcode — import, anonymise, code and aggregate Norwegian interview transcripts."""
    ctx.obj = CliState(project_dir, db_url, model)


for _name in STAGES:
    importlib.import_module(f"{__package__}.{_name}").register(cli)


__all__ = ["cli", "console", "handle_errors"]
