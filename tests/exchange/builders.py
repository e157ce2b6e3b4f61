"""Synthetic qualcode projects for the exchange tests and the export benchmark (ORM only).

The Norwegian sentences are made up for these tests; they contain æøå and an emoji so that
positions are checked in code points.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from qualcode.importers.base import Transcript
from qualcode.segment import segment_turns
from qualcode.store.models import Case, Code, Coder, Coding, Memo, Segment, Source

SENTENCES = [
    "Vi fikk vite om pakkeforløpet ganske tidlig i kartleggingen.",
    "Det var litt uklart hvem som var forløpskoordinator for oss.",
    "Samarbeidet med fastlegen gikk bedre enn før, synes jeg.",
    "Ventetiden på første samtale var lang, nesten åtte uker.",
    "Brukeren ble tatt med på råd om målene for behandlingen.",
    "Pårørende savnet informasjon om hva som skulle skje videre.",
    "Evalueringssamtalene ga oss en fin anledning til å justere kursen 🙂.",
    "Journalsystemet gjør det tungvint å registrere forløpskodene.",
    "Noen ganger følte vi at skjemaene kom foran møtet med pasienten.",
    "Kommunen og spesialisthelsetjenesten snakket bedre sammen etter hvert.",
]
CODES = [  # key, parent, label, label_en, colour
    ("brukermedvirkning", None, "Brukermedvirkning", "User involvement", "#1f77b4"),
    ("informasjon", "brukermedvirkning", "Informasjon", "Information", "#ff7f0e"),
    ("medbestemmelse", "brukermedvirkning", "Medbestemmelse", "Shared decisions", None),
    ("forlopskoordinator", None, "Forløpskoordinator", "Pathway coordinator", "#2ca02c"),
    ("ventetid", None, "Ventetid", "Waiting time", "#d62728"),
    ("samhandling", None, "Samhandling", "Collaboration", "#9467bd"),
    ("fastlege", "samhandling", "Fastlege", "GP", None),
    ("registrering", None, "Registrering", "Registration", "#8c564b"),
]
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def build_project(project, *, n_sources: int = 3, turns: int = 8, sentences_per_turn: int = 3,
                  n_codings: int = 40, seed: int = 7, max_words: int = 120, memos: bool = True) -> dict:
    """Fill ``project``'s store with anonymised sources, segments, codes, coders, codings,
    cases and memos. Returns counts."""
    rng = random.Random(seed)
    with project.store.session() as s:
        cases = [Case(letter="A", unit_label="DPS poliklinikk (test)", setting="poliklinikk", service_area="PHV",
                      region="Sør-Øst"),
                 Case(letter="B", unit_label="BUP døgn (test)", setting="døgn", service_area="PHBU", region="Nord")]
        s.add_all(cases)
        code_rows: dict[str, Code] = {}
        for key, parent, label, label_en, colour in CODES:
            p = code_rows.get(parent) if parent else None
            row = Code(codebook="testbok", codebook_version="1.0.0", key=key,
                       path=f"{p.path}/{key}" if p else key, parent=p, label=label, label_en=label_en,
                       colour=colour, description=f"Utsagn om {label.lower()}.\n\nBruk når: temaet {label.lower()} tas opp.")
            s.add(row)
            code_rows[key] = row
        coders = [Coder(name="koder-1"), Coder(name="koder-2"), Coder(name="auto:testbok@1.0.0", kind="auto")]
        s.add_all(coders)
        all_segments: list[Segment] = []
        sources = []
        groups = ["behandlere", "ledere", "brukere"]
        for i in range(n_sources):
            tturns = []
            for t in range(turns):
                speaker = "Intervjuer" if t % 2 == 0 else f"Deltaker {1 + (t // 2) % 3}"
                tturns.append((speaker, " ".join(rng.choice(SENTENCES) for _ in range(sentences_per_turn))))
            tr = Transcript.from_turns(tturns)
            src = Source(label=f"{'AB'[i % 2]}-{2019 + i % 2}-{groups[i % 3]}-{i + 1}", case=cases[i % 2],
                         year=2019 + i % 2, informant_group=groups[i % 3], interview_form="individuell",
                         mode="fysisk", study="fagfolk", service_area=cases[i % 2].service_area,
                         format="txt", status="anonymised", text=tr.text, word_count=tr.word_count,
                         n_speakers=len({t.speaker for t in tr.turns}), imported_at=T0 + timedelta(days=i))
            s.add(src)
            sources.append(src)
            for k, span in enumerate(segment_turns(tr.text, tr.turns, max_words=max_words)):
                seg = Segment(source=src, ordinal=k, turn_index=span.turn_index, speaker=span.speaker,
                              start=span.start, end=span.end, text=tr.text[span.start:span.end],
                              word_count=len(tr.text[span.start:span.end].split()))
                s.add(seg)
                all_segments.append(seg)
        keys = list(code_rows)
        seen = set()
        made = 0
        while made < n_codings:
            seg = rng.choice(all_segments)
            code = code_rows[rng.choice(keys)]
            coder = rng.choice(coders)
            if rng.random() < 0.6:
                start = end = None
            else:
                a = rng.randrange(seg.start, seg.end)
                b = rng.randrange(a, seg.end) + 1
                start, end = a, b
            key = (id(seg), code.key, coder.name, start, end)
            if key in seen:
                continue
            seen.add(key)
            s.add(Coding(segment=seg, code=code, coder=coder, method="auto" if coder.kind == "auto" else "manual",
                         start=start, end=end, created_at=T0 + timedelta(minutes=made),
                         comment="Usikker på denne – må drøftes 🙂" if made % 9 == 4 and coder.name.startswith("koder") else None))
            made += 1
        s.flush()
        if memos:
            s.add_all([
                Memo(target_type="project", target_id=None, author="koder-1", title="Prosjektnotat",
                     text="Felles notat om analysen, med æøå og 🙂.", created_at=T0),
                Memo(target_type="code", target_id=code_rows["ventetid"].id, author="koder-2", title="Om ventetid",
                     text="Skiller mellom ventetid før og etter første samtale.", created_at=T0),
                Memo(target_type="source", target_id=sources[0].id, kind="intervjuoppsummering", year=2019,
                     author="koder-1", title="Oppsummering", text="Kort oppsummering av intervjuet.", created_at=T0),
                Memo(target_type="segment", target_id=all_segments[1].id, author="koder-2", title=None,
                     text="Interessant formulering her.", created_at=T0),
                Memo(target_type="case", target_id=cases[0].id, kind="enhetsoppsummering", year=2020,
                     author="prosjektleder", title="Enhet A", text="Oppsummering for enhet A.", created_at=T0),
            ])
    return {"sources": n_sources, "segments": len(all_segments), "codings": n_codings}
