"""``qualcode coder|code|memo|agree|disagreements|reconcile``: manual coding, memos, agreement."""
from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from ..errors import CodingError
from .common import CliState, console, handle_errors, pass_state, print_json

UNDEFINED = "—"


def _split(values: tuple[str, ...] | None) -> list[str] | None:
    """``("a,b", "c")`` → ``["a", "b", "c"]``; None/empty → None."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _span(text: str | None) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    from ..coding.resolve import parse_span

    return parse_span(text)


def _coders_arg(flag: bool, coders: tuple[str, ...]) -> list[str]:
    names = _split(coders) or []
    if len(names) < 2:
        raise CodingError("name at least two coders: --coders A B [C …]")
    return names


# -- coders ------------------------------------------------------------------------------

@click.group()
def coder() -> None:
    """Coders: people, auto coders, consensus."""


@coder.command("add")
@click.argument("name")
@click.option("--kind", type=click.Choice(["person", "auto", "classifier", "consensus"]), default="person",
              show_default=True)
@pass_state
@handle_errors
def coder_add(state: CliState, name: str, kind: str) -> None:
    """Register a coder."""
    from ..coding import add_coder

    with state.project().store.session() as s:
        add_coder(s, name, kind)
    console.print(f"[green]added[/] coder {name} ({kind})")


@coder.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def coder_list(state: CliState, as_json: bool) -> None:
    """List coders and their active codings."""
    from sqlalchemy import func, select

    from ..store import Coder, Coding

    with state.project().store.session() as s:
        rows = s.execute(select(Coder.name, Coder.kind, func.count(Coding.id))
                         .outerjoin(Coding, (Coding.coder_id == Coder.id) & (Coding.status == "active"))
                         .group_by(Coder.id).order_by(Coder.name)).all()
    data = [{"name": n, "kind": k, "active_codings": c} for n, k, c in rows]
    if as_json:
        print_json(data)
        return
    table = Table("coder", "kind", "active codings")
    for d in data:
        table.add_row(d["name"], d["kind"], str(d["active_codings"]))
    console.print(table)


# -- codings -----------------------------------------------------------------------------

@click.group()
def code() -> None:
    """Code segments by hand, list codings, exchange coding sheets."""


@code.command("add")
@click.argument("segment")
@click.argument("code_ref", metavar="CODE")
@click.option("--coder", "coder_name", required=True, help="Coder name.")
@click.option("--span", default=None, help="START:END in source-text code points (default: whole segment).")
@click.option("--comment", default=None)
@click.option("--create-coder", is_flag=True, help="Create the coder (a person) if it is new.")
@pass_state
@handle_errors
def code_add(state: CliState, segment: str, code_ref: str, coder_name: str, span: str | None,
             comment: str | None, create_coder: bool) -> None:
    """Apply CODE (key or path) to SEGMENT (id or uid)."""
    from ..coding import add_coding, ensure_coder

    start, end = _span(span)
    with state.project().store.session() as s:
        if create_coder:
            ensure_coder(s, coder_name)
        c = add_coding(s, segment, code_ref, coder_name, start=start, end=end, comment=comment)
        cid, key, seg_id = c.id, c.code.key, c.segment_id
    console.print(f"[green]coded[/] segment {seg_id} with {key} (coding {cid})")


@code.command("remove")
@click.argument("segment", required=False)
@click.argument("code_ref", metavar="[CODE]", required=False)
@click.option("--coder", "coder_name", default=None, help="Coder whose coding is removed.")
@click.option("--span", default=None, help="Only the coding with this START:END span.")
@click.option("--id", "coding_id", default=None, help="Remove this coding (id or uid) instead.")
@click.option("--by", default=None, help="Who removes it (default: the coder).")
@pass_state
@handle_errors
def code_remove(state: CliState, segment: str | None, code_ref: str | None, coder_name: str | None,
                span: str | None, coding_id: str | None, by: str | None) -> None:
    """Remove a coding (it is kept as history, status 'removed')."""
    from ..coding import find_codings, get_coding, remove_coding

    with state.project().store.session() as s:
        if coding_id:
            targets = [get_coding(s, coding_id)]
        elif segment and code_ref and coder_name:
            start, end = _span(span)
            targets = find_codings(s, segment, code_ref, coder_name, start=start, end=end)
        else:
            raise CodingError("give SEGMENT CODE --coder NAME, or --id CODING")
        for t in targets:
            remove_coding(s, t, by=by or coder_name or t.coder.name)
        ids = [t.id for t in targets]
    console.print(f"[yellow]removed[/] coding(s) {', '.join(map(str, ids))} (kept as history)")


@code.command("change")
@click.argument("coding_id", metavar="CODING")
@click.option("--code", "code_ref", default=None, help="New code.")
@click.option("--span", default=None, help="New START:END span.")
@click.option("--whole", is_flag=True, help="Widen to the whole segment.")
@click.option("--comment", default=None)
@click.option("--by", required=True, help="Who makes the change.")
@pass_state
@handle_errors
def code_change(state: CliState, coding_id: str, code_ref: str | None, span: str | None, whole: bool,
                comment: str | None, by: str) -> None:
    """Change a coding: writes a new version, the old one is kept as 'superseded'."""
    from ..coding import change_coding

    kwargs: dict = {}
    if span and whole:
        raise CodingError("give --span or --whole, not both")
    if span:
        kwargs["start"], kwargs["end"] = _span(span)
    if whole:
        kwargs["start"] = kwargs["end"] = None
    if comment is not None:
        kwargs["comment"] = comment
    with state.project().store.session() as s:
        new = change_coding(s, coding_id, by=by, code=code_ref, **kwargs)
        new_id = new.id
    console.print(f"[green]changed[/] coding {coding_id} → {new_id}")


def _codings_table(rows) -> Table:
    table = Table("id", "segment", "source", "code", "coder", "span", "method", "status", "when", "by")
    for r in rows:
        span = "whole" if r.start is None else f"{r.start}:{r.end}"
        when = (r.changed_at or r.created_at).strftime("%Y-%m-%d %H:%M")
        table.add_row(str(r.id), str(r.segment_id), r.source, r.code, r.coder, span, r.method, r.status,
                      when, r.changed_by or "")
    return table


@code.command("list")
@click.option("--case", default=None, help="Case letter.")
@click.option("--year", type=int, default=None)
@click.option("--code", "code_ref", default=None, help="Code key or path (includes sub-codes).")
@click.option("--coder", "coder_name", default=None)
@click.option("--group", "informant_group", default=None, help="Informant group.")
@click.option("--segment", default=None, help="Segment id or uid.")
@click.option("--history", is_flag=True, help="Include superseded and removed codings.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def code_list(state: CliState, case, year, code_ref, coder_name, informant_group, segment, history, as_json) -> None:
    """List codings (active only unless --history)."""
    from ..coding import list_codings

    with state.project().store.session() as s:
        rows = list_codings(s, case=case, year=year, code=code_ref, coder=coder_name,
                            informant_group=informant_group, segment=segment, include_history=history)
    if as_json:
        print_json([r.to_dict() for r in rows])
    else:
        console.print(_codings_table(rows))
        console.print(f"{len(rows)} coding(s)")


@code.command("history")
@click.argument("coding_id", metavar="CODING")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def code_history(state: CliState, coding_id: str, as_json: bool) -> None:
    """Every version of a coding, oldest first."""
    from ..coding import coding_history, list_codings

    with state.project().store.session() as s:
        versions = coding_history(s, coding_id)
        chain, seg = {c.id for c in versions}, versions[0].segment_id
        rows = [r for r in list_codings(s, segment=seg, include_history=True) if r.id in chain]
    if as_json:
        print_json([r.to_dict() for r in rows])
    else:
        console.print(_codings_table(rows))


@code.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coder", "coders", multiple=True, help="Coder(s) to export (default: all who coded; none → blank template).")
@click.option("--layout", type=click.Choice(["wide", "codes"]), default="wide", show_default=True,
              help="wide: one 0/1 column per code; codes: one ';'-separated column.")
@click.option("--codes", "codes", multiple=True, help="Only these codes (comma-separated or repeated).")
@click.option("--source", "sources", multiple=True, help="Only these sources (labels).")
@click.option("--template", is_flag=True, help="A blank sheet (no coder, no marks) for a new coder.")
@pass_state
@handle_errors
def code_export(state: CliState, file: Path, coders, layout, codes, sources, template) -> None:
    """Write a coding sheet (.csv or .xlsx) — layout in docs/coding.md."""
    from ..coding import export_codings

    with state.project().store.session() as s:
        n = export_codings(s, file, coders=[] if template else (_split(coders)), layout=layout,
                           codes=_split(codes), sources=_split(sources))
    console.print(f"[green]wrote[/] {n} row(s) to {file}")


@code.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--coder", "coder_name", default=None, help="Coder for every row (else the sheet's coder column).")
@click.option("--create-coder", is_flag=True, help="Create coders that do not exist yet (as persons).")
@click.option("--mode", type=click.Choice(["replace", "add"]), default="replace", show_default=True,
              help="replace: a 0/missing code removes the coder's coding; add: only add.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def code_import(state: CliState, file: Path, coder_name, create_coder, mode, as_json) -> None:
    """Read a coding sheet (.csv UTF-8 or .xlsx); all or nothing."""
    from ..coding import import_codings

    with state.project().store.session() as s:
        rep = import_codings(s, file, coder=coder_name, create_coder=create_coder, mode=mode)
    if as_json:
        print_json(rep.to_dict())
    else:
        console.print(f"[green]imported[/] {file.name}: {rep.rows} row(s), {rep.added} added, "
                      f"{rep.removed} removed, {rep.unchanged} unchanged ({rep.layout} layout; "
                      f"coders: {', '.join(rep.coders)})")


# -- memos -------------------------------------------------------------------------------

@click.group()
def memo() -> None:
    """Memos on codes, segments, sources, cases and the project."""


@memo.command("add")
@click.argument("target_type", type=click.Choice(["code", "segment", "source", "case", "project"]))
@click.argument("target", required=False)
@click.option("--text", default=None, help="Memo text.")
@click.option("--file", "text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="Read the text from a UTF-8 file.")
@click.option("--author", required=True)
@click.option("--kind", type=click.Choice(["memo", "intervjuoppsummering", "enhetsoppsummering"]),
              default="memo", show_default=True)
@click.option("--title", default=None)
@click.option("--year", type=int, default=None)
@pass_state
@handle_errors
def memo_add(state: CliState, target_type, target, text, text_file, author, kind, title, year) -> None:
    """Write a memo, e.g. `memo add source A-2019-behandlere-1 --kind intervjuoppsummering --file s.md`."""
    from ..coding import add_memo

    if (text is None) == (text_file is None):
        raise CodingError("give the memo as --text or --file (one of them)")
    if text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise CodingError(f"{text_file.name}: not UTF-8 text") from None
    with state.project().store.session() as s:
        m = add_memo(s, target_type, target, text=text, author=author, kind=kind, title=title, year=year)
        mid = m.id
    console.print(f"[green]added[/] memo {mid}")


def _memo_filters(f):
    for opt in reversed([
        click.option("--type", "target_type", type=click.Choice(["code", "segment", "source", "case", "project"]), default=None),
        click.option("--target", default=None, help="With --type: the code, segment, source or case."),
        click.option("--kind", default=None),
        click.option("--author", default=None),
        click.option("--year", type=int, default=None),
    ]):
        f = opt(f)
    return f


@memo.command("list")
@_memo_filters
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def memo_list(state: CliState, target_type, target, kind, author, year, as_json) -> None:
    """List memos."""
    from ..coding import list_memos

    with state.project().store.session() as s:
        rows = list_memos(s, target_type=target_type, target=target, kind=kind, author=author, year=year)
    if as_json:
        print_json([m.to_dict() for m in rows])
        return
    table = Table("id", "target", "kind", "author", "year", "title", "words")
    for m in rows:
        table.add_row(str(m.id), f"{m.target_type}: {m.target}", m.kind, m.author, str(m.year or ""),
                      m.title or "", str(len(m.text.split())))
    console.print(table)


@memo.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_memo_filters
@pass_state
@handle_errors
def memo_export(state: CliState, file: Path, target_type, target, kind, author, year) -> None:
    """Write memos to FILE (.md or .csv)."""
    from ..coding import export_memos, list_memos

    with state.project().store.session() as s:
        rows = list_memos(s, target_type=target_type, target=target, kind=kind, author=author, year=year)
    n = export_memos(rows, file)
    console.print(f"[green]wrote[/] {n} memo(s) to {file}")


# -- agreement ---------------------------------------------------------------------------

def _num(value: float | None, note: str | None) -> str:
    return f"{value:.3f}" if value is not None else (note or UNDEFINED)


@click.command()
@click.option("--coders", "coders_flag", is_flag=True, help="Followed by the coder names: --coders A B [C …].")
@click.argument("coders", nargs=-1, required=True)
@click.option("--codes", multiple=True, help="Only these codes (comma-separated or repeated; default: all used).")
@click.option("--level", type=click.Choice(["segment", "character"]), default="segment", show_default=True)
@click.option("--source", "sources", multiple=True, help="Only these sources (labels).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def agree(state: CliState, coders_flag, coders, codes, level, sources, as_json) -> None:
    """Inter-coder agreement: percent agreement, Cohen's κ (two coders), Krippendorff's α (nominal)."""
    from ..coding import agreement

    rep = agreement(state.project(), _coders_arg(coders_flag, coders), _split(codes), level=level,
                    sources=_split(sources))
    if as_json:
        print_json(rep.to_dict())
        return
    unit = "segments" if level == "segment" else "characters"
    table = Table("code", f"{unit} (all coders)", "agreement", "Cohen's κ", "Krippendorff's α",
                  *[f"applied: {c}" for c in rep.coders], title=f"Agreement at {level} level")
    for row in [*rep.codes, rep.overall]:
        if row is None:
            continue
        style = "bold" if row is rep.overall else None
        agree_txt = f"{row.agreement:.1%}" if row.agreement is not None else UNDEFINED
        table.add_row(row.code, f"{row.units:,.0f}", agree_txt, _num(row.kappa, row.kappa_note),
                      _num(row.alpha, row.alpha_note), *[f"{row.applied[c]:,.0f}" for c in rep.coders], style=style)
    console.print(table)
    console.print(f"{rep.units:,} {unit} coded by at least one of the coders, {rep.complete_units:,} by all.")
    if rep.identical_segments is not None:
        console.print(f"Identical code sets on {rep.identical_segments:.1%} of the segments coded by all.")


@click.command("disagreements")
@click.option("--coders", "coders_flag", is_flag=True, help="Followed by the coder names: --coders A B [C …].")
@click.argument("coders", nargs=-1, required=True)
@click.option("--codes", multiple=True, help="Only these codes (comma-separated or repeated).")
@click.option("--source", "sources", multiple=True, help="Only these sources (labels).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a self-contained HTML page.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the review sheet as CSV (or .xlsx by extension); edit 'codes', then `reconcile --sheet`.")
@click.option("--text", "show_text", is_flag=True, help="Show the (anonymised) segment text in the table.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def disagreements_cmd(state: CliState, coders_flag, coders, codes, sources, html_file, csv_file, show_text, as_json) -> None:
    """Segments where the coders' codes differ, with each coder's codes."""
    from ..coding import disagreements, export_disagreements

    names = _coders_arg(coders_flag, coders)
    with state.project().store.session() as s:
        items = disagreements(s, names, _split(codes), sources=_split(sources))
    for target in (html_file, csv_file):
        if target is not None:
            export_disagreements(items, names, target)
            console.print(f"[green]wrote[/] {len(items)} segment(s) to {target}", highlight=False)
    if as_json:
        print_json([x.to_dict() for x in items])
        return
    if html_file or csv_file:
        return
    table = Table("segment", "source", "speaker", *(["text"] if show_text else []), *names, "majority")
    for x in items:
        diff = set(x.differs)
        cells = [", ".join(f"[bold red]{k}[/]" if k in diff else k for k in x.codes[c]) for c in names]
        text = [x.text[:120] + ("…" if len(x.text) > 120 else "")] if show_text else []
        table.add_row(str(x.segment_id), x.source, x.speaker or "", *text, *cells, ", ".join(x.suggested))
    console.print(table)
    console.print(f"{len(items)} segment(s) with differences")


@click.command()
@click.option("--coders", "coders_flag", is_flag=True, help="Followed by the coder names: --coders A B [C …].")
@click.argument("coders", nargs=-1, required=True)
@click.option("--rule", type=click.Choice(["majority", "unanimous", "any", "none"]), default="majority",
              show_default=True, help="How to decide segments the sheet does not cover ('none': sheet only).")
@click.option("--sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A decided review sheet (from `disagreements --csv`, 'codes' column edited).")
@click.option("--consensus", default="consensus", show_default=True, help="Name of the consensus coder.")
@click.option("--codes", multiple=True, help="Only these codes.")
@click.option("--by", default="reconcile", show_default=True, help="Recorded as who changed earlier consensus codings.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_state
@handle_errors
def reconcile_cmd(state: CliState, coders_flag, coders, rule, sheet, consensus, codes, by, as_json) -> None:
    """Write a consensus coder's codings from a rule and/or a decided sheet (one transaction)."""
    from ..coding import reconcile

    with state.project().store.session() as s:
        rep = reconcile(s, _coders_arg(coders_flag, coders), rule=None if rule == "none" else rule, sheet=sheet,
                        consensus=consensus, codes=_split(codes), by=by)
    if as_json:
        print_json(rep.to_dict())
        return
    console.print(f"[green]reconciled[/] {rep.segments} segment(s) into coder {rep.consensus}: "
                  f"{rep.added} added, {rep.removed} removed, {rep.unchanged} unchanged"
                  + (f"; {rep.from_sheet} from the sheet" if rep.sheet else "")
                  + (f"; {rep.ties} tie(s) left uncoded — decide them with --sheet" if rep.ties else ""))


def register(cli: click.Group) -> None:
    """Add this stage's commands to the root group."""
    for cmd in (coder, code, memo, agree, disagreements_cmd, reconcile_cmd):
        cli.add_command(cmd)
