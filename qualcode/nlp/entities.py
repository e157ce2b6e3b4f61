"""Batch named-entity recognition with character offsets (used by ``qualcode ner`` and anonymise)."""
from __future__ import annotations

from typing import Iterable, Iterator, TypedDict

from .ops import one_blas_thread
from .truecase import pipe as truecase_pipe


#: Texts per ``nlp.pipe`` batch. Small batches are faster on CPU for the CNN pipeline (the
#: arrays stay in cache): 32 ran 30–60 % faster than 256 on the 2-core machine
#: (``benchmarks/nlp_ner.py`` records the sweep). The anonymiser uses 32 as well.
DEFAULT_BATCH_SIZE = 32


class Entity(TypedDict):
    start: int  # code point offset into the given text
    end: int
    label: str
    source: str


def iter_entities(nlp, texts: Iterable[str], *, batch_size: int = DEFAULT_BATCH_SIZE,
                  n_process: int = 1, truecase: bool = True) -> Iterator[list[Entity]]:
    """Yield, per text, its entities as dicts ``{start, end, label, source="ner"}``.

    Only the NER (and what it listens to) runs; other pipes are disabled for speed. A text
    typed without any capital letter is also read truecased when the pipeline has a truecasing
    table (:mod:`qualcode.nlp.truecase`); offsets are always into the text as given.
    """
    keep = {"ner", "tok2vec", "transformer", "entity_ruler", "span_ruler"}
    disable = [name for name in nlp.pipe_names if name not in keep]
    with one_blas_thread():
        for doc in truecase_pipe(nlp, texts, truecase=truecase, batch_size=batch_size, n_process=n_process,
                                 disable=disable):
            yield [Entity(start=e.start_char, end=e.end_char, label=e.label_, source="ner") for e in doc.ents]


def entities(nlp, texts: Iterable[str], *, batch_size: int = DEFAULT_BATCH_SIZE, n_process: int = 1,
             truecase: bool = True) -> list[list[Entity]]:
    """Entities of each text (character offsets into that text), in input order."""
    return list(iter_entities(nlp, texts, batch_size=batch_size, n_process=n_process, truecase=truecase))
