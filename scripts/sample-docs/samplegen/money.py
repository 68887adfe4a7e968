"""Exact decimal money and the locale conventions used to print numbers, dates and currencies."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value: Decimal) -> Decimal:
    """Round to cents, half up (commercial rounding)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain_decimal(value: Decimal) -> str:
    """The normalised ground-truth form of a number: no grouping, '.' as separator, no exponent.

    Amounts keep their two decimals ("1234.50"); quantities lose trailing zeros ("2", "7.5").
    """
    return format(value, "f")


def plain_quantity(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def iso_date(value: dt.date) -> str:
    return value.isoformat()


@dataclasses.dataclass(frozen=True)
class Locale:
    """How one locale writes numbers, money, percentages and dates."""

    code: str
    currency_code: str
    currency_symbol: str
    symbol_before: bool
    group_separator: str
    decimal_separator: str
    date_style: str  # "mdy" (08/15/2025), "dmy-slash" (15/08/2025), "dmy-dot" (15.08.2025), "iso"
    percent_space: bool

    def number(self, value: Decimal, places: int = 2, grouping: bool = True) -> str:
        """1234.5 -> '1,234.50' (en), '1.234,50' (de), '1 234,50' (fr)."""
        quantized = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        sign = "-" if quantized < 0 else ""
        text = format(abs(quantized), "f")
        integer_part, _, fraction_part = text.partition(".")
        if grouping and len(integer_part) > 3:
            groups = []
            while len(integer_part) > 3:
                groups.insert(0, integer_part[-3:])
                integer_part = integer_part[:-3]
            groups.insert(0, integer_part)
            integer_part = self.group_separator.join(groups)
        if fraction_part:
            return f"{sign}{integer_part}{self.decimal_separator}{fraction_part}"
        return f"{sign}{integer_part}"

    def money(self, value: Decimal, symbol: bool = True) -> str:
        """'$1,234.56', '£12.00', '1.234,56 €', '1 234,56 €'; without symbol just the number."""
        number = self.number(abs(value))
        sign = "-" if value < 0 else ""
        if not symbol:
            return f"{sign}{number}"
        if self.symbol_before:
            return f"{sign}{self.currency_symbol}{number}"
        return f"{sign}{number} {self.currency_symbol}"

    def quantity(self, value: Decimal) -> str:
        """Quantities print without trailing zeros: '2', '7.5' / '7,5', '2,000' / '2 000'."""
        places = max(0, -plain_quantity_exponent(value))
        return self.number(value, places=places)

    def percent(self, rate: Decimal) -> str:
        number = self.quantity(rate)
        return f"{number} %" if self.percent_space else f"{number}%"

    def date(self, value: dt.date) -> str:
        if self.date_style == "mdy":
            return value.strftime("%m/%d/%Y")
        if self.date_style == "dmy-slash":
            return value.strftime("%d/%m/%Y")
        if self.date_style == "dmy-dot":
            return value.strftime("%d.%m.%Y")
        if self.date_style == "iso":
            return value.isoformat()
        raise ValueError(f"unknown date style {self.date_style}")


def plain_quantity_exponent(value: Decimal) -> int:
    """The exponent of the shortest exact representation (7.50 -> -1, 2 -> 0)."""
    text = plain_quantity(value)
    if "." in text:
        return -len(text.split(".")[1])
    return 0


LOCALES = {
    "en-US": Locale("en-US", "USD", "$", True, ",", ".", "mdy", False),
    "en-GB": Locale("en-GB", "GBP", "£", True, ",", ".", "dmy-slash", False),
    "en-IE": Locale("en-IE", "EUR", "€", True, ",", ".", "dmy-slash", False),
    "de-DE": Locale("de-DE", "EUR", "€", False, ".", ",", "dmy-dot", True),
    "fr-FR": Locale("fr-FR", "EUR", "€", False, " ", ",", "dmy-slash", True),
}


def locale_for(code: str, date_style: str | None = None) -> Locale:
    """The locale, optionally with another date style (e.g. an Irish company that prints ISO dates)."""
    base = LOCALES[code]
    if date_style:
        return dataclasses.replace(base, date_style=date_style)
    return base
