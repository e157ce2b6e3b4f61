"""The :class:`Anonymiser`: texts in, detections and anonymised texts out.

It runs the spaCy pipeline (NER) once per text, the rule recognisers on the same doc,
and then propagates every person/place/organisation form found in *any* text of the batch
(and any form already in the pseudonym key) to all texts.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

import spacy
from spacy.language import Language

from ..errors import AnonymisationError, ModelError
from ..nlp.entities import pipes_ner_does_not_need
from ..nlp.truecase import is_uncased
from . import lists
from .components import (
    DenyListRecogniser,
    GazetteerRecogniser,
    IdentifierRecogniser,
    NerRecogniser,
    Resolver,
    detections,
    forms_of,
    keep,
    propagatable,
    propagation_pattern,
    uncased_form_ok,
    uncased_forms_of,
)
from .config import AnonymiseConfig
from .detection import PROPAGATED, Detection
from .pseudonyms import PseudonymMap, assign_all
from .replace import Replacement, apply


def load_nlp(model: str | None = None) -> Language:
    """The project's spaCy pipeline via ``qualcode.nlp.load`` (the shipped NorNE model by default)."""
    try:
        from ..nlp import load
    except ImportError as exc:
        if model:
            try:
                return spacy.load(model)
            except OSError as exc2:
                raise ModelError(f"cannot load spaCy pipeline {model!r}") from exc2
        raise ModelError("no NER model available (qualcode.nlp is not installed); "
                         "pass --model or disable the ner recogniser") from exc
    return load(model)


def read_deny_file(path: Path) -> list[str]:
    if not path.exists():
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise AnonymisationError(f"{path}: deny-list is not valid UTF-8") from exc
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]




def lowercase_words(texts: Sequence[str]) -> set[str]:
    """Words written in lower case somewhere in the batch (common nouns, not names)."""
    out: set[str] = set()
    for text in texts:
        out.update(m.group(0) for m in re.finditer(r"\b[a-zæøåéü][a-zæøåéü-]+\b", text))
    return out


class Anonymiser:
    """Detect and mask identifying spans with every enabled recogniser.

    ``nlp`` is any spaCy pipeline; its ``ner`` (or entity ruler) feeds the NER recogniser.
    """

    def __init__(self, nlp: Language | None = None, config: AnonymiseConfig | None = None, *,
                 deny_list: Iterable[str] = (), pseudonyms: PseudonymMap | None = None) -> None:
        self.config = config or AnonymiseConfig()
        cfg = self.config
        if nlp is None:
            nlp = load_nlp() if cfg.enabled("ner") else spacy.blank("nb")
        self.nlp = nlp
        self.has_ner = any(name in nlp.pipe_names for name in ("ner", "entity_ruler", "span_ruler"))
        if cfg.enabled("ner") and not self.has_ner:
            raise ModelError("the ner recogniser is enabled but the pipeline has no ner component "
                             "(choose a model with NER or switch recognisers.ner off)")
        self.recognisers: list[tuple[str, object]] = []
        if cfg.enabled("ner"):
            self.recognisers.append(("ner", NerRecogniser(cfg.ner_labels)))
        if cfg.enabled("identifiers"):
            self.recognisers.append(("identifiers", IdentifierRecogniser()))
        if cfg.enabled("gazetteers"):
            self.recognisers.append(("gazetteers", GazetteerRecogniser(nlp)))
        names = list(cfg.deny_list) + list(deny_list)
        if cfg.enabled("denylist") and names:
            self.recognisers.append(("denylist", DenyListRecogniser(
                names, fuzzy_threshold=cfg.fuzzy_threshold, fuzzy_min_length=cfg.fuzzy_min_length)))
        allow = (list(lists.builtin_allow_list()) if cfg.use_builtin_allow_list else []) + list(cfg.allow_list)
        self.resolver = Resolver(allow, propagate=cfg.propagate)
        self.pseudonyms = pseudonyms or PseudonymMap(surrogates=cfg.surrogates)
        # run only what NER needs (no tagger/parser/lemmatiser)
        self._disable = pipes_ner_does_not_need(nlp) if cfg.enabled("ner") else list(nlp.pipe_names)

    @property
    def recogniser_names(self) -> list[str]:
        return [name for name, _ in self.recognisers]

    # -- detection ---------------------------------------------------------------------------
    def _raw(self, texts: Sequence[str], n_process: int = 1) -> list[list[Detection]]:
        from ..nlp.ops import one_blas_thread
        from ..nlp.truecase import pipe as truecase_pipe

        out = []
        truecase = self.config.truecase and self.config.enabled("ner")
        with one_blas_thread():
            docs = truecase_pipe(self.nlp, texts, truecase=truecase, disable=self._disable,
                                 batch_size=self.config.batch_size, n_process=n_process)
            for doc in docs:
                for _, rec in self.recognisers:
                    doc = rec(doc)
                out.append(detections(doc))
        return out

    def detect_batch(self, texts: Sequence[str], *, n_process: int = 1,
                     known_forms: dict[str, str] | None = None,
                     extra: Sequence[Sequence[Detection]] | None = None) -> list[list[Detection]]:
        """Detections per text, with propagation across the whole batch (and ``known_forms``,
        e.g. the project's pseudonym key) when ``propagate`` is on. ``extra`` adds detections
        found outside the text (e.g. name-like speaker labels of a transcript)."""
        raw = self._raw(texts, n_process=n_process)
        if extra is not None:
            raw = [list(r) + list(x) for r, x in zip(raw, extra)]
        uncased = [is_uncased(t) for t in texts]
        forms: dict[str, str] = dict(known_forms or {})
        if self.config.propagate:
            if not known_forms:
                forms.update(self.pseudonyms.known_forms())
            common = lowercase_words([t for t, u in zip(texts, uncased) if not u])
            for found, unc in zip(raw, uncased):
                if unc:
                    continue  # texts typed without capitals: see _uncased_forms
                for d in found:
                    if not keep(d, self.resolver.allow):
                        continue
                    if d.source != "denylist" and d.text.lower() in common:
                        continue  # a word also written in lower case is a common noun: no propagation
                    if propagatable(d, self.resolver.allow):
                        for form in forms_of(d):
                            if form.lower() not in common:
                                forms.setdefault(form, d.label)
        lower_forms = self._uncased_forms(raw, uncased, forms) if self.config.propagate and any(uncased) else {}
        pattern = propagation_pattern(forms) if self.config.propagate else None
        lower_pattern = propagation_pattern(lower_forms) if lower_forms else None
        return [self.resolver.finish(text, found, lower_forms if unc else forms, propagate_own=False,
                                     pattern=lower_pattern if unc else pattern)
                for text, found, unc in zip(texts, raw, uncased)]

    def _uncased_forms(self, raw: Sequence[Sequence[Detection]], uncased: Sequence[bool],
                       forms: dict[str, str]) -> dict[str, str]:
        """Lower-case forms to propagate through the texts typed without capitals: the batch's
        (and the project's) names in lower case, and the names found in those texts, less the
        words the model's training text writes in lower case. Needs a pipeline with a truecasing
        table (qualcode's model): without one, uncased texts get no propagation."""
        from ..nlp.truecase import Truecaser

        spellings = Truecaser(self.nlp).forms
        if spellings is None:
            return {}
        allow = self.resolver.allow
        out: dict[str, str] = {}
        for form, label in forms.items():
            if uncased_form_ok(form.lower(), spellings, allow):
                out.setdefault(form.lower(), label)
        for found in (f for f, unc in zip(raw, uncased) if unc):
            for d in found:
                if d.category in PROPAGATED and keep(d, allow):
                    for form in uncased_forms_of(d):
                        if uncased_form_ok(form, spellings, allow):
                            out.setdefault(form, d.label)
        return out

    def detect(self, text: str) -> list[Detection]:
        return self.detect_batch([text])[0]

    # -- replacement -------------------------------------------------------------------------
    def replacements(self, detections: Sequence[Detection]) -> list[Replacement]:
        for name, rec in self.recognisers:
            if name == "denylist":
                self.pseudonyms.aliases.update(rec.aliases)
        assign_all(self.pseudonyms, detections)
        return [Replacement(d.start, d.end, self.pseudonyms.pseudonym(d)[1]) for d in detections]

    def anonymise_batch(self, texts: Sequence[str], *, n_process: int = 1) -> list[str]:
        found = self.detect_batch(texts, n_process=n_process)
        return [apply(t, self.replacements(d)) for t, d in zip(texts, found)]

    def anonymise(self, text: str) -> str:
        return self.anonymise_batch([text])[0]
