"""The vault: identifying material (raw transcripts, pseudonym key, audit log), encrypted at rest."""
from .crypto import Cipher, KdfParams
from .models import AuditEvent, Pseudonym, RawSource
from .store import PASSPHRASE_ENV, Vault, passphrase_from_env_or_prompt

__all__ = ["Cipher", "KdfParams", "Vault", "PASSPHRASE_ENV", "passphrase_from_env_or_prompt",
           "AuditEvent", "Pseudonym", "RawSource"]
