"""Consistent pseudonyms: the same original gets the same ``[PERSON 3]`` everywhere.

Keys are ``(category, normalised form)``; the normalised form is lower-cased, whitespace
collapsed and a genitive ending removed when the base form is known (``Karis`` → ``kari``).
Numbers are handed out in order of first appearance and are never derived from the
original (no hashes). The map is persisted only in the vault (:mod:`qualcode.vault.keymap`).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable

from . import lists
from .components import strip_genitive
from .detection import NUMBERED, Detection, category


def normalise(form: str) -> str:
    return " ".join(strip_genitive(form.strip()).split()).lower()


@dataclass
class Entry:
    category: str
    norm: str
    pseudonym: str  # "PERSON 3"
    original: str  # surface form first seen (identifying)
    saved: bool = False


class PseudonymMap:
    """In-memory pseudonym key; load/save it with :class:`qualcode.vault.keymap.VaultKeyMap`."""

    def __init__(self, *, surrogates: bool = False, seed: str = "") -> None:
        self.entries: dict[tuple[str, str], Entry] = {}
        self.counters: dict[str, int] = {}
        self.surrogates = surrogates
        self.seed = seed
        self.aliases: dict[str, str] = {}
        """Normalised variant -> normalised canonical form (deny-list typos and name parts)."""

    # -- building ----------------------------------------------------------------------------
    def add_existing(self, cat: str, norm: str, pseudonym: str, original: str) -> None:
        self.entries[(cat, norm)] = Entry(cat, norm, pseudonym, original, saved=True)
        try:
            n = int(pseudonym.rsplit(" ", 1)[1])
        except (IndexError, ValueError):
            return
        self.counters[cat] = max(self.counters.get(cat, 0), n)

    def unsaved(self) -> list[Entry]:
        return [e for e in self.entries.values() if not e.saved]

    def known_forms(self) -> dict[str, str]:
        """Original surface forms -> a label, for propagation across runs."""
        label = {"PERSON": "PER", "STED": "GPE_LOC", "ORG": "ORG"}
        return {e.original: label[e.category] for e in self.entries.values() if e.category in label}

    # -- lookup ------------------------------------------------------------------------------
    def split(self, det: Detection) -> tuple[str, str, str]:
        """(category, normalised key, suffix to keep) of a detection; genitive ``s`` is kept as suffix."""
        cat = det.category
        form = det.text.strip()
        norm = normalise(form)
        suffix = ""
        if form != strip_genitive(form):  # explicit apostrophe genitive
            suffix = form[len(strip_genitive(form)):]
        elif norm.endswith("s") and len(norm) > 2 and (cat, norm) not in self.entries and norm not in self.aliases:
            base = norm[:-1]
            if (cat, base) in self.entries or base in self.aliases \
                    or (cat == "PERSON" and form[:-1] in lists.first_names() and form not in lists.first_names()) \
                    or (cat == "STED" and form[:-1] in lists.places() and form not in lists.places()):
                norm, suffix = base, "s"
        return cat, norm, suffix

    def pseudonym(self, det: Detection) -> tuple[str, str]:
        """``(pseudonym, replacement text)``; unnumbered categories give ``("ID", "[ID]")``."""
        cat, norm, suffix = self.split(det)
        if cat not in NUMBERED:
            return cat, f"[{cat}]"
        canon = self.aliases.get(norm, norm) if cat == "PERSON" else norm
        entry = self.entries.get((cat, norm)) or self.entries.get((cat, canon))
        original = det.text.strip()
        original = original[: len(original) - len(suffix)] if suffix else original
        if entry is None:
            alias = self._alias(cat, canon)
            entry = Entry(cat, canon, alias.pseudonym, original) if alias else self._new(cat, canon, original)
            self.entries[(cat, canon)] = entry
        if (cat, norm) not in self.entries:  # a variant (typo, lone part): same pseudonym, own key row
            self.entries[(cat, norm)] = Entry(cat, norm, entry.pseudonym, original)
        return entry.pseudonym, self.render(entry.pseudonym, norm) + suffix

    def _alias(self, cat: str, norm: str) -> Entry | None:
        """A lone first name or surname that belongs to exactly one known full name."""
        if cat != "PERSON" or " " in norm:
            return None
        hits = {e.pseudonym: e for e in self.entries.values()
                if e.category == cat and " " in e.norm and norm in (e.norm.split()[0], e.norm.split()[-1])}
        return next(iter(hits.values())) if len(hits) == 1 else None

    def _new(self, cat: str, norm: str, original: str) -> Entry:
        n = self.counters.get(cat, 0) + 1
        self.counters[cat] = n
        return Entry(cat, norm, f"{cat} {n}", original)

    def render(self, pseudonym: str, norm: str) -> str:
        if not self.surrogates:
            return f"[{pseudonym}]"
        return surrogate(pseudonym, norm, self.seed)


def surrogate(pseudonym: str, norm: str, seed: str) -> str:
    """A realistic Norwegian stand-in chosen by the pseudonym (not the original) and a project seed."""
    from faker import Faker

    cat = pseudonym.rsplit(" ", 1)[0]
    fake = Faker("no_NO")
    fake.seed_instance(f"{seed}:{pseudonym}")
    if cat == "PERSON":
        first, last = fake.first_name(), fake.last_name()
        return f"{first} {last}" if " " in norm else first
    if cat == "STED":
        rng = random.Random(f"{seed}:{pseudonym}")
        return rng.choice(sorted(lists.municipalities()))
    if cat == "ORG":
        return fake.company()
    return f"[{pseudonym}]"


def assign_all(pmap: PseudonymMap, detections: Iterable[Detection]) -> None:
    """Assign in a stable order: base forms before possible genitives, longer names first
    (so a lone first name can link to its full name)."""
    dets = sorted(detections, key=lambda d: (d.text.strip().endswith("s"), -len(d.text.split()), d.start))
    for det in dets:
        pmap.pseudonym(det)
