"""The recognisers as registered spaCy components (``nlp.add_pipe("qualcode_gazetteers")``).

Each component appends rows ``(start, end, text, label, source, score)`` to
``doc._.qc_detections`` (plain tuples, so docs survive multiprocessing). The last one,
``qualcode_resolver``, drops allow-listed terms, propagates names within the doc and resolves
overlaps; :func:`detections` turns the rows into :class:`Detection` objects.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable

from rapidfuzz import fuzz, process
from spacy.lang.nb.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Token

from . import lists
from .detection import CATEGORY, PROPAGATED, Detection, category, resolve_overlaps, split_lines, with_text
from .identifiers import find_identifiers
from .speakers import ROLE_WORDS

if not Doc.has_extension("qc_detections"):
    Doc.set_extension("qc_detections", default=None)

GENITIVE = r"(?:'s|’s|s|'|’)?"
_SENT_END = {".", "!", "?", ":", "«", "\"", "-", "–", "—", "…", "(", "»"}


def _add(doc: Doc, det: Detection) -> None:
    if doc._.qc_detections is None:
        doc._.qc_detections = []
    doc._.qc_detections.append((det.start, det.end, det.text, det.label, det.source, det.score))


def detections(doc: Doc) -> list[Detection]:
    return [Detection(*row) for row in (doc._.qc_detections or [])]


def sentence_initial(doc: Doc, i: int) -> bool:
    """Heuristic sentence/line start (works without a parser)."""
    if i == 0:
        return True
    prev = doc[i - 1]
    return prev.text in _SENT_END or "\n" in prev.text or "\n" in prev.whitespace_ or prev.is_space


def strip_genitive(form: str) -> str:
    for suffix in ("'s", "’s", "'", "’"):
        if form.endswith(suffix) and len(form) > len(suffix) + 1:
            return form[: -len(suffix)]
    return form


# -- NER ------------------------------------------------------------------------------------
class NerRecogniser:
    """Turns ``doc.ents`` (from any upstream ``ner``/``entity_ruler``) into detections."""

    def __init__(self, labels: Iterable[str]) -> None:
        self.labels = frozenset(labels)

    def __call__(self, doc: Doc) -> Doc:
        full = None
        for ent in doc.ents:
            if ent.label_ in self.labels:
                if full is None:
                    full = doc.text  # built from the tokens on every access: once per doc
                start, end = ent.start_char, ent.end_char
                cut = full.find("\n", start, end)  # never carry a mask across a line break
                if cut >= 0:
                    end = cut
                if end > start:
                    _add(doc, Detection(start, end, full[start:end], ent.label_, "ner", 0.9))
        return doc


@Language.factory("qualcode_ner", default_config={"labels": ["PER", "LOC", "GPE_LOC", "GPE_ORG", "ORG"]})
def make_ner(nlp: Language, name: str, labels: list[str]) -> NerRecogniser:
    return NerRecogniser(labels)


# -- identifiers ----------------------------------------------------------------------------
class IdentifierRecogniser:
    def __call__(self, doc: Doc) -> Doc:
        for det in find_identifiers(doc.text):
            _add(doc, det)
        return doc


@Language.factory("qualcode_identifiers")
def make_identifiers(nlp: Language, name: str) -> IdentifierRecogniser:
    return IdentifierRecogniser()


# -- gazetteers -----------------------------------------------------------------------------
class GazetteerRecogniser:
    """Places, institutions and personal names from word lists, capitalised words only.

    Multi-word entries (``Mo i Rana``, ``Oslo universitetssykehus``) go through a
    PhraseMatcher; ``<Name> DPS`` / ``BUP <Name>`` units through a Matcher; single names
    through set look-ups. Ambiguous words (``Per``, ``Liv``, ``Time``) count only
    mid-sentence; a capitalised word after a first name extends the person span.
    """

    def __init__(self, nlp: Language) -> None:
        self.first = lists.first_names()
        self.last = lists.surnames()
        self.norwegian = lists.norwegian_names()
        self.lower_first = lists.lowercase_first_names()
        places = lists.places()
        self.places_single = frozenset(p for p in places if " " not in p)
        self.phrases = PhraseMatcher(nlp.vocab, attr="ORTH")
        multi = [p for p in places if " " in p or "-" in p]
        self.phrases.add("GPE_LOC", [nlp.make_doc(p) for p in multi])
        self.phrases.add("ORG", [nlp.make_doc(p) for p in lists.health_institutions()])
        self.units = Matcher(nlp.vocab)
        name = {"IS_TITLE": True, "IS_STOP": False}
        self.units.add("ORG", [[name, {"IS_TITLE": True, "OP": "*"}, {"ORTH": {"IN": ["DPS", "BUP", "VOP", "BUPA"]}}],
                               [{"ORTH": {"IN": ["DPS", "BUP", "VOP"]}}, name, {"IS_TITLE": True, "OP": "?"}]],
                       greedy="LONGEST")

    def _double_first_name(self, word: str) -> bool:
        """A hyphenated double first name: every part a known first name."""
        parts = word.split("-")
        return len(parts) >= 2 and all(len(p) > 1 and p[:1].isupper() and p in self.first for p in parts)

    def _name_end(self, doc: Doc, i: int, taken: list[bool],
                  also: Callable[[Token], bool] = lambda t: True) -> int:
        """End of a name starting at ``i``: the name-like, space-separated, untaken non-stop-words
        that follow it (and pass ``also``)."""
        j = i + 1
        while j < len(doc) and self._namelike(doc, j) and not taken[j] and doc[j - 1].whitespace_ == " " \
                and doc[j].lower_ not in STOP_WORDS and also(doc[j]):
            j += 1
        return j

    def _namelike(self, doc: Doc, i: int) -> bool:
        tok = doc[i]
        return tok.is_title and tok.is_alpha and len(tok) > 1

    def _usable(self, doc: Doc, i: int) -> bool:
        tok = doc[i]
        low = tok.lower_
        if not sentence_initial(doc, i):
            return True
        return low not in STOP_WORDS and low not in lists.AMBIGUOUS

    def __call__(self, doc: Doc) -> Doc:
        taken = [False] * len(doc)
        for match_id, start, end in list(self.phrases(doc)) + list(self.units(doc)):
            if not self._usable(doc, start):
                continue
            span = doc[start:end]
            _add(doc, Detection(span.start_char, span.end_char, span.text, doc.vocab.strings[match_id],
                                "gazetteers", 0.7))
            for k in range(start, end):
                taken[k] = True
        words = [t.text for t in doc]
        i = 0
        n = len(doc)
        while i < n:
            w = words[i]
            # cheap pre-check: only capitalised words and lower-case first names can match
            if taken[i] or not (w[:1].isupper() or strip_genitive(w) in self.lower_first):
                i += 1
                continue
            tok = doc[i]
            if not self._usable(doc, i):
                i += 1
                continue
            if not self._namelike(doc, i):
                if self._double_first_name(strip_genitive(tok.text)):  # "Anne-Grethe", "Kjell-Arne"
                    _add(doc, Detection(tok.idx, tok.idx + len(tok.text), tok.text, "PER", "gazetteers", 0.7))
                elif tok.is_upper and len(tok) > 1 and tok.text in self.places_single:  # USA
                    _add(doc, Detection(tok.idx, tok.idx + len(tok.text), tok.text, "GPE_LOC", "gazetteers", 0.7))
                elif tok.is_lower and strip_genitive(tok.text) in self.lower_first:  # "jørgen"
                    _add(doc, Detection(tok.idx, tok.idx + len(tok.text), tok.text, "PER", "gazetteers", 0.5))
                elif _NICKNAME.match(tok.text) and (not sentence_initial(doc, i)
                                                    or doc[i - 1].text in ("«", '"', "“")):  # «Kjell'n»
                    _add(doc, Detection(tok.idx, tok.idx + len(tok.text), tok.text, "PER", "gazetteers", 0.5))
                i += 1
                continue
            text = strip_genitive(tok.text)
            base = text[:-1] if text.endswith("s") else None
            mid = not sentence_initial(doc, i)
            known = text in self.first or text in self.last or base in self.first
            if known and not mid and text not in self.norwegian and base not in self.norwegian:
                known = False  # at a sentence start only Norwegian names count ("Huff", "Smart")
            if known or (mid and _surname_shape(text)):
                # following capitalised words belong to the same person, unless they are places
                j = self._name_end(doc, i, taken, lambda t: strip_genitive(t.text) not in self.places_single)
                span = doc[i:j]
                score = 0.7 if (text in self.first or text in self.last) else 0.5
                _add(doc, Detection(span.start_char, span.end_char, span.text, "PER", "gazetteers", score))
                i = j
                continue
            if text in self.places_single or base in self.places_single:
                _add(doc, Detection(tok.idx, tok.idx + len(tok.text), tok.text, "GPE_LOC", "gazetteers", 0.7))
            elif mid and i > 0 and doc[i - 1].lower_ in _PLACE_PREPOSITIONS and tok.lower_ not in STOP_WORDS:
                # "bor i Orkanger", "fra Løkken Verk": Norwegian writes common nouns in lower case, so
                # a capitalised word after a place preposition mid-sentence is nearly always a name
                j = self._name_end(doc, i, taken)
                span = doc[i:j]
                _add(doc, Detection(span.start_char, span.end_char, span.text, "LOC", "gazetteers", 0.4))
                i = j
                continue
            i += 1
        return doc


# Prepositions that introduce a place in speech: "bor i", "kommer fra", "flyttet til", "jobber på".
_PLACE_PREPOSITIONS = frozenset({"i", "på", "fra", "til", "ved", "utenfor", "nær", "mot"})

_NICKNAME = re.compile(r"^[A-ZÆØÅ][a-zæøå]+['’]n$")


def _surname_shape(word: str) -> bool:
    return len(word) >= 5 and (word.endswith("sen") or word.endswith("ssen")) and word[0].isupper()


@Language.factory("qualcode_gazetteers")
def make_gazetteers(nlp: Language, name: str) -> GazetteerRecogniser:
    return GazetteerRecogniser(nlp)


# -- project deny-list ----------------------------------------------------------------------
_DENY_LABELS = {"PER": "PER", "PERSON": "PER", "LOC": "GPE_LOC", "STED": "GPE_LOC", "GPE_LOC": "GPE_LOC",
                "ORG": "ORG"}


def parse_deny_entry(entry: str) -> tuple[str, str]:
    """``"Kari Nordmann"`` → (name, "PER"); ``"STED: Fjellvik"`` / ``"ORG: Solbakken"`` set the kind."""
    head, sep, rest = entry.partition(":")
    if sep and head.strip().upper() in _DENY_LABELS and rest.strip():
        return " ".join(rest.split()), _DENY_LABELS[head.strip().upper()]
    return " ".join(entry.split()), "PER"


class DenyListRecogniser:
    """Names known to the team: any case, with genitive -s, and small typos (rapidfuzz).

    Entries are person names unless prefixed ``STED:`` (or ``LOC:``) or ``ORG:``."""

    def __init__(self, names: Iterable[str], *, fuzzy_threshold: float = 88.0, fuzzy_min_length: int = 5) -> None:
        entries: dict[str, str] = {}  # name -> label
        parsed = [parse_deny_entry(n) for n in names]
        for name, label in parsed:
            if not name:
                continue
            entries.setdefault(name, label)
            parts = name.split()
            if label == "PER" and len(parts) > 1:  # "Kari Nordmann": "Kari" and "Nordmann" identify too
                for p in parts:
                    if len(p) >= 3 and p.lower() not in STOP_WORDS:
                        entries.setdefault(p, label)
        self.label_of = {n.lower(): label for n, label in entries.items()}
        self.entries = sorted(entries, key=len, reverse=True)
        self.words = sorted({e.lower() for e in self.entries if " " not in e and len(e) >= fuzzy_min_length})
        self.threshold = fuzzy_threshold
        self.min_length = fuzzy_min_length
        self.pattern = None
        if self.entries:
            alts = "|".join(r"[ \t]+".join(re.escape(p) for p in e.split()) for e in self.entries)
            self.pattern = re.compile(rf"(?<!\w)(?:{alts}){GENITIVE}(?!\w)", re.IGNORECASE)
        self._fuzzy_cache: dict[str, str | None] = {}
        # lower-cased variant -> lower-cased canonical name, so typos and lone parts of a
        # deny-listed full name get that person's pseudonym (parts only when unambiguous)
        self.aliases: dict[str, str] = {}
        owners: dict[str, set[str]] = {}
        for name, label in parsed:
            if label != "PER":
                continue
            full = name.lower()
            for part in full.split():
                owners.setdefault(part, set()).add(full)
        for part, fulls in owners.items():
            if len(fulls) == 1 and part not in fulls:
                self.aliases[part] = next(iter(fulls))

    def _label(self, form: str) -> str:
        low = " ".join(strip_genitive(form).split()).lower()
        return self.label_of.get(low) or self.label_of.get(low[:-1] if low.endswith("s") else low) or "PER"

    def _fuzzy(self, word: str) -> str | None:
        low = word.lower()
        if low not in self._fuzzy_cache:
            hit = process.extractOne(low, self.words, scorer=fuzz.ratio, score_cutoff=self.threshold)
            self._fuzzy_cache[low] = hit[0] if hit else None
            if hit and hit[0] != low:
                self.aliases[low] = self.aliases.get(hit[0], hit[0])
        return self._fuzzy_cache[low]

    def __call__(self, doc: Doc) -> Doc:
        if self.pattern is None:
            return doc
        text = doc.text
        exact_spans = []
        for m in self.pattern.finditer(text):
            _add(doc, Detection(m.start(), m.end(), m.group(0), self._label(m.group(0)), "denylist", 1.0))
            exact_spans.append((m.start(), m.end()))
        if self.words:
            for m in re.finditer(r"\w+(?:[-']\w+)*", text):
                w = m.group(0)
                if len(w) < self.min_length or w.lower() in STOP_WORDS:
                    continue
                if any(s <= m.start() < e for s, e in exact_spans):
                    continue
                hit = self._fuzzy(w) or (self._fuzzy(w[:-1]) if w.endswith("s") else None)
                if hit:
                    _add(doc, Detection(m.start(), m.end(), w, self.label_of.get(hit, "PER"), "denylist", 0.8))
        return doc


@Language.factory("qualcode_denylist", default_config={"names": [], "fuzzy_threshold": 88.0, "fuzzy_min_length": 5})
def make_denylist(nlp: Language, name: str, names: list[str], fuzzy_threshold: float,
                  fuzzy_min_length: int) -> DenyListRecogniser:
    return DenyListRecogniser(names, fuzzy_threshold=fuzzy_threshold, fuzzy_min_length=fuzzy_min_length)


# -- resolver -------------------------------------------------------------------------------
class AllowList:
    """Terms never masked (compared case-insensitively, genitive stripped)."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = frozenset(" ".join(t.split()).lower() for t in terms if t.strip())

    def __contains__(self, form: str) -> bool:
        low = " ".join(form.split()).lower()
        if low in self.terms or strip_genitive(low) in self.terms:
            return True
        return low.endswith("s") and low[:-1] in self.terms


def propagatable(det: Detection, allow: AllowList) -> bool:
    form = det.text.strip()
    return (det.category in PROPAGATED and len(form) >= 2 and form[0].isupper()
            and form.lower() not in STOP_WORDS and form not in allow and "\n" not in form)


def forms_of(det: Detection) -> list[str]:
    """The form to propagate, plus the parts of a multi-word person name (``Signy Fardal`` →
    ``Signy``, ``Fardal``): people are often named by one part later on."""
    base = strip_genitive(det.text.strip())
    out = [base]
    if det.category == "PERSON" and " " in base:
        out += [p for p in base.split() if len(p) >= 3 and p[0].isupper() and p.lower() not in STOP_WORDS]
    return out


def uncased_forms_of(det: Detection) -> list[str]:
    """The lower-case forms of a detection to propagate through text typed without capitals:
    the whole form and, for a person, each part (``kari nordmann`` → ``nordmann``, if allowed)."""
    base = strip_genitive(det.text.strip()).lower()
    return [base] + (base.split() if det.category == "PERSON" and " " in base else [])


def uncased_form_ok(form: str, spellings, allow: AllowList) -> bool:
    """Whether a lower-case form may be propagated through uncased text: three letters or more,
    no stop word, not allow-listed, and not a word that the model's training text writes in lower
    case (``spellings``: the pipeline's truecasing table), so "nordmann" or "berg" stay."""
    form = form.strip()
    if len(form) < 3 or "\n" in form or form in STOP_WORDS or form in allow:
        return False
    spelling = spellings.get(form) if spellings is not None else None
    return spelling is None or spelling[:1].isupper()


def propagation_pattern(forms: Iterable[str]) -> re.Pattern | None:
    forms = sorted({strip_genitive(f) for f in forms}, key=len, reverse=True)
    if not forms:
        return None
    alts = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\w@./])(?:{alts}){GENITIVE}(?!\w)")


def propagate(text: str, found: list[Detection], forms: dict[str, str], pattern: re.Pattern | None) -> list[Detection]:
    """Add a detection for every occurrence of a known form (``forms``: form -> label)."""
    if pattern is None:
        return found
    out = list(found)
    for m in pattern.finditer(text):
        form = m.group(0)
        base = strip_genitive(form)
        label = forms.get(base) or forms.get(base[:-1] if base.endswith("s") else base) or forms.get(form)
        if label is None:
            continue
        out.append(Detection(m.start(), m.end(), form, label, "propagation", 0.6))
    return out


def keep(det: Detection, allow: AllowList) -> bool:
    """Allow-listed terms, one-letter NER hits (case labels such as "A") and letter+digit codes
    (speaker labels such as "B2") are not masked unless the deny-list or a reviewer says so."""
    if det.source in ("denylist", "review", "identifiers", "speakers"):
        return True
    if det.text in allow:
        return False
    form = det.text.strip()
    if _CODE.match(form):  # speaker/case codes such as B2, I1, IP3 are not names
        return False
    if det.source in ("ner", "propagation", "gazetteers") and form.lower() in ROLE_WORDS:
        return False  # "Leder", "Intervjuer" as labels are roles
    return not (det.source == "ner" and len(form) < 2)


_CODE = re.compile(r"^[A-ZÆØÅ]{1,3}\d{1,3}$")


class Resolver:
    """Allow-list, in-document propagation, overlap resolution."""

    def __init__(self, allow: Iterable[str], *, propagate: bool = True) -> None:
        self.allow = AllowList(allow)
        self.propagate = propagate

    def finish(self, text: str, found: list[Detection], extra_forms: dict[str, str] | None = None, *,
               propagate_own: bool = True, pattern: re.Pattern | None = None) -> list[Detection]:
        """Allow-list, propagation (of ``extra_forms`` and, with ``propagate_own``, of this
        text's own person/place/organisation forms), overlap resolution. ``pattern`` is the
        precompiled :func:`propagation_pattern` of ``extra_forms`` (built once per batch)."""
        kept = [d for d in found if keep(d, self.allow)]
        if self.propagate and pattern is not None and not propagate_own:
            kept = propagate(text, kept, extra_forms or {}, pattern)
        elif self.propagate:
            forms = dict(extra_forms or {})
            if propagate_own:
                common = {m.group(0) for m in re.finditer(r"\b[a-zæøåéü][a-zæøåéü-]+\b", text)}
                for d in kept:
                    if propagatable(d, self.allow) and (d.source == "denylist" or d.text.lower() not in common):
                        for form in forms_of(d):
                            if form.lower() not in common:
                                forms.setdefault(form, d.label)
            kept = propagate(text, kept, forms, propagation_pattern(forms))
        return with_text(resolve_overlaps(split_lines(kept, text)), text)

    def __call__(self, doc: Doc) -> Doc:
        final = self.finish(doc.text, detections(doc))
        doc._.qc_detections = [(d.start, d.end, d.text, d.label, d.source, d.score) for d in final]
        return doc


@Language.factory("qualcode_resolver", default_config={"allow": [], "propagate": True})
def make_resolver(nlp: Language, name: str, allow: list[str], propagate: bool) -> Resolver:
    return Resolver(allow, propagate=propagate)


__all__ = ["NerRecogniser", "IdentifierRecogniser", "GazetteerRecogniser", "DenyListRecogniser",
           "Resolver", "AllowList", "detections", "CATEGORY", "category"]
