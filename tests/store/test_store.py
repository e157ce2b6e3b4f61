"""The analysis store: migrations from empty, transactions, and the same on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qualcode.errors import StoreError
from qualcode.store import Case, Code, Coder, Coding, Segment, Source, Store
from qualcode.store.db import _redact

EXPECTED_TABLES = {"alembic_version", "cases", "coders", "codes", "codings", "memos", "project_meta",
                   "segments", "sources"}


def _exercise(store: Store) -> None:
    """Write a small coded source and read it back; then check a failing transaction leaves nothing."""
    with store.session() as s:
        case = Case(letter="A", unit_label="Poliklinikk i PHV", setting="poliklinikk", service_area="PHV")
        src = Source(label="A-2019-behandlere-1", case=case, year=2019, informant_group="behandlere",
                     format="txt", status="anonymised", text="I: Hei.\n\nB1: Æ e her, på Ørland.")
        seg = Segment(source=src, ordinal=0, turn_index=1, speaker="B1", start=13, end=33,
                      text="Æ e her, på Ørland.", word_count=5)
        code = Code(key="informasjon", path="brukermedvirkning/informasjon", label="Informasjon")
        coder = Coder(name="ida")
        s.add_all([case, src, seg, code, coder])
        s.flush()
        s.add(Coding(segment=seg, code=code, coder=coder, method="manual"))
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Coding)) == 1
        assert s.scalar(select(Segment.text)) == "Æ e her, på Ørland."
    with pytest.raises(RuntimeError):
        with store.session() as s:
            s.add(Coder(name="rolled-back"))
            s.flush()
            raise RuntimeError("boom")
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Coder).where(Coder.name == "rolled-back")) == 0


def test_migrations_create_schema_from_empty(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'a.sqlite'}")
    assert EXPECTED_TABLES <= set(store.table_names())
    assert store.current_revision() == "0001"
    store.upgrade()  # idempotent
    assert store.current_revision() == "0001"
    _exercise(store)
    store.dispose()


def test_downgrade_to_base_and_back(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'b.sqlite'}")
    store.downgrade("base")
    assert set(store.table_names()) <= {"alembic_version"}
    store.upgrade("head")
    assert EXPECTED_TABLES <= set(store.table_names())
    store.dispose()


def test_bad_url_is_a_clear_error():
    with pytest.raises(StoreError, match="cannot open analysis store"):
        Store.open("nosuchdialect://x")


def test_password_is_redacted_in_messages():
    assert "secret" not in _redact("postgresql+psycopg://u:secret@localhost/db")


@pytest.mark.postgres
def test_postgres_migrations_and_transactions(postgres_url):
    store = Store.open(postgres_url)
    assert EXPECTED_TABLES <= set(store.table_names())
    _exercise(store)
    store.dispose()
