from __future__ import annotations

import pytest

from qualcode.anonymise.identifiers import find_identifiers

from .conftest import valid_fnr


def labels(text: str) -> list[tuple[str, str]]:
    return [(d.label, d.text) for d in find_identifiers(text)]


def test_valid_fodselsnummer_is_found_with_and_without_space() -> None:
    fnr = valid_fnr()
    assert labels(f"Fnr {fnr} står i journalen.") == [("FNR", fnr)]
    spaced = fnr[:6] + " " + fnr[6:]
    assert labels(f"Nummeret er {spaced}.") == [("FNR", spaced)]


def test_d_nummer_is_found() -> None:
    dnr = valid_fnr("550586", "456")  # day + 40
    assert labels(f"D-nummer {dnr}") == [("DNR", dnr)]


@pytest.mark.parametrize("digit", range(1, 10))
def test_bad_checksum_is_not_an_id(digit: int) -> None:
    fnr = valid_fnr()
    wrong = fnr[:-1] + str((int(fnr[-1]) + digit) % 10)
    assert ("FNR", wrong) not in labels(f"Tallet {wrong} er noe annet.")


@pytest.mark.parametrize("phone", ["22 33 44 55", "+47 22 33 44 55", "48123456", "+4748123456", "481 23 456",
                                   "0047 481 23 456"])
def test_norwegian_phone_numbers(phone: str) -> None:
    found = labels(f"Ring meg på {phone} i morgen.")
    assert [label for label, _ in found] == ["PHONE"]
    assert found[0][1].replace(" ", "").endswith(phone.replace(" ", "")[-8:])


def test_years_and_counts_are_not_phone_numbers() -> None:
    assert labels("I 2019 og 2020 hadde vi 120 pasienter og 45 ansatte.") == []


def test_email_url_address_and_birth_date() -> None:
    found = labels("Skriv til ola.normann@eksempel.no eller se www.eksempel.no/side. "
                   "Hun bor i Fjordveien 12B, 1234 Fjellvik og er født 03.05.1986.")
    kinds = {label for label, _ in found}
    assert {"EMAIL", "URL", "ADDRESS", "DOB"} <= kinds
    assert ("EMAIL", "ola.normann@eksempel.no") in found
    assert ("ADDRESS", "Fjordveien 12B, 1234 Fjellvik") in found
    assert ("DOB", "03.05.1986") in found
    assert all(text != "eksempel.no" for label, text in found if label == "URL")  # not the e-mail's domain


def test_ordinary_dates_are_not_birth_dates() -> None:
    assert labels("Møtet var 03.05.2019 i gata.") == []
