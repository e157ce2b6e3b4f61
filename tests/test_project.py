"""Project folders: init, open, config errors, store selection."""
from __future__ import annotations

import pytest

from qualcode.config import ProjectConfig
from qualcode.errors import ConfigError, VaultPassphraseError
from qualcode.project import Project


def test_init_creates_layout(tmp_path):
    p = Project.init(tmp_path / "p", passphrase="pw")
    assert (tmp_path / "p" / "qualcode.yaml").exists()
    assert (tmp_path / "p" / "cases.yaml").exists()
    assert p.vault_path.exists() and p.vault_path.parent.name == "private"
    assert (p.private_dir / "README.txt").read_text(encoding="utf-8").startswith("This folder holds IDENTIFYING")
    assert p.database_url.endswith("analysis.sqlite")
    uid = p.uid
    p.close()
    again = Project.open(tmp_path / "p", passphrase="pw")
    assert again.uid == uid
    again.close()


def test_init_twice_is_refused(tmp_path):
    Project.init(tmp_path / "p", passphrase="pw").close()
    with pytest.raises(ConfigError, match="already a qualcode project"):
        Project.init(tmp_path / "p", passphrase="pw")


def test_open_without_project(tmp_path):
    with pytest.raises(ConfigError, match="run `qualcode init` first"):
        Project.open(tmp_path)


def test_invalid_config_names_field(tmp_path):
    Project.init(tmp_path / "p", passphrase="pw").close()
    (tmp_path / "p" / "qualcode.yaml").write_text("name: x\nbogus_key: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bogus_key"):
        ProjectConfig.load(tmp_path / "p" / "qualcode.yaml")


def test_wrong_passphrase_on_open(tmp_path, monkeypatch):
    Project.init(tmp_path / "p", passphrase="pw").close()
    monkeypatch.delenv("QUALCODE_VAULT_PASSPHRASE")
    p = Project.open(tmp_path / "p", passphrase="not-it")
    with pytest.raises(VaultPassphraseError):
        p.vault


def test_missing_passphrase_without_terminal(tmp_path, monkeypatch):
    Project.init(tmp_path / "p", passphrase="pw").close()
    monkeypatch.delenv("QUALCODE_VAULT_PASSPHRASE")
    p = Project.open(tmp_path / "p")
    with pytest.raises(VaultPassphraseError, match="QUALCODE_VAULT_PASSPHRASE"):
        p.vault


@pytest.mark.postgres
def test_project_on_postgres(tmp_path, postgres_url):
    p = Project.init(tmp_path / "p", passphrase="pw", database_url=postgres_url)
    assert p.store.engine.dialect.name == "postgresql"
    assert p.uid
    p.close()
