"""The analysis store: anonymised text, segments, codes, codings, memos (SQLAlchemy 2 + Alembic)."""
from .db import Store, make_engine, sqlite_url
from .models import Base, Case, Code, Coder, Coding, Memo, ProjectMeta, Segment, Source

__all__ = [
    "Store", "make_engine", "sqlite_url",
    "Base", "Case", "Code", "Coder", "Coding", "Memo", "ProjectMeta", "Segment", "Source",
]
