"""The BLAS backend: load() computes on numpy's BLAS, blis on request, same predictions either way."""
from __future__ import annotations

import numpy
import pytest
from thinc.api import NumpyOps, get_current_ops

from qualcode.errors import ModelError
from qualcode.nlp import entities, load, use_blas
from qualcode.nlp.ops import blas_of, cpu_ops, training_ops

TEXTS = ["Jeg snakket med Kari Nordmann i Tromsø i går.", "Hun jobber på Haukeland og bor på Voss.",
         "ole hansen fra bergen var med."]


def test_cpu_ops_switches_blis() -> None:
    assert cpu_ops("numpy").use_blis is False
    assert cpu_ops("blis").use_blis is True
    with pytest.raises(ModelError, match="unknown BLAS backend 'mkl'"):
        cpu_ops("mkl")


def test_numpy_gemm_matches_blis() -> None:
    rng = numpy.random.default_rng(0)
    x, y = rng.random((7, 5), dtype="float32"), rng.random((3, 5), dtype="float32")
    fast, ref = cpu_ops("numpy").gemm(x, y, trans2=True), cpu_ops("blis").gemm(x, y, trans2=True)
    numpy.testing.assert_allclose(fast, ref, rtol=1e-5)


def test_load_uses_numpy_blas_and_blis_gives_the_same_entities() -> None:
    fast = load()
    assert blas_of(fast) == "numpy"
    assert all(type(n.ops) is NumpyOps and not n.ops.use_blis
               for _, pipe in fast.components for n in pipe.model.walk())
    slow = load(blas="blis")
    assert slow is not fast and blas_of(slow) == "blis"
    assert entities(slow, TEXTS) == entities(fast, TEXTS)
    with pytest.raises(ModelError, match="unknown BLAS backend"):
        load(blas="nope")


def test_use_blas_switches_back_and_forth(tmp_path, ruler_pipeline) -> None:
    import spacy

    nlp = spacy.load(ruler_pipeline(tmp_path / "ruler"))
    assert use_blas(nlp, "blis") is nlp  # a pipeline without thinc models is returned unchanged


def test_training_ops_restores_the_current_ops() -> None:
    before = get_current_ops()
    with training_ops("numpy"):
        inside = get_current_ops()
        assert type(inside) is NumpyOps and inside.use_blis is False
    assert get_current_ops() is before


def test_one_blas_thread_is_lifted_afterwards() -> None:
    from threadpoolctl import threadpool_info

    from qualcode.nlp.ops import one_blas_thread

    def blas_threads() -> list[int]:
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    with one_blas_thread():
        assert set(blas_threads()) <= {1}
    assert blas_threads() == before
