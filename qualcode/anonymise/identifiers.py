"""Norwegian identifiers: fødselsnummer/D-nummer (checksum via python-stdnum), phone numbers
(phonenumbers), e-mail, URLs, street addresses with postcode, dates of birth."""
from __future__ import annotations

import re
from typing import Iterator

import phonenumbers
from stdnum.no import fodselsnummer

from .detection import Detection

SOURCE = "identifiers"

_FNR = re.compile(r"(?<![\d.,])(\d{6})[ .]?(\d{5})(?![\d])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]"
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:no|com|org|net|info|io|eu|se|dk)(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)])?(?!\w|@|\.\w)",
    re.IGNORECASE,
)
_STREET_SUFFIX = (r"(?:vei|veien|veg|vegen|gate|gata|gaten|allé|alle|plass|plassen|stien|stig|bakken|"
                  r"brekka|lia|haugen|torget|kroken|svingen|tunet|ringen|bråten|jordet|løkka)")
_NAME_WORD = r"[A-ZÆØÅ][a-zæøåéü.-]*"
_ADDRESS = re.compile(
    r"\b(?:" + _NAME_WORD + r"\s){0,3}(?:[A-ZÆØÅ][a-zæøåéü-]*" + _STREET_SUFFIX + r"|" + _NAME_WORD + r"\s" + _STREET_SUFFIX + r")"
    r"\s+\d{1,4}\s?[A-Za-z]?\b"
    r"(?:,?\s+\d{4}\s+[A-ZÆØÅ][\wæøåÆØÅ-]+)?"
    r"|\b(?:[Pp]ostboks|[Pp]b\.?)\s+\d{1,5},?\s+\d{4}\s+[A-ZÆØÅ][\wæøåÆØÅ-]+",
)
_MONTHS = (r"(?:januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember|"
           r"jan|feb|mar|apr|jun|jul|aug|sep|sept|okt|nov|des)\.?")
_DATE = rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{1,2}}\.?\s+{_MONTHS}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
_DOB = re.compile(
    rf"\b(?:født|fødd|f\.|fødselsdato|fødselsdag|f\.dato|fødd den|født den)\s*(?:den\s+|:\s*)?({_DATE})",
    re.IGNORECASE,
)


def find_identifiers(text: str) -> Iterator[Detection]:
    """Every identifier in ``text`` (only checksum-valid fødselsnummer/D-nummer)."""
    for m in _FNR.finditer(text):
        digits = m.group(1) + m.group(2)
        if fodselsnummer.is_valid(digits):
            label = "DNR" if digits[0] in "4567" else "FNR"
            yield Detection(m.start(), m.end(), m.group(0), label, SOURCE, 1.0)
    if any(ch.isdigit() for ch in text):
        for pm in phonenumbers.PhoneNumberMatcher(text, "NO", leniency=phonenumbers.Leniency.VALID):
            yield Detection(pm.start, pm.end, pm.raw_string, "PHONE", SOURCE, 0.95)
    if "@" in text:
        for m in _EMAIL.finditer(text):
            yield Detection(m.start(), m.end(), m.group(0), "EMAIL", SOURCE, 1.0)
    for m in _URL.finditer(text):
        if "@" in text[max(0, m.start() - 1):m.start()]:
            continue  # the domain of an e-mail address
        yield Detection(m.start(), m.end(), m.group(0), "URL", SOURCE, 0.9)
    for m in _ADDRESS.finditer(text):
        yield Detection(m.start(), m.end(), m.group(0), "ADDRESS", SOURCE, 0.85)
    for m in _DOB.finditer(text):
        yield Detection(m.start(1), m.end(1), m.group(1), "DOB", SOURCE, 0.9)
