"""Manual coding, coding history, spreadsheets, memos and inter-coder agreement."""
from .history import change_coding, coding_history, find_codings, get_coding, remove_coding
from .manual import CodingRecord, add_coding, list_codings
from .resolve import add_coder, ensure_coder, list_coders, resolve_code, resolve_coder, resolve_segment

__all__ = [
    "add_coder", "add_coding", "change_coding", "coding_history", "CodingRecord", "ensure_coder",
    "find_codings", "get_coding", "list_coders", "list_codings", "remove_coding", "resolve_code",
    "resolve_coder", "resolve_segment",
]
