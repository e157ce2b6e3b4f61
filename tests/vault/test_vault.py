"""The vault: encryption at rest, passphrase checks, integrity."""
from __future__ import annotations

import sqlite3

import pytest

from qualcode.errors import VaultError, VaultPassphraseError
from qualcode.importers.base import Transcript, TranscriptMeta
from qualcode.vault import KdfParams, Vault

FAST = KdfParams(log_n=12)
SECRET_NAME = "Bjørnar Kvåle-Sæther"


def _transcript() -> Transcript:
    return Transcript.from_turns(
        [("I", "Hvem er du?"), ("B1", f"Jeg heter {SECRET_NAME} og bor på Øysand.")],
        meta=TranscriptMeta(case="A", year=2019, informant_group="behandlere"),
        filename=f"intervju med {SECRET_NAME}.txt", content_hash="ab" * 32,
    )


def test_roundtrip_and_no_plaintext_on_disk(tmp_path):
    path = tmp_path / "vault.sqlite"
    vault = Vault.create(path, "pw", kdf=FAST)
    with vault.session() as s:
        vault.add_transcript(s, "uid-1", _transcript())
        vault.audit(s, "tester", "import", {"file": f"intervju med {SECRET_NAME}.txt"})
    vault.dispose()

    raw = path.read_bytes()
    for needle in (SECRET_NAME, "Øysand", "intervju med", "Kvåle"):
        assert needle.encode("utf-8") not in raw
        assert needle.encode("utf-16-le") not in raw

    vault = Vault.open(path, "pw")
    with vault.session() as s:
        back = vault.transcript(s, "uid-1")
        assert back.text == _transcript().text
        assert back.turns == _transcript().turns
        assert back.meta.case == "A"
        assert vault.has_content(s, "ab" * 32) == "uid-1"
        assert vault.has_content(s, "cd" * 32) is None
        events = vault.audit_events(s)
    assert events[0]["detail"]["file"].endswith(".txt")
    vault.dispose()


def test_wrong_and_empty_passphrase(tmp_path):
    path = tmp_path / "vault.sqlite"
    Vault.create(path, "right", kdf=FAST).dispose()
    with pytest.raises(VaultPassphraseError, match="wrong vault passphrase"):
        Vault.open(path, "wrong")
    with pytest.raises(VaultPassphraseError):
        Vault.open(path, "")


def test_missing_and_foreign_files(tmp_path):
    with pytest.raises(VaultError, match="no vault"):
        Vault.open(tmp_path / "nope.sqlite", "pw")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(VaultError, match="not a qualcode vault"):
        Vault.open(junk, "pw")


def test_tampered_record_is_detected(tmp_path):
    path = tmp_path / "vault.sqlite"
    vault = Vault.create(path, "pw", kdf=FAST)
    with vault.session() as s:
        vault.add_transcript(s, "uid-1", _transcript())
    vault.dispose()
    con = sqlite3.connect(path)
    blob = bytearray(con.execute("select transcript_enc from raw_sources").fetchone()[0])
    blob[-1] ^= 0x01
    con.execute("update raw_sources set transcript_enc = ?", (bytes(blob),))
    con.commit()
    con.close()
    vault = Vault.open(path, "pw")
    with vault.session() as s, pytest.raises(VaultError, match="integrity"):
        vault.transcript(s, "uid-1")
    vault.dispose()


def test_digest_is_keyed(tmp_path):
    a = Vault.create(tmp_path / "a.sqlite", "pw", kdf=FAST)
    b = Vault.create(tmp_path / "b.sqlite", "pw", kdf=FAST)  # same passphrase, different salt
    assert a.cipher.digest("Kari") != b.cipher.digest("Kari")
    assert a.cipher.digest("Kari") == a.cipher.digest("Kari")
