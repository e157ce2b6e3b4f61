"""Loading spaCy pipelines: the shipped qualcode model, an installed package or a path.

Loading is lazy and cached per resolved name, so every stage shares one pipeline object.
"""
from __future__ import annotations

import threading
from pathlib import Path

from ..errors import ModelError
from .ops import DEFAULT_BLAS, cpu_ops, use_blas

#: Folder name of the pipeline shipped as package data.
SHIPPED_NAME = "nb_qualcode_ner"
MODELS_DIR = Path(__file__).parent / "models"

_HOWTO = ("train one with `qualcode model train --norne DIR` or choose an installed spaCy pipeline "
          "or a model folder with `--model NAME_OR_PATH` (project config key `model`)")

_cache: dict[str, "spacy.Language"] = {}  # type: ignore[name-defined]  # noqa: F821
_lock = threading.Lock()


def shipped_model_path() -> Path:
    """Where the shipped pipeline lives (it may be missing in a source checkout)."""
    return MODELS_DIR / SHIPPED_NAME


def choose_model(cli_model: str | None = None, config_model: str | None = None) -> str | None:
    """The pipeline to use: ``--model`` beats the project config; None means the shipped model."""
    return cli_model or config_model or None


def _resolve(name_or_path: str | Path | None) -> tuple[str, Path | str]:
    """A cache key and what to hand to ``spacy.load``."""
    if name_or_path is None or str(name_or_path) in ("", "default", SHIPPED_NAME):
        path = shipped_model_path()
        if not (path / "config.cfg").is_file():
            raise ModelError(f"the shipped NLP model is missing ({path}); {_HOWTO}")
        return str(path.resolve()), path
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.exists():
        if not (path / "config.cfg").is_file():
            raise ModelError(f"{path} is not a spaCy pipeline folder (no config.cfg); {_HOWTO}")
        return str(path.resolve()), path
    import spacy.util

    if spacy.util.is_package(text):
        return f"package:{text}", text
    raise ModelError(f"no spaCy pipeline named or at '{text}'; {_HOWTO}")


def load(name_or_path: str | Path | None = None, *, blas: str = DEFAULT_BLAS) -> "spacy.Language":  # noqa: F821
    """Return a (cached) spaCy pipeline.

    ``None`` loads the model shipped with qualcode; otherwise an installed pipeline package name
    (e.g. ``nb_core_news_lg``) or a pipeline folder. Its CPU models compute with ``blas``
    (numpy's BLAS by default, see :mod:`qualcode.nlp.ops`). Raises :class:`ModelError` when it is
    missing or cannot be loaded.
    """
    cpu_ops(blas)  # an unknown backend fails before anything is loaded
    key, target = _resolve(name_or_path)
    key = f"{key}|{blas}"
    with _lock:
        nlp = _cache.get(key)
        if nlp is None:
            import spacy

            try:
                nlp = spacy.load(target)
            except Exception as exc:  # spaCy raises OSError, ValueError, KeyError, msgpack errors...
                raise ModelError(f"cannot load NLP model '{target}' ({exc.__class__.__name__}); "
                                 f"it may be broken or made for another spaCy version; {_HOWTO}") from exc
            _cache[key] = use_blas(nlp, blas)
    return nlp


def clear_cache() -> None:
    """Forget loaded pipelines (tests, or after training a new model in the same process)."""
    with _lock:
        _cache.clear()
