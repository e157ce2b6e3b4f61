"""Shared fixtures: a fresh project in a temporary folder, and a PostgreSQL URL when one is reachable."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from qualcode.project import Project

TEST_PASSPHRASE = "correct horse battery staple"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's environment."""
    monkeypatch.delenv("QUALCODE_DATABASE_URL", raising=False)
    monkeypatch.delenv("QUALCODE_PROJECT", raising=False)
    monkeypatch.setenv("QUALCODE_VAULT_PASSPHRASE", TEST_PASSPHRASE)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A new, empty project (SQLite analysis store, vault unlocked with TEST_PASSPHRASE)."""
    p = Project.init(tmp_path / "project", passphrase=TEST_PASSPHRASE)
    yield p
    p.close()


@pytest.fixture
def postgres_url() -> str:
    """A fresh PostgreSQL database for one test; skips (saying why) when no server is reachable."""
    base = os.environ.get("QUALCODE_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("PostgreSQL tests skipped: QUALCODE_TEST_POSTGRES_URL is not set (.ci/run sets it)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        name = f"qc_test_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # server down
        pytest.skip(f"PostgreSQL tests skipped: no server reachable at QUALCODE_TEST_POSTGRES_URL ({exc.__class__.__name__})")
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
