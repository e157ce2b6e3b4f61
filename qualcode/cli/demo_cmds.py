"""CLI commands of this stage (placeholder until the stage lands)."""
from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Add this stage's commands to the root group."""
