"""Which BLAS library does the matrix products of a CPU pipeline.

thinc's ``NumpyOps`` hands every matrix product (``gemm``) to blis by default. blis chooses its
kernels from the CPU model at run time and falls back to a generic reference kernel when it does
not know the CPU. On this project's 2-core AMD EPYC machine that kernel ran 4x slower than the
OpenBLAS that ships with numpy, and the pipeline ran at 18,000 instead of 29,000 words/s with
the same output (``docs/nlp.md``, "Numeric backend"). qualcode therefore uses numpy's BLAS by
default; ``blas="blis"`` restores thinc's default.

The choice changes floating-point rounding only: predictions were identical on the NorNE test
split, but a model trained with one backend is not byte-identical to one trained with the other,
so a recipe names its backend (``[qualcode] blas``).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from ..errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from thinc.api import NumpyOps

BACKENDS = ("numpy", "blis")
#: Backend for inference (``qualcode.nlp.load``). Training uses the recipe's ``[qualcode] blas``.
DEFAULT_BLAS = "numpy"
#: Backend of recipes that do not name one (they were trained with thinc's default).
RECIPE_DEFAULT_BLAS = "blis"


def cpu_ops(blas: str = DEFAULT_BLAS) -> NumpyOps:
    """A thinc ``NumpyOps`` whose ``gemm`` runs on numpy's BLAS (``"numpy"``) or on blis."""
    from thinc.api import NumpyOps

    if blas not in BACKENDS:
        raise ModelError(f"unknown BLAS backend '{blas}'; choose one of {', '.join(BACKENDS)}")
    return NumpyOps(use_blis=blas == "blis")


def use_blas(nlp: Language, blas: str = DEFAULT_BLAS) -> Language:
    """Make every CPU model in ``nlp``'s pipes compute with ``blas``; returns ``nlp``.

    It changes ``nlp`` in place. A pipeline from :func:`qualcode.nlp.load` is shared by every
    caller, so ask ``load(blas=...)`` for another backend rather than switching that one. Models
    on another backend (a GPU, Apple's ops) are left alone.
    """
    from thinc.api import NumpyOps

    ops = cpu_ops(blas)
    for _, pipe in nlp.components:
        model = getattr(pipe, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps:
                node.ops = ops
    return nlp


def blas_of(nlp: Language) -> str | None:
    """The backend of the first CPU model in ``nlp`` (None if it has no thinc model on NumpyOps)."""
    from thinc.api import NumpyOps

    for _, pipe in nlp.components:
        model = getattr(pipe, "model", None)
        if model is not None and type(model.ops) is NumpyOps:
            return "blis" if model.ops.use_blis else "numpy"
    return None


_limit_lock = threading.Lock()
_limit_depth = 0
_limiter = None  # the threadpoolctl limiter of the outermost open block


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run the block with one BLAS thread.

    The pipeline's matrices are small: with OpenBLAS's default of a thread per core, the shipped
    model used twice the CPU time and ran slower than on one thread (docs/nlp.md). qualcode's
    own entry points (``entities``, the anonymiser, training) run inside this block; the limit
    is lifted when the last open block closes, so other numpy work in the process keeps its
    threads. Blocks may overlap in any order (two paused ``iter_entities`` generators, threads):
    the first one sets the limit and the last one to close restores the original.
    """
    from threadpoolctl import threadpool_limits

    global _limit_depth, _limiter
    with _limit_lock:
        if _limit_depth == 0:
            _limiter = threadpool_limits(limits=1, user_api="blas")
        _limit_depth += 1
    try:
        yield
    finally:
        with _limit_lock:
            _limit_depth -= 1
            if _limit_depth == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None


@contextmanager
def training_ops(blas: str = RECIPE_DEFAULT_BLAS) -> Iterator[None]:
    """Within the block, new models compute with ``blas`` on one BLAS thread (reproducible weights)."""
    from thinc.api import get_current_ops, set_current_ops

    previous = get_current_ops()
    set_current_ops(cpu_ops(blas))
    try:
        with one_blas_thread():
            yield
    finally:
        set_current_ops(previous)
