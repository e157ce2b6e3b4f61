"""Manual coding, coding history, spreadsheets, memos, inter-coder agreement and reconciliation.

Everything takes an open store session (``with project.store.session() as s:`` — one
transaction); :func:`agreement` also accepts a Project.
"""
from .agreement import AgreementReport, CodeAgreement, agreement
from .disagreements import Disagreement, ReconcileReport, disagreements, export_disagreements, reconcile
from .history import change_coding, coding_history, find_codings, get_coding, remove_coding
from .manual import CodingRecord, add_coding, list_codings
from .memos import MemoRecord, add_memo, export_memos, list_memos
from .resolve import add_coder, ensure_coder, list_coders, resolve_code, resolve_coder, resolve_segment
from .spreadsheets import ImportReport, export_codings, import_codings

__all__ = [
    "add_coder", "add_coding", "add_memo", "agreement", "AgreementReport", "change_coding", "CodeAgreement",
    "coding_history", "CodingRecord", "Disagreement", "disagreements", "ensure_coder", "export_codings",
    "export_disagreements", "export_memos", "find_codings", "get_coding", "import_codings", "ImportReport",
    "list_coders", "list_codings", "list_memos", "MemoRecord", "reconcile", "ReconcileReport",
    "remove_coding", "resolve_code", "resolve_coder", "resolve_segment",
]
