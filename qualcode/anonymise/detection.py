"""Detections: what a recogniser found, where, and which pseudonym category it gets."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Iterable

# Entity label -> pseudonym category. Numbered categories get consistent pseudonyms
# ("[PERSON 3]"); the others are replaced by a fixed tag ("[ID]").
CATEGORY = {
    "PER": "PERSON",
    "LOC": "STED",
    "GPE_LOC": "STED",
    "GPE_ORG": "STED",
    "GPE": "STED",
    "ORG": "ORG",
    "PROD": "PRODUKT",
    "EVT": "HENDELSE",
    "DRV": "AVLEDET",
    "FNR": "ID",
    "DNR": "ID",
    "PHONE": "TELEFON",
    "EMAIL": "E-POST",
    "URL": "NETTADRESSE",
    "ADDRESS": "ADRESSE",
    "DOB": "FØDSELSDATO",
}
NUMBERED = frozenset({"PERSON", "STED", "ORG", "PRODUKT", "HENDELSE", "AVLEDET"})
PROPAGATED = frozenset({"PERSON", "STED", "ORG"})

# When two detections overlap, the one with the higher priority wins (then the longer one).
_PRIORITY = {"denylist": 4, "identifiers": 3, "ner": 2, "speakers": 2, "gazetteers": 1, "propagation": 1, "review": 5}


def category(label: str) -> str:
    return CATEGORY.get(label, label.upper())


@dataclass(frozen=True)
class Detection:
    """A span ``[start, end)`` of the raw text to be masked. ``text`` is identifying."""

    start: int
    end: int
    text: str
    label: str  # PER, LOC, GPE_LOC, ORG, FNR, PHONE, ...
    source: str  # recogniser: ner | identifiers | gazetteers | denylist | propagation | review
    score: float = 1.0

    @property
    def category(self) -> str:
        return category(self.label)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Detection":
        return cls(**{k: data[k] for k in ("start", "end", "text", "label", "source", "score")})

    def moved(self, **changes: Any) -> "Detection":
        return replace(self, **changes)


def resolve_overlaps(detections: Iterable[Detection]) -> list[Detection]:
    """Non-overlapping detections sorted by start.

    Overlapping detections form a cluster that is masked as one span (the union, so no part
    of any detection stays visible), labelled by its best member: higher-priority recogniser
    first (review > deny-list > identifiers > NER > gazetteers/propagation), then the longer span.
    ``text`` of a widened span is set to None; :func:`with_text` refreshes it.
    """
    ordered = sorted(detections, key=lambda d: (d.start, -d.end))
    clusters: list[list[Detection]] = []
    end = -1
    for det in ordered:
        if det.end <= det.start:
            continue
        if clusters and det.start < end:
            clusters[-1].append(det)
            end = max(end, det.end)
        else:
            clusters.append([det])
            end = det.end
    out = []
    for members in clusters:
        best = min(members, key=lambda d: (-_PRIORITY.get(d.source, 0), -(d.end - d.start), d.start))
        start, stop = min(d.start for d in members), max(d.end for d in members)
        listed = [d for d in members if d.source == "gazetteers" and (d.start, d.end) == (start, stop)]
        if listed and best.source in ("ner", "propagation") and listed[0].label != best.label:
            best = best.moved(label=listed[0].label)  # a listed hospital or town keeps its kind
        out.append(best if (start, stop) == (best.start, best.end) else best.moved(start=start, end=stop, text=None))
    return out


def split_lines(detections: Iterable[Detection], text: str) -> list[Detection]:
    """A detection never spans a line break (turn boundaries): split it into its lines."""
    out = []
    for d in detections:
        chunk = text[d.start:d.end]
        if "\n" not in chunk:
            out.append(d)
            continue
        pos = d.start
        for line in chunk.split("\n"):
            s, e = pos, pos + len(line)
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                out.append(d.moved(start=s, end=e, text=text[s:e]))
            pos += len(line) + 1
    return out


def with_text(detections: Iterable[Detection], text: str) -> list[Detection]:
    """Refresh ``text`` from the offsets (after merging)."""
    return [d if d.text is not None and text[d.start:d.end] == d.text else d.moved(text=text[d.start:d.end])
            for d in detections]
