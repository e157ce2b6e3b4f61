"""Batch named-entity recognition with character offsets (used by ``qualcode ner`` and anonymise)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator, TypedDict

from .ops import one_blas_thread
from .truecase import pipe as truecase_pipe

if TYPE_CHECKING:
    from spacy.language import Language


#: Texts per ``nlp.pipe`` batch. Small batches are faster on CPU for the CNN pipeline (the
#: arrays stay in cache): 32 ran 30–60 % faster than 256 on the 2-core machine
#: (``benchmarks/nlp_ner.py`` records the sweep). The anonymiser uses 32 as well.
DEFAULT_BATCH_SIZE = 32


class Entity(TypedDict):
    start: int  # code point offset into the given text
    end: int
    label: str
    source: str


#: Factories of the pipes that set ``doc.ents``.
ENTITY_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler", "span_ruler"})


def pipes_ner_does_not_need(nlp: Language) -> list[str]:
    """The enabled pipes that neither set entities nor feed a pipe that does (a tagger, a parser,
    a lemmatizer): what entity recognition may disable. Embedding pipes (``tok2vec``,
    ``transformer``) are kept when an entity pipe listens to them, whatever their names."""
    keep = {name for name in nlp.pipe_names if nlp.get_pipe_meta(name).factory in ENTITY_FACTORIES}
    for name, pipe in nlp.pipeline:
        if keep & set(getattr(pipe, "listening_components", None) or ()):
            keep.add(name)
    return [name for name in nlp.pipe_names if name not in keep]


def iter_entities(nlp: Language, texts: Iterable[str], *, batch_size: int = DEFAULT_BATCH_SIZE,
                  n_process: int = 1, truecase: bool = True) -> Iterator[list[Entity]]:
    """Yield, per text, its entities as dicts ``{start, end, label, source="ner"}``.

    Only the entity pipes (and what they listen to) run; other pipes are disabled for speed
    (:func:`pipes_ner_does_not_need`). A text
    typed without any capital letter is also read truecased when the pipeline has a truecasing
    table (:mod:`qualcode.nlp.truecase`); offsets are always into the text as given.
    """
    disable = pipes_ner_does_not_need(nlp)
    with one_blas_thread():
        for doc in truecase_pipe(nlp, texts, truecase=truecase, batch_size=batch_size, n_process=n_process,
                                 disable=disable):
            yield [Entity(start=e.start_char, end=e.end_char, label=e.label_, source="ner") for e in doc.ents]


def entities(nlp: Language, texts: Iterable[str], *, batch_size: int = DEFAULT_BATCH_SIZE, n_process: int = 1,
             truecase: bool = True) -> list[list[Entity]]:
    """Entities of each text (character offsets into that text), in input order."""
    return list(iter_entities(nlp, texts, batch_size=batch_size, n_process=n_process, truecase=truecase))
