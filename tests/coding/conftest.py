"""A small coded corpus built directly with the ORM (no importer, no anonymiser needed)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from qualcode.store import Case, Code, Coder, Segment, Source

# Invented Norwegian turns (written for these tests).
TURNS = [
    ("I1", "Vi fikk informasjon om forløpet i første samtale."),
    ("P1", "Jeg savnet at pårørende ble tatt med tidligere."),
    ("I1", "Hvordan ble evalueringen av behandlingen gjort?"),
    ("P1", "Vi brukte et skjema sammen med pasienten hver tredje uke."),
    ("I1", "Var det ventetid før utredningen startet?"),
    ("P1", "Ja, og det var lite samarbeid med kommunen i starten."),
]

CODES = [  # key, path, label
    ("brukermedvirkning", "brukermedvirkning", "Brukermedvirkning"),
    ("informasjon", "brukermedvirkning/informasjon", "Informasjon"),
    ("parorende", "brukermedvirkning/parorende", "Pårørende"),
    ("evaluering", "evaluering", "Evaluering"),
    ("ventetid", "ventetid", "Ventetid"),
    ("samhandling", "samhandling", "Samhandling"),
]


@dataclass
class Corpus:
    sources: list[Source] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    codes: dict[str, Code] = field(default_factory=dict)
    coders: dict[str, Coder] = field(default_factory=dict)


def make_source(session, label: str, *, case: Case | None = None, year: int = 2019,
                group: str = "behandlere", turns=TURNS) -> tuple[Source, list[Segment]]:
    """A source whose canonical text is ``speaker: utterance`` turns joined by blank lines."""
    parts, segs, pos = [], [], 0
    for i, (speaker, utt) in enumerate(turns):
        chunk = f"{speaker}: {utt}"
        segs.append(Segment(ordinal=i, turn_index=i, speaker=speaker, start=pos, end=pos + len(chunk),
                            text=chunk, word_count=len(chunk.split())))
        parts.append(chunk)
        pos += len(chunk) + 2
    src = Source(label=label, case=case, year=year, informant_group=group, format="txt",
                 status="anonymised", text="\n\n".join(parts), segments=segs)
    session.add(src)
    session.flush()
    return src, segs


def build_corpus(session, *, coders=("kari", "ola"), n_sources: int = 2) -> Corpus:
    corpus = Corpus()
    cases = [Case(letter="A", unit_label="Enhet A"), Case(letter="B", unit_label="Enhet B")]
    session.add_all(cases)
    parent = None
    for key, path, label in CODES:
        code = Code(codebook="test", codebook_version="1.0", key=key, path=path, label=label,
                    parent=corpus.codes.get(path.split("/")[0]) if "/" in path else parent)
        session.add(code)
        corpus.codes[key] = code
    for name in coders:
        corpus.coders[name] = Coder(name=name, kind="person")
        session.add(corpus.coders[name])
    for i in range(n_sources):
        src, segs = make_source(session, f"{'AB'[i % 2]}-{2019 + i // 2}-behandlere-{i + 1}",
                                case=cases[i % 2], year=2019 + i // 2)
        corpus.sources.append(src)
        corpus.segments.extend(segs)
    session.flush()
    return corpus


@pytest.fixture
def corpus(project) -> Corpus:
    with project.store.session() as s:
        c = build_corpus(s)
    return c


@pytest.fixture(name="make_source")
def make_source_fixture():
    """The :func:`make_source` factory (test modules are not a package, so no imports)."""
    return make_source


@pytest.fixture
def make_corpus():
    """The :func:`build_corpus` factory, for tests that make their own project."""
    return build_corpus
