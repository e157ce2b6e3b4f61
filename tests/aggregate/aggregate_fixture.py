"""A small hand-made coded project, built with the ORM, with known counts.

Cases: A (poliklinikk, PHV), B (døgn, PHV), C (døgn, TSB; one 2019 interview, nothing coded,
no 2020 interview), D (poliklinikk, PHBU; its 2020 source calls it "Døgnenhet PHBU").
Codebook ``test``: brukermedvirkning/{informasjon, behandlingsplan}, koordinator.
Coders: anna (person), auto:test@1 (auto), consensus.
All Norwegian text below was written for these tests.
"""
from __future__ import annotations

from dataclasses import dataclass

from qualcode.store.models import Case, Code, Coder, Coding, Segment, Source

CASES = [
    ("A", "Poliklinikk i PHV", "poliklinikk", "PHV"),
    ("B", "Døgnenhet i PHV", "døgn", "PHV"),
    ("C", "Døgnenhet i TSB", "døgn", "TSB"),
    ("D", "Poliklinikk i PHBU", "poliklinikk", "PHBU"),
]
# label, case, year, group, unit_label (as stated), setting (as stated)
SOURCES = [
    ("A-2019-behandlere-1", "A", 2019, "behandlere", "Poliklinikk i PHV", "poliklinikk"),
    ("A-2019-ledere-1", "A", 2019, "ledere", "Poliklinikk i PHV", "poliklinikk"),
    ("A-2020-behandlere-1", "A", 2020, "behandlere", "Poliklinikk i PHV", "poliklinikk"),
    ("B-2019-behandlere-1", "B", 2019, "behandlere", "Døgnenhet i PHV", "døgn"),
    ("B-2020-behandlere-1", "B", 2020, "behandlere", "Døgnenhet i PHV", "døgn"),
    ("B-2020-forløpskoordinatorer-1", "B", 2020, "forløpskoordinatorer", "Døgnenhet i PHV", "døgn"),
    ("C-2019-ledere-1", "C", 2019, "ledere", "Døgnenhet i TSB", "døgn"),
    ("D-2019-behandlere-1", "D", 2019, "behandlere", "Poliklinikk i PHBU", "poliklinikk"),
    ("D-2020-behandlere-1", "D", 2020, "behandlere", "Døgnenhet PHBU", "døgn"),
    ("BSB-2020-brukere-1", None, 2020, "brukere", None, None),
]
# name: (source, speaker, utterance, [(code, coder, score, status)])
SEGMENTS = {
    "s1": ("A-2019-behandlere-1", "Informant 1",
           "Vi har ingen fast rutine for å informere om pakkeforløp, det er opp til hver behandler.",
           [("informasjon", "anna", None, "active"), ("informasjon", "auto:test@1", 0.9, "active")]),
    "s2": ("A-2019-behandlere-1", "Informant 2",
           "Jeg forteller pasienten hva som skal skje de neste timene, uavhengig av pakkeforløpet.",
           [("informasjon", "anna", None, "active")]),
    "s3": ("A-2019-behandlere-1", "Intervjuer",
           "Hvordan lager dere behandlingsplanen sammen med pasienten?", []),
    "s4": ("A-2019-behandlere-1", "Informant 1",
           "Behandlingsplanen skrives ofte etter tredje time, og pasienten får lese den.",
           [("behandlingsplan", "anna", None, "active")]),
    "s5": ("A-2019-behandlere-1", "Informant 2",
           "Pasientene får mye informasjon i brev, og mange leser ikke alt sammen.",
           [("informasjon", "auto:test@1", 0.4, "active")]),
    "s20": ("A-2019-behandlere-1", "Informant 1",
            "Det er ingen fast rutine for å informere om pakkeforløp, det er opp til behandler.",
            [("informasjon", "anna", None, "active")]),
    "s6": ("A-2019-ledere-1", "Informant 1",
           "Som leder mener jeg at for mye informasjon om pakkeforløp kan drukne pasientene i brev.",
           [("informasjon", "anna", None, "superseded"), ("informasjon", "anna", None, "active")]),
    "s7": ("A-2019-ledere-1", "Informant 1",
           "Forløpskoordinatoren følger opp fristene og passer på at ingen faller mellom stolene.",
           [("koordinator", "anna", None, "active")]),
    "s8": ("A-2020-behandlere-1", "Informant 1",
           "Vi informerer fortsatt ikke systematisk om pakkeforløp, pasientene spør sjelden om det.",
           [("informasjon", "anna", None, "active")]),
    "s9": ("A-2020-behandlere-1", "Informant 1",
           "Inntrykket mitt er at pasientene ikke bryr seg om hva forløpet heter.",
           [("informasjon", "anna", None, "active")]),
    "s10": ("A-2020-behandlere-1", "Informant 1",
            "Behandlingsplanen har blitt et fast punkt i evalueringssamtalen.",
            [("behandlingsplan", "consensus", None, "active"), ("koordinator", "anna", None, "removed")]),
    "s11": ("B-2019-behandlere-1", "Informant 1",
            "Det ligger noen brosjyrer på venterommet, ellers informerer vi lite om pakkeforløp.",
            [("informasjon", "anna", None, "active")]),
    "s12": ("B-2019-behandlere-1", "Informant 2",
            "Ordet pakke kan oppleves negativt for pasienter i psykisk helsevern.",
            [("informasjon", "anna", None, "active")]),
    "s13": ("B-2019-behandlere-1", "Informant 1",
            "Vi snakker om rettigheter og behandlingsopplegg uansett.",
            [("informasjon", "auto:test@1", 0.8, "active")]),
    "s14": ("B-2020-behandlere-1", "Informant 1",
            "Vi har fortsatt lite fokus på å informere om pakkeforløp.",
            [("informasjon", "anna", None, "active")]),
    "s15": ("B-2020-forløpskoordinatorer-1", "Informant 1",
            "Jeg ringer pasienten før første time og forklarer forløpet.",
            [("koordinator", "anna", None, "active"), ("informasjon", "anna", None, "active")]),
    "s16": ("D-2019-behandlere-1", "Informant 1",
            "Vi sender ikke ut informasjon som bruker ordet pakkeforløp, det er et bevisst valg.",
            [("informasjon", "anna", None, "active")]),
    "s17": ("D-2020-behandlere-1", "Informant 1",
            "Vi har sluttet å nevne forløpskoordinator i det første brevet.",
            [("koordinator", "anna", None, "active")]),
    "s18": ("C-2019-ledere-1", "Informant 1", "Vi har ikke kommet i gang med dette ennå.", []),
    "s19": ("BSB-2020-brukere-1", "Bruker", "Jeg fikk aldri vite at jeg var i et pakkeforløp.",
            [("informasjon", "anna", None, "active")]),
}
CODES = [("brukermedvirkning", None, "Brukermedvirkning"), ("informasjon", "brukermedvirkning", "Informasjon om pakkeforløp"),
         ("behandlingsplan", "brukermedvirkning", "Behandlingsplan"), ("koordinator", None, "Forløpskoordinator")]
CODERS = [("anna", "person"), ("auto:test@1", "auto"), ("consensus", "consensus")]


def words(name: str) -> int:
    return len(SEGMENTS[name][2].split())


@dataclass
class Built:
    project: object
    segment_ids: dict[str, int]


def build(project, *, order: list[str] | None = None) -> Built:
    """Insert everything (segments in ``order``, to test insertion-order independence)."""
    with project.store.session() as s:
        cases = {}
        for letter, label, setting, area in CASES:
            cases[letter] = Case(letter=letter, unit_label=label, setting=setting, service_area=area)
            s.add(cases[letter])
        sources = {}
        for label, letter, year, group, unit, setting in SOURCES:
            case = cases.get(letter) if letter else None
            sources[label] = Source(label=label, case=case, year=year, informant_group=group, unit_label=unit,
                                    setting=setting, service_area=case.service_area if case else None,
                                    format="txt", status="anonymised")
            s.add(sources[label])
        codes = {}
        for key, parent, label in CODES:
            codes[key] = Code(codebook="test", key=key, label=label, parent=codes.get(parent),
                              path=f"{parent}/{key}" if parent else key)
            s.add(codes[key])
        coders = {name: Coder(name=name, kind=kind) for name, kind in CODERS}
        s.add_all(coders.values())
        s.flush()
        texts: dict[str, list[str]] = {}
        seg_ids = {}
        names = order or list(SEGMENTS)
        for name in names:
            src, speaker, utterance, codings = SEGMENTS[name]
            texts.setdefault(src, [])
            ordinal = int(name[1:])
            text = f"{speaker}: {utterance}"
            seg = Segment(source=sources[src], ordinal=ordinal, turn_index=ordinal, speaker=speaker, start=0,
                          end=len(text), text=text, word_count=len(utterance.split()))
            s.add(seg)
            s.flush()
            seg_ids[name] = seg.id
            for key, coder, score, status in codings:
                s.add(Coding(segment=seg, code=codes[key], coder=coders[coder], score=score, status=status,
                             method="auto" if coder.startswith("auto") else "manual"))
        for src in sources.values():
            src.word_count = sum(words(n) for n in SEGMENTS if SEGMENTS[n][0] == src.label)
    return Built(project, seg_ids)


