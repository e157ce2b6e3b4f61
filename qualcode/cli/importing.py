"""``qualcode import``, ``qualcode sources list/show``, ``qualcode cases check/list``."""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..errors import QualcodeError, SourceImportError
from .common import CliState, console, handle_errors, kv_table, pass_state, print_json, progress


@click.command("import")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-m", "--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="manifest.yaml or .csv with each file's case, year, informant group, ...")
@click.option("--qdpx", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Import a REFI-QDA project (.qdpx) instead of transcript files.")
@click.option("--anonymised", is_flag=True, help="With --qdpx: the project's texts are already anonymised.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_state
@handle_errors
def import_cmd(state: CliState, paths: tuple[Path, ...], manifest: Path | None, qdpx: Path | None,
               anonymised: bool, as_json: bool) -> None:
    """Import transcripts (.txt .md .docx .vtt .srt; folders are searched) into the vault.

    Each file is stored encrypted in the vault and gets a pending source in the analysis store
    (one transaction per file). Exit code 1 when any file failed.
    """
    project = state.project()
    if qdpx is not None:
        if paths or manifest:
            raise SourceImportError("--qdpx cannot be combined with files or --manifest")
        from ..exchange import import_qdpx  # written by the exchange stage

        result = import_qdpx(project, qdpx, anonymised=anonymised)
        data = result.as_dict() if hasattr(result, "as_dict") else result
        if as_json:
            print_json(data)
        else:
            _print_qdpx(qdpx, data)
        return
    if not paths and manifest is None:
        raise click.UsageError("give files or folders to import, or --manifest")

    from ..importers import import_files

    with progress() as bar:
        task = bar.add_task("importing", total=None)
        report = import_files(project, paths, manifest=manifest,
                              progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        print_json(report.as_dict())
    else:
        _print_report(report)
    if not report.ok:
        raise SystemExit(1)


def _print_qdpx(path: Path, data) -> None:
    console.print(f"[green]imported[/] {path.name}")
    if not isinstance(data, dict):
        return
    console.print(kv_table(data, skip_bools=True))


def _print_report(report) -> None:
    table = Table(title="Import", show_lines=False)
    table.add_column("file", overflow="fold")
    table.add_column("result")
    table.add_column("source")
    table.add_column("words", justify="right")
    table.add_column("note", overflow="fold")
    style = {"imported": "green", "duplicate": "yellow", "error": "red"}
    for r in report.results:
        note = r.message if r.status != "imported" else "; ".join(r.warnings)
        table.add_row(r.file, f"[{style[r.status]}]{r.status}[/]", r.label or "",
                      str(r.word_count) if r.word_count else "", note or "")
    console.print(table)
    console.print(f"imported {len(report.imported)}, duplicates {len(report.duplicates)}, "
                  f"errors {len(report.errors)}")


# -- sources ---------------------------------------------------------------------------------

@click.group()
def sources() -> None:
    """Sources (interviews) in the analysis store."""


def _segment_counts(session, source_ids=None) -> dict[int, int]:
    from sqlalchemy import func

    from ..store.models import Segment

    q = select(Segment.source_id, func.count()).group_by(Segment.source_id)
    if source_ids is not None:
        q = q.where(Segment.source_id.in_(source_ids))
    return dict(session.execute(q).all())


def _source_dict(src, *, segments: int = 0, with_text: bool = False) -> dict:
    data = {
        "id": src.id, "uid": src.uid, "label": src.label,
        "case": src.case.letter if src.case else None, "year": src.year,
        "informant_group": src.informant_group, "interview_form": src.interview_form, "mode": src.mode,
        "date": src.interview_date, "language": src.language, "service_area": src.service_area,
        "unit_label": src.unit_label, "setting": src.setting, "study": src.study, "format": src.format,
        "status": src.status, "word_count": src.word_count, "n_speakers": src.n_speakers,
        "segments": segments, "imported_at": src.imported_at, "anonymised_at": src.anonymised_at,
    }
    if with_text:
        # the analysis store holds anonymised text only; pending sources have none
        data["text"] = src.text if src.status == "anonymised" else None
    return data


@sources.command("list")
@click.option("--status", type=click.Choice(["pending", "anonymised"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def sources_list(state: CliState, status: str | None, as_json: bool) -> None:
    """List sources: label, case, year, group, status, words."""
    from ..store.models import Source

    project = state.project()
    with project.store.session() as s:
        q = select(Source).options(selectinload(Source.case)).order_by(Source.id)
        if status:
            q = q.where(Source.status == status)
        n_segments = _segment_counts(s)
        rows = [_source_dict(src, segments=n_segments.get(src.id, 0)) for src in s.scalars(q)]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Sources ({len(rows)})")
    for col in ("id", "label", "case", "year", "group", "form", "mode", "status", "words"):
        table.add_column(col, justify="right" if col in ("id", "year", "words") else "left")
    for r in rows:
        table.add_row(str(r["id"]), r["label"], r["case"] or r["service_area"] or "", str(r["year"] or ""),
                      r["informant_group"] or "", r["interview_form"] or "", r["mode"] or "", r["status"],
                      str(r["word_count"]))
    console.print(table)


@sources.command("show")
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def sources_show(state: CliState, source: str, as_json: bool) -> None:
    """Show one source (by id, label or uid): metadata, status, word count; the text only once anonymised."""
    from ..store.models import Source

    project = state.project()
    with project.store.session() as s:
        cond = [Source.label == source, Source.uid == source]
        if source.isdigit():
            cond.append(Source.id == int(source))
        src = s.scalar(select(Source).options(selectinload(Source.case)).where(or_(*cond)))
        if src is None:
            raise QualcodeError(f"no source {source!r} (give an id, label or uid; see `qualcode sources list`)")
        data = _source_dict(src, segments=_segment_counts(s, [src.id]).get(src.id, 0), with_text=True)
    if as_json:
        print_json(data)
        return
    text = data.pop("text")
    for key, value in data.items():
        console.print(f"[bold]{key:>16}[/]: {'' if value is None else value}", highlight=False)
    if text is None:
        console.print("\n[dim](text not shown: the source is not anonymised yet)[/]")
    else:
        console.print()
        console.print(text, markup=False, highlight=False)


# -- cases -----------------------------------------------------------------------------------

@click.group()
def cases() -> None:
    """The case registry (cases.yaml)."""


@cases.command("check")
@click.option("-m", "--manifest", "manifests", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also check these manifests (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def cases_check(state: CliState, manifests: tuple[Path, ...], as_json: bool) -> None:
    """List contradictions between cases.yaml, manifests and imported sources (exit 1 if any)."""
    from ..cases import check_cases

    project = state.project()
    found = check_cases(project, manifests)
    if as_json:
        print_json({"contradictions": [c.as_dict() for c in found]})
    elif not found:
        console.print("[green]no contradictions[/] between the case registry, manifests and sources")
    else:
        table = Table(title=f"Case contradictions ({len(found)})")
        for col in ("case", "field", "registry", "stated", "where", "problem"):
            table.add_column(col, overflow="fold")
        for c in found:
            table.add_row(c.case, c.field, c.registry_value or "", c.other_value or "", c.where, c.message)
        console.print(table)
    if found:
        raise SystemExit(1)


@cases.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def cases_list(state: CliState, as_json: bool) -> None:
    """Show the case registry."""
    from ..cases import load_registry

    project = state.project()
    registry = load_registry(project.cases_path)
    rows = [c.model_dump() for c in registry.cases]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"Cases ({len(rows)})")
    for col in ("letter", "unit_label", "setting", "service_area", "region"):
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(r[k] or "") for k in ("letter", "unit_label", "setting", "service_area", "region")))
    console.print(table)


def register(cli: click.Group) -> None:
    """Add ``import``, ``sources`` and ``cases`` to the root group."""
    cli.add_command(import_cmd)
    cli.add_command(sources)
    cli.add_command(cases)
