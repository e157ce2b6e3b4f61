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

    from qualcode.nlp.loader import shipped_model_path

    nlp = spacy.load(shipped_model_path())  # not the cached pipeline: use_blas works in place
    assert blas_of(nlp) == "blis"  # thinc's default
    assert use_blas(nlp, "numpy") is nlp and blas_of(nlp) == "numpy"
    assert use_blas(nlp, "blis") is nlp and blas_of(nlp) == "blis"
    rules = spacy.load(ruler_pipeline(tmp_path / "ruler"))
    assert use_blas(rules, "blis") is rules and blas_of(rules) is None  # no thinc models: unchanged


def test_training_ops_restores_the_current_ops() -> None:
    before = get_current_ops()
    with training_ops("numpy"):
        inside = get_current_ops()
        assert type(inside) is NumpyOps and inside.use_blis is False
    assert get_current_ops() is before


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def two_blas_threads():
    """Two BLAS threads during the test, so that a limit of one is visible."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        if not _blas_threads() or set(_blas_threads()) == {1}:
            pytest.skip("numpy's BLAS runs one thread here and cannot be given two")
        yield _blas_threads()


def test_one_blas_thread_is_lifted_afterwards(two_blas_threads) -> None:
    from qualcode.nlp.ops import one_blas_thread

    with one_blas_thread():
        assert set(_blas_threads()) == {1}
    assert _blas_threads() == two_blas_threads


def test_overlapping_one_blas_thread_blocks_closed_out_of_order_restore_the_threads(two_blas_threads) -> None:
    from qualcode.nlp.ops import one_blas_thread

    first, second = one_blas_thread(), one_blas_thread()  # two paused entity generators, say
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert set(_blas_threads()) == {1}  # the second block is still open
    second.__exit__(None, None, None)
    assert _blas_threads() == two_blas_threads
