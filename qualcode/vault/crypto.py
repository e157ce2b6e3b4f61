"""Encryption for the vault: scrypt-derived key, AES-256-GCM per value, HMAC digests for lookups.

The passphrase never leaves memory. A random salt and the scrypt parameters are stored in
the vault; a known token encrypted with the derived key tells a wrong passphrase apart from
damaged data.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..errors import VaultError, VaultPassphraseError

NONCE_BYTES = 12
VERIFIER_PLAINTEXT = b"qualcode-vault-v1"


@dataclass(frozen=True)
class KdfParams:
    """scrypt cost parameters (n = 2**log_n)."""

    log_n: int = 15
    r: int = 8
    p: int = 1

    def as_str(self) -> str:
        return f"scrypt:{self.log_n}:{self.r}:{self.p}"

    @classmethod
    def parse(cls, value: str) -> "KdfParams":
        name, log_n, r, p = value.split(":")
        if name != "scrypt":
            raise VaultError(f"unknown key derivation {name!r} in vault")
        return cls(int(log_n), int(r), int(p))


class Cipher:
    """Holds the derived keys of one unlocked vault."""

    def __init__(self, passphrase: str, salt: bytes, params: KdfParams) -> None:
        if not passphrase:
            raise VaultPassphraseError("an empty passphrase cannot open a vault")
        master = Scrypt(salt=salt, length=32, n=2**params.log_n, r=params.r, p=params.p).derive(
            passphrase.encode("utf-8")
        )
        enc_key, mac_key = (
            HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(master)
            for info in (b"qualcode enc", b"qualcode mac")
        )
        self._aead = AESGCM(enc_key)
        self._mac_key = mac_key

    def encrypt(self, plaintext: str | bytes, *, context: bytes = b"") -> bytes:
        data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, data, context)

    def decrypt_bytes(self, token: bytes, *, context: bytes = b"") -> bytes:
        try:
            return self._aead.decrypt(token[:NONCE_BYTES], token[NONCE_BYTES:], context)
        except (InvalidTag, ValueError) as exc:
            raise VaultError("a vault record failed its integrity check (damaged or tampered)") from exc

    def decrypt(self, token: bytes, *, context: bytes = b"") -> str:
        return self.decrypt_bytes(token, context=context).decode("utf-8")

    def digest(self, value: str | bytes) -> str:
        """Keyed digest for equality lookups; useless to anyone without the passphrase."""
        data = value.encode("utf-8") if isinstance(value, str) else value
        return hmac.new(self._mac_key, data, hashlib.sha256).hexdigest()

    def make_verifier(self) -> bytes:
        return self.encrypt(VERIFIER_PLAINTEXT, context=b"verifier")

    def check_verifier(self, token: bytes) -> None:
        try:
            self._aead.decrypt(token[:NONCE_BYTES], token[NONCE_BYTES:], b"verifier")
        except InvalidTag as exc:
            raise VaultPassphraseError("wrong vault passphrase") from exc
