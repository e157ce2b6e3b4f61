"""The rule engine: codes a text (or an already-tokenised spaCy ``Doc``) with a codebook's rules.

Per code, the score is the sum over its rules of ``weight × min(hits, max_hits)``, counting only
hits whose context windows are satisfied. A code is assigned when its score reaches the code's
``threshold`` and no negative (veto) rule for it fired. Every result carries its evidence: the
rule ids and the matched words.

In an interview a segment can be coded in its place (:meth:`RuleEngine.code_sequence`): with the
codebook's ``question_context``, the interviewer's question adds its (weighted) score to the
answers that follow, and its words are kept as evidence "from the preceding question".

Speed: the compound-stem lookup is cached per distinct lowercased word (and lemma), so coding
costs one dict lookup per token plus the spaCy matchers, which run in Cython.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from itertools import accumulate
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.attrs import LEMMA, LOWER, ORTH, SPACY
from spacy.tokens import Doc

from ..errors import CodebookError
from .rules import ENDINGS, get_rule_type
from .schema import Codebook, Context, Rule, load_codebook

Target = tuple[str, int]  # ("rule", rule index) or ("ctx", context index)


class StemIndex:
    """Compound-aware stem lookup: which targets does a lowercased word match?"""

    def __init__(self) -> None:
        self._entries: list[tuple[str, str, int, tuple[str, ...]]] = []  # stem, mode, target, exceptions
        self.targets: list[Target] = []
        self._target_ids: dict[Target, int] = {}
        self._cache: dict[str, tuple[int, ...]] = {}

    def add(self, stem: str, mode: str, target: Target, excepts: tuple[str, ...] = ()) -> None:
        tid = self._target_ids.setdefault(target, len(self.targets))
        if tid == len(self.targets):
            self.targets.append(target)
        self._entries.append((stem, mode, tid, excepts))
        self._cache.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, word: str) -> tuple[int, ...]:
        """Target ids matched by ``word`` (lowercased), cached."""
        hit = self._cache.get(word)
        if hit is None:
            hit = self._cache[word] = self._match(word)
        return hit

    def _match(self, word: str) -> tuple[int, ...]:
        found: list[int] = []
        for stem, mode, tid, excepts in self._entries:
            if mode == "exact":
                if word == stem:
                    found.append(tid)
                continue
            i = word.find(stem)
            if i >= 0 and excepts and any(x in word for x in excepts):
                continue
            while i >= 0:
                rest = word[i + len(stem):]
                if mode == "part" or (mode == "prefix" and i == 0) or (
                    mode == "word" and i == 0 and rest in ENDINGS) or (mode == "head" and rest in ENDINGS):
                    found.append(tid)
                    break
                i = word.find(stem, i + 1)
        return tuple(dict.fromkeys(found))


@dataclass
class RuleHit:
    """One rule firing on a token span."""

    rule: str
    start: int  # token index
    end: int
    words: str


@dataclass
class CodingResult:
    """What the engine decided for one text."""

    codes: list[str]
    scores: dict[str, float]
    evidence: dict[str, dict[str, list[str]]]  # code -> rule id -> matched words
    vetoed: dict[str, list[str]] = field(default_factory=dict)  # code -> negative rule ids that fired
    #: code -> rule id -> words matched in the interviewer's preceding question (context)
    from_question: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def words(self, code: str) -> list[str]:
        """Matched words supporting ``code`` (deduplicated, in order)."""
        out: list[str] = []
        for ws in self.evidence.get(code, {}).values():
            out.extend(ws)
        return list(dict.fromkeys(out))

    def evidence_record(self, code: str) -> dict[str, Any]:
        """JSON-ready evidence stored with a coding: rule ids, matched words, score; and, when the
        interviewer's question contributed, its rule ids and words under ``from_preceding_question``."""
        rec: dict[str, Any] = {"score": round(self.scores.get(code, 0.0), 4), "rules": self.evidence.get(code, {})}
        if self.from_question.get(code):
            rec[CONTEXT_KEY] = self.from_question[code]
        return rec


@dataclass
class _Compiled:
    rule: Rule
    code: str
    require: int | None
    forbid: int | None


class RuleEngine:
    """Compile a codebook's rules once; then :meth:`code` texts or :meth:`code_doc` Docs.

    ``nlp`` defaults to ``spacy.blank("nb")`` (tokeniser only, fast); a trained pipeline with a
    lemmatiser lets terms match lemmas too.
    """

    def __init__(self, codebook: Codebook | str, *, nlp: Language | None = None) -> None:
        self.codebook = load_codebook(codebook) if not isinstance(codebook, Codebook) else codebook
        self.nlp = nlp or spacy.blank(self.codebook.language or "nb")
        self.stems = StemIndex()
        self.phrase_matcher = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.matcher = Matcher(self.nlp.vocab)
        self.regexes: list[tuple[int, Any]] = []
        self.uses_phrase = False
        self.uses_matcher = False
        self._anchors: list[Any] = []  # frozenset of words or compiled regex, per pattern
        self._matcher_everywhere = False
        self.compiled: list[_Compiled] = []
        self.contexts: list[Context] = []
        self.thresholds = {c.id: c.threshold for c in self.codebook.codes}
        self.order = {c.id: i for i, c in enumerate(self.codebook.codes)}
        for code_id, rule, _loc in self.codebook.all_rules():
            idx = len(self.compiled)
            self.compiled.append(_Compiled(rule, code_id, self._context(rule.require), self._context(rule.forbid)))
            try:
                get_rule_type(rule.type).compile(rule, idx, self)
            except KeyError as exc:
                raise CodebookError(f"rule {rule.id}: {exc.args[0]}") from exc
            except Exception as exc:  # pattern accepted by validation but refused by spaCy
                raise CodebookError(f"rule {rule.id}: cannot compile ({exc.__class__.__name__})") from exc
        self._rule_key = {self.nlp.vocab.strings.add(f"r{i}"): i for i in range(len(self.compiled))}
        self._hash_cache: dict[int, tuple[int, ...]] = {}
        self._anchor_cache: dict[str, tuple[int, int] | None] = {}
        self._anchor_hash_cache: dict[int, tuple[int, int] | None] = {}

    # -- Matcher anchoring ----------------------------------------------------------------------
    def add_matcher_patterns(self, key: str, patterns: list[list[dict[str, Any]]]) -> None:
        """Add Matcher patterns and record their anchors (see :func:`_pattern_anchor`)."""
        self.matcher.add(key, patterns)
        self.uses_matcher = True
        for pat in patterns:
            found = _pattern_anchor(pat)
            if found is None:
                self._matcher_everywhere = True
            else:
                anchor, k = found
                self._anchors.append((anchor, k, len(pat) - k))

    def _anchor_window(self, word: str) -> tuple[int, int] | None:
        """Tokens before/after an anchor word that a match through it can reach (None: no anchor)."""
        if word in self._anchor_cache:
            return self._anchor_cache[word]
        before = after = -1
        for anchor, b, a in self._anchors:
            if (word in anchor) if isinstance(anchor, frozenset) else bool(anchor.search(word)):
                before, after = max(before, b), max(after, a)
        win = (before, after) if before >= 0 else None
        self._anchor_cache[word] = win
        return win

    def _matcher_hits(self, doc: Doc, lowers: list[int] | None) -> list[tuple[int, int, int]]:
        """Run the Matcher only on windows around anchor tokens (every match contains one)."""
        if self._matcher_everywhere or lowers is None:
            return list(self.matcher(doc))
        strings = doc.vocab.strings
        windows: list[list[int]] = []
        acache = self._anchor_hash_cache
        n = len(lowers)
        for i, h in enumerate(lowers):
            if h in acache:
                win = acache[h]
            else:
                win = acache[h] = self._anchor_window(strings[h])
            if win is not None:
                a, b = max(0, i - win[0]), min(n, i + win[1])
                if windows and a <= windows[-1][1]:
                    windows[-1][1] = b
                else:
                    windows.append([a, b])
        out: list[tuple[int, int, int]] = []
        for a, b in windows:
            out.extend((key, a + s, a + e) for key, s, e in self.matcher(doc[a:b]))
        return out

    def _context(self, ctx: Context | None) -> int | None:
        if ctx is None:
            return None
        idx = len(self.contexts)
        self.contexts.append(ctx)
        for t in ctx.terms:
            self.stems.add(t.strip().lower(), ctx.mode, ("ctx", idx))
        return idx

    # -- matching -------------------------------------------------------------------------------
    def rule_hits(self, doc: Doc) -> list[tuple[int, RuleHit]]:
        """Every (rule index, hit) in ``doc`` after context windows, before scoring."""
        strings = doc.vocab.strings
        lookup = self.stems.lookup
        targets = self.stems.targets
        hcache = self._hash_cache
        raw: list[tuple[int, int, int]] = []  # rule idx, start, end
        ctx_pos: dict[int, list[int]] = defaultdict(list)
        n = len(doc)
        if n:
            arr = doc.to_array([LOWER, ORTH, SPACY, LEMMA])
            lowers, orths, spaces = arr[:, 0].tolist(), arr[:, 1].tolist(), arr[:, 2].tolist()
            lemmas = arr[:, 3].tolist() if arr[:, 3].any() else None  # cheaper than has_annotation
        else:
            lowers, orths, spaces, lemmas = [], [], [], None
        if len(self.stems):
            for i, h in enumerate(lowers):
                tids = hcache.get(h)
                if tids is None:
                    tids = hcache[h] = lookup(strings[h])
                if not tids and lemmas is None:
                    continue
                if lemmas is not None and lemmas[i] != h and lemmas[i]:
                    tids = tids + lookup(strings[lemmas[i]].lower())
                for tid in tids:
                    kind, idx = targets[tid]
                    if kind == "rule":
                        raw.append((idx, i, i + 1))
                    else:
                        ctx_pos[idx].append(i)
        if self.uses_phrase:
            for key, s, e in self.phrase_matcher(doc):
                raw.append((self._rule_key[key], s, e))
        if self.uses_matcher:
            for key, s, e in self._matcher_hits(doc, lowers):
                raw.append((self._rule_key[key], s, e))
        if self.regexes and n:
            # doc.text rebuilt from the arrays (same characters, no Token objects)
            pieces = [strings[o] + (" " if sp else "") for o, sp in zip(orths, spaces)]
            starts = list(accumulate((len(p) for p in pieces), initial=0))
            low = "".join(pieces).lower()
            for idx, rx in self.regexes:
                for m in rx.finditer(low):
                    a = bisect_right(starts, m.start()) - 1
                    b = max(a + 1, bisect_left(starts, m.end()))
                    raw.append((idx, a, min(b, n)))
        out: list[tuple[int, RuleHit]] = []
        for idx, s, e in raw:
            comp = self.compiled[idx]
            if comp.require is not None and not _near(ctx_pos.get(comp.require), s, e, self.contexts[comp.require].window):
                continue
            if comp.forbid is not None and _near(ctx_pos.get(comp.forbid), s, e, self.contexts[comp.forbid].window):
                continue
            if e - s == 1:
                words = strings[orths[s]]
            else:
                words = "".join(strings[orths[k]] + (" " if spaces[k] and k < e - 1 else "") for k in range(s, e))
            out.append((idx, RuleHit(comp.rule.id, s, e, words)))
        return out

    def _tally(self, doc: Doc) -> tuple[dict[str, float], dict[str, dict[str, list[str]]], dict[str, list[str]]]:
        """Scores, evidence (code -> rule id -> words) and vetoes of one Doc."""
        counts: dict[int, int] = defaultdict(int)
        evidence: dict[str, dict[str, list[str]]] = defaultdict(dict)
        vetoed: dict[str, list[str]] = defaultdict(list)
        for idx, hit in self.rule_hits(doc):
            comp = self.compiled[idx]
            if comp.rule.negative:
                if hit.rule not in vetoed[comp.code]:
                    vetoed[comp.code].append(hit.rule)
                continue
            counts[idx] += 1
            words = evidence[comp.code].setdefault(hit.rule, [])
            w = hit.words.lower()
            if w not in words:
                words.append(w)
        scores: dict[str, float] = defaultdict(float)
        for idx, n in counts.items():
            comp = self.compiled[idx]
            scores[comp.code] += comp.rule.weight * min(n, comp.rule.max_hits)
        return scores, evidence, vetoed

    def code_doc(self, doc: Doc, *, context: Doc | None = None) -> CodingResult:
        """Code one already-tokenised Doc; ``context`` is the interviewer's preceding question.

        With a context and the codebook's ``question_context``, ``weight`` × the question's
        (positive) score per code is added to the Doc's own score; the question's matched words
        are kept apart as evidence "from the preceding question" (``from_question``). A veto in
        the question does not veto the answer."""
        return self._code(doc, self._lent(context) if context is not None else None)

    def _lent(self, question: Doc) -> dict[str, tuple[float, dict[str, list[str]]]]:
        """What a question lends its answers: code -> (weighted score, the question's evidence)."""
        qc = self.codebook.question_context
        if qc is None or qc.weight <= 0:
            return {}
        q_scores, q_evidence, _q_vetoed = self._tally(question)
        if sum(sc >= self.thresholds.get(c, 1.0) - 1e-9 for c, sc in q_scores.items()) > qc.max_codes:
            return {}  # an agenda (many themes at once), not a question about one theme
        return {c: (qc.weight * sc, q_evidence[c]) for c, sc in q_scores.items() if sc > 0}

    def _code(self, doc: Doc, lent: dict[str, tuple[float, dict[str, list[str]]]] | None) -> CodingResult:
        scores, evidence, vetoed = self._tally(doc)
        from_question: dict[str, dict[str, list[str]]] = {}
        for code, (sc, ev) in (lent or {}).items():
            scores[code] += sc
            from_question[code] = ev
        codes = sorted(
            (c for c, sc in scores.items() if sc >= self.thresholds.get(c, 1.0) - 1e-9 and c not in vetoed),
            key=self.order.__getitem__,
        )
        return CodingResult(codes, dict(scores), {c: evidence.get(c, {}) for c in codes}, dict(vetoed),
                            {c: from_question[c] for c in codes if c in from_question})

    def code(self, text: str, *, context: str | None = None) -> CodingResult:
        """Code one text (tokenised with the engine's pipeline tokenizer); ``context``: the
        interviewer's preceding question, if any (used only with ``question_context``)."""
        ctx = self.nlp.make_doc(context) if context else None
        return self.code_doc(self.nlp.make_doc(text), context=ctx)

    def code_many(self, texts: Iterable[str], *, batch_size: int = 256) -> Iterator[CodingResult]:
        """Code many texts one by one, without context (tokenizer only, streamed)."""
        for doc in self.nlp.tokenizer.pipe(texts, batch_size=batch_size):
            yield self.code_doc(doc)

    def is_question(self, speaker: str | None, text: str) -> bool:
        """Is this segment an interviewer's (see :class:`~qualcode.codebook.schema.QuestionContext`)?
        Always False when the codebook has no ``question_context``."""
        qc = self.codebook.question_context
        return qc is not None and qc.is_interviewer(speaker, text)

    def _doc(self, text: str | Doc) -> Doc:
        return text if isinstance(text, Doc) else self.nlp.make_doc(text)

    def code_segment(self, text: str | Doc, *, speaker: str | None = None,
                     question: str | Doc | None = None) -> CodingResult:
        """Code one transcript segment in its place. ``question``: the text of the interviewer's
        question this segment answers (see :meth:`code_sequence`). An interviewer's segment is
        left uncoded when the codebook says ``code_questions: false``."""
        qc = self.codebook.question_context
        doc = self._doc(text)
        if qc is None:
            return self.code_doc(doc)
        if qc.is_interviewer(speaker, doc.text):
            return self.code_doc(doc) if qc.code_questions else CodingResult([], {}, {}, {})
        return self.code_doc(doc, context=self._doc(question) if question is not None else None)

    def code_sequence(self, segments: Iterable[tuple[str | None, int, str | Doc]]) -> Iterator[CodingResult]:
        """Code one source's segments in order, each given as (speaker, turn index, text or Doc).

        With ``question_context``, an answer's context is the latest interviewer turn (all its
        segments): for every answer until the next interviewer turn (``scope: exchange``, as when
        several people in a focus group answer one question) or only for the turn right after
        it (``scope: next``). Without ``question_context`` every segment is coded on its own."""
        qc = self.codebook.question_context
        question: list[str] = []
        q_turn: int | None = None
        answer_turn: int | None = None  # the first turn after the question
        lent: dict[str, tuple[float, dict[str, list[str]]]] | None = None  # the question's, once computed
        for speaker, turn, text in segments:
            doc = self._doc(text)
            if qc is None:
                yield self.code_doc(doc)
                continue
            if qc.is_interviewer(speaker, doc.text):
                if turn != q_turn:
                    question, q_turn, answer_turn = [], turn, None
                question.append(doc.text)
                lent = None
                yield self.code_doc(doc) if qc.code_questions else CodingResult([], {}, {}, {})
                continue
            if answer_turn is None and q_turn is not None:
                answer_turn = turn
            if question and (qc.scope == "exchange" or turn == answer_turn):
                if lent is None:
                    lent = self._lent(self.nlp.make_doc(" ".join(question)))
                yield self._code(doc, lent)
            else:
                yield self.code_doc(doc)


#: Evidence key for the rules and words matched in the interviewer's preceding question.
CONTEXT_KEY = "from_preceding_question"


def _pattern_anchor(pattern: list[dict[str, Any]]):
    """Words (frozenset) or a regex that one token of every match must satisfy, with that
    token's index in the pattern: the first non-optional token spec, when it constrains
    LOWER/TEXT/ORTH (only optional specs may precede it, so a match starts at most ``index``
    tokens before the anchor and ends within ``len(pattern) - index`` after it); None when unknown
    (then the Matcher runs on the whole Doc). Comparisons are on lowercased words, so
    a case-sensitive TEXT constraint gives a superset, which is safe for a pre-filter."""
    import re

    if any(spec.get("OP") not in {None, "?", "!", "1"} for spec in pattern):
        return None  # repeats (*, +, {n,m}) make the span unbounded: run on the whole Doc
    for k, spec in enumerate(pattern):
        if spec.get("OP") in {"?", "!"}:
            continue
        for key in ("LOWER", "TEXT", "ORTH"):
            if key not in spec:
                continue
            val = spec[key]
            if isinstance(val, str):
                return frozenset([val.lower()]), k
            if isinstance(val, dict) and isinstance(val.get("IN"), list) and len(val) == 1:
                return frozenset(str(v).lower() for v in val["IN"]), k
            if isinstance(val, dict) and isinstance(val.get("REGEX"), str) and len(val) == 1 and key == "LOWER":
                return re.compile(val["REGEX"]), k
        # a required token without a usable constraint: the anchor cannot be placed safely
        return None
    return None


def _near(positions: list[int] | None, start: int, end: int, window: int) -> bool:
    if not positions:
        return False
    lo, hi = start - window, end - 1 + window
    return any(lo <= p <= hi for p in positions)
