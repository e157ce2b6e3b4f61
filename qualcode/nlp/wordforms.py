"""Ordinary Bokmål words, compounds included: evidence that a lower-case word is not a name.

Truecasing (:mod:`qualcode.nlp.truecase`) capitalises a word of an uncased text that it has
reason to read as a name. A word that is neither in the training text nor an ordinary word is
such a reason, but Norwegian writes compounds as one word ("ruspolitikken", "pakkeforløpet"),
and no word list holds them all. :func:`is_compound` accepts a word that splits into known parts,
with the linking letters *s* and *e* ("arbeid-s-plass"), so "ruspolitikken" is ordinary and
"borten", "bjurstrøm" or "stoltenberg" are not (surnames made of words, such as "sponheim" or
"lundteigen", pass as compounds and stay in lower case). Rounds v12 and v13 in ``docs/nlp-rounds.md``
have the figures.

The ordinary forms are every lower-case one-word form of Norsk Ordbank (Språkbanken, CC BY 4.0,
as packaged in ``spacy-lookups-data``) plus spaCy's Bokmål stop words
(:func:`qualcode.lexicons.common_words` without its length limit).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Container

#: Shortest part of a compound (shorter parts split almost any word).
MIN_PART = 3
#: Linking letters between the parts of a compound.
LINKS = ("s", "e")
#: How many parts beyond two a compound may have.
MAX_DEPTH = 2
#: A longer limit than any word form, so that :func:`qualcode.lexicons.common_words` keeps all.
_ALL_LENGTHS = 1000


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    """Every lower-case ordinary Bokmål word form (about 570,000; needs ``spacy-lookups-data``)."""
    from ..lexicons import common_words

    return common_words(max_length=_ALL_LENGTHS)


#: Endings of Norwegian farm, place and family names ("Staveland", "Storhaug", "Bastesen"):
#: a compound ending in one is read as a name by the ``ordbank-compounds-endings`` rule.
NAME_ENDINGS: tuple[str, ...] = (
    "heim", "stad", "land", "vik", "dal", "haug", "nes", "rud", "tun", "seter", "vold", "voll", "bakk",
    "bakken", "berg", "lund", "borg", "strand", "holm", "moen", "gard", "set", "sæter", "stein", "eid",
    "bråten", "teigen", "stuen", "sveen", "hagen", "myr", "sen", "son", "sson",
)


def ends_like_a_name(word: str, parts: Container[str]) -> bool:
    """Whether ``word`` (without a genitive *s*) is a word of ``parts``, or a compound of them,
    followed by one of :data:`NAME_ENDINGS` ("storhaug" = "stor" + "haug")."""
    stems = [word] + ([word[:-1]] if word.endswith("s") else [])
    for stem in stems:
        for ending in NAME_ENDINGS:
            head = stem[: -len(ending)]
            if stem.endswith(ending) and len(head) >= MIN_PART and (head in parts or is_compound(head, parts)):
                return True
    return False


def is_compound(word: str, parts: Container[str], *, depth: int = 0) -> bool:
    """Whether ``word`` is two or more words of ``parts`` written together (each at least
    ``MIN_PART`` letters), with or without a linking *s* or *e* between them."""
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head, tail = word[:i], word[i:]
        if head not in parts:
            continue
        tails = [tail] + [tail[1:] for link in LINKS if tail.startswith(link) and len(tail) > MIN_PART]
        for rest in tails:
            if rest in parts or (depth < MAX_DEPTH and is_compound(rest, parts, depth=depth + 1)):
                return True
    return False
