"""``qualcode export --qdpx/--qdc``, ``qualcode import-qdc``, ``qualcode apply-held-codings``:
thin wrappers over :mod:`qualcode.exchange` (``import --qdpx`` lives in ``importing.py``)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import ExchangeError
from .common import CliState, console, err_console, handle_errors, kv_table, pass_state, print_json


@click.command("export")
@click.option("--qdpx", "qdpx", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the project as a REFI-QDA project (.qdpx): anonymised sources, codebook, codings, cases, memos.")
@click.option("--qdc", "qdc", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA, QualCoder.")
@click.option("--codebook", "codebook_name", default=None,
              help="With --qdc: builtin codebook name or YAML path (default: the project's codebook).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
@handle_errors
def export_cmd(state: CliState, qdpx: Path | None, qdc: Path | None, codebook_name: str | None,
               as_json: bool) -> None:
    """Export for other QDA tools (REFI-QDA standard). Give --qdpx, --qdc or both."""
    if qdpx is None and qdc is None:
        raise click.UsageError("give --qdpx FILE and/or --qdc FILE")
    out: dict[str, Any] = {}
    if qdc is not None:
        from ..codebook.schema import load_codebook
        from ..exchange import export_qdc

        name = codebook_name
        if name is None:
            from ..config import CONFIG_NAME, ProjectConfig

            config_path = state.project_dir / CONFIG_NAME
            if not config_path.exists():  # no project here: a codebook must be named
                raise ExchangeError("--qdc outside a project needs --codebook NAME_OR_PATH")
            name = ProjectConfig.load(config_path).codebook  # a broken config is reported as such
        res = export_qdc(load_codebook(name), qdc)
        out["qdc"] = {"path": str(res.path), "codes": res.codes, "validated_with": res.validated_with}
    if qdpx is not None:
        from ..exchange import export_qdpx

        out["qdpx"] = export_qdpx(state.project(), qdpx).as_dict()
    if as_json:
        print_json(out)
        return
    if "qdc" in out:
        console.print(f"[green]wrote[/] {out['qdc']['path']}: {out['qdc']['codes']} codes "
                      f"(validated: {out['qdc']['validated_with']})")
    if "qdpx" in out:
        rep = out["qdpx"]
        console.print(f"[green]wrote[/] {rep['path']}")
        console.print(kv_table(title="REFI-QDA export", data={k: v for k, v in rep.items() if k != "warnings"}))
        for w in rep["warnings"]:
            err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
        if rep["skipped_pending"]:
            err_console.print(f"[yellow]note:[/] {rep['skipped_pending']} sources are not anonymised yet and were "
                              "left out", highlight=False)


@click.command("import-qdc")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the qualcode YAML codebook (default: <name>.yaml in the current folder).")
@click.option("--name", default=None, help="Codebook name (default: as recorded in the file, else the file name).")
@click.option("--version", "version", default=None, help="Codebook version (default: as recorded, else 1.0.0).")
@click.option("--force", is_flag=True, help="Overwrite an existing YAML file.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@handle_errors
def import_qdc_cmd(path: Path, out: Path | None, name: str | None, version: str | None, force: bool,
                   as_json: bool) -> None:
    """Read a REFI-QDA codebook (.qdc) into a qualcode YAML codebook."""
    from ..exchange.qdc import codebook_yaml, read_qdc

    codebook, report = read_qdc(path, name=name, version=version)
    out = out or Path(f"{codebook.name}.yaml")
    if out.exists() and not force:
        raise ExchangeError(f"{out} exists; use --force to overwrite it")
    out.write_text(codebook_yaml(codebook), encoding="utf-8")
    data = {"path": str(out), "name": codebook.name, "version": codebook.version, **report.__dict__}
    if as_json:
        print_json(data)
        return
    console.print(f"[green]wrote[/] {out} ({report.codes} codes)")
    console.print(kv_table(title="REFI-QDA codebook import", data={k: v for k, v in data.items() if k != "codes"}))


@click.command("apply-held-codings")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
@handle_errors
def apply_held_cmd(state: CliState, as_json: bool) -> None:
    """Apply codings held back by `import --qdpx` to sources anonymised since."""
    from ..exchange.remap import apply_held_codings

    report = apply_held_codings(state.project())
    if as_json:
        print_json(report.as_dict())
        return
    console.print(f"applied {report.applied} codings; {report.waiting} still wait for anonymisation"
                  + (f"; {report.already} were applied before" if report.already else ""))


def register(cli: click.Group) -> None:
    """Add this stage's commands to the root group."""
    cli.add_command(export_cmd)
    cli.add_command(import_qdc_cmd)
    cli.add_command(apply_held_cmd)
