"""The coding stage on PostgreSQL (skipped, saying why, when no server is reachable)."""
from __future__ import annotations

import os

import pytest

from qualcode.coding import add_coding, agreement, change_coding, disagreements, list_codings, reconcile
from qualcode.coding.spreadsheets import export_codings, import_codings
from qualcode.project import Project



@pytest.mark.postgres
def test_coding_stage_on_postgres(postgres_url, tmp_path, make_corpus):
    project = Project.init(tmp_path / "pg", passphrase=os.environ["QUALCODE_VAULT_PASSPHRASE"], database_url=postgres_url)
    try:
        with project.store.session() as s:
            corpus = make_corpus(s)
        seg = corpus.segments
        with project.store.session() as s:
            first = add_coding(s, seg[0].id, "informasjon", "kari")
            add_coding(s, seg[0].id, "informasjon", "ola")
            add_coding(s, seg[1].id, "parorende", "kari", start=seg[1].start + 2, end=seg[1].start + 9)
            add_coding(s, seg[2].id, "evaluering", "ola")
        with project.store.session() as s:
            change_coding(s, first.id, by="ola", comment="sjekket")
        rep = agreement(project, ["kari", "ola"])
        assert rep.complete_units == 6 and {c.code for c in rep.codes} == {"informasjon", "parorende", "evaluering"}
        assert agreement(project, ["kari", "ola"], level="character").units == sum(len(x.text) for x in seg[:6])
        sheet = tmp_path / "s.csv"
        with project.store.session() as s:
            export_codings(s, sheet, layout="codes")
            assert import_codings(s, sheet).added == 0
            assert len(disagreements(s, ["kari", "ola"])) == 2
            assert reconcile(s, ["kari", "ola"]).added == 1
        with project.store.session() as s:
            assert len(list_codings(s, include_history=True)) == 6
    finally:
        project.close()
