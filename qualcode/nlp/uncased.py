"""A case-free NER companion for text typed without capital letters.

The shipped NER network reads capital letters as its strongest evidence of a name; trained to
read cased and uncased text at once, it loses cased accuracy with every step towards uncased
text (rounds v2–v6 in ``docs/nlp-rounds.md``). The companion is a second, compact NER network trained
and validated on fully lower-cased NorNE only (recipe ``configs/ner_v7y.cfg``). It lives in the
shipped pipeline as the disabled component ``ner_uncased`` with its own copy of its tok2vec, so
it never runs on cased text and ``nlp.pipe`` is unchanged; :func:`qualcode.nlp.truecase.pipe`
runs it on texts that :func:`~qualcode.nlp.truecase.is_uncased` accepts and adds its entities to
the other readings (Mayhew et al. 2019 found that models trained on uncased data read uncased
text better than a truecaser in front of a cased model).
"""
from __future__ import annotations

#: Name of the companion component in a pipeline.
UNCASED_PIPE = "ner_uncased"


def companion(nlp):
    """The pipeline's case-free NER component (enabled or not), or None."""
    return nlp.get_pipe(UNCASED_PIPE) if UNCASED_PIPE in nlp.component_names else None


def add_companion(nlp, uncased_nlp, *, ner: str = "ner", tok2vec: str = "tok2vec"):
    """Copy ``uncased_nlp``'s NER into ``nlp`` as the disabled component ``ner_uncased``.

    The NER gets its own copy of the tok2vec it listens to (``replace_listeners``), so the
    companion needs nothing else from ``uncased_nlp``. Both pipelines must share the lexicon
    table (static vectors); the companion reads ``nlp``'s. Returns ``nlp``.
    """
    from ..errors import ModelError

    if not same_table(nlp.vocab.vectors, uncased_nlp.vocab.vectors):
        raise ModelError("the uncased companion was trained with another lexicon table than the pipeline")
    if tok2vec in uncased_nlp.pipe_names:
        uncased_nlp.replace_listeners(tok2vec, ner, ["model.tok2vec"])
    if UNCASED_PIPE in nlp.component_names:
        nlp.remove_pipe(UNCASED_PIPE)
    nlp.add_pipe(ner, name=UNCASED_PIPE, source=uncased_nlp)
    nlp.disable_pipe(UNCASED_PIPE)
    return nlp


def same_table(vectors, other) -> bool:
    """Whether two static-vector tables give every key the same row (however the rows are stored:
    a compacted table stores each distinct row once)."""
    import numpy as np

    if vectors.shape[1] != other.shape[1] or len(vectors.key2row) != len(other.key2row):
        return False
    if not len(other.key2row):
        return True
    keys = np.fromiter(other.key2row.keys(), dtype="uint64", count=len(other.key2row))
    rows, other_rows = vectors.find(keys=keys), other.find(keys=keys)
    return bool((rows >= 0).all() and np.array_equal(vectors.data[rows], other.data[other_rows]))
