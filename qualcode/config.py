"""Project settings (``qualcode.yaml``), validated with pydantic.

Each stage owns one free-form section (``importers``, ``segmentation``, ``anonymise``,
``coding``, ``aggregate``) and validates it with its own model, so stages stay decoupled.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ConfigError

CONFIG_NAME = "qualcode.yaml"


class ProjectConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "qualcode-project"
    database_url: str | None = None  # default: sqlite file analysis.sqlite in the project folder
    analysis_db: str = "analysis.sqlite"
    private_dir: str = "private"  # identifying material: vault, review sheets
    vault: str = "private/vault.sqlite"
    cases: str = "cases.yaml"
    model: str | None = None  # spaCy pipeline name or path; None = the shipped qualcode model
    codebook: str = "pakkeforlop"  # builtin name or a path to a YAML codebook
    importers: dict[str, Any] = {}
    segmentation: dict[str, Any] = {}
    anonymise: dict[str, Any] = {}
    coding: dict[str, Any] = {}
    aggregate: dict[str, Any] = {}

    @classmethod
    def load(cls, path: Path) -> "ProjectConfig":
        path = Path(path)
        if not path.exists():
            raise ConfigError(f"no {CONFIG_NAME} in {path.parent} (run `qualcode init` first)")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({exc.__class__.__name__})") from exc
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{path}: {_first_error(exc)}") from exc

    def save(self, path: Path) -> None:
        Path(path).write_text(
            "# qualcode project settings\n" + yaml.safe_dump(self.model_dump(), allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}"
