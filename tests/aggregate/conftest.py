"""Fixture: the hand-made coded project of ``aggregate_fixture``."""
from __future__ import annotations

import pytest
from aggregate_fixture import build


@pytest.fixture
def coded(project):
    """The hand-made project; ``coded.project`` is a :class:`qualcode.project.Project`."""
    return build(project)
