"""Bank statements: account header, period, opening balance, a transaction table with running balance that
continues across pages, and the closing balance. Balances are computed, so they are always consistent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal as D

from .drawing import (
    A4,
    BOLD,
    LETTER,
    REGULAR,
    Color,
    Column,
    Page,
    Table,
    TableStyle,
    draw_lines,
    flow_table,
    gray,
    wrap,
)
from .identifiers import Identifier, aba_routing, french_rib_key, iban
from .money import ZERO, Locale, locale_for, plain_decimal


@dataclasses.dataclass(frozen=True)
class Transaction:
    date: dt.date
    description: str
    amount: D  # credit > 0, debit < 0
    value_date: dt.date | None = None


@dataclasses.dataclass(frozen=True)
class Statement:
    stem: str
    locale: Locale
    layout: str  # uk-bank | de-kontoauszug | us-landscape | fr-releve
    bank_name: str
    bank_lines: tuple[str, ...]
    holder_name: str
    holder_address: tuple[str, ...]
    account_number: str  # as printed
    account_number_normalised: str
    account_details: tuple[tuple[str, str], ...]  # (label, value) printed in the account box
    iban: Identifier | None
    statement_number: str
    period_start: dt.date
    period_end: dt.date
    opening_balance: D
    transactions: tuple[Transaction, ...]
    footer: tuple[str, ...]
    accent: Color = (0.1, 0.2, 0.45)
    page_size: tuple[float, float] = A4
    rotate: int = 0
    expected_pages: int = 1

    @property
    def title(self) -> str:
        return f"{LABELS[self.locale.code]['title']} {self.statement_number}"

    def balances(self) -> list[D]:
        balance = self.opening_balance
        result = []
        for transaction in self.transactions:
            balance += transaction.amount
            result.append(balance)
        return result

    @property
    def closing_balance(self) -> D:
        return self.opening_balance + sum((t.amount for t in self.transactions), ZERO)

    @property
    def money_in(self) -> D:
        return sum((t.amount for t in self.transactions if t.amount > 0), ZERO)

    @property
    def money_out(self) -> D:
        return -sum((t.amount for t in self.transactions if t.amount < 0), ZERO)

    def check(self) -> None:
        dates = [t.date for t in self.transactions]
        if dates != sorted(dates) or dates[0] < self.period_start or dates[-1] > self.period_end:
            raise AssertionError(f"{self.stem}: transactions out of order or outside the period")
        if min(self.balances()) < 0:
            raise AssertionError(f"{self.stem}: the balance goes negative")

    def fields(self) -> dict[str, str]:
        fields = {
            "bankName": self.bank_name,
            "accountHolderName": self.holder_name,
            "accountNumber": self.account_number_normalised,
            "currencyCode": self.locale.currency_code,
            "openingDate": self.period_start.isoformat(),
            "closingDate": self.period_end.isoformat(),
            "openingBalance": plain_decimal(self.opening_balance),
            "closingBalance": plain_decimal(self.closing_balance),
        }
        if self.iban:
            fields["iban"] = self.iban.normalised
        return fields

    def line_items(self) -> list[dict[str, str]]:
        return [
            {
                "date": t.date.isoformat(),
                "description": t.description,
                "creditAmount": plain_decimal(t.amount) if t.amount > 0 else "",
                "debitAmount": plain_decimal(-t.amount) if t.amount < 0 else "",
                "balanceAmount": plain_decimal(balance),
            }
            for t, balance in zip(self.transactions, self.balances())
        ]


LABELS = {
    "en-GB": {
        "title": "Statement",
        "heading": "Business Current Account",
        "number": "Statement no.",
        "period": "Statement period",
        "period_value": "{start} to {end}",
        "date": "Date",
        "description": "Description",
        "debit": "Paid out",
        "credit": "Paid in",
        "balance": "Balance",
        "opening": "Balance brought forward",
        "closing": "Balance carried forward",
        "carried": "Balance carried forward",
        "brought": "Balance brought forward",
        "summary_opening": "Opening balance",
        "summary_in": "Money in",
        "summary_out": "Money out",
        "summary_closing": "Closing balance",
        "page": "Page {page} of {n_pages}",
        "holder": "Account name",
    },
    "de-DE": {
        "title": "Kontoauszug",
        "heading": "Girokonto",
        "number": "Auszug Nr.",
        "period": "Zeitraum",
        "period_value": "{start} bis {end}",
        "date": "Buchung",
        "value_date": "Wert",
        "description": "Vorgang",
        "debit": "Soll",
        "credit": "Haben",
        "balance": "Saldo",
        "opening": "Alter Kontostand",
        "closing": "Neuer Kontostand",
        "carried": "Übertrag",
        "brought": "Übertrag",
        "summary_opening": "Alter Kontostand",
        "summary_in": "Summe Haben",
        "summary_out": "Summe Soll",
        "summary_closing": "Neuer Kontostand",
        "page": "Blatt {page} von {n_pages}",
        "holder": "Kontoinhaber",
    },
    "en-US": {
        "title": "Statement",
        "heading": "Everyday Checking",
        "number": "Statement no.",
        "period": "Statement Period",
        "period_value": "{start} - {end}",
        "date": "Date",
        "description": "Description",
        "debit": "Withdrawals",
        "credit": "Deposits",
        "balance": "Balance",
        "opening": "Beginning Balance",
        "closing": "Ending Balance",
        "carried": "Balance forward",
        "brought": "Balance forward",
        "summary_opening": "Beginning Balance",
        "summary_in": "Total Deposits",
        "summary_out": "Total Withdrawals",
        "summary_closing": "Ending Balance",
        "page": "Page {page} of {n_pages}",
        "holder": "Account Holder",
    },
    "fr-FR": {
        "title": "Relevé de compte",
        "heading": "Compte courant",
        "number": "Relevé n°",
        "period": "Période",
        "period_value": "du {start} au {end}",
        "date": "Date",
        "value_date": "Valeur",
        "description": "Libellé",
        "debit": "Débit",
        "credit": "Crédit",
        "balance": "Solde",
        "opening": "Ancien solde",
        "closing": "Nouveau solde",
        "carried": "À reporter",
        "brought": "Report",
        "summary_opening": "Ancien solde",
        "summary_in": "Total des crédits",
        "summary_out": "Total des débits",
        "summary_closing": "Nouveau solde",
        "page": "Page {page} / {n_pages}",
        "holder": "Titulaire",
    },
}


def layout_statement(statement: Statement) -> list[Page]:
    statement.check()
    locale = statement.locale
    labels = LABELS[locale.code]
    width, height = statement.page_size
    if statement.rotate == 90:
        width, height = height, width  # drawn landscape, stored portrait with /Rotate 90
    left, right = 48.0, width - 48.0
    accent = statement.accent

    def amount(value: D) -> str:
        return locale.money(value, symbol=False)

    def new_page_header(page: Page) -> None:
        page.rect(left, 36, 6, 30, fill=accent)
        page.text(left + 14, 56, statement.bank_name, BOLD, 16, color=accent)

    page = Page(width, height, statement.rotate)
    new_page_header(page)
    draw_lines(page, left + 14, 70, list(statement.bank_lines), REGULAR, 8, 10, color=gray(0.3))
    page.text(right, 52, labels["title"], BOLD, 15, "right")
    page.text(right, 66, labels["heading"], REGULAR, 9, "right", gray(0.3))

    top = 128.0
    page.text(left, top, statement.holder_name, BOLD, 10)
    holder_end = draw_lines(page, left, top + 13, list(statement.holder_address), REGULAR, 9.5, 12)

    box_x = right - (250 if statement.rotate == 0 else 300)
    details = [
        (labels["number"], statement.statement_number),
        (
            labels["period"],
            labels["period_value"].format(
                start=locale.date(statement.period_start), end=locale.date(statement.period_end)
            ),
        ),
        (labels["holder"], statement.holder_name),
    ] + list(statement.account_details)
    row_y = top - 12
    box_height = 14 * len(details) + 10
    page.rect(box_x - 10, row_y - 14, right - box_x + 10, box_height, stroke=gray(0.6), line_width=0.6)
    for label, value in details:
        page.text(box_x, row_y, label, REGULAR, 8.5, color=gray(0.3))
        page.text(right - 8, row_y, value, BOLD, 8.5, "right")
        row_y += 14

    summary = [
        (labels["summary_opening"], statement.opening_balance),
        (labels["summary_in"], statement.money_in),
        (labels["summary_out"], statement.money_out),
        (labels["summary_closing"], statement.closing_balance),
    ]
    summary_y = max(holder_end, row_y - 14 + 10) + 16
    summary_x = left
    column_width = (right - summary_x) / 4
    page.rect(summary_x, summary_y - 2, right - summary_x, 34, fill=_tint(accent))
    for index, (label, value) in enumerate(summary):
        x = summary_x + index * column_width + 8
        page.text(x, summary_y + 11, label, REGULAR, 8, color=gray(0.25))
        page.text(x, summary_y + 25, locale.money(value), BOLD, 10.5)
    table_top = summary_y + 50

    columns = [Column("date", labels["date"], 56)]
    if "value_date" in labels:
        columns.append(Column("value_date", labels["value_date"], 56))
    fixed = sum(c.width for c in columns) + 3 * 70
    columns += [
        Column("description", labels["description"], (right - left) - fixed, wraps=True),
        Column("debit", labels["debit"], 70, "right"),
        Column("credit", labels["credit"], 70, "right"),
        Column("balance", labels["balance"], 70, "right"),
    ]
    table = Table(
        left,
        columns,
        TableStyle(
            size=8.5,
            header_size=8.5,
            header_fill=_tint(accent),
            header_rule=(1.0, accent),
            rule_color=gray(0.8),
            padding=4.5,
        ),
    )

    balances = statement.balances()
    rows = []
    for transaction, balance in zip(statement.transactions, balances):
        row = {
            "date": locale.date(transaction.date),
            "description": transaction.description,
            "debit": amount(-transaction.amount) if transaction.amount < 0 else "",
            "credit": amount(transaction.amount) if transaction.amount > 0 else "",
            "balance": amount(balance),
        }
        if transaction.value_date:
            row["value_date"] = locale.date(transaction.value_date)
        rows.append(row)
    opening_row = {
        "date": locale.date(statement.period_start),
        "description": labels["opening"],
        "balance": amount(statement.opening_balance),
    }

    def balance_row(label_key: str, n_done: int) -> dict[str, str]:
        return {"description": labels[label_key], "balance": amount(balances[n_done - 1])}

    def new_page(number: int) -> tuple[Page, float]:
        next_page = Page(width, height, statement.rotate)
        new_page_header(next_page)
        next_page.text(right, 52, f"{labels['title']} {statement.statement_number}", BOLD, 10, "right")
        next_page.text(
            right, 66, f"{statement.holder_name} · {statement.account_number}", REGULAR, 8.5, "right", gray(0.3)
        )
        return next_page, 96

    all_rows = [opening_row] + rows
    flow = flow_table(
        table,
        all_rows,
        page,
        table_top,
        height - 60,
        20,
        new_page,
        lambda n: balance_row("carried", n - 1) if n > 1 else opening_row,
        lambda n: balance_row("brought", n - 1) if n > 1 else opening_row,
    )
    last = flow.pages[-1]
    table.draw_row(
        last,
        flow.y,
        {
            "date": locale.date(statement.period_end),
            "description": labels["closing"],
            "balance": amount(statement.closing_balance),
        },
        bold=True,
    )

    for page_number, each in enumerate(flow.pages, start=1):
        footer_y = height - 42
        for line in statement.footer:
            for part in wrap(line, REGULAR, 7.5, right - left - 90):
                each.text(left, footer_y, part, REGULAR, 7.5, color=gray(0.35))
                footer_y += 9.5
        each.text(
            right,
            height - 42,
            labels["page"].format(page=page_number, n_pages=len(flow.pages)),
            REGULAR,
            8,
            "right",
            gray(0.3),
        )
    if len(flow.pages) != statement.expected_pages:
        raise AssertionError(f"{statement.stem}: {len(flow.pages)} pages, expected {statement.expected_pages}")
    return flow.pages


def _tint(color: Color) -> Color:
    return tuple(c + (1 - c) * 0.88 for c in color)  # type: ignore[return-value]


def _random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _money(rng: random.Random, low: str, high: str) -> D:
    return D(rng.randint(int(D(low) * 100), int(D(high) * 100))) / 100


def _sorted(transactions: list[Transaction]) -> tuple[Transaction, ...]:
    return tuple(sorted(transactions, key=lambda t: t.date))


def statements(rng_for) -> list[Statement]:
    result = []
    # 01 -- en-GB business current account, one page -------------------------------------------------
    rng = rng_for("statement-01-en-gb")
    start, end = dt.date(2025, 8, 1), dt.date(2025, 8, 31)
    transactions = [
        Transaction(dt.date(2025, 8, 1), "DD HARBOUR ESTATES LTD RENT AUG", -D("1850.00")),
        Transaction(dt.date(2025, 8, 4), "DD WESSEX FLOUR MILLS LTD INV 40918", -_money(rng, "600", "900")),
        Transaction(dt.date(2025, 8, 7), "FPO HMRC VAT QTR TO 30 JUN 2025 REF 284591736", -D("2316.40")),
        Transaction(dt.date(2025, 8, 12), "DD SOUTHCOAST ENERGY SUPPLY ELEC/GAS", -_money(rng, "380", "520")),
        Transaction(dt.date(2025, 8, 15), "BGC BRIGHTON CATERING CO INV 1127", _money(rng, "450", "900")),
        Transaction(dt.date(2025, 8, 18), "DD DAIRY DIRECT SUSSEX LTD", -_money(rng, "250", "420")),
        Transaction(dt.date(2025, 8, 22), "CHG ACCOUNT FEES JUL 2025", -D("18.50")),
        Transaction(dt.date(2025, 8, 28), "FPO PAYROLL AUG 2025 4 PAYMENTS", -D("6240.00")),
        Transaction(dt.date(2025, 8, 29), "DD NEST PENSIONS EMPLOYER CONTRIBUTIONS", -D("312.00")),
    ]
    for day in (4, 8, 11, 15, 18, 22, 26, 29):
        transactions.append(
            Transaction(
                dt.date(2025, 8, day), f"CARD SETTLEMENT NBMS MERCHANT {day:02d}AUG", _money(rng, "900", "1700")
            )
        )
    gb_iban = iban("GB", "NBRG20457741726395")
    result.append(
        Statement(
            stem="statement-01-en-gb",
            locale=locale_for("en-GB"),
            layout="uk-bank",
            bank_name="Northbridge Bank plc",
            bank_lines=("Business Banking, PO Box 1207, Leeds LS1 4DY", "0345 600 2291 · northbridgebank.co.uk"),
            holder_name="Harbour Lane Bakery Ltd",
            holder_address=("14 Harbour Lane", "Shoreham-by-Sea", "West Sussex BN43 5HZ"),
            account_number="41726395",
            account_number_normalised="41726395",
            account_details=(
                ("Sort code", "20-45-77"),
                ("Account number", "41726395"),
                ("IBAN", gb_iban.printed),
                ("BIC", "NBRGGB2L"),
            ),
            iban=gb_iban,
            statement_number="118",
            period_start=start,
            period_end=end,
            opening_balance=D("8412.37"),
            transactions=_sorted(transactions),
            footer=(
                "Northbridge Bank plc is authorised by the Prudential Regulation Authority and regulated by the "
                "Financial Conduct Authority and the Prudential Regulation Authority. Registered in England "
                "No. 04417729.",
            ),
            accent=(0.0, 0.27, 0.47),
        )
    )

    # 02 -- de-DE private giro account, two pages -------------------------------------------------------
    rng = rng_for("statement-02-de-de-2page")
    start, end = dt.date(2025, 9, 1), dt.date(2025, 9, 30)
    transactions = [
        Transaction(
            dt.date(2025, 9, 1),
            "Dauerauftrag Miete September 2025 Wohnung Kurfürstenstraße 12 Empfänger: Hausverwaltung Albers GmbH",
            -D("1140.00"),
        ),
        Transaction(
            dt.date(2025, 9, 1),
            "SEPA-Lastschrift Stadtwerke Mainz AG Abschlag Strom/Gas 09/2025 Mandatsref. SWM-448120",
            -D("128.00"),
        ),
        Transaction(
            dt.date(2025, 9, 2),
            "SEPA-Lastschrift Mobilfunk Mittelrhein GmbH Rechnung 09/2025 Kundennr. 7718822",
            -D("24.99"),
        ),
        Transaction(
            dt.date(2025, 9, 3), "SEPA-Lastschrift Rundfunk ARD ZDF DRadio Beitragsnummer 448 112 907", -D("55.08")
        ),
        Transaction(
            dt.date(2025, 9, 15), "SEPA-Lastschrift Allgemeine Hausrat Versicherung AG Beitrag 2025", -D("86.40")
        ),
        Transaction(dt.date(2025, 9, 26), "Lohn/Gehalt September 2025 Rheintal Medizintechnik GmbH", D("3412.86")),
        Transaction(dt.date(2025, 9, 29), "Dauerauftrag Sparplan Depot 4471820", -D("200.00")),
        Transaction(dt.date(2025, 9, 30), "Kontoführungsentgelt 09/2025", -D("4.90")),
        Transaction(dt.date(2025, 9, 19), "Gutschrift Überweisung Lena Vogel Anteil Urlaub Ostsee", D("320.00")),
    ]
    shops = [
        "REWE Markt Mainz-Neustadt",
        "dm-drogerie markt Mainz",
        "Bäckerei Lutz Mainz",
        "ALDI SÜD Mainz",
        "Tankstelle Rheinblick Mainz",
        "Buchhandlung am Dom Mainz",
        "Apotheke am Gautor Mainz",
        "Wochenmarkt Mainz Domplatz",
        "Edeka Center Mainz-Bretzenheim",
        "Kino Capitol Mainz",
    ]
    for index in range(16):
        day = _random_day(rng, dt.date(2025, 9, 2), dt.date(2025, 9, 29))
        shop = shops[index % len(shops)]
        transactions.append(
            Transaction(
                day,
                f"Kartenzahlung girocard {shop} {day.strftime('%d.%m.')} "
                f"{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}",
                -_money(rng, "4.50", "96.00"),
            )
        )
    for _withdrawal in range(3):
        day = _random_day(rng, dt.date(2025, 9, 3), dt.date(2025, 9, 27))
        transactions.append(
            Transaction(
                day, f"Bargeldauszahlung Geldautomat Mainz Hbf {day.strftime('%d.%m.')}", -D(rng.choice([50, 100, 150]))
            )
        )
    ordered = []
    for t in _sorted(transactions):
        value_date = t.date if t.amount < 0 else t.date + dt.timedelta(days=0)
        ordered.append(dataclasses.replace(t, value_date=value_date))
    de_iban = iban("DE", "550901000731904455")
    result.append(
        Statement(
            stem="statement-02-de-de-2page",
            locale=locale_for("de-DE"),
            layout="de-kontoauszug",
            bank_name="Rheinhessische Handelsbank AG",
            bank_lines=("Große Bleiche 31 · 55116 Mainz", "Telefon 06131 4488 0 · www.rheinhessische-handelsbank.de"),
            holder_name="Katharina Vogel",
            holder_address=("Kurfürstenstraße 12", "55118 Mainz"),
            account_number=de_iban.printed,
            account_number_normalised=de_iban.normalised,
            account_details=(("IBAN", de_iban.printed), ("BIC", "RHHBDE51XXX"), ("Währung", "EUR")),
            iban=de_iban,
            statement_number="9/2025",
            period_start=start,
            period_end=end,
            opening_balance=D("2684.15"),
            transactions=tuple(ordered),
            footer=(
                "Bitte prüfen Sie die Buchungen. Einwendungen gegen diesen Rechnungsabschluss sind innerhalb von sechs "
                "Wochen nach Zugang zu erheben. Guthaben sind als Einlagen nach Maßgabe des Einlagensicherungsgesetzes "
                "entschädigungsfähig.",
            ),
            accent=(0.0, 0.35, 0.3),
            expected_pages=2,
        )
    )

    # 03 -- en-US checking, landscape page stored with /Rotate 90 -------------------------------------------
    rng = rng_for("statement-03-en-us-rotated")
    start, end = dt.date(2025, 7, 1), dt.date(2025, 7, 31)
    transactions = [
        Transaction(dt.date(2025, 7, 1), "ONLINE TRANSFER TO SAVINGS XXXXXX8841", -D("500.00")),
        Transaction(dt.date(2025, 7, 3), "ACH DEPOSIT FRONT RANGE ENGINEERING PAYROLL", D("2684.12")),
        Transaction(dt.date(2025, 7, 5), "CHECK 1043", -D("1650.00")),
        Transaction(dt.date(2025, 7, 8), "ACH DEBIT FRONT RANGE POWER & GAS AUTOPAY", -_money(rng, "90", "160")),
        Transaction(
            dt.date(2025, 7, 10), "POS PURCHASE HIGHLANDS FRESH MARKET #212 DENVER CO", -_money(rng, "60", "140")
        ),
        Transaction(dt.date(2025, 7, 14), "ATM WITHDRAWAL 1600 GLENARM PL DENVER CO", -D("120.00")),
        Transaction(dt.date(2025, 7, 15), "ACH DEBIT ROCKY MOUNTAIN AUTO LOAN PMT", -D("412.37")),
        Transaction(dt.date(2025, 7, 17), "ACH DEPOSIT FRONT RANGE ENGINEERING PAYROLL", D("2684.12")),
        Transaction(dt.date(2025, 7, 18), "CHECK 1044", -D("85.00")),
        Transaction(dt.date(2025, 7, 22), "POS PURCHASE MILE HIGH HARDWARE DENVER CO", -_money(rng, "20", "90")),
        Transaction(dt.date(2025, 7, 24), "MOBILE DEPOSIT CHECK", D("250.00")),
        Transaction(dt.date(2025, 7, 28), "ACH DEBIT SUMMIT WIRELESS MONTHLY", -D("74.99")),
        Transaction(dt.date(2025, 7, 31), "INTEREST PAYMENT", D("0.42")),
    ]
    result.append(
        Statement(
            stem="statement-03-en-us-rotated",
            locale=locale_for("en-US"),
            layout="us-landscape",
            bank_name="Granite Ridge Savings Bank",
            bank_lines=("PO Box 4410, Denver, CO 80201", "1-800-555-0139 · graniteridgebank.com"),
            holder_name="Marcus T. Delgado",
            holder_address=("2217 W 32nd Ave, Apt 3", "Denver, CO 80211"),
            account_number="4482190733",
            account_number_normalised="4482190733",
            account_details=(("Account Number", "4482190733"), ("Routing Number", aba_routing("10210278"))),
            iban=None,
            statement_number="07-2025",
            period_start=start,
            period_end=end,
            opening_balance=D("1873.55"),
            transactions=_sorted(transactions),
            footer=(
                "Member FDIC. Equal Housing Lender. In case of errors or questions about your electronic transfers, "
                "call us as soon as you can at 1-800-555-0139.",
            ),
            accent=(0.35, 0.2, 0.1),
            page_size=LETTER,
            rotate=90,
        )
    )

    # 04 -- fr-FR compte courant, scanned ------------------------------------------------------------------
    rng = rng_for("statement-04-fr-fr-scan")
    start, end = dt.date(2025, 8, 1), dt.date(2025, 8, 31)
    transactions = [
        Transaction(dt.date(2025, 8, 1), "PRLV SEPA LOYER AOUT AGENCE SAVOIE HABITAT", -D("780.00")),
        Transaction(dt.date(2025, 8, 4), "CB CARREFOUR MARKET ANNECY 02/08", -_money(rng, "40", "120")),
        Transaction(dt.date(2025, 8, 5), "PRLV SEPA ENERGIE DES ALPES ECHEANCE", -D("96.00")),
        Transaction(dt.date(2025, 8, 6), "CB BOULANGERIE DU PAQUIER 05/08", -_money(rng, "4", "15")),
        Transaction(dt.date(2025, 8, 8), "VIR SEPA REMBOURSEMENT MUTUELLE ALPINE", _money(rng, "20", "80")),
        Transaction(dt.date(2025, 8, 11), "RETRAIT DAB ANNECY CENTRE 09/08", -D("60.00")),
        Transaction(dt.date(2025, 8, 13), "CB TRANSALPES VOYAGES 12/08", -_money(rng, "30", "90")),
        Transaction(dt.date(2025, 8, 18), "PRLV SEPA BOX INTERNET LAC TELECOM", -D("34.99")),
        Transaction(dt.date(2025, 8, 20), "CB PHARMACIE DES CORDELIERS 19/08", -_money(rng, "8", "40")),
        Transaction(dt.date(2025, 8, 25), "CHEQUE N° 8830412", -D("150.00")),
        Transaction(dt.date(2025, 8, 28), "VIR SEPA SALAIRE AOUT ATELIERS DU LAC SAS", D("2215.47")),
        Transaction(dt.date(2025, 8, 29), "CB LIBRAIRIE DES BEAUX-ARTS 28/08", -_money(rng, "10", "45")),
        Transaction(dt.date(2025, 8, 31), "COTISATION OFFRE BANCAIRE AOUT", -D("7.90")),
    ]
    account = "04418823905"
    fr_iban = iban("FR", "18706" + "00041" + account + french_rib_key("18706", "00041", account))
    result.append(
        Statement(
            stem="statement-04-fr-fr-scan",
            locale=locale_for("fr-FR"),
            layout="fr-releve",
            bank_name="Banque du Lac d'Annecy",
            bank_lines=("Agence Annecy Centre", "4 rue Royale, 74000 Annecy", "Tél. 04 50 55 21 90"),
            holder_name="M. Julien Carpentier",
            holder_address=("9 avenue de Chambéry", "74000 Annecy"),
            account_number=account,
            account_number_normalised=account,
            account_details=(("N° de compte", account), ("IBAN", fr_iban.printed), ("BIC", "BLAAFRP1XXX")),
            iban=fr_iban,
            statement_number="08/2025",
            period_start=start,
            period_end=end,
            opening_balance=D("1342.18"),
            transactions=tuple(dataclasses.replace(t, value_date=t.date) for t in _sorted(transactions)),
            footer=(
                "En cas de réclamation, contactez votre conseiller. Votre relevé est à conserver sans limitation "
                "de durée.",
            ),
            accent=(0.2, 0.25, 0.5),
        )
    )
    return result
