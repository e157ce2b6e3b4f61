"""Property: after anonymisation no deny-listed name survives, in any case or with genitive -s,
anywhere in the analysis store, in files outside private/ (exports) or in log output."""
from __future__ import annotations

import itertools
import logging
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from qualcode.anonymise import anonymise_project
from qualcode.store.models import Segment, Source

from .conftest import add_source

LETTERS = "abcdefghijklmnopqrstuvwxyzæøå"
TEMPLATE_WORDS = {w.lower() for w in re.findall(r"\w+", """
Intervjuer Hvordan var samarbeidet med i pakkeforløpet jeg og hadde mange samtaler om forløpet
sin plan var god Takk for at du kom person sted org telefon id e post nettadresse adresse fødselsdato
""")}
counter = itertools.count()

name = st.text(alphabet=LETTERS, min_size=3, max_size=9).filter(lambda n: n not in TEMPLATE_WORDS)
casing = st.sampled_from([str.lower, str.upper, str.capitalize, str.title])
genitive = st.sampled_from(["", "s", "'s"])



def _shared_files(project) -> dict[str, str]:
    return {str(p): p.read_text(encoding="utf-8", errors="ignore") for p in project.root.rglob("*")
            if p.is_file() and project.private_dir not in p.parents and p.suffix != ".sqlite"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True, database=None)  # the project fixture grows between examples: no stale replays
@given(first=name, last=name, cases=st.lists(casing, min_size=4, max_size=4),
       gens=st.lists(genitive, min_size=4, max_size=4))
def test_no_deny_listed_name_survives(project, nlp, caplog, first, last, cases, gens) -> None:
    assume(first != last)
    pattern = re.compile(rf"(?<!\w)(?:{re.escape(first)}|{re.escape(last)})(?:'?s)?(?!\w)", re.IGNORECASE)
    assume(not any(pattern.search(text) for text in _shared_files(project).values()))  # e.g. "qualcode"
    full = f"{first.capitalize()} {last.capitalize()}"
    project.config.anonymise = {"deny_list": [full], "recognisers": {"ner": False}}
    v = [c(n) + g for n, c, g in zip([first, last, first, last], cases, gens)]
    label = f"A-2019-behandlere-{next(counter)}"
    add_source(project, label, [
        ("Intervjuer", f"Hvordan var samarbeidet med {v[0]} {v[1]} i pakkeforløpet?"),
        (cases[0](first), f"Jeg og {v[2]} hadde mange samtaler. {v[3]} sin plan var god."),
        ("Intervjuer", f"Takk for at du kom, {cases[2](full)}."),
    ])
    caplog.set_level(logging.DEBUG)
    anonymise_project(project, nlp=nlp)

    with project.store.session() as s:
        src = s.scalar(select(Source).where(Source.label == label))
        assert src.status == "anonymised"
        stored = [src.text, src.label] + [seg.text for seg in s.scalars(select(Segment))] \
            + [seg.speaker or "" for seg in s.scalars(select(Segment))]
    for value in stored:
        assert not pattern.search(value), "a deny-listed name survived in the analysis store"
    for text in _shared_files(project).values():  # config, exports: everything outside private/
        assert not pattern.search(text)
    assert not pattern.search(caplog.text)
