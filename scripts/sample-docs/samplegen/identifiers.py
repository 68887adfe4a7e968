"""Invented but check-digit-valid identifiers: IBANs, VAT ids, SIREN/SIRET, ABA routing numbers.

Each function returns the printed form and the normalised form (no spaces) where they differ, so the
ground truth can give the normalised value while the document shows what a real vendor would print.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Identifier:
    printed: str
    normalised: str


def _iban_check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def iban(country: str, bban: str) -> Identifier:
    """An IBAN with correct ISO 13616 check digits, printed in groups of four."""
    normalised = country + _iban_check_digits(country, bban) + bban
    printed = " ".join(normalised[i : i + 4] for i in range(0, len(normalised), 4))
    return Identifier(printed, normalised)


def is_valid_iban(value: str) -> bool:
    compact = value.replace(" ", "")
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def french_rib_key(bank: str, branch: str, account: str) -> str:
    """The two-digit 'clé RIB' of a French bank account (account letters mapped as the RIB rules say)."""
    letter_values = {}
    for index, letters in enumerate(["AJ", "BKS", "CLT", "DMU", "ENV", "FOW", "GPX", "HQY", "IRZ"], start=1):
        for letter in letters:
            letter_values[letter] = str(index)
    account_digits = "".join(letter_values.get(ch, ch) for ch in account)
    key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(account_digits)) % 97)
    return f"{key:02d}"


def gb_vat(seven_digits: str) -> Identifier:
    """A UK VAT registration number: 7 digits + 2 check digits (weighted sum mod 97), printed 'GB 123 4567 89'."""
    weighted = sum(int(d) * w for d, w in zip(seven_digits, range(8, 1, -1)))
    check = (97 - weighted % 97) % 97
    digits = f"{seven_digits}{check:02d}"
    return Identifier(f"GB {digits[:3]} {digits[3:7]} {digits[7:]}", f"GB{digits}")


def de_vat(eight_digits: str) -> Identifier:
    """A German USt-IdNr.: 'DE' + 8 digits + ISO 7064 MOD 11,10 check digit."""
    product = 10
    for digit in eight_digits:
        total = (int(digit) + product) % 10
        if total == 0:
            total = 10
        product = (2 * total) % 11
    check = 11 - product
    if check == 10:
        check = 0
    normalised = f"DE{eight_digits}{check}"
    return Identifier(normalised, normalised)


def luhn_complete(digits: str) -> str:
    """Append the Luhn check digit."""
    total = 0
    for index, digit in enumerate(reversed(digits)):
        value = int(digit)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return digits + str((10 - total % 10) % 10)


def fr_siren(eight_digits: str) -> str:
    return luhn_complete(eight_digits)


def fr_vat(siren: str) -> Identifier:
    """A French TVA intracommunautaire number: FR + key + SIREN, key = (12 + 3 * (SIREN mod 97)) mod 97."""
    key = (12 + 3 * (int(siren) % 97)) % 97
    return Identifier(f"FR {key:02d} {siren[:3]} {siren[3:6]} {siren[6:]}", f"FR{key:02d}{siren}")


def fr_siret(siren: str, four_digit_nic: str) -> str:
    """SIREN + 5-digit establishment number, Luhn-valid over all 14 digits, printed '123 456 789 00012'."""
    full = luhn_complete(siren + four_digit_nic)
    return f"{full[:3]} {full[3:6]} {full[6:9]} {full[9:]}"


def ie_vat(seven_digits: str) -> Identifier:
    """An Irish VAT number in the classic 8-character form: 7 digits + check letter (weights 8..2, mod 23)."""
    weighted = sum(int(d) * w for d, w in zip(seven_digits, range(8, 1, -1)))
    letter = "WABCDEFGHIJKLMNOPQRSTUV"[weighted % 23]
    normalised = f"IE{seven_digits}{letter}"
    return Identifier(normalised, normalised)


def aba_routing(eight_digits: str) -> str:
    """A US ABA routing number: 8 digits + check digit so that 3-7-1 weighted sum is divisible by 10."""
    weights = [3, 7, 1, 3, 7, 1, 3, 7]
    total = sum(int(d) * w for d, w in zip(eight_digits, weights))
    return eight_digits + str((10 - total % 10) % 10)
