"""Training-data augmenters (registered with spaCy; imported by :mod:`qualcode.nlp.train`).

``qualcode.name_swap.v1`` replaces the person names of a training doc by Norwegian first and
last names from Faker's ``no_NO`` provider (sometimes lower-cased, as transcribers write them),
and lower-cases whole docs like ``spacy.lower_case.v1``. The model sees many more names, and
names in lower case inside otherwise cased text. ``qualcode.name_swap.v2`` (recipe v2) also
upper-cases a share of the docs (headings, shouted words in transcripts).
``qualcode.mention_swap.v1`` (recipe v3c) replaces mentions of several labels by other mentions
of the same label seen earlier in the training stream ("mention replacement"), so the model
has to read the context instead of remembering which names it saw where.
"""
from __future__ import annotations

import random
from functools import lru_cache
from typing import Callable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry


@lru_cache(maxsize=1)
def norwegian_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(first names, last names) from Faker's Norwegian person provider."""
    from faker.providers.person.no_NO import Provider

    first = tuple(dict.fromkeys([*Provider.first_names_male, *Provider.first_names_female]))
    last = tuple(dict.fromkeys(Provider.last_names))
    return first, last


Replacement = tuple[list[str], list[bool]]  # words, and whether a space follows each but the last


def replace_entities(nlp: Language, ref: Doc, replace: Callable[[Span], Replacement | None]) -> Doc:
    """A copy of ``ref`` in which every entity for which ``replace`` returns words gets those words
    (same label; the entity's own trailing space after the last word)."""
    words: list[str] = []
    spaces: list[bool] = []
    iob: list[str] = []
    ents = {e.start: e for e in ref.ents}
    i = 0
    while i < len(ref):
        ent = ents.get(i)
        if ent is None:
            words.append(ref[i].text)
            spaces.append(bool(ref[i].whitespace_))
            iob.append("O")
            i += 1
            continue
        new = replace(ent)
        if new is None:
            words.extend(t.text for t in ent)
            spaces.extend(bool(t.whitespace_) for t in ent)
            n = len(ent)
        else:
            new_words, inner_spaces = new
            words.extend(new_words)
            spaces.extend([*inner_spaces[:len(new_words) - 1], bool(ent[-1].whitespace_)])
            n = len(new_words)
        iob.extend([f"B-{ent.label_}"] + [f"I-{ent.label_}"] * (n - 1))
        i = ent.end
    return Doc(nlp.vocab, words=words, spaces=spaces, ents=iob)


def swap_names(nlp: Language, ref: Doc, rng: random.Random, *, name_lower: float) -> Doc:
    """A copy of ``ref`` whose PER entities are replaced by random Norwegian names."""
    first, last = norwegian_names()

    def replace(ent: Span) -> Replacement | None:
        if ent.label_ != "PER":
            return None
        parts = [rng.choice(first), rng.choice(last)] if len(ent) > 1 else [rng.choice(first + last)]
        name = " ".join(parts).split()
        if rng.random() < name_lower:
            name = [w.lower() for w in name]
        return name, [True] * (len(name) - 1)

    return replace_entities(nlp, ref, replace)


Mention = tuple[tuple[str, ...], tuple[bool, ...]]  # words, spaces inside the mention


def swap_mentions(nlp: Language, ref: Doc, rng: random.Random, pools: dict[str, list[Mention]], *,
                  name_lower: float = 0.0) -> Doc:
    """A copy of ``ref`` whose entities with a pool are replaced by a random mention of that label."""

    def replace(ent: Span) -> Replacement | None:
        pool = pools.get(ent.label_)
        if not pool:
            return None
        words, inner_spaces = rng.choice(pool)
        if ent.label_ == "PER" and rng.random() < name_lower:
            words = tuple(w.lower() for w in words)
        return list(words), list(inner_spaces[:-1])

    return replace_entities(nlp, ref, replace)


def recased(nlp: Language, example: Example, ref: Doc, changed: bool, rng, lower_level: float,
            upper_level: float) -> Iterator[Example]:
    """Lower-case ``ref`` with ``lower_level``, else upper-case it with ``upper_level``; yield the
    original example when nothing changed, else an example built from ``ref``."""
    roll = rng.random()
    if roll < lower_level:
        ref = lower_doc(nlp, ref)
        changed = True
    elif roll < lower_level + upper_level:
        ref = upper_doc(nlp, ref)
        changed = True
    yield Example(nlp.make_doc(ref.text), ref) if changed else example


def recase_doc(nlp: Language, ref: Doc, case: Callable[[str], str]) -> Doc:
    """A copy of ``ref`` with every token re-cased by ``case`` and the same entities."""
    iob = [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else t.ent_iob_ or None for t in ref]
    return Doc(nlp.vocab, words=[case(t.text) for t in ref], spaces=[bool(t.whitespace_) for t in ref],
               ents=iob)


def lower_doc(nlp: Language, ref: Doc) -> Doc:
    """A lower-cased copy of ``ref`` with the same entities (token by token, so offsets hold)."""
    return recase_doc(nlp, ref, str.lower)


def upper_doc(nlp: Language, ref: Doc) -> Doc:
    """An upper-cased copy of ``ref`` with the same entities (tokens whose length would change,
    such as ``ß``, keep their case so the token boundaries hold)."""
    return recase_doc(nlp, ref, lambda w: w.upper() if len(w.upper()) == len(w) else w)


@registry.augmenters("qualcode.name_swap.v2")
def create_name_swap_augmenter_v2(level: float, name_lower: float, lower_level: float,
                                  upper_level: float) -> Callable[[Language, Example], Iterator[Example]]:
    """As ``qualcode.name_swap.v1``, and upper-case whole docs with ``upper_level`` (a doc is
    lower-cased or upper-cased, never both)."""

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        rng = random  # seeded by spaCy's training loop (fix_random_seed)
        ref = example.reference
        changed = False
        if rng.random() < level and any(e.label_ == "PER" for e in ref.ents):
            ref = swap_names(nlp, ref, rng, name_lower=name_lower)  # type: ignore[arg-type]
            changed = True
        yield from recased(nlp, example, ref, changed, rng, lower_level, upper_level)

    return augment


@registry.augmenters("qualcode.name_swap.v1")
def create_name_swap_augmenter(level: float, name_lower: float,
                               lower_level: float) -> Callable[[Language, Example], Iterator[Example]]:
    """Swap person names in ``level`` of the docs (lower-cased with ``name_lower``); lower-case
    whole docs with ``lower_level``. (``qualcode.name_swap.v2`` without upper-casing: same random draws.)"""
    return create_name_swap_augmenter_v2(level, name_lower, lower_level, 0.0)


@registry.augmenters("qualcode.mention_swap.v1")
def create_mention_swap_augmenter(level: float, labels: list[str], pool_size: int, name_lower: float,
                                  lower_level: float, upper_level: float
                                  ) -> Callable[[Language, Example], Iterator[Example]]:
    """Replace the ``labels`` mentions of ``level`` of the docs by mentions of the same label from
    earlier training docs (a reservoir of ``pool_size`` per label, filled as the stream passes);
    then lower- or upper-case whole docs as ``qualcode.name_swap.v2`` does."""
    pools: dict[str, list[Mention]] = {label: [] for label in labels}
    seen: dict[str, int] = {label: 0 for label in labels}

    def remember(ref: Doc, rng: random.Random) -> None:
        for ent in ref.ents:
            pool = pools.get(ent.label_)
            if pool is None:
                continue
            mention = (tuple(t.text for t in ent), tuple(bool(t.whitespace_) for t in ent))
            seen[ent.label_] += 1
            if len(pool) < pool_size:
                pool.append(mention)
            else:  # reservoir sampling keeps a uniform sample of the stream
                j = rng.randrange(seen[ent.label_])
                if j < pool_size:
                    pool[j] = mention

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        rng = random  # seeded by spaCy's training loop (fix_random_seed)
        ref = example.reference
        remember(ref, rng)  # type: ignore[arg-type]
        changed = False
        if rng.random() < level and any(e.label_ in pools for e in ref.ents):
            ref = swap_mentions(nlp, ref, rng, pools, name_lower=name_lower)  # type: ignore[arg-type]
            changed = True
        yield from recased(nlp, example, ref, changed, rng, lower_level, upper_level)

    return augment
