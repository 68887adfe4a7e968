"""Invoices: the content model (exact amounts), printed labels per locale, and three visibly different layouts.

Layouts:
- ``classic``: supplier letterhead top-left, big INVOICE title, labels left of their values, a fully ruled table.
- ``modern``: a logo mark, a right-aligned detail box with a tinted background, an open table with zebra rows.
- ``german-table``: DIN 5008 letter (sender line above the address window, info block on the right), a dense
  ruled table with position numbers and a four-column legal footer.
All three continue the item table on further pages with carried-forward / brought-forward subtotal rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from .drawing import (
    A4,
    BOLD,
    REGULAR,
    Color,
    Column,
    Page,
    Table,
    TableStyle,
    draw_lines,
    flow_table,
    gray,
    text_width,
    wrap,
)
from .identifiers import Identifier
from .money import ZERO, Locale, plain_decimal, plain_quantity, round_money


@dataclasses.dataclass(frozen=True)
class Company:
    name: str
    address: tuple[str, ...]
    phone: str = ""
    email: str = ""
    web: str = ""
    vat: Identifier | None = None
    registration: tuple[str, ...] = ()  # "Company No. 09876543", "Amtsgericht Stuttgart HRB 734512", ...
    bank_name: str = ""
    iban: Identifier | None = None
    bic: str = ""
    bank_lines: tuple[str, ...] = ()  # extra bank details: sort code / routing + account number
    tagline: str = ""
    accent: Color = (0.1, 0.3, 0.5)


@dataclasses.dataclass(frozen=True)
class Customer:
    name: str
    address: tuple[str, ...]
    customer_number: str = ""


@dataclasses.dataclass(frozen=True)
class Item:
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal  # percent, e.g. Decimal("19")
    discount_percent: Decimal = Decimal("0")
    unit: str = ""  # printed after the quantity ("Stk.", "hrs")

    @property
    def gross(self) -> Decimal:
        return round_money(self.quantity * self.unit_price)

    @property
    def discount(self) -> Decimal:
        return round_money(self.gross * self.discount_percent / 100)

    @property
    def net(self) -> Decimal:
        return self.gross - self.discount

    @property
    def tax(self) -> Decimal:
        return round_money(self.net * self.tax_rate / 100)

    @property
    def total(self) -> Decimal:
        return self.net + self.tax


def _tax_rounding_gap(items: list[Item], rate: Decimal) -> Decimal:
    """Sum of the line taxes minus the tax on the summed net amounts, for one rate."""
    at_rate = [item for item in items if item.tax_rate == rate]
    net_sum = sum((item.net for item in at_rate), ZERO)
    return sum((item.tax for item in at_rate), ZERO) - round_money(net_sum * rate / 100)


def _rounding_drift(items: list[Item], rate: Decimal) -> Decimal:
    """How far the rounded line taxes have drifted from the exact ones, summed over the lines of one rate."""
    return abs(sum((item.tax - item.net * rate / 100 for item in items if item.tax_rate == rate), ZERO))


def _smallest_improving_change(items: list[Item], rate: Decimal) -> list[Item]:
    drift = _rounding_drift(items, rate)
    indices = [i for i, item in enumerate(items) if item.tax_rate == rate]
    for cents in range(1, 100):
        for sign in (1, -1):
            for index in reversed(indices):
                adjusted = items[index].unit_price + sign * Decimal(cents) / 100
                if adjusted <= 0:
                    continue
                candidate = list(items)
                candidate[index] = dataclasses.replace(items[index], unit_price=adjusted)
                if _rounding_drift(candidate, rate) < drift:
                    return candidate
    raise RuntimeError(f"could not reconcile tax at rate {rate}")


def reconcile_tax(items: list[Item]) -> list[Item]:
    """Adjust unit prices by the fewest cents (one line at a time, last lines first) until, for every tax
    rate, the sum of the line taxes equals the tax on the summed net amounts. Line taxes, the tax summary
    and the totals then all add up exactly, as on an invoice whose software rounds per line."""
    items = list(items)
    for rate in sorted({item.tax_rate for item in items}):
        while _tax_rounding_gap(items, rate) != 0:
            items = _smallest_improving_change(items, rate)
    return items


@dataclasses.dataclass(frozen=True)
class Invoice:
    stem: str
    locale: Locale
    layout: str  # classic | modern | german-table
    supplier: Company
    customer: Customer
    number: str
    date: dt.date
    due_date: dt.date
    order_number: str
    items: tuple[Item, ...]
    page_size: tuple[float, float] = A4
    expected_pages: int = 1
    payment_terms_days: int = 30

    @property
    def has_discount(self) -> bool:
        return any(item.discount_percent for item in self.items)

    @property
    def gross_total(self) -> Decimal:
        return sum((item.gross for item in self.items), ZERO)

    @property
    def discount_total(self) -> Decimal:
        return sum((item.discount for item in self.items), ZERO)

    @property
    def net_total(self) -> Decimal:
        return sum((item.net for item in self.items), ZERO)

    def tax_by_rate(self) -> list[tuple[Decimal, Decimal, Decimal]]:
        """(rate, net at that rate, tax at that rate), highest rate first."""
        result = []
        for rate in sorted({item.tax_rate for item in self.items}, reverse=True):
            net = sum((item.net for item in self.items if item.tax_rate == rate), ZERO)
            result.append((rate, net, round_money(net * rate / 100)))
        return result

    @property
    def tax_total(self) -> Decimal:
        return sum((tax for _, _, tax in self.tax_by_rate()), ZERO)

    @property
    def total(self) -> Decimal:
        return self.net_total + self.tax_total

    def check(self) -> None:
        line_tax = sum((item.tax for item in self.items), ZERO)
        if line_tax != self.tax_total:
            raise AssertionError(f"{self.stem}: line taxes {line_tax} != tax total {self.tax_total}")
        if sum((item.total for item in self.items), ZERO) != self.total:
            raise AssertionError(f"{self.stem}: line totals do not add up to the invoice total")
        if self.gross_total - self.discount_total != self.net_total:
            raise AssertionError(f"{self.stem}: gross - discount != net")

    def fields(self) -> dict[str, str]:
        return {
            "supplierName": self.supplier.name,
            "documentId": self.number,
            "date": self.date.isoformat(),
            "dueDate": self.due_date.isoformat(),
            "currencyCode": self.locale.currency_code,
            "totalAmount": plain_decimal(self.total),
            "taxAmount": plain_decimal(self.tax_total),
            "netAmount": plain_decimal(self.net_total),
            "discountAmount": plain_decimal(self.discount_total),
            "customerName": self.customer.name,
            "orderNumber": self.order_number,
            "vatId": self.supplier.vat.normalised if self.supplier.vat else "",
            "iban": self.supplier.iban.normalised if self.supplier.iban else "",
        }

    def line_items(self) -> list[dict[str, str]]:
        return [
            {
                "description": item.description,
                "quantity": plain_quantity(item.quantity),
                "unitPrice": plain_decimal(item.unit_price),
                "netAmount": plain_decimal(item.net),
                "taxAmount": plain_decimal(item.tax),
                "discountAmount": plain_decimal(item.discount),
                "totalAmount": plain_decimal(item.total),
            }
            for item in self.items
        ]


LABELS: dict[str, dict[str, str]] = {
    "en-US": {
        "title": "INVOICE",
        "title_modern": "Invoice",
        "number": "Invoice No.",
        "date": "Invoice Date",
        "due": "Due Date",
        "order": "PO Number",
        "customer_number": "Customer ID",
        "vat": "Tax ID",
        "bill_to": "Bill To",
        "billed_to": "BILLED TO",
        "pos": "#",
        "description": "Description",
        "qty": "Qty",
        "unit_price": "Unit Price",
        "discount": "Discount",
        "net": "Net",
        "rate": "Tax %",
        "tax": "Tax",
        "total_col": "Amount",
        "subtotal": "Subtotal",
        "discount_total": "Less discount",
        "net_total": "Net Amount",
        "tax_line": "Sales Tax {rate}",
        "total": "Total",
        "amount_due": "Total Due",
        "carried": "Carried forward",
        "brought": "Brought forward",
        "page": "Page {page} of {n_pages}",
        "payment": "Payment Information",
        "bank": "Bank",
        "iban": "IBAN",
        "bic": "SWIFT/BIC",
        "continued": "Invoice {number} (continued)",
        "terms": "Payment terms: Net {days}. Please include the invoice number with your payment.",
        "thanks": "Thank you for your business!",
    },
    "en-GB": {
        "title": "INVOICE",
        "title_modern": "Invoice",
        "number": "Invoice No.",
        "date": "Invoice Date",
        "due": "Due Date",
        "order": "Order No.",
        "customer_number": "Account Ref.",
        "vat": "VAT Reg. No.",
        "bill_to": "Invoice To",
        "billed_to": "BILLED TO",
        "pos": "#",
        "description": "Description",
        "qty": "Qty",
        "unit_price": "Unit Price",
        "discount": "Discount",
        "net": "Net",
        "rate": "VAT %",
        "tax": "VAT",
        "total_col": "Total",
        "subtotal": "Subtotal",
        "discount_total": "Discount",
        "net_total": "Net Total",
        "tax_line": "VAT at {rate}",
        "total": "Total",
        "amount_due": "Amount Due",
        "carried": "Carried forward",
        "brought": "Brought forward",
        "page": "Page {page} of {n_pages}",
        "payment": "Payment Details",
        "bank": "Bank",
        "iban": "IBAN",
        "bic": "BIC",
        "continued": "Invoice {number} (continued)",
        "terms": "Payment due within {days} days of the invoice date. Please quote the invoice number.",
        "thanks": "Thank you for your business.",
    },
    "de-DE": {
        "title": "RECHNUNG",
        "title_modern": "Rechnung",
        "number": "Rechnungsnummer",
        "date": "Rechnungsdatum",
        "due": "Fällig",
        "order": "Bestellnummer",
        "customer_number": "Kundennummer",
        "vat": "USt-IdNr.",
        "bill_to": "Rechnungsempfänger",
        "billed_to": "RECHNUNG AN",
        "pos": "Pos.",
        "description": "Bezeichnung",
        "qty": "Menge",
        "unit_price": "Einzelpreis",
        "discount": "Rabatt",
        "net": "Netto",
        "rate": "MwSt %",
        "tax": "MwSt",
        "total_col": "Gesamt",
        "subtotal": "Zwischensumme",
        "discount_total": "abzgl. Rabatt",
        "net_total": "Nettobetrag",
        "tax_line": "zzgl. MwSt {rate}",
        "total": "Gesamtbetrag",
        "amount_due": "Gesamtbetrag",
        "carried": "Übertrag",
        "brought": "Übertrag",
        "page": "Seite {page} von {n_pages}",
        "payment": "Bankverbindung",
        "bank": "Bank",
        "iban": "IBAN",
        "bic": "BIC",
        "continued": "Rechnung {number} (Fortsetzung)",
        "terms": "Zahlbar ohne Abzug bis zum {due}. Bitte geben Sie bei Zahlung die Rechnungsnummer an.",
        "thanks": "Vielen Dank für Ihren Auftrag!",
    },
    "fr-FR": {
        "title": "FACTURE",
        "title_modern": "Facture",
        "number": "N° de facture",
        "date": "Date",
        "due": "Échéance",
        "order": "Bon de commande",
        "customer_number": "Code client",
        "vat": "N° TVA intracom.",
        "bill_to": "Facturé à",
        "billed_to": "FACTURÉ À",
        "pos": "N°",
        "description": "Désignation",
        "qty": "Qté",
        "unit_price": "Prix unit. HT",
        "discount": "Remise",
        "net": "Montant HT",
        "rate": "TVA %",
        "tax": "TVA",
        "total_col": "Total TTC",
        "subtotal": "Sous-total HT",
        "discount_total": "Remise",
        "net_total": "Total HT",
        "tax_line": "TVA {rate}",
        "total": "Total TTC",
        "amount_due": "Net à payer",
        "carried": "À reporter",
        "brought": "Report",
        "page": "Page {page} / {n_pages}",
        "payment": "Règlement par virement",
        "bank": "Banque",
        "iban": "IBAN",
        "bic": "BIC",
        "continued": "Facture {number} (suite)",
        "terms": "Paiement à {days} jours. Pénalités de retard : 3 fois le taux d'intérêt légal. "
        "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
        "thanks": "Merci de votre confiance.",
    },
}
LABELS["en-IE"] = dict(LABELS["en-GB"], vat="VAT No.")


class InvoiceText:
    """The printed strings of one invoice: labels in its language, amounts and dates in its locale."""

    def __init__(self, invoice: Invoice):
        self.invoice = invoice
        self.locale = invoice.locale
        self.labels = LABELS[invoice.locale.code]

    def label(self, key: str, **values: str) -> str:
        return self.labels[key].format(**values)

    def amount(self, value: Decimal) -> str:
        return self.locale.money(value, symbol=False)

    def money(self, value: Decimal) -> str:
        return self.locale.money(value)

    def quantity(self, item: Item) -> str:
        quantity = self.locale.quantity(item.quantity)
        return f"{quantity} {item.unit}" if item.unit else quantity

    def item_row(self, position: int, item: Item) -> dict[str, str]:
        return {
            "pos": str(position),
            "description": item.description,
            "qty": self.quantity(item),
            "unit_price": self.amount(item.unit_price),
            "discount": self.amount(item.discount) if item.discount else "",
            "net": self.amount(item.net),
            "rate": self.locale.percent(item.tax_rate),
            "tax": self.amount(item.tax),
            "total_col": self.amount(item.total),
        }

    def subtotal_row(self, label_key: str, n_items_done: int) -> dict[str, str]:
        done = self.invoice.items[:n_items_done]
        return {
            "description": self.label(label_key),
            "net": self.amount(sum((item.net for item in done), ZERO)),
            "tax": self.amount(sum((item.tax for item in done), ZERO)),
            "total_col": self.amount(sum((item.total for item in done), ZERO)),
        }

    def header_values(self) -> list[tuple[str, str]]:
        invoice = self.invoice
        rows = [
            (self.label("number"), invoice.number),
            (self.label("date"), self.locale.date(invoice.date)),
            (self.label("due"), self.locale.date(invoice.due_date)),
            (self.label("order"), invoice.order_number),
        ]
        if invoice.customer.customer_number:
            rows.append((self.label("customer_number"), invoice.customer.customer_number))
        return rows

    def totals(self) -> list[tuple[str, str, bool]]:
        """(label, amount, emphasised) rows of the totals block."""
        invoice = self.invoice
        rows: list[tuple[str, str, bool]] = []
        if invoice.has_discount:
            rows.append((self.label("subtotal"), self.money(invoice.gross_total), False))
            rows.append((self.label("discount_total"), self.money(-invoice.discount_total), False))
        rows.append((self.label("net_total"), self.money(invoice.net_total), False))
        for rate, _net, tax in invoice.tax_by_rate():
            rows.append((self.label("tax_line", rate=self.locale.percent(rate)), self.money(tax), False))
        rows.append((self.label("total"), self.money(invoice.total), True))
        return rows

    def terms(self) -> str:
        invoice = self.invoice
        return self.label("terms", days=str(invoice.payment_terms_days), due=self.locale.date(invoice.due_date))

    def bank_lines(self) -> list[str]:
        supplier = self.invoice.supplier
        lines = []
        if supplier.bank_name:
            lines.append(f"{self.label('bank')}: {supplier.bank_name}")
        lines.extend(supplier.bank_lines)
        if supplier.iban:
            lines.append(f"{self.label('iban')}: {supplier.iban.printed}")
        if supplier.bic:
            lines.append(f"{self.label('bic')}: {supplier.bic}")
        return lines


def _item_columns(
    text: InvoiceText, description_width: float, widths: dict[str, float], with_position: bool
) -> list[Column]:
    labels = text.labels
    columns = []
    if with_position:
        columns.append(Column("pos", labels["pos"], widths["pos"], "right"))
    columns.append(Column("description", labels["description"], description_width, wraps=True))
    columns.append(Column("qty", labels["qty"], widths["qty"], "right"))
    columns.append(Column("unit_price", labels["unit_price"], widths["unit_price"], "right"))
    if text.invoice.has_discount:
        columns.append(Column("discount", labels["discount"], widths["discount"], "right"))
    columns.append(Column("net", labels["net"], widths["net"], "right"))
    columns.append(Column("rate", labels["rate"], widths["rate"], "right"))
    columns.append(Column("tax", labels["tax"], widths["tax"], "right"))
    columns.append(Column("total_col", labels["total_col"], widths["total_col"], "right"))
    return columns


def _columns_fitting(
    text: InvoiceText, table_width: float, widths: dict[str, float], with_position: bool
) -> list[Column]:
    draft = _item_columns(text, 0, widths, with_position)
    used = sum(c.width for c in draft)
    return _item_columns(text, table_width - used, widths, with_position)


def _add_page_numbers(
    pages: list[Page], text: InvoiceText, x: float, y_from_bottom: float, align: str = "right", always: bool = False
) -> None:
    if len(pages) == 1 and not always:
        return
    for number, page in enumerate(pages, start=1):
        page.text(
            x,
            page.height - y_from_bottom,
            text.label("page", page=str(number), n_pages=str(len(pages))),
            REGULAR,
            8,
            align,
            gray(0.3),
        )


def _check_pages(invoice: Invoice, pages: list[Page]) -> list[Page]:
    if len(pages) != invoice.expected_pages:
        raise AssertionError(f"{invoice.stem}: laid out on {len(pages)} pages, expected {invoice.expected_pages}")
    return pages


# ---------------------------------------------------------------------------------------------------------
# classic


def layout_classic(invoice: Invoice) -> list[Page]:
    text = InvoiceText(invoice)
    supplier, customer = invoice.supplier, invoice.customer
    width, height = invoice.page_size
    left, right = 50.0, width - 50.0
    page = Page(width, height)

    page.text(left, 64, supplier.name, BOLD, 17)
    contact = list(supplier.address)
    if supplier.phone:
        contact.append(f"Tel: {supplier.phone}")
    if supplier.email:
        contact.append(supplier.email)
    y = draw_lines(page, left, 82, contact, REGULAR, 9, 11.5)
    page.text(right, 70, text.label("title"), BOLD, 26, "right", gray(0.3))
    page.hline(left, right, max(y, 130) + 4, 1.2, gray(0.2))

    top = max(y, 130) + 28
    rows = text.header_values()
    if supplier.vat:
        rows.append((text.label("vat"), supplier.vat.printed))
    label_width = max(text_width(label, BOLD, 9) for label, _ in rows) + 12
    row_y = top
    for label, value in rows:
        page.text(left, row_y, label, BOLD, 9)
        page.text(left + label_width, row_y, value, REGULAR, 9)
        row_y += 14
    bill_x = width / 2 + 30
    page.text(bill_x, top, text.label("bill_to"), BOLD, 10)
    page.text(bill_x, top + 15, customer.name, BOLD, 9.5)
    bill_y = draw_lines(page, bill_x, top + 28, list(customer.address), REGULAR, 9, 11.5)

    table_top = max(row_y, bill_y) + 18
    widths = {"qty": 36, "unit_price": 56, "discount": 46, "net": 56, "rate": 40, "tax": 50, "total_col": 58}
    table = Table(
        left,
        _columns_fitting(text, right - left, widths, False),
        TableStyle(size=8.5, grid=True, header_fill=gray(0.86), rule_color=gray(0.25)),
    )
    totals = text.totals()
    totals_height = 16 * len(totals) + 20

    def new_page(number: int) -> tuple[Page, float]:
        next_page = Page(width, height)
        next_page.text(left, 60, supplier.name, BOLD, 12)
        next_page.text(right, 60, text.label("continued", number=invoice.number), REGULAR, 9, "right")
        next_page.hline(left, right, 70, 0.8, gray(0.2))
        return next_page, 90

    rows_to_draw = [text.item_row(i, item) for i, item in enumerate(invoice.items, start=1)]
    flow = flow_table(
        table,
        rows_to_draw,
        page,
        table_top,
        height - 90,
        totals_height,
        new_page,
        lambda n: text.subtotal_row("carried", n),
        lambda n: text.subtotal_row("brought", n),
    )
    page = flow.pages[-1]

    y = flow.y + 18
    label_x = right - 200
    for label, amount, emphasised in totals:
        if emphasised:
            # the total between a rule and an accountant's double underline, with air around the figures
            page.hline(label_x, right, y - 12, 1.0)
            y += 5
            page.text(label_x, y, label, BOLD, 11)
            page.text(right, y, amount, BOLD, 11, "right")
            page.hline(label_x, right, y + 8, 0.6)
            page.hline(label_x, right, y + 10, 0.6)
        else:
            page.text(label_x, y, label, REGULAR, 9)
            page.text(right, y, amount, REGULAR, 9, "right")
        y += 16

    pay_y = flow.y + 18
    page.text(left, pay_y, text.label("payment"), BOLD, 9.5)
    draw_lines(page, left, pay_y + 14, text.bank_lines(), REGULAR, 9, 11.5)

    terms_y = max(y, pay_y + 14 + 11.5 * len(text.bank_lines())) + 16
    for line in wrap(text.terms(), REGULAR, 8.5, right - left) + [text.label("thanks")]:
        page.text(left, terms_y, line, REGULAR, 8.5, color=gray(0.2))
        terms_y += 11

    # registration details side by side, centred, separated by white space
    gap = 22.0
    item_widths = [text_width(item, REGULAR, 8) for item in supplier.registration]
    for each in flow.pages:
        x = width / 2 - (sum(item_widths) + gap * (len(item_widths) - 1)) / 2
        for item, item_width in zip(supplier.registration, item_widths):
            each.text(x, height - 52, item, REGULAR, 8, color=gray(0.3))
            x += item_width + gap
    _add_page_numbers(flow.pages, text, right, 24)
    return _check_pages(invoice, flow.pages)


# ---------------------------------------------------------------------------------------------------------
# modern


def _lighten(color: Color, amount: float) -> Color:
    return tuple(c + (1 - c) * amount for c in color)  # type: ignore[return-value]


def _logo(page: Page, x: float, y: float, accent: Color) -> None:
    """A small geometric logo mark (no text), top edge at y."""
    page.rect(x, y, 30, 30, fill=accent)
    page.circle(x + 15, y + 15, 9, (1, 1, 1))
    page.circle(x + 15, y + 15, 4.5, accent)


def layout_modern(invoice: Invoice) -> list[Page]:
    text = InvoiceText(invoice)
    supplier, customer = invoice.supplier, invoice.customer
    width, height = invoice.page_size
    left, right = 48.0, width - 48.0
    accent = supplier.accent
    light = _lighten(accent, 0.9)
    page = Page(width, height)

    _logo(page, left, 40, accent)
    page.text(left + 40, 58, supplier.name, BOLD, 16, color=accent)
    if supplier.tagline:
        page.text(left + 40, 70, supplier.tagline, REGULAR, 8.5, color=gray(0.35))
    address = list(supplier.address) + [line for line in (supplier.phone, supplier.email, supplier.web) if line]
    draw_lines(page, right, 48, address, REGULAR, 8.5, 10.5, "right", gray(0.25))

    page.text(left, 150, text.label("title_modern"), BOLD, 26, color=accent)
    page.text(left, 180, text.label("billed_to"), BOLD, 8, color=gray(0.4))
    page.text(left, 195, customer.name, BOLD, 10)
    bill_y = draw_lines(page, left, 208, list(customer.address), REGULAR, 9, 11.5)

    rows = text.header_values()
    box_width, box_top = 220.0, 128.0
    box_height = 14 + 16 * len(rows)
    page.rect(right - box_width, box_top, box_width, box_height, fill=light, stroke=accent, line_width=0.8)
    row_y = box_top + 18
    for label, value in rows:
        page.text(right - box_width + 10, row_y, label, REGULAR, 8.5, color=gray(0.3))
        page.text(right - 10, row_y, value, BOLD, 9, "right")
        row_y += 16

    table_top = max(bill_y, box_top + box_height) + 26
    widths = {"qty": 40, "unit_price": 56, "discount": 44, "net": 54, "rate": 40, "tax": 46, "total_col": 56}
    style = TableStyle(
        size=8.5,
        header_size=8,
        header_color=gray(0.3),
        header_rule=(1.2, accent),
        rule_color=gray(0.82),
        zebra=_lighten(accent, 0.95),
    )
    table = Table(left, _columns_fitting(text, right - left, widths, False), style)
    totals = text.totals()
    totals_height = 17 * len(totals) + 40

    def new_page(number: int) -> tuple[Page, float]:
        next_page = Page(width, height)
        _logo(next_page, left, 36, accent)
        next_page.text(left + 40, 56, supplier.name, BOLD, 13, color=accent)
        next_page.text(right, 56, text.label("continued", number=invoice.number), REGULAR, 9, "right", gray(0.3))
        return next_page, 96

    rows_to_draw = [text.item_row(i, item) for i, item in enumerate(invoice.items, start=1)]
    flow = flow_table(
        table,
        rows_to_draw,
        page,
        table_top,
        height - 105,
        totals_height,
        new_page,
        lambda n: text.subtotal_row("carried", n),
        lambda n: text.subtotal_row("brought", n),
        zebra=True,
    )
    page = flow.pages[-1]

    y = flow.y + 20
    label_x = right - 210
    for label, amount, emphasised in totals:
        if emphasised:
            page.rect(label_x - 8, y - 12, right - label_x + 8, 22, fill=_lighten(accent, 0.8))
            page.text(label_x, y + 3, text.label("amount_due"), BOLD, 11)
            page.text(right - 6, y + 3, amount, BOLD, 11, "right")
        else:
            page.text(label_x, y, label, REGULAR, 9, color=gray(0.2))
            page.text(right - 6, y, amount, REGULAR, 9, "right")
        y += 17

    pay_y = flow.y + 20
    page.text(left, pay_y, text.label("payment"), BOLD, 9, color=accent)
    draw_lines(page, left, pay_y + 14, text.bank_lines(), REGULAR, 8.5, 11)
    draw_lines(
        page,
        left,
        pay_y + 14 + 11 * len(text.bank_lines()) + 10,
        wrap(text.terms(), REGULAR, 8.5, label_x - left - 30),
        REGULAR,
        8.5,
        11,
        color=gray(0.3),
    )

    for each in flow.pages:
        each.hline(left, right, height - 72, 0.6, gray(0.7))
        column_x = [left, left + (right - left) / 3, left + 2 * (right - left) / 3]
        columns = [
            [supplier.name] + list(supplier.registration),
            [line for line in ([f"{text.label('vat')} {supplier.vat.printed}"] if supplier.vat else [])]
            + ([supplier.bank_name] if supplier.bank_name else []),
            [line for line in (supplier.email, supplier.web) if line],
        ]
        for x, lines in zip(column_x, columns):
            draw_lines(each, x, height - 58, lines, REGULAR, 7.5, 9.5, color=gray(0.35))
    _add_page_numbers(flow.pages, text, right, 20)
    return _check_pages(invoice, flow.pages)


# ---------------------------------------------------------------------------------------------------------
# german-table (DIN 5008)


def layout_german_table(invoice: Invoice) -> list[Page]:
    text = InvoiceText(invoice)
    supplier, customer = invoice.supplier, invoice.customer
    width, height = invoice.page_size
    left, right = 57.0, width - 45.0
    page = Page(width, height)

    page.text(right, 62, supplier.name, BOLD, 17, "right", supplier.accent)
    if supplier.tagline:
        page.text(right, 76, supplier.tagline, REGULAR, 8.5, "right", gray(0.35))

    sender = ", ".join([supplier.name] + list(supplier.address))
    page.text(left, 138, sender, REGULAR, 7.5, color=gray(0.2))
    page.hline(left, left + text_width(sender, REGULAR, 7.5), 140, 0.4, gray(0.4))
    draw_lines(page, left, 160, [customer.name] + list(customer.address), REGULAR, 10, 12.5)

    info = text.header_values()
    if supplier.vat:
        info.append((text.label("vat"), supplier.vat.printed))
    contact = [("Telefon", supplier.phone), ("E-Mail", supplier.email)]
    info_x = 360.0
    row_y = 140.0
    for label, value in info:
        page.text(info_x, row_y, label, REGULAR, 8.5, color=gray(0.3))
        page.text(right, row_y, value, BOLD if label == text.label("number") else REGULAR, 8.5, "right")
        row_y += 12.5
    row_y += 4
    for label, value in contact:
        if value:
            page.text(info_x, row_y, label, REGULAR, 8.5, color=gray(0.3))
            page.text(right, row_y, value, REGULAR, 8.5, "right")
            row_y += 12.5

    title_y = max(row_y, 250) + 30
    page.text(left, title_y, f"{text.label('title_modern')} {invoice.number}", BOLD, 13)
    intro = (
        [
            "Sehr geehrte Damen und Herren,",
            "für unsere Lieferungen und Leistungen erlauben wir uns, Ihnen Folgendes in Rechnung zu stellen:",
        ]
        if invoice.locale.code == "de-DE"
        else []
    )
    intro_y = draw_lines(page, left, title_y + 22, intro, REGULAR, 9.5, 12.5)

    widths = {"pos": 26, "qty": 40, "unit_price": 50, "discount": 40, "net": 50, "rate": 39, "tax": 44, "total_col": 52}
    style = TableStyle(size=8.5, header_size=8, grid=True, header_fill=gray(0.84), rule_color=gray(0.35), padding=3.5)
    table = Table(left, _columns_fitting(text, right - left, widths, True), style)
    totals = text.totals()
    totals_height = 15 * len(totals) + 80

    def new_page(number: int) -> tuple[Page, float]:
        next_page = Page(width, height)
        next_page.text(right, 56, supplier.name, BOLD, 12, "right", supplier.accent)
        next_page.text(left, 80, text.label("continued", number=invoice.number), BOLD, 10)
        next_page.text(right, 80, f"{text.label('date')} {text.locale.date(invoice.date)}", REGULAR, 8.5, "right")
        return next_page, 96

    rows_to_draw = [text.item_row(i, item) for i, item in enumerate(invoice.items, start=1)]
    flow = flow_table(
        table,
        rows_to_draw,
        page,
        intro_y + 4,
        height - 110,
        totals_height,
        new_page,
        lambda n: text.subtotal_row("carried", n),
        lambda n: text.subtotal_row("brought", n),
    )
    page = flow.pages[-1]

    y = flow.y + 16
    label_x = right - 230
    for label, amount, emphasised in totals:
        font = BOLD if emphasised else REGULAR
        if emphasised:
            page.hline(label_x, right, y - 10, 0.8)
        page.text(label_x, y, label, font, 9.5 if emphasised else 9)
        page.text(right - 4, y, amount, font, 9.5 if emphasised else 9, "right")
        y += 15
    page.hline(label_x, right, y - 11, 0.8)
    y += 10
    y = draw_lines(page, left, y, [text.terms(), text.label("thanks")], REGULAR, 9, 12.5)

    for each in flow.pages:
        footer_top = height - 74
        each.hline(left, right, footer_top - 10, 0.5, gray(0.5))
        column_width = (right - left) / 4
        columns = [
            [supplier.name] + list(supplier.address),
            list(supplier.registration),
            [line for line in ([f"USt-IdNr.: {supplier.vat.printed}"] if supplier.vat else [])]
            + [line for line in (supplier.web,) if line],
            text.bank_lines(),
        ]
        for index, lines in enumerate(columns):
            wrapped = [part for line in lines for part in wrap(line, REGULAR, 7, column_width - 8)]
            draw_lines(each, left + index * column_width, footer_top, wrapped, REGULAR, 7, 8.6, color=gray(0.25))
    _add_page_numbers(flow.pages, text, right, 100, always=True)
    return _check_pages(invoice, flow.pages)


LAYOUTS = {"classic": layout_classic, "modern": layout_modern, "german-table": layout_german_table}


def layout_invoice(invoice: Invoice) -> list[Page]:
    invoice.check()
    return LAYOUTS[invoice.layout](invoice)
