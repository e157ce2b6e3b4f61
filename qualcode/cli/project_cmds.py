"""``qualcode init`` and ``qualcode info``."""
from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import func, select

from ..project import Project
from ..store import Coding, Segment, Source
from .common import CliState, console, handle_errors, pass_state, print_json


@click.command()
@click.argument("folder", type=click.Path(path_type=Path), required=False)
@click.option("--name", default=None, help="Project name (default: the folder name).")
@click.option("--cases", "cases_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Start from this cases.yaml.")
@pass_state
@handle_errors
def init(state: CliState, folder: Path | None, name: str | None, cases_file: Path | None) -> None:
    """Create a project folder: settings, vault, analysis store, cases.yaml."""
    root = folder or state.project_dir
    project = Project.init(root, database_url=state.db_url, name=name, cases_file=cases_file)
    console.print(f"[green]created[/] project [bold]{project.config.name}[/] in {root}")
    console.print(f"  vault (identifying, encrypted): {project.vault_path}")
    console.print(f"  case registry: {project.cases_path}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def info(state: CliState, as_json: bool) -> None:
    """Show what the analysis store holds."""
    project = state.project()
    with project.store.session() as s:
        data = {
            "project": project.config.name,
            "schema": project.store.current_revision(),
            "sources": s.scalar(select(func.count()).select_from(Source)),
            "anonymised_sources": s.scalar(select(func.count()).select_from(Source).where(Source.status == "anonymised")),
            "segments": s.scalar(select(func.count()).select_from(Segment)),
            "active_codings": s.scalar(select(func.count()).select_from(Coding).where(Coding.status == "active")),
        }
    if as_json:
        print_json(data)
    else:
        for key, value in data.items():
            console.print(f"{key:>20}: {value}")


def register(cli: click.Group) -> None:
    cli.add_command(init)
    cli.add_command(info)
