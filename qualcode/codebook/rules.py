"""Rule types of the auto-coder, as a registry (like spaCy factories).

Each rule type checks its own fields (:meth:`RuleType.problems`) and compiles itself into a
:class:`~qualcode.codebook.engine.RuleEngine` (:meth:`RuleType.compile`). Register a new type
with ``@register_rule_type("name")``.

Compound matching (``terms``): Norwegian writes compounds as one word (*behandlingsplanen*,
*evalueringspunktene*, *feedbackverktøyet*), so a term is a *stem* matched inside tokens:

* ``exact``  – the token is the stem itself (abbreviations: *FIT*, *KOR*)
* ``word``   – the token is the stem plus an inflection ending (*plan*, *planen*, *planene*)
* ``prefix`` – the token starts with the stem (*feedback* → *feedbackverktøyet*)
* ``head``   – the stem is the last compound part, plus an ending (*plan* → *behandlingsplanen*)
* ``part``   – the stem occurs anywhere in the token (*evalueringspunkt* → *evalueringspunktene*)
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from .schema import Rule

if TYPE_CHECKING:  # pragma: no cover
    from .engine import RuleEngine

#: Inflection endings allowed after a stem in ``word`` and ``head`` modes (nouns, verbs, adjectives).
ENDINGS = frozenset(
    ["", "e", "en", "et", "er", "ene", "ers", "ens", "ets", "enes", "a", "ar", "ane", "s", "es",
     "t", "te", "de", "ende", "ere", "est", "este", "ne", "r", "n"]
)

RULE_TYPES: dict[str, type["RuleType"]] = {}


def register_rule_type(name: str) -> Callable[[type["RuleType"]], type["RuleType"]]:
    """Class decorator adding a rule type to the registry under ``name``."""

    def deco(cls: type["RuleType"]) -> type["RuleType"]:
        cls.name = name
        RULE_TYPES[name] = cls
        return cls

    return deco


def get_rule_type(name: str) -> type["RuleType"]:
    try:
        return RULE_TYPES[name]
    except KeyError:
        raise KeyError(f"unknown rule type {name!r} (known: {', '.join(sorted(RULE_TYPES))})") from None


class RuleType:
    """Base class: a rule type validates a :class:`Rule` and compiles it into an engine."""

    name = "base"

    @classmethod
    def problems(cls, rule: Rule) -> list[tuple[str, str]]:
        """(field, message) pairs for a rule that cannot work."""
        return []

    @classmethod
    def compile(cls, rule: Rule, index: int, engine: "RuleEngine") -> None:
        raise NotImplementedError


def _clean_stem(term: str) -> str:
    return term.strip().lower()


@register_rule_type("terms")
class TermsRule(RuleType):
    """Compound-aware word stems (see module docstring); one token per hit."""

    @classmethod
    def problems(cls, rule: Rule) -> list[tuple[str, str]]:
        out = []
        if not rule.terms:
            out.append(("terms", "a terms rule needs at least one term"))
        for i, t in enumerate(rule.terms):
            s = _clean_stem(t)
            if not s or " " in s:
                out.append((f"terms.{i}", "a term is one word stem (use a phrase rule for several words)"))
            elif len(s) < 3 and rule.mode not in ("word", "exact"):
                out.append((f"terms.{i}", f"stem too short for mode {rule.mode!r} (min 3 letters)"))
        return out

    @classmethod
    def compile(cls, rule: Rule, index: int, engine: "RuleEngine") -> None:
        for t in rule.terms:
            engine.stems.add(_clean_stem(t), rule.mode, ("rule", index),
                             tuple(_clean_stem(x) for x in rule.except_terms))


@register_rule_type("phrase")
class PhraseRule(RuleType):
    """Exact multi-word phrases over lowercased tokens (spaCy PhraseMatcher, attr LOWER)."""

    @classmethod
    def problems(cls, rule: Rule) -> list[tuple[str, str]]:
        out = []
        if not rule.phrases:
            out.append(("phrases", "a phrase rule needs at least one phrase"))
        for i, p in enumerate(rule.phrases):
            if not p.strip():
                out.append((f"phrases.{i}", "empty phrase"))
        return out

    @classmethod
    def compile(cls, rule: Rule, index: int, engine: "RuleEngine") -> None:
        docs = [engine.nlp.make_doc(p.lower()) for p in rule.phrases]
        engine.phrase_matcher.add(f"r{index}", docs)
        engine.uses_phrase = True


@register_rule_type("matcher")
class MatcherRule(RuleType):
    """spaCy Matcher token patterns (``patterns``: list of patterns, each a list of token dicts)."""

    @classmethod
    def problems(cls, rule: Rule) -> list[tuple[str, str]]:
        if not rule.patterns:
            return [("patterns", "a matcher rule needs at least one pattern")]
        import spacy
        from spacy.matcher import Matcher

        matcher = Matcher(spacy.blank("xx").vocab, validate=True)
        out = []
        for i, pat in enumerate(rule.patterns):
            try:
                matcher.add(f"p{i}", [pat])
            except Exception as exc:  # spaCy raises ValueError/MatchPatternError with details
                msg = str(exc).strip().splitlines()
                detail = next((m.strip() for m in msg if m.strip().startswith("-")), msg[0] if msg else "")
                out.append((f"patterns.{i}", f"invalid Matcher pattern {detail}".strip()))
        return out

    @classmethod
    def compile(cls, rule: Rule, index: int, engine: "RuleEngine") -> None:
        engine.add_matcher_patterns(f"r{index}", rule.patterns)


@register_rule_type("regex")
class RegexRule(RuleType):
    """A Python regular expression over the lowercased text (use for what tokens cannot say)."""

    @classmethod
    def problems(cls, rule: Rule) -> list[tuple[str, str]]:
        if not rule.pattern:
            return [("pattern", "a regex rule needs a pattern")]
        try:
            rx = re.compile(rule.pattern)
        except re.error as exc:
            return [("pattern", f"invalid regular expression: {exc}")]
        if rx.match(""):
            return [("pattern", "regular expression matches the empty string")]
        return []

    @classmethod
    def compile(cls, rule: Rule, index: int, engine: "RuleEngine") -> None:
        engine.regexes.append((index, re.compile(rule.pattern)))


def rule_problems(rule: Rule) -> list[tuple[str, str]]:
    """Problems of one rule, including its type being unknown and its context windows."""
    try:
        rtype = get_rule_type(rule.type)
    except KeyError as exc:
        return [("type", str(exc.args[0]))]
    out = list(rtype.problems(rule))
    for name, ctx in (("require", rule.require), ("forbid", rule.forbid)):
        if ctx is None:
            continue
        for i, t in enumerate(ctx.terms):
            s = _clean_stem(t)
            if not s or " " in s:
                out.append((f"{name}.terms.{i}", "a context term is one word stem"))
    return out
