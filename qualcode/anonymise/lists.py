"""The anonymiser's word lists live in :mod:`qualcode.lexicons` (shared with the NER recipe)."""
from ..lexicons import *  # noqa: F401,F403
from ..lexicons import AMBIGUOUS, DATA, NAME_WORDS, NAME_LOCALES  # noqa: F401
