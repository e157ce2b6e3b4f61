"""Shared CLI plumbing: the project context, rich console, error handling, JSON output."""
from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path
from typing import Any, Callable

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..errors import QualcodeError

console = Console()
err_console = Console(stderr=True)


class CliState:
    """What the root group's options set: where the project is, which database."""

    def __init__(self, project_dir: Path, db_url: str | None, model: str | None) -> None:
        self.project_dir = project_dir
        self.db_url = db_url
        self.model = model
        self._project = None

    def project(self):
        """Open the project once per command (the vault unlocks lazily, when a command needs it)."""
        from ..project import Project

        if self._project is None:
            self._project = Project.open(self.project_dir, database_url=self.db_url)
        return self._project


pass_state = click.make_pass_decorator(CliState)


def handle_errors(func: Callable) -> Callable:
    """Turn QualcodeError into a one-line message and exit code 1 (no traceback, no content)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except QualcodeError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            sys.exit(1)

    return wrapper


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def kv_table(data: dict[str, Any], *, title: str | None = None, skip_bools: bool = False) -> Table:
    """A two-column key/value table of a report dict; empty values and ``path`` are left out,
    dicts and lists are flattened to one line. Values are shown literally (no rich markup)."""
    table = Table(title=title, show_header=False, box=None)
    for key, value in data.items():
        if (skip_bools and isinstance(value, bool)) or value in (None, "", {}, []) or key == "path":
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = "; ".join(map(str, value))
        table.add_row(f"[bold]{escape(str(key))}[/]", escape(str(value)))
    return table


def progress() -> Progress:
    """A rich progress bar for long work (writes to stderr so --json stays clean)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
