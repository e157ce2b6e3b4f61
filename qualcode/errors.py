"""Exception hierarchy. Messages name files, ids and fields — never transcript content."""
from __future__ import annotations


class QualcodeError(Exception):
    """Base class for every error qualcode reports to a user."""


class ConfigError(QualcodeError):
    """A project folder, config file or option is missing or invalid."""


class SourceImportError(QualcodeError):
    """A file could not be imported (corrupt, wrong encoding, bad metadata, duplicate)."""


class DuplicateSourceError(SourceImportError):
    """The same content was imported before (detected by content hash)."""


class VaultError(QualcodeError):
    """The vault is missing, locked or damaged."""


class VaultPassphraseError(VaultError):
    """The passphrase does not open this vault."""


class StoreError(QualcodeError):
    """The analysis store is missing, out of date or refused a write."""


class CaseRegistryError(QualcodeError):
    """cases.yaml is invalid or contradicts a manifest."""


class CodebookError(QualcodeError):
    """A codebook is invalid, or a code is unknown."""


class CodingError(QualcodeError):
    """A coding operation was refused (unknown segment, coder or code; bad span)."""


class AnonymisationError(QualcodeError):
    """Anonymisation or a review sheet could not be applied."""


class ModelError(QualcodeError):
    """An NLP pipeline is missing, broken or cannot be trained."""


class ExchangeError(QualcodeError):
    """A REFI-QDA file could not be read or written."""


class AggregationError(QualcodeError):
    """A matrix or summary request is invalid (unknown filter value, code subtree...)."""
