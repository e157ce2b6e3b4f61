"""Capital letters for text typed without them, restored before NER (a unigram truecaser).

The NER model takes a capital letter as strong evidence of a name. In a turn typed all in lower
case that evidence is gone, and a name the model has never seen is then found only from the
lexicon table or its context (``docs/nlp.md``). Truecasing puts the evidence back (Lita et al.
2003). Each word gets the spelling it has most often in the middle of a sentence in the
training text ("oslo" → "Oslo", "per" → "Per", "og" stays "og"). A word the training text
never has gets a capital when the model's own lexicon table marks it as a name or a place and,
in table version 2, not also as an ordinary word. One context rule: a word the training text
never has, right after a word restored as a person's name, is taken as a surname (in table
version 2 also only if the table does not mark it as an ordinary word; version 3, the shipped
one, has no such column, so there any such word counts) ("per borten" → "Per Borten"; on lower-cased UD dev this raised
PER recall from 69.7 to 73.5 and PER precision from 79.3 to 83.5). The unknown-word rule (round
v12, for pipelines whose meta asks for it): a word of at least four letters that is neither in
the training text nor an ordinary Bokmål word form nor a compound of such words
(:mod:`qualcode.nlp.wordforms`) is taken as a name ("borten", "bjurstrøm"). The first-name rule
(round v16, likewise switched on by the meta): a lexicon first name left in lower case right before
a restored name is capitalised ("stein Erik" → "Stein Erik").

It applies only to texts that have no capital letter at all (:func:`is_uncased`), so a cased
transcript is left exactly as it is. Only the case of letters changes, never the length, so
entity offsets found in the truecased text are offsets into the original text. The spellings
are stored in the pipeline as the lookups table ``qualcode_truecase``
(:func:`add_truecase_table`); a pipeline without it is never truecased.

:func:`pipe` reads an uncased text both as typed and truecased and keeps the entities of both
(the longer span where they overlap): truecasing alone turns "kari nordmann" into
"Kari nordmann", because "nordmann" is an ordinary word, and the model then finds only "Kari".
When the pipeline has the case-free companion (:mod:`qualcode.nlp.uncased`, model 0.4.0), the
companion reads the text as typed instead of the cased model, and the cased model reads only
the truecased text.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict, deque
from typing import Iterable, Iterator


TABLE = "qualcode_truecase"
#: Lexicon-table columns that make an unknown word a name or a place (see qualcode.nlp.lexicon).
NAME_COLUMNS = ("first_name_no", "first_name", "surname", "name_any_locale", "municipality", "country",
                "place_extra")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_AFTER_SENTENCE_END = {".", "!", "?", ":", "«", '"', "–", "-", "—"}


def is_uncased(text: str) -> bool:
    """True for a text with letters but no capital letter (typed all in lower case)."""
    return not any(c.isupper() for c in text) and any(c.isalpha() for c in text)


def casing_forms(sentences: Iterable[Iterable[str]]) -> dict[str, str]:
    """Lower-cased word → its most frequent spelling in mid-sentence position (lower case included:
    a word the training text writes in lower case is never capitalised by the lexicon rule)."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for words in sentences:
        words = list(words)
        for i, word in enumerate(words):
            if i == 0 or words[i - 1] in _AFTER_SENTENCE_END or not word[:1].isalpha():
                continue
            counts[word.lower()][word] += 1
    forms = {}
    for lower, spellings in counts.items():
        form = spellings.most_common(1)[0][0]
        forms[lower] = form if len(form) == len(lower) else lower
    return dict(sorted(forms.items()))


def add_truecase_table(nlp, forms: dict[str, str]):
    """Store ``forms`` in ``nlp``'s vocab (saved with the pipeline); returns ``nlp``."""
    lookups = nlp.vocab.lookups
    if lookups.has_table(TABLE):
        lookups.remove_table(TABLE)
    lookups.add_table(TABLE, forms)
    return nlp


#: Meta setting (``meta["qualcode"]["truecase"]["unknown_words"]``) that turns the unknown-word rule on.
UNKNOWN_WORDS = "ordbank-compounds"
#: The same, with compounds that end like a Norwegian name read as names (round v13).
UNKNOWN_WORDS_ENDINGS = "ordbank-compounds-endings"
UNKNOWN_RULES = (UNKNOWN_WORDS, UNKNOWN_WORDS_ENDINGS)
#: Shortest word the unknown-word rule capitalises.
UNKNOWN_MIN_LENGTH = 4


def first_names_rule_of(nlp) -> bool:
    """Whether the pipeline's meta asks for the first-name rule (round v16)."""
    truecase = (nlp.meta.get("qualcode") or {}).get("truecase")
    return bool(truecase.get("first_names_before_names")) if isinstance(truecase, dict) else False


def unknown_rule_of(nlp) -> str | None:
    """The unknown-word rule the pipeline's meta asks for (one of :data:`UNKNOWN_RULES`), or None."""
    truecase = (nlp.meta.get("qualcode") or {}).get("truecase")
    rule = truecase.get("unknown_words") if isinstance(truecase, dict) else None
    return rule if rule in UNKNOWN_RULES else None


class Truecaser:
    """Truecases uncased texts with the spellings and lexicon table stored in a pipeline.

    ``unknown_rule`` (default: as the pipeline's meta says, :func:`unknown_rule_of`; True means
    :data:`UNKNOWN_WORDS`, False none) capitalises words that are neither in the training text nor
    ordinary Bokmål words or compounds; with :data:`UNKNOWN_WORDS_ENDINGS` a compound that ends
    like a Norwegian name counts as a name too. ``first_names`` (default: as the meta says,
    :func:`first_names_rule_of`) capitalises a lexicon first name right before a restored name.
    """

    def __init__(self, nlp, *, surname_rule: bool = True, unknown_rule: bool | str | None = None,
                 first_names: bool | None = None) -> None:
        from ..errors import ModelError

        self.surname_rule = surname_rule
        self.first_names = first_names_rule_of(nlp) if first_names is None else first_names
        if unknown_rule is None:
            unknown_rule = unknown_rule_of(nlp)
        elif unknown_rule is True:
            unknown_rule = UNKNOWN_WORDS
        if unknown_rule and unknown_rule not in UNKNOWN_RULES:
            raise ModelError(f"unknown truecasing rule '{unknown_rule}' (use one of {', '.join(UNKNOWN_RULES)})")
        self.unknown_rule: str | None = unknown_rule or None
        self._ordinary: frozenset[str] | None = None  # loaded on the first unknown word
        self._parts = _Parts(self._ordinary_part)
        lookups = nlp.vocab.lookups
        self.forms = lookups.get_table(TABLE) if lookups.has_table(TABLE) else None
        from spacy.strings import get_string_id  # here, not at import: `qualcode --help` needs no spaCy

        self._string_id = get_string_id
        self.vectors = nlp.vocab.vectors
        columns = list((nlp.meta.get("qualcode", {}).get("lexicon") or {}).get("features") or [])
        self.name_columns = [columns.index(c) for c in NAME_COLUMNS if c in columns]
        self.person_columns = [columns.index(c) for c in NAME_COLUMNS[:4] if c in columns]
        self.first_name_columns = [columns.index(c) for c in NAME_COLUMNS[:2] if c in columns]
        self.common_columns = [columns.index("common_word")] if "common_word" in columns else []

    @property
    def enabled(self) -> bool:
        return self.forms is not None

    def _is(self, word: str, columns: list[int]) -> bool:
        """Whether the lexicon table marks ``word`` in any of ``columns``."""
        if not columns or self.vectors.shape[0] == 0:
            return False
        row = self.vectors.key2row.get(self._string_id(word), -1)
        return row >= 0 and bool(self.vectors.data[row][columns].any())

    def _ordinary_part(self, word: str) -> bool:
        return word in self._ordinary or (self.forms is not None and self.forms.get(word) == word)

    def is_unknown(self, word: str) -> bool:
        """Whether the unknown-word rule reads lower-case ``word`` as a name: at least
        ``UNKNOWN_MIN_LENGTH`` letters, not in the training text, not an ordinary word form, not a
        compound of ordinary words or of words the training text writes in lower case."""
        from .wordforms import ends_like_a_name, is_compound, ordinary_words

        if len(word) < UNKNOWN_MIN_LENGTH or not word.isalpha() or (self.forms is not None and word in self.forms):
            return False
        if self._ordinary is None:
            self._ordinary = ordinary_words()
        if word in self._ordinary:
            return False
        if not is_compound(word, self._parts):
            return True
        return self.unknown_rule == UNKNOWN_WORDS_ENDINGS and ends_like_a_name(word, self._parts)

    def form(self, word: str) -> str | None:
        """The spelling of a lower-case ``word`` in cased text, or None to keep it."""
        if word in self.forms:
            form = self.forms[word]
            return form if form != word else None
        parts = re.split(r"([-'’])", word)
        out = []
        for part in parts:
            name = part.isalpha() and self._is(part, self.name_columns) and not self._is(part, self.common_columns)
            out.append(part[:1].upper() + part[1:] if name else part)
        form = "".join(out)
        return form if form != word else None

    def __call__(self, text: str) -> str:
        """``text`` with capitals restored if it is uncased (same length); else ``text`` unchanged."""
        if not self.enabled or not is_uncased(text):
            return text
        chars = list(text)
        after_name = -1  # end offset of the last word restored as a person's name
        for m in _WORD.finditer(text):
            word = m.group()
            form = self.form(word)
            if form is None and self.unknown_rule and self.is_unknown(word):
                form = word[:1].upper() + word[1:]
            if (form is None and self.surname_rule and after_name >= 0 and text[after_name:m.start()] == " "
                    and word not in self.forms and len(word) > 1 and not self._is(word, self.common_columns)):
                form = word[:1].upper() + word[1:]  # a word the training text never has, after a first name
            if form and len(form) == m.end() - m.start() and form.lower() == word:
                chars[m.start():m.end()] = form
            after_name = m.end() if form and form[:1].isupper() and self._is(word, self.person_columns) else -1
        if self.first_names:
            self._first_names_before_names(chars)
        return "".join(chars)

    def _first_names_before_names(self, chars: list[str]) -> None:
        """Round v16: capitalise, in place, a lower-case word the lexicon marks as a first name
        when one space and a capitalised word follow ("stein Erik" → "Stein Erik"); right to left,
        so that a run of first names before a name is capitalised whole."""
        text = "".join(chars)
        words = list(_WORD.finditer(text))
        for a, b in zip(reversed(words[:-1]), reversed(words[1:])):
            first = chars[a.start()]
            if (first.islower() and chars[b.start()].isupper() and text[a.end():b.start()] == " "
                    and len(first.upper()) == 1 and self._is(a.group().lower(), self.first_name_columns)):
                chars[a.start()] = first.upper()


class _Parts:
    """A membership test as a container (for :func:`qualcode.nlp.wordforms.is_compound`)."""

    def __init__(self, contains) -> None:
        self._contains = contains

    def __contains__(self, word: object) -> bool:
        return self._contains(word)


def merge_entities(doc, other, *, other_wins: bool = True):
    """``doc`` with the entities of ``other`` (another reading of the same characters up to case)
    added. Where entities overlap, the longer one wins (``spacy.util.filter_spans``); of two equal
    spans, ``other``'s with ``other_wins``, else ``doc``'s.
    """
    from spacy.util import filter_spans

    spans = []
    for ent in other.ents:
        span = doc.char_span(ent.start_char, ent.end_char, label=ent.label_, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    own = list(doc.ents)
    doc.ents = filter_spans(spans + own if other_wins else own + spans)
    return doc


def pipe(nlp, texts: Iterable[str], *, truecase: bool = True, union: bool = True,
         truecaser: Truecaser | None = None, companion: bool = True, keep_typed: bool = False,
         truecased: bool = True, **pipe_kwargs) -> Iterator:
    """``nlp.pipe(texts)``, with each uncased text also read truecased and by the companion.

    Docs come in input order and always hold the text as typed. Without the case-free companion
    (:mod:`qualcode.nlp.uncased`), an uncased text that truecasing changes is fed to the same
    ``nlp.pipe`` stream twice (as typed, then truecased) and the entities of both readings are
    kept. With the companion, the pipeline reads only the truecased text and the companion reads
    the text as typed; their entities are merged, the companion's label winning on equal spans
    (round v7 in ``docs/nlp-rounds.md``). Batching and ``n_process`` work as usual. Without a truecasing
    table and a companion (or with ``truecase=False``) this is plain ``nlp.pipe``.

    For comparisons (``benchmarks/``): ``union=False`` keeps only the truecased reading,
    ``companion=False`` leaves the companion out, ``keep_typed=True`` also keeps the pipeline's
    reading of the text as typed when there is a companion, ``truecased=False`` skips the
    truecased reading (the pipeline then reads the text as typed), and ``truecaser`` replaces the
    default truecaser.
    """
    from . import uncased

    restore = (truecaser or Truecaser(nlp)) if truecased else None
    restoring = restore is not None and restore.enabled
    extra = uncased.companion(nlp) if companion else None
    if not (truecase and (restoring or extra is not None)):
        yield from nlp.pipe(texts, **pipe_kwargs)
        return
    keep_typed = union and (keep_typed or extra is None)
    marks: deque[tuple[str, bool, bool]] = deque()  # per text: (text, uncased?, truecased reading follows?)

    def feed() -> Iterator[str]:
        for text in texts:
            restored = restore(text) if restore is not None and restoring else text
            is_lower = extra is not None and is_uncased(text)
            again = restored != text and (keep_typed or not is_lower)
            marks.append((text, is_lower, again))
            if again or restored == text:
                yield text
            if restored != text:
                yield restored

    docs = nlp.pipe(feed(), **pipe_kwargs)

    def readings() -> Iterator[tuple]:
        for doc in docs:
            text, is_lower, again = marks.popleft()
            if again:
                if not keep_typed:
                    doc.ents = []
                doc = merge_entities(doc, next(docs))
            yield text, doc, is_lower

    if extra is None:
        for _, doc, _ in readings():
            yield doc
        return
    from spacy.util import minibatch

    size = pipe_kwargs.get("batch_size") or 32
    for chunk in minibatch(readings(), size):
        found = extra.pipe((nlp.make_doc(text) for text, _, is_lower in chunk if is_lower), batch_size=size)
        for text, doc, is_lower in chunk:
            if not is_lower:
                yield doc
            elif doc.text == text:  # the pipeline read the text as typed: the companion's labels win
                yield merge_entities(doc, next(found))
            else:  # the pipeline read only the truecased text
                yield merge_entities(next(found), doc, other_wins=False)
