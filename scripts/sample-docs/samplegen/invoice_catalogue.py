"""The invoices in sample-docs: invented vendors and customers, with check-digit-valid identifiers.

Short invoices list their items by hand; the long (multi-page) ones draw items from a product list with the
document's seeded random generator.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal as D

from .drawing import LETTER
from .identifiers import aba_routing, de_vat, fr_siren, fr_siret, fr_vat, french_rib_key, gb_vat, iban, ie_vat
from .invoices import Company, Customer, Invoice, Item, reconcile_tax
from .money import locale_for


def _french_iban(bank: str, branch: str, account: str):
    return iban("FR", bank + branch + account + french_rib_key(bank, branch, account))


def _pick_items(
    rng: random.Random, products: list[tuple[str, str, str, str]], n_items: int, tax_rate: D, discount_every: int = 0
) -> list[Item]:
    """n_items distinct products, each (description, unit, min price, max price), with random quantities."""
    chosen = rng.sample(products, n_items)
    items = []
    for index, (description, unit, low, high) in enumerate(chosen):
        whole = rng.randint(int(D(low)), max(int(D(low)), int(D(high)) - 1))
        price = D(whole) + D(rng.choice(["0.00", "0.50", "0.90", "0.95", "0.99", "0.49", "0.25"]))
        if price >= 300:
            quantity = D(rng.choice([1, 1, 2]))
        elif price >= 60:
            quantity = D(rng.choice([1, 2, 3, 4]))
        else:
            quantity = D(rng.choice([1, 2, 3, 4, 5, 6, 10, 12]))
        if unit in ("hrs", "Std.", "h"):
            quantity = D(rng.choice(["1.5", "2", "2.5", "3", "4", "6.5"]))
        discount = D(rng.choice([5, 10])) if discount_every and index % discount_every == discount_every - 1 else D(0)
        items.append(Item(description, quantity, price, tax_rate, discount, unit))
    return items


ELECTRICAL_DE = [
    ("NYM-J 3 x 1,5 mm² Mantelleitung, Ring 100 m", "Rg.", "54.00", "69.00"),
    ("NYM-J 5 x 2,5 mm² Mantelleitung, Ring 50 m", "Rg.", "71.00", "89.00"),
    ("Leitungsschutzschalter B16 1-polig 6 kA", "Stk.", "3.10", "4.20"),
    ("FI-Schutzschalter 40 A / 30 mA 4-polig Typ A", "Stk.", "29.50", "38.00"),
    ("Unterputz-Schalterdose Ø 68 mm, tief, 25 Stück", "Pck.", "8.90", "12.40"),
    ("Schuko-Steckdose reinweiß, Unterputz, mit Berührungsschutz", "Stk.", "3.20", "4.60"),
    ("Wechselschalter reinweiß mit Wippe und Rahmen", "Stk.", "4.10", "5.90"),
    ("LED-Panel 620 x 620 mm, 36 W, 4000 K, flimmerfrei, inkl. Netzteil", "Stk.", "32.00", "44.00"),
    ("Kabelkanal 40 x 60 mm, reinweiß, Länge 2 m", "Stk.", "5.40", "7.20"),
    ("Verbindungsklemme mit Hebel, 3-Leiter, 50 Stück", "Pck.", "11.90", "15.80"),
    ("Zählerschrank 3 Zählerplätze, Aufputz, komplett verdrahtet, IP44", "Stk.", "389.00", "455.00"),
    ("Installationsrohr flexibel M20, grau, 50 m", "Rg.", "12.50", "16.90"),
    ("Aderendhülsen-Sortiment 0,5 bis 16 mm², 1200 Stück im Koffer", "Stk.", "18.90", "24.50"),
    ("Bewegungsmelder Aufputz 180°, IP54, weiß", "Stk.", "17.40", "23.90"),
    ("Abzweigdose Aufputz 85 x 85 mm, IP55, 10 Stück", "Pck.", "13.20", "17.80"),
    ("Erdungsband verzinkt 30 x 3,5 mm, 25 m", "Rl.", "39.00", "48.00"),
    ("Potentialausgleichsschiene mit Abdeckung", "Stk.", "6.80", "9.40"),
    ("Rauchwarnmelder mit fest eingebauter 10-Jahres-Batterie", "Stk.", "14.90", "19.90"),
    ("Verlegekabel Cat.7 S/FTP, 100 m", "Rg.", "49.00", "62.00"),
    ("Netzwerkdose Cat.6A Unterputz, 2-fach, reinweiß", "Stk.", "11.20", "15.60"),
    ("Patchkabel Cat.6A 2 m, grau, 10 Stück", "Pck.", "17.50", "23.00"),
    ("Kabelbinder 4,8 x 300 mm, schwarz, UV-beständig, 100 Stück", "Pck.", "3.90", "5.60"),
    ("Isolierband 15 mm x 10 m, sortiert, 10 Rollen", "Pck.", "4.80", "6.90"),
    ("LED-Dimmer Unterputz 3 bis 100 W, Phasenabschnitt", "Stk.", "27.00", "36.00"),
    ("Außenwandleuchte Edelstahl, E27, IP44", "Stk.", "22.50", "31.00"),
    ("Hauptleitungsabzweigklemme 5-polig 35 mm²", "Stk.", "15.40", "19.80"),
    ("Überspannungsschutz Typ 1+2 für TN-C-S-Netz, 4-polig, mit Fernmeldekontakt", "Stk.", "189.00", "238.00"),
    ("Hutschiene 35 mm gelocht, 1 m", "Stk.", "2.40", "3.60"),
    ("Schraubklemmen-Set für Verteiler, N/PE, 12-fach", "Stk.", "8.20", "11.40"),
]

IT_GB = [
    ("Business laptop 14in, 16 GB RAM, 512 GB SSD, 3-year onsite warranty", "", "745.00", "829.00"),
    ("24in IPS monitor, 1920 x 1080, height-adjustable stand", "", "129.00", "159.00"),
    ("USB-C docking station with 100 W power delivery", "", "139.00", "169.00"),
    ("Wireless keyboard and mouse set, UK layout", "", "34.00", "42.00"),
    ("Office productivity suite, business licence, annual (per user)", "", "99.00", "119.00"),
    ("Endpoint protection licence, 12 months (per device)", "", "28.00", "36.00"),
    ("Managed backup service, 500 GB, monthly", "", "39.00", "49.00"),
    ("Network switch, 24-port gigabit PoE+, managed", "", "289.00", "345.00"),
    ("Wi-Fi 6 access point, ceiling mount, PoE powered", "", "119.00", "149.00"),
    ("Cat6 patch lead 1 m, blue (pack of 10)", "", "11.00", "15.00"),
    ("UPS 1500 VA line-interactive, rack/tower convertible", "", "329.00", "389.00"),
    ("Label printer with three 12 mm tape cassettes", "", "79.00", "95.00"),
    ("Engineer on site, standard rate", "hrs", "75.00", "85.00"),
    ("Data migration from on-premises server to cloud storage (fixed price)", "", "650.00", "780.00"),
    ("Secure disposal of old hardware with destruction certificate (per device)", "", "15.00", "20.00"),
    ("Firewall appliance with 3-year threat protection subscription", "", "899.00", "1049.00"),
    ("Monthly IT support contract, up to 15 users (September 2025)", "", "690.00", "690.00"),
    ("Document scanner, duplex, 40 ppm, network", "", "389.00", "449.00"),
    ("USB headset with noise-cancelling microphone", "", "42.00", "55.00"),
    ("Remote support block, prepaid (5 hours)", "", "325.00", "375.00"),
    ("Receipt printer for reception desk, thermal, USB/Ethernet", "", "189.00", "219.00"),
    ("Imaging PC for X-ray viewer, 32 GB RAM, medical-grade display output", "", "1190.00", "1290.00"),
    ("Password manager, business plan, annual (per user)", "", "36.00", "44.00"),
    ("Smart card reader for practice management software", "", "24.00", "32.00"),
    ("Rack shelf 1U cantilever, 300 mm deep", "", "18.00", "24.00"),
    ("Structured cabling: install and test Cat6 outlet (per point)", "", "85.00", "95.00"),
]

JANITORIAL_US = [
    ("Trash can liners 40-45 gal, 1.5 mil, black, case of 100", "", "38.00", "46.00"),
    ("Multifold paper towels, white, 4000 per case", "", "42.00", "49.00"),
    ("Toilet tissue, 2-ply, 500 sheets, 96 rolls per case", "", "64.00", "74.00"),
    ("Neutral floor cleaner concentrate, 1 gal, case of 4", "", "44.00", "52.00"),
    ("Disinfectant cleaner, ready-to-use 32 oz spray, case of 12", "", "58.00", "69.00"),
    ("Microfiber cloths 16 x 16 in, color-coded, pack of 24", "", "21.00", "27.00"),
    ("Wet mop head, looped-end, cotton blend, large", "", "9.50", "12.90"),
    ("Mop bucket and wringer combo, 35 qt, yellow", "", "89.00", "109.00"),
    ("Foaming hand soap refill 1000 mL, case of 6", "", "47.00", "56.00"),
    ("Nitrile gloves, powder-free, large, box of 100", "", "11.00", "14.50"),
    ("Glass cleaner concentrate, 1 gal", "", "13.00", "17.00"),
    ("Commercial backpack vacuum, 6 qt, with HEPA filtration and tool kit", "", "349.00", "399.00"),
    ("Floor finish, high-gloss, 5 gal pail", "", "119.00", "139.00"),
    ("Wet floor caution sign, bilingual, yellow", "", "12.00", "16.00"),
    ("Urinal screens with deodorizer, box of 12", "", "17.00", "22.00"),
    ("Heavy-duty degreaser, 1 gal, case of 4", "", "49.00", "59.00"),
    ("Hand sanitizer floor stand with touchless dispenser", "", "129.00", "149.00"),
    ("Dust mop frame and head, 24 in", "", "19.00", "25.00"),
    ("Lobby dustpan with upright broom", "", "22.00", "28.00"),
    ("Air freshener aerosol, assorted scents, case of 12", "", "34.00", "41.00"),
    ("Restroom paper towel dispenser, hands-free, black", "", "79.00", "95.00"),
    ("Toilet bowl cleaner, acid-free, 32 oz, case of 12", "", "39.00", "46.00"),
    ("Scrub pads, medium duty, green, pack of 20", "", "11.00", "15.00"),
    ("Carpet spotter, 32 oz spray", "", "8.50", "11.00"),
    ("Stainless steel polish aerosol, case of 6", "", "36.00", "43.00"),
    ("Janitor cart with vinyl bag and lid", "", "219.00", "249.00"),
    ("Delivery and restocking service", "hrs", "48.00", "55.00"),
]


def invoices(rng_for) -> list[Invoice]:
    """All invoices; `rng_for(stem)` gives the document's own seeded random generator."""
    result = []

    # 01 -- en-US, classic, US Letter -----------------------------------------------------------------
    brightline = Company(
        name="Brightline Office Supply Co.",
        address=("1450 Commerce Park Drive, Suite 200", "Columbus, OH 43219"),
        phone="(614) 555-0182",
        email="billing@brightline-office.com",
        registration=("Brightline Office Supply Co.", "EIN 31-4829107", "www.brightline-office.com"),
        bank_name="Buckeye Commerce Bank",
        bank_lines=(f"ABA Routing: {aba_routing('04421773')}", "Account: 7730118452"),
        bic="BCKEUS33",
    )
    result.append(
        Invoice(
            stem="invoice-01-en-us",
            locale=locale_for("en-US"),
            layout="classic",
            supplier=brightline,
            customer=Customer(
                name="Harlow & Finch Architects LLP",
                address=("Attn: Accounts Payable", "88 Market Street, 4th Floor", "Cincinnati, OH 45202"),
                customer_number="C-10293",
            ),
            number="INV-2025-0147",
            date=dt.date(2025, 8, 15),
            due_date=dt.date(2025, 9, 14),
            order_number="PO-88213",
            items=tuple(
                reconcile_tax(
                    [
                        Item(
                            "HP-compatible high-yield black toner cartridge, 26X type, 9,000 pages",
                            D(4),
                            D("189.99"),
                            D(8),
                        ),
                        Item("Copy paper, 8.5 x 11 in, 20 lb, 92 bright, case of 10 reams", D(6), D("52.49"), D(8)),
                        Item(
                            "Ergonomic mesh task chair with adjustable lumbar support, 4D armrests and seat slider",
                            D(2),
                            D("349.00"),
                            D(8),
                        ),
                        Item("Sit-stand desk converter, 36 in, black", D(1), D("279.95"), D(8)),
                        Item("Sticky notes 3 x 3 in, assorted colors, 24 pads", D(3), D("18.75"), D(8)),
                        Item("Assembly and installation service", D("2.5"), D("65.00"), D(8), unit="hrs"),
                    ]
                )
            ),
            page_size=LETTER,
        )
    )

    # 02 -- en-GB, modern, with discounts --------------------------------------------------------------
    kestrel = Company(
        name="Kestrel Digital Ltd",
        tagline="Web design · Development · Hosting",
        address=("Unit 4, Albion Works", "12 Tanner Street", "Leeds LS2 7HT"),
        phone="0113 496 0728",
        email="accounts@kestreldigital.co.uk",
        web="www.kestreldigital.co.uk",
        vat=gb_vat("2845917"),
        registration=("Registered in England and Wales No. 09876543",),
        bank_name="Northbridge Bank plc",
        bank_lines=("Sort Code: 20-45-77", "Account No.: 43918276"),
        iban=iban("GB", "NBRG20457743918276"),
        bic="NBRGGB2L",
        accent=(0.0, 0.42, 0.45),
    )
    result.append(
        Invoice(
            stem="invoice-02-en-gb",
            locale=locale_for("en-GB"),
            layout="modern",
            supplier=kestrel,
            customer=Customer(
                name="Ashcombe Veterinary Group Ltd",
                address=("3 Mill Lane", "Harrogate", "North Yorkshire HG1 2QT"),
                customer_number="ASH001",
            ),
            number="KD-10482",
            date=dt.date(2025, 9, 3),
            due_date=dt.date(2025, 10, 3),
            order_number="AVG-PO-2291",
            items=tuple(
                reconcile_tax(
                    [
                        Item(
                            "Website redesign: discovery workshop, stakeholder interviews and UX audit",
                            D(2),
                            D("850.00"),
                            D(20),
                            D(10),
                            "days",
                        ),
                        Item(
                            "Responsive front-end build, 12 page templates with CMS integration",
                            D(1),
                            D("4200.00"),
                            D(20),
                            D(10),
                        ),
                        Item("Online appointment booking module with SMS reminders", D(1), D("1350.00"), D(20)),
                        Item(
                            "Managed hosting, Business plan, per month (October 2025 to September 2026)",
                            D(12),
                            D("45.00"),
                            D(20),
                        ),
                        Item("SSL certificate, 1 year", D(1), D("59.00"), D(20)),
                        Item("Content migration from the old website", D(14), D("55.00"), D(20), unit="hrs"),
                    ]
                )
            ),
        )
    )

    # 03 -- de-DE, german-table, 19 % and 7 % ----------------------------------------------------------
    holzmann = Company(
        name="Holzmann Werkzeugtechnik GmbH",
        tagline="Werkzeuge · Maschinen · Service",
        address=("Industriestraße 14", "73728 Esslingen am Neckar"),
        phone="0711 3982 4410",
        email="buchhaltung@holzmann-werkzeug.de",
        web="www.holzmann-werkzeug.de",
        vat=de_vat("81427356"),
        registration=(
            "Geschäftsführer: Dipl.-Ing. Markus Holzmann",
            "Amtsgericht Stuttgart HRB 734512",
            "Steuernummer: 59/312/04471",
        ),
        bank_name="Neckartal Volksbank eG",
        iban=iban("DE", "611901100412883600"),
        bic="GENODES1NTV",
        accent=(0.55, 0.12, 0.1),
    )
    result.append(
        Invoice(
            stem="invoice-03-de-de",
            locale=locale_for("de-DE"),
            layout="german-table",
            supplier=holzmann,
            customer=Customer(
                name="Schreinerei Berger & Söhne KG",
                address=("Herrn Thomas Berger", "Lindenweg 7", "72070 Tübingen"),
                customer_number="20417",
            ),
            number="RE-2025-10384",
            date=dt.date(2025, 8, 15),
            due_date=dt.date(2025, 9, 14),
            order_number="4500123456",
            items=tuple(
                reconcile_tax(
                    [
                        Item(
                            "Tauchsäge 1200 W mit Führungsschiene 1400 mm im Systemkoffer",
                            D(1),
                            D("589.00"),
                            D(19),
                            D(5),
                            "Stk.",
                        ),
                        Item(
                            "Kreissägeblatt HM 160 x 2,2 x 20 mm, Z48, Feinschnitt",
                            D(4),
                            D("38.90"),
                            D(19),
                            unit="Stk.",
                        ),
                        Item("Schraubzwinge Ganzstahl 300 x 120 mm", D(10), D("14.85"), D(19), D(10), "Stk."),
                        Item("Holzleim D3 wasserfest, 5-kg-Eimer", D(3), D("27.40"), D(19), unit="Stk."),
                        Item(
                            "Schleifscheiben-Sortiment Klett Ø 150 mm, Körnung 80 bis 240, 100 Stück",
                            D(2),
                            D("31.50"),
                            D(19),
                            unit="Pck.",
                        ),
                        Item("Fachbuch: Möbelbau in der Praxis, 4. Auflage", D(1), D("49.90"), D(7), unit="Stk."),
                        Item("Einweisung und Inbetriebnahme vor Ort", D("1.5"), D("78.00"), D(19), unit="Std."),
                    ]
                )
            ),
        )
    )

    # 04 -- fr-FR, modern --------------------------------------------------------------------------------
    lumiere_siren = fr_siren("53294817")
    lumiere = Company(
        name="Atelier Lumière Conseil SAS",
        tagline="Conseil en organisation et formation",
        address=("27 rue de la République", "69002 Lyon"),
        phone="04 78 92 15 30",
        email="compta@atelier-lumiere-conseil.fr",
        web="www.atelier-lumiere-conseil.fr",
        vat=fr_vat(lumiere_siren),
        registration=("SAS au capital de 20 000 €", f"SIRET {fr_siret(lumiere_siren, '0002')}", "RCS Lyon · APE 7022Z"),
        bank_name="Banque Rhodanienne",
        iban=_french_iban("14508", "00601", "04172385011"),
        bic="BRHOFRPPLYO",
        accent=(0.45, 0.18, 0.45),
    )
    result.append(
        Invoice(
            stem="invoice-04-fr-fr",
            locale=locale_for("fr-FR"),
            layout="modern",
            supplier=lumiere,
            customer=Customer(
                name="Boulangerie Martin SARL",
                address=("M. Olivier Martin", "5 place du Marché", "38000 Grenoble"),
                customer_number="CL-0458",
            ),
            number="F2025-0912",
            date=dt.date(2025, 9, 12),
            due_date=dt.date(2025, 10, 12),
            order_number="BC-2025-118",
            items=tuple(
                reconcile_tax(
                    [
                        Item(
                            "Formation « Accueil et relation client » : 2 jours, groupe de 6 participants",
                            D(2),
                            D("1150.00"),
                            D(20),
                            unit="j",
                        ),
                        Item(
                            "Diagnostic organisationnel du point de vente et rapport de recommandations",
                            D(1),
                            D("1800.00"),
                            D(20),
                            D(5),
                        ),
                        Item("Frais de déplacement Lyon - Grenoble (forfait)", D(1), D("145.00"), D(20)),
                        Item("Supports pédagogiques imprimés", D(6), D("18.50"), D(20)),
                        Item("Accompagnement individuel du gérant", D(4), D("95.00"), D(20), unit="h"),
                    ]
                )
            ),
        )
    )

    # 05 -- en-IE, classic, ISO dates ----------------------------------------------------------------------
    corrib = Company(
        name="Corrib Software Solutions Ltd",
        address=("Unit 7, Galway Technology Park", "Parkmore, Galway H91 X2Y3", "Ireland"),
        phone="+353 91 555 284",
        email="accounts@corribsoftware.ie",
        vat=ie_vat("3892104"),
        registration=("Registered in Ireland No. 612734", "Directors: A. Ní Fhlatharta, C. Burke"),
        bank_name="Atlantic Commercial Bank",
        iban=iban("IE", "ACBK93115220417733"),
        bic="ACBKIE2D",
    )
    result.append(
        Invoice(
            stem="invoice-05-en-ie-iso",
            locale=locale_for("en-IE", "iso"),
            layout="classic",
            supplier=corrib,
            customer=Customer(
                name="Shannonside Logistics DAC", address=("Finance Department", "Dock Road", "Limerick V94 K7P2")
            ),
            number="CSS-2025-0233",
            date=dt.date(2025, 7, 31),
            due_date=dt.date(2025, 8, 30),
            order_number="SL-PO-7781",
            items=tuple(
                reconcile_tax(
                    [
                        Item(
                            "Fleet tracking platform, Professional tier, annual licence per vehicle",
                            D(25),
                            D("96.00"),
                            D(23),
                        ),
                        Item("Driver mobile app licences, annual", D(30), D("24.00"), D(23)),
                        Item(
                            "Integration with existing WMS via REST API, fixed-price work package",
                            D(1),
                            D("3400.00"),
                            D(23),
                        ),
                        Item("Onsite training, Limerick depot", D(2), D("780.00"), D(23), unit="days"),
                        Item("Priority support add-on, 12 months", D(1), D("1200.00"), D(23)),
                    ]
                )
            ),
        )
    )

    # 06 -- de-DE, german-table, two pages with Übertrag -----------------------------------------------------
    elbe = Company(
        name="Elbe Elektro Großhandel GmbH",
        tagline="Elektrotechnik · Licht · Netzwerk",
        address=("Billstraße 212", "20539 Hamburg"),
        phone="040 7823 5510",
        email="rechnung@elbe-elektro.de",
        web="www.elbe-elektro.de",
        vat=de_vat("29581734"),
        registration=(
            "Geschäftsführerin: Claudia Brandt",
            "Amtsgericht Hamburg HRB 148203",
            "Steuernummer: 46/716/02938",
        ),
        bank_name="Hanseatische Handelsbank AG",
        iban=iban("DE", "200300000841722901"),
        bic="HAHBDEHHXXX",
        accent=(0.05, 0.25, 0.5),
    )
    rng = rng_for("invoice-06-de-de-2page")
    result.append(
        Invoice(
            stem="invoice-06-de-de-2page",
            locale=locale_for("de-DE"),
            layout="german-table",
            supplier=elbe,
            customer=Customer(
                name="Elektro Petersen GmbH & Co. KG",
                address=("Einkauf", "Grenzstraße 31", "24149 Kiel"),
                customer_number="K-88120",
            ),
            number="RE-2025-21957",
            date=dt.date(2025, 9, 22),
            due_date=dt.date(2025, 10, 22),
            order_number="BE-2025-0931",
            items=tuple(reconcile_tax(_pick_items(rng, ELECTRICAL_DE, 24, D(19), discount_every=5))),
            expected_pages=2,
        )
    )

    # 07 -- en-GB, classic, scanned at 200 dpi ---------------------------------------------------------------
    pennine = Company(
        name="Pennine Catering Supplies Ltd",
        address=("Unit 12, Canal Road Industrial Estate", "Bradford BD2 1AR"),
        phone="01274 555 319",
        email="sales@penninecatering.co.uk",
        vat=gb_vat("3318452"),
        registration=("Registered in England No. 05512873", "VAT Reg. No. " + gb_vat("3318452").printed),
        bank_name="Northbridge Bank plc",
        bank_lines=("Sort Code: 20-61-14", "Account No.: 55093127"),
        iban=iban("GB", "NBRG20611455093127"),
        bic="NBRGGB2L",
    )
    result.append(
        Invoice(
            stem="invoice-07-scan-200dpi",
            locale=locale_for("en-GB"),
            layout="classic",
            supplier=pennine,
            customer=Customer(
                name="The Old Bell Inn",
                address=("Church Street", "Haworth", "Keighley BD22 8DR"),
                customer_number="OBI-204",
            ),
            number="PCS-58214",
            date=dt.date(2025, 6, 18),
            due_date=dt.date(2025, 7, 18),
            order_number="OB-0617",
            items=tuple(
                reconcile_tax(
                    [
                        Item("Commercial 6-burner gas range with oven, natural gas", D(1), D("1895.00"), D(20)),
                        Item("Stainless steel prep table 1500 x 700 mm with undershelf", D(2), D("289.00"), D(20)),
                        Item("Gastronorm pans 1/1, 100 mm deep", D(12), D("14.60"), D(20)),
                        Item("Chef knife set, 5 pieces, colour-coded handles", D(1), D("129.50"), D(20)),
                        Item("Delivery, installation and gas safety certificate", D(1), D("240.00"), D(20)),
                    ]
                )
            ),
        )
    )

    # 08 -- fr-FR, classic, scanned at 300 dpi, 20 % and 5,5 % ------------------------------------------
    durand_siren = fr_siren("41876203")
    durand = Company(
        name="Imprimerie Durand & Fils SARL",
        address=("14 boulevard Gabriel Lauriol", "44300 Nantes"),
        phone="02 40 52 18 77",
        email="contact@imprimerie-durand.fr",
        vat=fr_vat(durand_siren),
        registration=("SARL au capital de 45 000 €", f"SIRET {fr_siret(durand_siren, '0004')}", "RCS Nantes"),
        bank_name="Crédit de l'Ouest",
        iban=_french_iban("15589", "44019", "08812347722"),
        bic="CDOUFRP1XXX",
    )
    result.append(
        Invoice(
            stem="invoice-08-scan-300dpi",
            locale=locale_for("fr-FR"),
            layout="classic",
            supplier=durand,
            customer=Customer(
                name="Association Les Amis du Jardin",
                address=("Mme Hélène Roussel", "3 allée des Tilleuls", "44000 Nantes"),
            ),
            number="FA-2025-0457",
            date=dt.date(2025, 5, 6),
            due_date=dt.date(2025, 6, 5),
            order_number="BC-AJ-12",
            items=tuple(
                reconcile_tax(
                    [
                        Item("Flyers A5 recto-verso, papier couché 135 g", D(2000), D("0.06"), D(20)),
                        Item("Affiches A3, quadrichromie, papier 170 g", D(50), D("1.35"), D(20)),
                        Item(
                            "Brochure « Le jardin au fil des saisons », 48 pages, dos carré collé",
                            D(300),
                            D("4.20"),
                            D("5.5"),
                        ),
                        Item("Mise en page et préparation des fichiers", D(3), D("55.00"), D(20), unit="h"),
                    ]
                )
            ),
        )
    )

    # 09 -- en-GB, modern, two pages, multi-page TIFF scan ------------------------------------------------
    thames = Company(
        name="Thames Valley IT Services Ltd",
        tagline="Managed IT for small practices",
        address=("Suite 3, Kennet House", "80 Kings Road", "Reading RG1 3BJ"),
        phone="0118 496 0371",
        email="accounts@tvits.co.uk",
        web="www.tvits.co.uk",
        vat=gb_vat("4172906"),
        registration=("Registered in England and Wales No. 10457316",),
        bank_name="Northbridge Bank plc",
        bank_lines=("Sort Code: 20-33-81", "Account No.: 61408823"),
        iban=iban("GB", "NBRG20338161408823"),
        bic="NBRGGB2L",
        accent=(0.1, 0.3, 0.55),
    )
    rng = rng_for("invoice-09-scan-2page")
    result.append(
        Invoice(
            stem="invoice-09-scan-2page",
            locale=locale_for("en-GB"),
            layout="modern",
            supplier=thames,
            customer=Customer(
                name="Caversham Dental Practice",
                address=("Practice Manager", "41 Church Road", "Caversham RG4 7AD"),
                customer_number="CDP-02",
            ),
            number="TV-2025-0934",
            date=dt.date(2025, 9, 30),
            due_date=dt.date(2025, 10, 30),
            order_number="CDP-PO-0412",
            items=tuple(reconcile_tax(_pick_items(rng, IT_GB, 19, D(20), discount_every=4))),
            expected_pages=2,
        )
    )

    # 10 -- en-US, classic, two pages: page 1 text layer, page 2 scanned ----------------------------------
    cascade = Company(
        name="Cascade Janitorial Supply Inc.",
        address=("6120 4th Avenue South", "Seattle, WA 98108"),
        phone="(206) 555-0147",
        email="ar@cascadejanitorial.com",
        registration=("Cascade Janitorial Supply Inc.", "WA UBI 604-118-337", "www.cascadejanitorial.com"),
        bank_name="Puget Sound Commercial Bank",
        bank_lines=(f"ABA Routing: {aba_routing('12500087')}", "Account: 4410927735"),
        bic="PSCBUS66",
    )
    rng = rng_for("invoice-10-mixed")
    result.append(
        Invoice(
            stem="invoice-10-mixed",
            locale=locale_for("en-US"),
            layout="classic",
            supplier=cascade,
            customer=Customer(
                name="Evergreen Property Management LLC",
                address=("Facilities Department", "1201 Third Avenue, Suite 900", "Seattle, WA 98101"),
                customer_number="EPM-3381",
            ),
            number="CJS-104772",
            date=dt.date(2025, 10, 2),
            due_date=dt.date(2025, 11, 1),
            order_number="EPM-7719",
            items=tuple(reconcile_tax(_pick_items(rng, JANITORIAL_US, 27, D("10.25")))),
            page_size=LETTER,
            expected_pages=2,
        )
    )

    # 11 -- de-DE, german-table, scanned upside down --------------------------------------------------------
    schulte = Company(
        name="Bürobedarf Schulte KG",
        tagline="Bürobedarf und Bürotechnik seit 1968",
        address=("Hansastraße 88", "44137 Dortmund"),
        phone="0231 5570 3120",
        email="info@buero-schulte.de",
        web="www.buero-schulte.de",
        vat=de_vat("12649387"),
        registration=("Persönlich haftender Gesellschafter: Jürgen Schulte", "Amtsgericht Dortmund HRA 16824"),
        bank_name="Westfälische Handelsbank AG",
        iban=iban("DE", "440400370221458800"),
        bic="WHBKDEDDXXX",
        accent=(0.1, 0.35, 0.2),
    )
    result.append(
        Invoice(
            stem="invoice-11-scan-upside-down",
            locale=locale_for("de-DE"),
            layout="german-table",
            supplier=schulte,
            customer=Customer(
                name="Praxis Dr. med. Anna Krüger",
                address=("Allgemeinmedizin", "Kaiserstraße 19", "44135 Dortmund"),
                customer_number="30982",
            ),
            number="RG-2025-4471",
            date=dt.date(2025, 7, 8),
            due_date=dt.date(2025, 7, 22),
            order_number="PK-2025-07",
            items=tuple(
                reconcile_tax(
                    [
                        Item("Kopierpapier A4, 80 g/m², weiß, 5 x 500 Blatt", D(8), D("22.90"), D(19), unit="Kart."),
                        Item("Ordner A4, 8 cm Rücken, blau", D(20), D("2.79"), D(19), unit="Stk."),
                        Item(
                            "Tonerkartusche schwarz für Laserdrucker, 3.000 Seiten",
                            D(3),
                            D("74.50"),
                            D(19),
                            unit="Stk.",
                        ),
                        Item("Etikettendrucker-Etiketten 89 x 36 mm, 2 Rollen", D(5), D("16.40"), D(19), unit="Pck."),
                        Item(
                            "Bürodrehstuhl mit Synchronmechanik und Armlehnen", D(1), D("319.00"), D(19), D(5), "Stk."
                        ),
                    ]
                )
            ),
            payment_terms_days=14,
        )
    )

    # 12 -- de-DE, modern, software subscription with discounts ---------------------------------------------
    nordlicht = Company(
        name="Nordlicht Software GmbH",
        tagline="Kanzleisoftware aus Berlin",
        address=("Schönhauser Allee 163", "10435 Berlin"),
        phone="030 6098 4420",
        email="rechnungen@nordlicht-software.de",
        web="www.nordlicht-software.de",
        vat=de_vat("31582046"),
        registration=("Amtsgericht Charlottenburg HRB 201884 B",),
        bank_name="Spreebank AG",
        iban=iban("DE", "100500000190772614"),
        bic="SPREDEBBXXX",
        accent=(0.12, 0.2, 0.45),
    )
    result.append(
        Invoice(
            stem="invoice-12-de-de-modern",
            locale=locale_for("de-DE"),
            layout="modern",
            supplier=nordlicht,
            customer=Customer(
                name="Kanzlei Hoffmann & Partner mbB",
                address=("Frau Dr. Julia Hoffmann", "Brandenburger Straße 41", "14467 Potsdam"),
                customer_number="NL-20931",
            ),
            number="NL-2025-08817",
            date=dt.date(2025, 10, 1),
            due_date=dt.date(2025, 10, 15),
            order_number="KH-2025-044",
            items=tuple(
                reconcile_tax(
                    [
                        Item(
                            "Kanzlei-Suite Professional, Jahreslizenz pro Arbeitsplatz (10/2025 bis 09/2026)",
                            D(8),
                            D("468.00"),
                            D(19),
                            D(15),
                            "Lz.",
                        ),
                        Item(
                            "Modul Fristenkalender mit Synchronisation für mobile Geräte",
                            D(8),
                            D("96.00"),
                            D(19),
                            D(15),
                            "Lz.",
                        ),
                        Item("Datenübernahme aus dem Altsystem (Pauschale)", D(1), D("1250.00"), D(19)),
                        Item("Online-Schulung für Anwender", D(3), D("140.00"), D(19), unit="Std."),
                    ]
                )
            ),
            payment_terms_days=14,
        )
    )

    return result
