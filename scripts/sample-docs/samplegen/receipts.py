"""Till receipts on 80 mm thermal paper: shop header, items, subtotal, discount, tax summary, total, payment.

Prices on European receipts include VAT (the tax is extracted per rate); the US receipt adds sales tax to the
subtotal. The page is 80 mm wide and exactly as tall as its content.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal as D

from .drawing import BOLD, Page, draw_lines, gray
from .identifiers import de_vat, fr_siren, fr_siret, fr_vat, gb_vat
from .money import ZERO, Locale, locale_for, plain_decimal, plain_quantity, round_money

RECEIPT_WIDTH = 80 / 25.4 * 72  # 80 mm in points
MARGIN = 11.0
BODY_SIZE = 8.5
# Thermal printers print a heavy monospace face; Courier-Bold (a PDF standard font, like Courier) looks the part
# and stays legible for OCR in the photographed receipts, where thin Courier lost digits.
MONO = "Courier-Bold"


@dataclasses.dataclass(frozen=True)
class ReceiptLine:
    description: str
    unit_price: D
    quantity: D = D(1)
    tax_code: str = "A"
    unit: str = ""  # "kg", "l": weighed or metered goods print "0.782 kg @ £0.94/kg"

    @property
    def amount(self) -> D:
        return round_money(self.quantity * self.unit_price)


@dataclasses.dataclass(frozen=True)
class Receipt:
    stem: str
    locale: Locale
    layout: str
    shop_name: str
    shop_lines: tuple[str, ...]
    number: str
    when: dt.datetime
    lines: tuple[ReceiptLine, ...]
    tax_rates: dict[str, D]  # tax code -> rate in percent
    prices_include_tax: bool
    payment_method: str  # card | cash
    payment_lines: tuple[str, ...]  # what the terminal prints after the total
    tendered: D | None = None  # cash handed over
    discount_label: str = ""
    discount: D = ZERO
    discount_code: str = "A"
    header_lines: tuple[str, ...] = ()  # printed right under the shop block (till, cashier, table)
    footer_lines: tuple[str, ...] = ()
    unit_price_decimals: int = 2

    # ---- arithmetic -------------------------------------------------------------------------------------
    @property
    def subtotal(self) -> D:
        return sum((line.amount for line in self.lines), ZERO)

    def gross_by_code(self) -> dict[str, D]:
        result: dict[str, D] = {}
        for line in self.lines:
            result[line.tax_code] = result.get(line.tax_code, ZERO) + line.amount
        if self.discount:
            result[self.discount_code] -= self.discount
        return result

    def tax_by_code(self) -> list[tuple[str, D, D, D]]:
        """(code, net, tax, gross) per tax code."""
        rows = []
        for code, amount in sorted(self.gross_by_code().items()):
            rate = self.tax_rates[code]
            if self.prices_include_tax:
                tax = round_money(amount * rate / (100 + rate))
                rows.append((code, amount - tax, tax, amount))
            else:
                tax = round_money(amount * rate / 100)
                rows.append((code, amount, tax, amount + tax))
        return rows

    @property
    def tax_total(self) -> D:
        return sum((tax for _, _, tax, _ in self.tax_by_code()), ZERO)

    @property
    def total(self) -> D:
        return sum((gross for _, _, _, gross in self.tax_by_code()), ZERO)

    @property
    def net_total(self) -> D:
        return self.total - self.tax_total

    def fields(self) -> dict[str, str]:
        return {
            "documentId": self.number,
            "supplierName": self.shop_name,
            "date": self.when.date().isoformat(),
            "totalAmount": plain_decimal(self.total),
            "taxAmount": plain_decimal(self.tax_total),
            "netAmount": plain_decimal(self.net_total),
            "discountAmount": plain_decimal(self.discount),
            "currencyCode": self.locale.currency_code,
            "paymentMethod": self.payment_method,
        }

    def line_items(self) -> list[dict[str, str]]:
        """Receipts print only the line amount; net, tax and discount per line are not on the paper ("")."""
        return [
            {
                "description": line.description,
                "quantity": plain_quantity(line.quantity),
                "unitPrice": plain_decimal(line.unit_price),
                "netAmount": "",
                "taxAmount": "",
                "discountAmount": "",
                "totalAmount": plain_decimal(line.amount),
            }
            for line in self.lines
        ]


LABELS = {
    "en-GB": {
        "subtotal": "SUBTOTAL",
        "total": "TOTAL",
        "tax_header": ("RATE", "NET", "VAT", "GROSS"),
        "tendered": "CASH",
        "change": "CHANGE DUE",
        "receipt": "Receipt No:",
        "items": "ITEMS",
    },
    "en-US": {
        "subtotal": "SUBTOTAL",
        "total": "TOTAL",
        "tax_header": ("", "", "", ""),
        "tendered": "CASH",
        "change": "CHANGE",
        "receipt": "Receipt #:",
        "items": "ITEMS SOLD",
    },
    "de-DE": {
        "subtotal": "Zwischensumme",
        "total": "SUMME EUR",
        "tax_header": ("MwSt", "Netto", "Steuer", "Brutto"),
        "tendered": "Gegeben BAR",
        "change": "Rückgeld",
        "receipt": "Bon-Nr.",
        "items": "Artikel",
    },
    "fr-FR": {
        "subtotal": "Sous-total",
        "total": "TOTAL TTC",
        "tax_header": ("Taux", "HT", "TVA", "TTC"),
        "tendered": "Espèces",
        "change": "Rendu",
        "receipt": "Ticket n°",
        "items": "Articles",
    },
}


def layout_receipt(receipt: Receipt) -> list[Page]:
    locale = receipt.locale
    labels = LABELS[locale.code]
    page = Page(RECEIPT_WIDTH, 2000)
    left, right = MARGIN, RECEIPT_WIDTH - MARGIN
    centre = RECEIPT_WIDTH / 2

    def money(value: D) -> str:
        return locale.money(value, symbol=False)

    y = 30.0
    page.text(centre, y, receipt.shop_name, BOLD, 12.5, "center")
    y = draw_lines(page, centre, y + 14, list(receipt.shop_lines), MONO, BODY_SIZE, 10.5, "center")
    y += 4
    when = receipt.when
    date_text = f"{locale.date(when.date())} {when.strftime('%I:%M %p' if locale.code == 'en-US' else '%H:%M')}"
    page.text(left, y, date_text, MONO, BODY_SIZE)
    y += 10.5
    page.text(left, y, f"{labels['receipt']} {receipt.number}", MONO, BODY_SIZE)
    y += 10.5
    y = draw_lines(page, left, y, list(receipt.header_lines), MONO, BODY_SIZE, 10.5)
    page.hline(left, right, y - 5, 0.6, gray(0.2))
    y += 8

    show_codes = len(receipt.tax_rates) > 1 or locale.code != "en-US"
    for line in receipt.lines:
        suffix = f" {line.tax_code}" if show_codes else ""
        page.text(left, y, line.description, MONO, BODY_SIZE)
        if line.quantity != 1 or line.unit:
            y += 10.5
            quantity = locale.quantity(line.quantity)
            price = locale.number(line.unit_price, places=receipt.unit_price_decimals)
            if line.unit and locale.symbol_before:
                detail = f"{quantity} {line.unit} @ {locale.currency_symbol}{price}/{line.unit}"
            elif line.unit:
                detail = f"{quantity} {line.unit} x {price} {locale.currency_symbol}/{line.unit}"
            else:
                detail = f"{quantity} x {price}" if not locale.symbol_before else f"{quantity} @ {price}"
            page.text(left + 12, y, detail, MONO, BODY_SIZE)
        page.text(right, y, money(line.amount) + suffix, MONO, BODY_SIZE, "right")
        y += 12

    page.hline(left, right, y - 6, 0.6, gray(0.2))
    y += 6
    n_items = sum(1 if line.unit else int(line.quantity) for line in receipt.lines)
    page.text(left, y, f"{labels['items']} {n_items}", MONO, BODY_SIZE)
    y += 13
    page.text(left, y, labels["subtotal"], MONO, BODY_SIZE)
    page.text(right, y, money(receipt.subtotal), MONO, BODY_SIZE, "right")
    y += 11
    if receipt.discount:
        page.text(left, y, receipt.discount_label, MONO, BODY_SIZE)
        page.text(
            right,
            y,
            money(-receipt.discount) + (f" {receipt.discount_code}" if show_codes else ""),
            MONO,
            BODY_SIZE,
            "right",
        )
        y += 11
    if not receipt.prices_include_tax:
        for code, _net, tax, _gross in receipt.tax_by_code():
            page.text(left, y, f"SALES TAX {locale.percent(receipt.tax_rates[code])}", MONO, BODY_SIZE)
            page.text(right, y, money(tax), MONO, BODY_SIZE, "right")
            y += 11
    y += 6
    page.text(left, y, labels["total"], BOLD, 12)
    page.text(
        right, y, locale.money(receipt.total) if locale.symbol_before else money(receipt.total), BOLD, 12, "right"
    )
    y += 18

    if receipt.tendered is not None:
        page.text(left, y, labels["tendered"], MONO, BODY_SIZE)
        page.text(right, y, money(receipt.tendered), MONO, BODY_SIZE, "right")
        y += 11
        page.text(left, y, labels["change"], MONO, BODY_SIZE)
        page.text(right, y, money(receipt.tendered - receipt.total), MONO, BODY_SIZE, "right")
        y += 11
    y = draw_lines(page, left, y, list(receipt.payment_lines), MONO, BODY_SIZE, 10.5)

    if receipt.prices_include_tax:
        y += 6
        page.hline(left, right, y - 8, 0.4, gray(0.4))
        columns = [left, left + 62, left + 112, right]
        header = labels["tax_header"]
        for index, (x, label) in enumerate(zip(columns, header)):
            page.text(x, y + 2, label, MONO, BODY_SIZE, "left" if index == 0 else "right")
        y += 13
        for code, net, tax, gross in receipt.tax_by_code():
            values = [f"{code} {locale.percent(receipt.tax_rates[code])}", money(net), money(tax), money(gross)]
            for index, (x, value) in enumerate(zip(columns, values)):
                page.text(x, y, value, MONO, BODY_SIZE, "left" if index == 0 else "right")
            y += 11
    y += 8
    y = draw_lines(page, centre, y, list(receipt.footer_lines), MONO, BODY_SIZE, 10.5, "center")
    page.height = y + 16
    return [page]


def receipts(rng_for) -> list[Receipt]:
    """All receipts. Their content is written out by hand; `rng_for` is unused but kept so that every
    document kind is built the same way."""
    del rng_for
    result = []

    result.append(
        Receipt(
            stem="receipt-01-en-gb",
            locale=locale_for("en-GB"),
            layout="uk-supermarket",
            shop_name="FRESHWAY LOCAL",
            shop_lines=(
                "Store 0417",
                "22 Kings Road, Brighton BN1 2FW",
                "Tel 01273 555 014",
                f"VAT No. {gb_vat('3912048').printed}",
            ),
            number="0417-03-118245",
            when=dt.datetime(2025, 8, 15, 14, 32),
            lines=(
                ReceiptLine("SEMI SKIMMED MILK 2L", D("1.65"), tax_code="Z"),
                ReceiptLine("WHOLEMEAL BREAD 800G", D("1.45"), tax_code="Z"),
                ReceiptLine("FREE RANGE EGGS 12PK", D("3.90"), tax_code="Z"),
                ReceiptLine("BANANAS LOOSE", D("0.94"), D("0.782"), "Z", "kg"),
                ReceiptLine("MATURE CHEDDAR 400G", D("3.75"), tax_code="Z"),
                ReceiptLine("ORANGE JUICE 1L", D("1.60"), D(2), "A"),
                ReceiptLine("WASHING UP LIQUID", D("1.29"), tax_code="A"),
                ReceiptLine("KITCHEN ROLL 4PK", D("2.85"), tax_code="A"),
                ReceiptLine("DARK CHOCOLATE 100G", D("1.99"), tax_code="A"),
            ),
            tax_rates={"A": D(20), "Z": D(0)},
            prices_include_tax=True,
            payment_method="card",
            payment_lines=("VISA DEBIT CONTACTLESS", "CARD ************4821", "AUTH CODE 083417", "PAN SEQ 01"),
            discount_label="LOYALTY SAVING",
            discount=D("0.50"),
            discount_code="A",
            header_lines=("Till 03   Operator 118",),
            footer_lines=("Thank you for shopping with us", "Please keep your receipt", "Refunds within 28 days"),
        )
    )

    result.append(
        Receipt(
            stem="receipt-02-photo",
            locale=locale_for("de-DE"),
            layout="de-bakery",
            shop_name="Bäckerei Konditorei Sommer",
            shop_lines=(
                "Leopoldstraße 58",
                "80802 München",
                "Tel. 089 3308 1274",
                f"USt-IdNr. {de_vat('27734918').printed}",
            ),
            number="4711",
            when=dt.datetime(2025, 8, 16, 8, 12),
            lines=(
                ReceiptLine("Roggenmischbrot 1000g", D("4.20"), tax_code="B"),
                ReceiptLine("Laugenbrezel", D("0.95"), D(3), "B"),
                ReceiptLine("Butterhörnchen", D("1.45"), D(2), "B"),
                ReceiptLine("Apfelstrudel Stück", D("3.10"), tax_code="B"),
                ReceiptLine("Cappuccino groß", D("3.80"), tax_code="A"),
                ReceiptLine("Mineralwasser still", D("1.90"), tax_code="A"),
            ),
            tax_rates={"A": D(19), "B": D(7)},
            prices_include_tax=True,
            payment_method="cash",
            payment_lines=(),
            tendered=D("20.00"),
            header_lines=("Kasse 1   Bedienung: Anna",),
            footer_lines=(
                "TSE-Transaktion: 48213",
                "TSE-Start: 2025-08-16T08:12:03",
                "TSE-Ende: 2025-08-16T08:12:41",
                "Vielen Dank für Ihren Einkauf!",
            ),
        )
    )

    siren = fr_siren("81234567")
    result.append(
        Receipt(
            stem="receipt-03-photo",
            locale=locale_for("fr-FR"),
            layout="fr-cafe",
            shop_name="CAFÉ DES ARTS",
            shop_lines=(
                "Brasserie",
                "12 place Pey-Berland",
                "33000 Bordeaux",
                f"SIRET {fr_siret(siren, '0001')}",
                f"TVA {fr_vat(siren).printed}",
            ),
            number="000482",
            when=dt.datetime(2025, 9, 12, 13, 47),
            lines=(
                ReceiptLine("Café expresso", D("2.20"), D(2), "B"),
                ReceiptLine("Croque-monsieur", D("9.50"), tax_code="B"),
                ReceiptLine("Salade niçoise", D("13.90"), tax_code="B"),
                ReceiptLine("Verre de Bordeaux rouge", D("5.50"), D(2), "A"),
                ReceiptLine("Tarte Tatin", D("6.80"), tax_code="B"),
                ReceiptLine("Eau minérale 50 cl", D("3.50"), tax_code="B"),
            ),
            tax_rates={"A": D(20), "B": D(10)},
            prices_include_tax=True,
            payment_method="card",
            payment_lines=("Payé par CB sans contact", "Carte ************7315"),
            header_lines=("Table 4   Couverts 2", "Serveur: Julien"),
            footer_lines=("Merci de votre visite", "À bientôt !"),
        )
    )

    result.append(
        Receipt(
            stem="receipt-04-en-us",
            locale=locale_for("en-US"),
            layout="us-hardware",
            shop_name="Hillside Hardware & Garden",
            shop_lines=("2850 Baseline Rd", "Boulder, CO 80303", "(303) 555-0164"),
            number="104-58213",
            when=dt.datetime(2025, 8, 23, 10, 18),
            lines=(
                ReceiptLine("DECK SCREWS #9 X 3IN 1LB", D("12.99"), D(2)),
                ReceiptLine("EXTERIOR STAIN CEDAR 1GAL", D("44.99")),
                ReceiptLine("PAINT BRUSH 3IN ANGLED", D("9.49")),
                ReceiptLine("WORK GLOVES LEATHER L", D("14.99")),
                ReceiptLine("POTTING MIX 1.5 CU FT", D("11.49"), D(3)),
                ReceiptLine("TOMATO PLANT 1GAL", D("5.99"), D(4)),
            ),
            tax_rates={"A": D("8.845")},
            prices_include_tax=False,
            payment_method="card",
            payment_lines=("VISA ************2291", "APPROVED  AUTH 552190", "CHIP READ"),
            discount_label="COUPON 10% OFF STAIN",
            discount=D("4.50"),
            header_lines=("Register 3   Cashier: Dana",),
            footer_lines=("RETURNS ACCEPTED WITHIN 30 DAYS", "WITH RECEIPT", "THANK YOU FOR SHOPPING LOCAL"),
        )
    )

    result.append(
        Receipt(
            stem="receipt-05-de-de",
            locale=locale_for("de-DE"),
            layout="de-fuel",
            shop_name="Rheinblick Tankstelle",
            shop_lines=("Inh. Murat Yilmaz", "Rheinallee 41", "55118 Mainz", f"USt-IdNr. {de_vat('31174520').printed}"),
            number="208817",
            when=dt.datetime(2025, 9, 5, 17, 54),
            lines=(
                ReceiptLine("Super E10 Säule 4", D("1.789"), D("41.37"), "A", "l"),
                ReceiptLine("Scheibenreiniger 3l", D("6.99")),
                ReceiptLine("Kaffee to go", D("2.49")),
            ),
            tax_rates={"A": D(19)},
            prices_include_tax=True,
            payment_method="card",
            payment_lines=(
                "girocard kontaktlos",
                "Karte ############0427",
                "Terminal-ID 52841177",
                "Genehmigung 391822",
            ),
            header_lines=("Kasse 2   Bediener: 07",),
            footer_lines=("Gute Fahrt!", "Vielen Dank für Ihren Besuch"),
            unit_price_decimals=3,
        )
    )
    return result
