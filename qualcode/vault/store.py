"""The vault: a separate, encrypted SQLite database for identifying material."""
from __future__ import annotations

import getpass
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event, select
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import VaultError, VaultPassphraseError
from ..importers.base import Transcript
from .crypto import Cipher, KdfParams
from .models import AuditEvent, RawSource, VaultBase, VaultMeta

PASSPHRASE_ENV = "QUALCODE_VAULT_PASSPHRASE"


def passphrase_from_env_or_prompt(*, confirm: bool = False) -> str:
    """The vault passphrase from ``QUALCODE_VAULT_PASSPHRASE``, or asked on a terminal."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise VaultPassphraseError(f"no vault passphrase: set {PASSPHRASE_ENV} or run in a terminal")
    value = getpass.getpass("Vault passphrase: ")
    if confirm and getpass.getpass("Repeat passphrase: ") != value:
        raise VaultPassphraseError("the two passphrases differ")
    return value


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL journal with normal sync: safe against application crashes, far fewer disk syncs."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


class Vault:
    """Identifying transcripts, the pseudonym key and the audit log, encrypted at rest."""

    def __init__(self, path: Path, cipher: Cipher) -> None:
        self.path = Path(path)
        self.cipher = cipher
        self.engine = create_engine(f"sqlite:///{self.path.resolve()}", future=True)
        event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, passphrase: str, *, kdf: KdfParams | None = None) -> "Vault":
        path = Path(path)
        if path.exists():
            raise VaultError(f"a vault already exists at {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        kdf = kdf or KdfParams()
        salt = os.urandom(16)
        cipher = Cipher(passphrase, salt, kdf)
        vault = cls(path, cipher)
        VaultBase.metadata.create_all(vault.engine)
        with vault.session() as s:
            s.add_all([
                VaultMeta(key="salt", value=salt),
                VaultMeta(key="kdf", value=kdf.as_str().encode()),
                VaultMeta(key="verifier", value=cipher.make_verifier()),
                VaultMeta(key="schema", value=b"1"),
            ])
        os.chmod(path, 0o600)
        return vault

    @classmethod
    def open(cls, path: Path, passphrase: str) -> "Vault":
        path = Path(path)
        if not path.exists():
            raise VaultError(f"no vault at {path}")
        engine = create_engine(f"sqlite:///{path.resolve()}", future=True)
        try:
            with engine.connect() as conn:
                rows = dict(conn.execute(select(VaultMeta.key, VaultMeta.value)).all())
        except DatabaseError as exc:
            raise VaultError(f"{path} is not a qualcode vault (or is damaged)") from exc
        finally:
            engine.dispose()
        try:
            salt, kdf, verifier = rows["salt"], KdfParams.parse(rows["kdf"].decode()), rows["verifier"]
        except KeyError as exc:
            raise VaultError(f"{path} is missing its key parameters") from exc
        cipher = Cipher(passphrase, salt, kdf)
        cipher.check_verifier(verifier)
        vault = cls(path, cipher)
        VaultBase.metadata.create_all(vault.engine)  # tables added by newer versions
        return vault

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transactional session: commits on success, rolls back on any error (``sessionmaker.begin``)."""
        with self._sessions.begin() as s:
            yield s

    def dispose(self) -> None:
        self.engine.dispose()

    # -- raw sources -----------------------------------------------------------------------
    def content_digest(self, content_hash: str) -> str:
        return self.cipher.digest("content:" + content_hash)

    def has_content(self, session: Session, content_hash: str) -> str | None:
        """The source uid already holding this content, if any."""
        return session.scalar(
            select(RawSource.source_uid).where(RawSource.content_digest == self.content_digest(content_hash))
        )

    def add_transcript(self, session: Session, source_uid: str, transcript: Transcript) -> RawSource:
        row = RawSource(
            source_uid=source_uid,
            content_digest=self.content_digest(transcript.content_hash),
            transcript_enc=self.cipher.encrypt(json.dumps(transcript.to_dict(), ensure_ascii=False),
                                               context=source_uid.encode()),
        )
        session.add(row)
        return row

    def transcript(self, session: Session, source_uid: str) -> Transcript:
        row = session.scalar(select(RawSource).where(RawSource.source_uid == source_uid))
        if row is None:
            raise VaultError(f"source {source_uid} is not in the vault")
        return self._decode(row)

    def transcripts(self, session: Session) -> Iterator[tuple[str, Transcript]]:
        for row in session.scalars(select(RawSource).order_by(RawSource.id)):
            yield row.source_uid, self._decode(row)

    def _decode(self, row: RawSource) -> Transcript:
        data = json.loads(self.cipher.decrypt(row.transcript_enc, context=row.source_uid.encode()))
        return Transcript.from_dict(data)

    # -- audit -----------------------------------------------------------------------------
    def audit(self, session: Session, actor: str, action: str, detail: dict[str, Any] | None = None) -> None:
        """Record an event; ``detail`` may be identifying and is stored encrypted."""
        enc = self.cipher.encrypt(json.dumps(detail, ensure_ascii=False, default=str)) if detail else None
        session.add(AuditEvent(actor=actor, action=action, detail_enc=enc))

    def audit_events(self, session: Session) -> list[dict[str, Any]]:
        out = []
        for ev in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            out.append({
                "at": ev.at, "actor": ev.actor, "action": ev.action,
                "detail": json.loads(self.cipher.decrypt(ev.detail_enc)) if ev.detail_enc else None,
            })
        return out
