"""``qualcode demo``: the whole pipeline on the bundled fictional corpus."""
from __future__ import annotations

import time
from pathlib import Path

import click
from rich.table import Table

from ..demo import DEMO_PASSPHRASE, run_demo
from .common import console, handle_errors, progress


@click.command()
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("demo-output"), show_default=True,
              help="Folder for the demo project and its outputs (an earlier demo's folder is replaced).")
@handle_errors
def demo(out_dir: Path) -> None:
    """Run import → anonymise → auto-code → matrix → summaries → plots → export on the demo corpus."""
    console.print("[bold]qualcode demo[/] — fictional corpus [italic]corpora/pakkeforlop-demo[/]")
    console.print(f"[dim]vault passphrase: $QUALCODE_VAULT_PASSPHRASE if set, else the demo's own "
                  f"('{DEMO_PASSPHRASE}') — never use that for real data[/]")
    t0 = time.perf_counter()
    with progress() as bar:
        tasks: dict[str, int] = {}

        def factory(stage: str):
            task = bar.add_task(stage, total=None)
            tasks[stage] = task

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return update

        result = run_demo(out_dir, progress_factory=factory)
        for task in bar.tasks:  # stages without a callback: mark done
            if task.total is None:
                bar.update(task.id, total=1, completed=1)
    if result.project is not None:
        result.project.close()

    figures = Table(title="What happened", show_header=False)
    for name, value in result.figures.items():
        figures.add_row(name, str(value))
    figures.add_row("time", f"{time.perf_counter() - t0:.1f} s "
                    + "(" + ", ".join(f"{k} {v:.1f}s" for k, v in result.timings.items()) + ")")
    console.print(figures)
    outputs = Table(title="Outputs", show_header=True)
    outputs.add_column("what")
    outputs.add_column("where", overflow="fold")
    outputs.add_row("project (analysis store, vault)", str(result.project_dir))
    for name, path in result.outputs.items():
        outputs.add_row(name, str(path))
    console.print(outputs)


def register(cli: click.Group) -> None:
    cli.add_command(demo)
