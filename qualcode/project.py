"""A qualcode project folder: config, analysis store, vault and case registry.

Layout::

    project/
      qualcode.yaml        settings
      cases.yaml           case registry (units A–H)
      analysis.sqlite      analysis store (anonymised only), unless database_url is set
      private/             identifying material — never share this folder
        vault.sqlite       raw transcripts, pseudonym key, audit log (encrypted)
        review/            anonymisation review sheets
      exports/             outputs meant for sharing
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import select

from .config import CONFIG_NAME, ProjectConfig
from .errors import ConfigError
from .store import ProjectMeta, Store, sqlite_url
from .store.db import DATABASE_URL_ENV
from .vault import Vault, passphrase_from_env_or_prompt

CASES_TEMPLATE = """\
# Case registry: each treatment unit once. Letters A–H as in the study.
# setting: poliklinikk | døgn; service_area: PHV | PHBU | TSB (combine with +, e.g. PHV+TSB)
cases: []
"""

PRIVATE_README = """\
This folder holds IDENTIFYING material: the vault (raw transcripts, re-identification key,
audit log; encrypted) and anonymisation review sheets (plain text, identifying).
Never share, sync or commit this folder.
"""


class Project:
    """Open with :meth:`Project.open` or create with :meth:`Project.init`."""

    def __init__(self, root: Path, config: ProjectConfig, *, passphrase: str | None = None,
                 database_url: str | None = None) -> None:
        self.root = Path(root)
        self.config = config
        self._passphrase = passphrase
        self._database_url = database_url
        self._store: Store | None = None
        self._vault: Vault | None = None

    # -- creation and opening -------------------------------------------------------------
    @classmethod
    def init(cls, root: Path, *, passphrase: str | None = None, database_url: str | None = None,
             name: str | None = None, cases_file: Path | None = None) -> "Project":
        root = Path(root)
        if (root / CONFIG_NAME).exists():
            raise ConfigError(f"{root} is already a qualcode project")
        root.mkdir(parents=True, exist_ok=True)
        config = ProjectConfig(name=name or root.resolve().name, database_url=database_url)
        project = cls(root, config, passphrase=passphrase, database_url=database_url)
        project.private_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(project.private_dir, 0o700)
        (project.private_dir / "README.txt").write_text(PRIVATE_README, encoding="utf-8")
        (project.private_dir / "review").mkdir(exist_ok=True)
        (root / "exports").mkdir(exist_ok=True)
        if cases_file is not None:
            project.cases_path.write_text(Path(cases_file).read_text(encoding="utf-8"), encoding="utf-8")
        else:
            project.cases_path.write_text(CASES_TEMPLATE, encoding="utf-8")
        Vault.create(project.vault_path, passphrase or passphrase_from_env_or_prompt(confirm=True))
        config.save(root / CONFIG_NAME)
        with project.store.session() as s:
            s.add(ProjectMeta(key="project_uid", value=str(uuid.uuid4())))
        return project

    @classmethod
    def open(cls, root: Path = Path("."), *, passphrase: str | None = None,
             database_url: str | None = None) -> "Project":
        root = Path(root)
        config = ProjectConfig.load(root / CONFIG_NAME)
        return cls(root, config, passphrase=passphrase, database_url=database_url)

    # -- paths ----------------------------------------------------------------------------
    @property
    def private_dir(self) -> Path:
        return self.root / self.config.private_dir

    @property
    def vault_path(self) -> Path:
        return self.root / self.config.vault

    @property
    def cases_path(self) -> Path:
        return self.root / self.config.cases

    @property
    def exports_dir(self) -> Path:
        path = self.root / "exports"
        path.mkdir(exist_ok=True)
        return path

    @property
    def database_url(self) -> str:
        return (self._database_url or os.environ.get(DATABASE_URL_ENV) or self.config.database_url
                or sqlite_url(self.root / self.config.analysis_db))

    # -- stores ---------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        """The analysis store, migrated to the current schema on first use."""
        if self._store is None:
            self._store = Store.open(self.database_url)
        return self._store

    @property
    def vault(self) -> Vault:
        """The vault, unlocked on first use (passphrase from argument, env or prompt)."""
        if self._vault is None:
            self._vault = Vault.open(self.vault_path, self._passphrase or passphrase_from_env_or_prompt())
        return self._vault

    @property
    def uid(self) -> str:
        with self.store.session() as s:
            value = s.scalar(select(ProjectMeta.value).where(ProjectMeta.key == "project_uid"))
            if value is None:
                value = str(uuid.uuid4())
                s.add(ProjectMeta(key="project_uid", value=value))
            return value

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None
        if self._vault is not None:
            self._vault.dispose()
            self._vault = None

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
