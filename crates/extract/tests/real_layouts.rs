//! Extraction on layouts seen on real invoices and receipts: tables with notes between their rows and
//! labelled details under items, labels qualified by a later word (`Rechnungssumme Netto`), tax lines with
//! rate, base and amount, receipts paid in cash, and OCR misreads of amounts.

use std::str::FromStr;

use quire_document::{BBox, Document, Mime, Page, PageSource, Word};
use quire_extract::test_pages::{document_from_layout, page_from_layout_with_confidence};
use quire_extract::{extract, ExtractOptions, Extraction, Method, TemplateSet, Value};
use rust_decimal::Decimal;

fn run_on(document: &Document, template_id: &str) -> Extraction {
    let set = TemplateSet::builtin().unwrap();
    extract(
        document,
        set.get(template_id).unwrap(),
        &ExtractOptions::default(),
    )
    .unwrap()
}

fn run(text: &str, template_id: &str) -> Extraction {
    run_on(&document_from_layout(text), template_id)
}

/// A one-page document read by OCR (confidence 90 for every word).
fn ocr_document(text: &str) -> Document {
    Document {
        content_hash: String::new(),
        mime: Mime::Jpeg,
        size_bytes: text.len() as u64,
        pages: vec![page_from_layout_with_confidence(
            1,
            text,
            PageSource::Ocr,
            90.0,
        )],
        attachments: Vec::new(),
    }
}

/// A header field's text (names).
fn field_text(extraction: &Extraction, key: &str) -> Option<String> {
    extraction.fields.get(key).and_then(|f| match &f.value {
        Value::Text(text) => Some(text.clone()),
        _ => None,
    })
}

/// A header field's amount, compared as a decimal (`198,00` and `198` are the same amount).
fn amount(extraction: &Extraction, key: &str) -> Option<Decimal> {
    extraction
        .fields
        .get(key)
        .and_then(|f| f.value.as_decimal())
}

fn decimal(text: &str) -> Option<Decimal> {
    Some(Decimal::from_str(text).unwrap())
}

fn cell(extraction: &Extraction, row: usize, key: &str) -> Option<String> {
    extraction.table_items[row]
        .cells
        .get(key)
        .map(|c| c.value.normalized_string())
}

fn cell_amount(extraction: &Extraction, row: usize, key: &str) -> Option<Decimal> {
    extraction.table_items[row]
        .cells
        .get(key)
        .and_then(|c| c.value.as_decimal())
}

#[test]
fn a_table_goes_on_past_a_note_printed_far_below_its_last_row() {
    // Row 2 starts eight lines below row 1 (more than six line heights), with a note in between.
    let text = "\
Rechnung Nr. 2025-88
Pos  Beschreibung        Nettopreis   Menge    Steuer       Entgelt
 1   Miettage                 86,55   2 Stk    19 % VAT      173,10



     Weitere Eigenschaften: Kennzeichen M-MM 0000



 2   Vollkasko                23,10   2 Stk    19 % VAT       46,20

Rechnungssumme ohne USt.                                      219,30
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        2,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(cell_amount(&extraction, 0, "netAmount"), decimal("173.10"));
    assert_eq!(cell_amount(&extraction, 0, "unitPrice"), decimal("86.55"));
    assert_eq!(cell_amount(&extraction, 0, "quantity"), decimal("2"));
    assert_eq!(cell_amount(&extraction, 1, "netAmount"), decimal("46.20"));
    assert_eq!(
        cell(&extraction, 1, "description").as_deref(),
        Some("Vollkasko")
    );
}

#[test]
fn a_table_ends_at_a_footer_after_a_carried_forward_line() {
    // `Übertrag` and the page number are skipped; the footer far below them is not a row.
    let text = "\
Rechnung Nr. 2025-89
Pos  Beschreibung        Menge    Einzelpreis     Gesamtpreis
 1   Kabelbinder         1 Pck.          4,99            4,99
Übertrag                                                 4,99
Seite 1 von 2






Billstraße 212  HRB 148203   IBAN: DE57 2003 0000 0841 7229 01
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        1,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(cell_amount(&extraction, 0, "netAmount"), decimal("4.99"));
}

#[test]
fn a_labelled_detail_under_an_item_is_not_an_item_of_its_own() {
    let text = "\
Rechnung Nr. 2025-90
Pos  Beschreibung              Nettopreis   Menge   Entgelt
 1   Übernachtung                  158,88   1 Stk    158,88
     2 Nächte Hotel
        Bruttopreis  :             170,00
 2   Heiße Luft pro Liter:           0,10     200     20,00
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        2,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(
        cell(&extraction, 0, "description").as_deref(),
        Some("Übernachtung 2 Nächte Hotel")
    );
    assert_eq!(cell_amount(&extraction, 0, "unitPrice"), decimal("158.88"));
    // An item whose description ends with a colon but which carries its amounts stays an item.
    assert_eq!(cell_amount(&extraction, 1, "netAmount"), decimal("20.00"));
    assert_eq!(cell_amount(&extraction, 1, "quantity"), decimal("200"));
}

#[test]
fn a_qualifier_after_a_label_names_the_field_and_a_tax_line_gives_its_amount_not_its_base() {
    let text = "\
Lieferant GmbH
RECHNUNG                                  Rechnungsnummer        471102
                                          Rechnungsdatum     05.03.2013

Rechnungssumme Netto (excl. USt.)                            198,00
Steuerbasisbetrag USt. 19%                          198,00    37,62
Rechnungssumme Brutto (inkl. USt.)                           235,62
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(amount(&extraction, "netAmount"), decimal("198.00"));
    assert_eq!(amount(&extraction, "taxAmount"), decimal("37.62"));
    assert_eq!(amount(&extraction, "totalAmount"), decimal("235.62"));
}

#[test]
fn french_and_insurance_tax_labels_are_read() {
    let french = "\
Au bon moulin SARL
Facture N° FA-2017-0010                    Date de facture 13/11/2017
                                               Total HT      624,90 €
                                           Total taxes        46,25 €
                                             Total TTC       671,15 €
";
    let extraction = run(french, "generic-invoice");
    assert_eq!(amount(&extraction, "taxAmount"), decimal("46.25"));
    assert_eq!(amount(&extraction, "totalAmount"), decimal("671.15"));
    let insurance = "\
MVM Versicherungsverein a.G.
Beitragsrechnung Nr. 2014-1                           24.01.2014
Gesamtbeitrag                                50,00 €
Versicherungsteuer 19 %                       9,50 €
Rechnungsbetrag                              59,50 €
";
    let extraction = run(insurance, "generic-invoice");
    assert_eq!(amount(&extraction, "taxAmount"), decimal("9.50"));
    assert_eq!(amount(&extraction, "totalAmount"), decimal("59.50"));
}

#[test]
fn a_cash_receipt_without_a_readable_total_gives_tendered_minus_change() {
    let text = "\
KEDAI RUNCIT MAJU SDN BHD
RECEIPT                          22/12/2017
        Total Sales (Excluding GST)  :   31.03
                        Total GST    :    1.65
                         Rounding    :    0.02
                           CASH      :   40.00
                         Change      :    7.30
";
    let extraction = run_on(&ocr_document(text), "generic-receipt");
    assert_eq!(amount(&extraction, "amountTendered"), decimal("40.00"));
    assert_eq!(amount(&extraction, "changeAmount"), decimal("7.30"));
    assert_eq!(amount(&extraction, "totalAmount"), decimal("32.70"));
    assert_eq!(extraction.fields["totalAmount"].method, Method::Computed);
}

#[test]
fn a_cash_receipt_total_off_by_rounding_is_corrected_and_a_distant_one_is_kept() {
    // 100.00 − 19.10 = 80.90: the printed 80.91 before cash rounding.
    let rounded = "\
YONG ENTERPRISE
RECEIPT                          25/12/2018
               Total              80.91
                CASH             100.00
              Change:             19.10
";
    let extraction = run_on(&ocr_document(rounded), "generic-receipt");
    assert_eq!(amount(&extraction, "totalAmount"), decimal("80.90"));
    // 50.00 − 5.00 = 45.00 is far from the printed total: the label's value stays.
    let distant = "\
YONG ENTERPRISE
RECEIPT                          25/12/2018
               Total              44.00
                CASH              50.00
              Change:              5.00
";
    let extraction = run_on(&ocr_document(distant), "generic-receipt");
    assert_eq!(amount(&extraction, "totalAmount"), decimal("44.00"));
    assert_eq!(extraction.fields["totalAmount"].method, Method::Label);
}

#[test]
fn an_ocr_total_with_a_letter_for_a_digit_is_read_and_a_tax_total_is_not_the_total() {
    let text = "\
OATES ENTERPRISE
RECEIPT #2                           15/06/2017
       SUB-TOTAL                          15.00
  TOTAL                                   15.u0
       XGST @ 6% INCLUDED IN TOTAL
                    TAX TOTAL:             0.85
";
    let extraction = run_on(&ocr_document(text), "generic-receipt");
    assert_eq!(amount(&extraction, "totalAmount"), decimal("15.00"));
    assert!(matches!(
        extraction.fields["totalAmount"].value,
        Value::Decimal(_)
    ));
}

#[test]
fn a_header_printed_over_several_lines_is_read_as_one() {
    // `Positions` / `betrag` / `ohne USt.` over the net amounts; `Art-Nr-Kunde` / `Art-Nr-Lief.` ignored.
    let text = "\
Rechnung Nr. 47110815
    Art-Nr-Kunde                                                    Positions
    Art-Nr-Lief.                                                        betrag
Pos           Beschreibung   Nettopreis         Menge       USt.        ohne
    (Art)                                                                USt.
 1  SC-0815     Stahlcoil      100,0000        10 Stk       19 %       850,00
 2  TB-12       Toolbox          5,0000         2 Stk       19 %        10,00
Rechnungssumme ohne USt.                                                860,00
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        2,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(
        cell(&extraction, 0, "description").as_deref(),
        Some("Stahlcoil")
    );
    assert_eq!(cell_amount(&extraction, 0, "netAmount"), decimal("850.00"));
    assert_eq!(cell_amount(&extraction, 0, "unitPrice"), decimal("100"));
    assert_eq!(cell_amount(&extraction, 0, "quantity"), decimal("10"));
    assert_eq!(cell_amount(&extraction, 1, "netAmount"), decimal("10.00"));
}

#[test]
fn a_header_whose_upper_line_carries_parts_of_it_is_read_with_that_line() {
    // `Menge` and `Preis/` sit on the line above `Artikelbeschreibung … Betrag`.
    let text = "\
RECHNUNG                                  Rechnungsnummer      471102
 Unsere                          Menge   Meng.-    Preis/
 Art.Nr.   Artikelbeschreibung           einheit   Einheit     Betrag  USt. %
 TB100A4   Trennblätter A4          20   Stk.        9,90      198,00   19
 TB200A5   Trennblätter A5          10   Stk.        4,50       45,00   19
Rechnungssumme Netto (excl. USt.)                              243,00
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        2,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(
        cell(&extraction, 0, "description").as_deref(),
        Some("Trennblätter A4")
    );
    assert_eq!(cell_amount(&extraction, 0, "quantity"), decimal("20"));
    assert_eq!(cell_amount(&extraction, 0, "unitPrice"), decimal("9.90"));
    assert_eq!(cell_amount(&extraction, 0, "netAmount"), decimal("198.00"));
    assert_eq!(cell_amount(&extraction, 1, "netAmount"), decimal("45.00"));
}

#[test]
fn columns_with_misleading_headers_get_their_roles_from_the_arithmetic() {
    // `Amount` heads the quantities and `Total` the net line amounts: quantity × price = total.
    let text = "\
Invoice # RE-20190610/507
 Amount     Product                         VAT       Price         Total
 1.00       Design (hours)                  7%        160.00 €      160.00 €
 400.00     Ballons, various colors         19%       0.79 €        316.00 €
Net total: 476.00 €
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        2,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(cell_amount(&extraction, 1, "quantity"), decimal("400"));
    assert_eq!(cell_amount(&extraction, 1, "netAmount"), decimal("316.00"));
    assert_eq!(cell_amount(&extraction, 1, "unitPrice"), decimal("0.79"));
    assert!(!extraction.table_items[1].cells.contains_key("totalAmount"));
}

#[test]
fn payment_terms_and_lone_values_under_a_table_are_not_items() {
    let text = "\
Rechnung Nr. 2025-91
Pos  Beschreibung              Nettopreis      Menge      Entgelt
 1   Toolbox                       100,00     10 Stk     1.000,00
     Preisbasis:
                                              1 Stk
 2   Schweinesteak                   5,50      5 kg         27,50
     Zahlbar innerhalb 30 Tagen netto,        10 Tagen bis
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        2,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(cell_amount(&extraction, 0, "netAmount"), decimal("1000.00"));
    assert_eq!(cell_amount(&extraction, 1, "netAmount"), decimal("27.50"));
}

#[test]
fn a_totals_box_beside_the_bank_details_ends_the_table() {
    let text = "\
Rechnung                                        Rechnungsnummer      NL-2025-08817
 Bezeichnung                 Menge   Einzelpreis     Netto   MwSt %     MwSt     Gesamt
 Kanzlei-Suite Professional  8 Lz.        468,00  3.744,00    19 %    711,36   4.455,36
 Online-Schulung             3 Std.       140,00    420,00    19 %     79,80     499,80
Bankverbindung                                  Zwischensumme                  4.164,00 €
Bank: Spreebank AG                              Nettobetrag                    4.164,00 €
IBAN: DE57 1005 0000 0190 7726 14               zzgl. MwSt 19 %                  791,16 €
Zahlbar ohne Abzug bis zum 15.10.2025.          Gesamtbetrag                   4.955,16 €
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        2,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(cell_amount(&extraction, 0, "netAmount"), decimal("3744.00"));
    assert_eq!(
        cell_amount(&extraction, 1, "totalAmount"),
        decimal("499.80")
    );
    assert_eq!(amount(&extraction, "netAmount"), decimal("4164.00"));
    assert_eq!(amount(&extraction, "totalAmount"), decimal("4955.16"));
}

#[test]
fn a_vertical_watermark_does_not_break_a_two_line_header() {
    let text = "\
RECHNUNG                                  Rechnungsnummer      471102
      Unsere                          Menge   Meng.-    Preis/
      Art.Nr.   Artikelbeschreibung           einheit   Einheit     Betrag  USt. %
      TB100A4   Trennblätter A4          20   Stk.        9,90      198,00   19
";
    let page = quire_extract::test_pages::page_from_layout(1, text);
    let mut words = page.words.clone();
    // `2014-ZUGFeRD` printed top to bottom in the left margin, across the header and the row.
    for (k, c) in "2014-ZUGFeRD".chars().enumerate() {
        let y = 44.0 + k as f32 * 3.0;
        words.push(Word::new(
            c.to_string(),
            BBox::new(8.0, y, 12.0, y + 2.9),
            100.0,
        ));
    }
    let document = Document {
        content_hash: String::new(),
        mime: Mime::Pdf,
        size_bytes: 0,
        pages: vec![Page::from_words(
            1,
            page.width,
            page.height,
            PageSource::TextLayer,
            words,
            None,
        )],
        attachments: Vec::new(),
    };
    let extraction = run_on(&document, "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        1,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(cell_amount(&extraction, 0, "quantity"), decimal("20"));
    assert_eq!(cell_amount(&extraction, 0, "unitPrice"), decimal("9.90"));
    assert_eq!(cell_amount(&extraction, 0, "netAmount"), decimal("198.00"));
}

#[test]
fn the_recipient_under_a_window_envelope_return_address_is_the_customer() {
    let text = "\
                                            Holzmann Werkzeugtechnik GmbH

Holzmann Werkzeugtechnik GmbH, Industriestraße 14, 73728 Esslingen   Rechnungsnummer   RE-2025-10384
                                                                     Rechnungsdatum       15.08.2025
Schreinerei Berger & Söhne KG
Herrn Thomas Berger
Lindenweg 7
72070 Tübingen

Rechnung RE-2025-10384
Gesamtbetrag                                                                            119,00 EUR
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        field_text(&extraction, "customerName").as_deref(),
        Some("Schreinerei Berger & Söhne KG")
    );
    assert_eq!(extraction.fields["customerName"].method, Method::Fallback);
    // A labelled recipient (`RECHNUNG AN`) is read below its label.
    let labelled = "\
Nordlicht Software GmbH
Rechnung                                   Rechnungsnummer    NL-2025-08817
RECHNUNG AN                                Rechnungsdatum        01.10.2025
Kanzlei Hoffmann & Partner mbB
Brandenburger Straße 41
";
    let extraction = run(labelled, "generic-invoice");
    assert_eq!(
        field_text(&extraction, "customerName").as_deref(),
        Some("Kanzlei Hoffmann & Partner mbB")
    );
}

#[test]
fn a_receipt_without_a_net_label_gives_total_minus_tax_and_reads_loyalty_savings() {
    let text = "\
FRESHWAY LOCAL
15/08/2025 14:32
Receipt  No: 0417-03-118245
SUBTOTAL                           20.82
LOYALTY  SAVING                    -0.50
SALES TAX                           1.47
TOTAL                             £20.32
";
    let extraction = run(text, "generic-receipt");
    assert_eq!(amount(&extraction, "discountAmount"), decimal("0.50"));
    assert_eq!(amount(&extraction, "netAmount"), decimal("18.85"));
    assert_eq!(extraction.fields["netAmount"].method, Method::Computed);
}

#[test]
fn a_bank_name_with_a_lower_case_legal_form_or_a_particle_is_read_whole() {
    let british = "\
   Northbridge Bank plc                                            Statement
   Business Banking, PO Box 1207, Leeds LS1 4DY

Harbour Lane Bakery Ltd                     Statement period   01/08/2025 to 31/08/2025
";
    let extraction = run(british, "generic-bank-statement");
    assert_eq!(
        field_text(&extraction, "bankName").as_deref(),
        Some("Northbridge Bank plc")
    );
    let french = "\
   Banque du Lac d'Annecy                                     Relevé de compte
   Agence Annecy Centre
M. Julien Carpentier                          Période   du 01/08/2025 au 31/08/2025
";
    let extraction = run(french, "generic-bank-statement");
    assert_eq!(
        field_text(&extraction, "bankName").as_deref(),
        Some("Banque du Lac d'Annecy")
    );
}

#[test]
fn dated_beginning_and_ending_balance_lines_are_not_transactions() {
    let text = "\
   Granite Ridge Savings Bank                                              Statement
Marcus T. Delgado                        Statement Period       07/01/2025 - 07/31/2025
 Date        Description                              Withdrawals     Deposits      Balance
 07/01/2025  Beginning Balance                                                     1,873.55
 07/01/2025  ONLINE TRANSFER TO SAVINGS                    500.00                  1,373.55
 07/03/2025  ACH DEPOSIT PAYROLL                                       2,684.12    4,057.67
 07/31/2025  Ending Balance                                                        4,057.67
 08/01/2025  Statement mailed to the address on file                                   0.00
";
    let extraction = run(text, "generic-bank-statement");
    let descriptions: Vec<Option<String>> = (0..extraction.table_items.len())
        .map(|row| cell(&extraction, row, "description"))
        .collect();
    assert_eq!(
        descriptions,
        [
            Some("ONLINE TRANSFER TO SAVINGS".to_string()),
            Some("ACH DEPOSIT PAYROLL".to_string())
        ]
    );
    assert_eq!(
        cell_amount(&extraction, 1, "creditAmount"),
        decimal("2684.12")
    );
}

#[test]
fn a_french_vat_number_after_its_qualified_label_is_read_and_an_iban_is_never_one() {
    let text = "\
Facture                                           N° de facture          F2025-0912
IBAN: FR76 1450 8006 0104 1723 8501 120
Atelier Lumière Conseil SAS     N° TVA intracom. FR 24 532 948 171
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(
        field_text(&extraction, "vatId").as_deref(),
        Some("FR24532948171")
    );
    // Without a VAT label, the IBAN's first groups are not taken for a VAT number.
    let text = "\
Facture                                           N° de facture          F2025-0912
IBAN: FR76 1450 8006 0104 1723 8501 120
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(field_text(&extraction, "vatId"), None);
}

#[test]
fn quantities_with_a_thousands_space_or_a_glued_unit_are_read() {
    let text = "\
Imprimerie Durand & Fils SARL                                     FACTURE
N° de facture         FA-2025-0457
 Désignation                                       Qté | Prix unit. HT  |  Montant HT|  TVA%    TVA      Total TTC
  Flyers A5 recto-verso, papier couché 135 g     2 000         0,06       120,00    20 %       24,00       144,00
  Affiches A3, quadrichromie, papier 170 g          50         1,35        67,50    20 %       13,50        81,00
  Mise en page et préparation des fichiers         3h         55,00       165,00    20 %       33,00        198,00
                                                                     Total HT                            352,50 €
";
    let extraction = run_on(&ocr_document(text), "generic-invoice");
    assert_eq!(
        extraction.table_items.len(),
        3,
        "{:?}",
        extraction.table_items
    );
    assert_eq!(cell_amount(&extraction, 0, "quantity"), decimal("2000"));
    assert_eq!(
        cell(&extraction, 0, "description").as_deref(),
        Some("Flyers A5 recto-verso, papier couché 135 g")
    );
    assert_eq!(cell_amount(&extraction, 1, "quantity"), decimal("50"));
    assert_eq!(cell_amount(&extraction, 2, "quantity"), decimal("3"));
    assert_eq!(cell_amount(&extraction, 2, "netAmount"), decimal("165.00"));
}

#[test]
fn a_digit_ocr_misread_in_a_line_item_is_repaired_from_the_rows_sums_and_reported() {
    let text = "\
Thames Valley IT Services Ltd                                  INVOICE
Invoice No.   TV-2025-0934
 Description                                 Qty     Unit Price          Net        VAT          Total
 Wireless keyboard and mouse set              20          45.00        90.00      18.00         108.00
 Cat6 patch lead 1 m, blue (pack of 10)        3          12.50        37.50       7.50          45.00
                                                              Total net              127.50
";
    let warning = |extraction: &Extraction| {
        extraction
            .validation
            .iter()
            .find(|r| r.rule_name == "line arithmetic")
            .map(|r| (r.status, r.message.clone()))
            .unwrap()
    };
    let scanned = run_on(&ocr_document(text), "generic-invoice");
    assert_eq!(cell_amount(&scanned, 0, "quantity"), decimal("2"));
    assert_eq!(
        scanned.table_items[0].cells["quantity"].repaired_from,
        Some(Value::Decimal(Decimal::from(20)))
    );
    assert_eq!(cell_amount(&scanned, 1, "quantity"), decimal("3"));
    let (status, message) = warning(&scanned);
    assert_eq!(status, quire_extract::RuleStatus::Warn, "{message}");
    assert!(
        message.contains("row 1: quantity read as 20, repaired to 2"),
        "{message}"
    );
    // On a text layer the sum that does not hold is the document's own: reported, not repaired.
    let printed = run(text, "generic-invoice");
    assert_eq!(cell_amount(&printed, 0, "quantity"), decimal("20"));
    assert_eq!(warning(&printed).0, quire_extract::RuleStatus::Fail);
}

#[test]
fn a_coupon_line_with_words_between_its_label_and_amount_gives_the_discount() {
    let text = "\
    Hillside Hardware & Garden
08/23/2025 10:18 AM
Receipt  #: 104-58213
EXTERIOR STAIN CEDAR 1GAL          44.99
PAINT BRUSH 3IN ANGLED              9.49
SUBTOTAL                           54.48
COUPON 10% OFF STAIN               -4.50
SALES TAX 8.845%                    4.42
TOTAL                             $54.40
";
    let extraction = run(text, "generic-receipt");
    assert_eq!(amount(&extraction, "discountAmount"), decimal("4.50"));
    assert_eq!(amount(&extraction, "totalAmount"), decimal("54.40"));
}

#[test]
fn a_stray_mark_after_a_scanned_balance_does_not_cut_it_to_its_thousands() {
    let text = "\
   Banque du Lac d'Annecy                                     Relevé de compte
M. Julien Carpentier                          Période   du 01/08/2025 au 31/08/2025
  Date         Libellé                                           Débit           Crédit           Solde
  28/08/2025   VIR SEPA SALAIRE AOÛT ATELIERS DU LAC                           2215,47         2 384,66
  29/08/2025   CB LIBRAIRIE DES BEAUX-ARTS 28/08                 27,08                         2 357,58,
";
    let extraction = run_on(&ocr_document(text), "generic-bank-statement");
    assert_eq!(extraction.table_items.len(), 2);
    assert_eq!(
        cell_amount(&extraction, 1, "balanceAmount"),
        decimal("2357.58")
    );
}

#[test]
fn ocr_labels_without_accents_and_rates_with_stray_marks_are_read() {
    let text = "\
Imprimerie Durand & Fils SARL                                     FACTURE
N° de facture         FA-2025-0457              Facturé a
Date                  06/05/2025                Association Les Amis du Jardin
Bon decommande        BC-AJ-12                  Mme Héléne Roussel
Ordner A4, 8 cm Rücken, blau
                                       Total HT                 1 612,50 €
                                       TVA 20 %                    70,50 €
                                       TVA 5,5 fe) %               69,30 €
                                       Total TTC                1 752,30 €
";
    let extraction = run_on(&ocr_document(text), "generic-invoice");
    assert_eq!(
        field_text(&extraction, "customerName").as_deref(),
        Some("Association Les Amis du Jardin")
    );
    assert_eq!(amount(&extraction, "taxAmount"), decimal("139.80"));
    // `Ordner` (a folder) is not the label `Order #` misread.
    assert_ne!(
        field_text(&extraction, "orderNumber").as_deref(),
        Some("A4")
    );
}

#[test]
fn a_totals_table_with_a_line_per_rate_gives_its_sum_line() {
    let text = "\
RECHNUNGS-KORREKTUR                         Beleg-Nr    :  RK21012345
                                            Beleg-Datum :  16.09.2013
   Warenwert    Nettobetrag    MwSt-Betrag    MwSt-%     Endbetrag
       -5,00          -4,85          -0,92      19,0         -5,77
       -2,90          -2,82          -0,20       7,0         -3,02

       -7,90          -7,67          -1,12       EUR         -8,79
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(amount(&extraction, "netAmount"), decimal("-7.67"));
    assert_eq!(amount(&extraction, "taxAmount"), decimal("-1.12"));
    assert_eq!(amount(&extraction, "totalAmount"), decimal("-8.79"));
}

/// The cells of a row as normalised strings.
fn row_cells(extraction: &Extraction, index: usize) -> Vec<(String, String)> {
    extraction.table_items[index]
        .cells
        .iter()
        .map(|(key, cell)| (key.clone(), cell.value.normalized_string()))
        .collect()
}

#[test]
fn till_receipt_items_without_column_headers_are_rows_with_their_quantity_lines() {
    let receipt = "\
          CORNER GROCER
        14 High Street, Leeds
  Tel 0113 555 0192
18/08/2025 09:41
Receipt No: 0211-04-55812
SPARKLING WATER 1.5L              0.95 A
APPLES  BRAEBURN
  0.640 kg @ £2.10/kg             1.34 Z
BROWN RICE 1KG                    2.10 Z
OAT MILK 1L
  3 @ 1.45                        4.35 Z
ITEMS 6
SUBTOTAL                           8.74
TOTAL                             £8.74
VISA DEBIT                         8.74
RATE     NET       VAT             GROSS
A 20%   0.79      0.16              0.95
";
    let extraction = run(receipt, "generic-receipt");
    assert_eq!(
        extraction.table_items.len(),
        4,
        "{:#?}",
        extraction.table_items
    );
    let cells = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        row_cells(&extraction, 0),
        cells(&[
            ("description", "SPARKLING WATER 1.5L"),
            ("totalAmount", "0.95")
        ])
    );
    assert_eq!(
        row_cells(&extraction, 1),
        cells(&[
            ("description", "APPLES BRAEBURN"),
            ("quantity", "0.64"),
            ("totalAmount", "1.34"),
            ("unitPrice", "2.10"),
        ])
    );
    assert_eq!(
        row_cells(&extraction, 3),
        cells(&[
            ("description", "OAT MILK 1L"),
            ("quantity", "3"),
            ("totalAmount", "4.35"),
            ("unitPrice", "1.45"),
        ])
    );
    // Nothing from the header block, the totals or the VAT summary became a row.
    assert!(extraction
        .table_items
        .iter()
        .all(|row| row.cells.contains_key("totalAmount")));
}

#[test]
fn a_german_receipt_reads_a_three_decimal_unit_price_with_its_decimal_comma() {
    let receipt = "\
        Tankstelle am Ring
          Ringstraße 4
          50667 Köln
12.09.2025 18:02
Bon-Nr.  30112
Diesel Säule 2
  52,10 l  x 1,659 €/l           86,43 A
Scheibenwischer                  12,99 A
Artikel  2
SUMME EUR                        99,42
";
    let extraction = run(receipt, "generic-receipt");
    assert_eq!(
        extraction.table_items.len(),
        2,
        "{:#?}",
        extraction.table_items
    );
    let fuel = &extraction.table_items[0];
    assert_eq!(fuel.decimal("unitPrice"), Decimal::from_str("1.659").ok());
    assert_eq!(fuel.decimal("quantity"), Decimal::from_str("52.10").ok());
    assert_eq!(fuel.decimal("totalAmount"), Decimal::from_str("86.43").ok());
    assert_eq!(
        extraction.field_string("totalAmount").as_deref(),
        Some("99.42")
    );
}

#[test]
fn a_table_with_an_unreadable_quantity_header_and_amounts_written_unlike_the_totals() {
    // The rows write `14940.0` while the totals write `58 015,00` (the page's decimal comma must not make the
    // rows unreadable); `Qantité` is a misspelt header, so the quantity ends the description; `TVA` holds
    // rates and `Taxes` the tax amounts; `#` numbers the rows.
    let text = "\
Facture FA05/2015/096729
Date 21/05/2015

  #     Description:                       Qantité        Prix        Montant        TVA         Taxes        Total TTC

   1    Chaise de bureau noire              83.0        € 180.0      €14940.0      10.0        €1494.0        €16434.0

  2     Tiroir                                19.0       € 100.0       € 1900.0                   €0.0         € 1900.0

                                                                                    Total HT                   €16 840,00
                                                                                    Taxes                       €1 494,00
                                                                                    Total TTC                  € 18 334,00
";
    let extraction = run_on(&ocr_document(text), "generic-invoice");
    assert_eq!(extraction.table_items.len(), 2);
    assert_eq!(
        cell(&extraction, 0, "description").as_deref(),
        Some("Chaise de bureau noire")
    );
    assert_eq!(cell_amount(&extraction, 0, "quantity"), decimal("83"));
    assert_eq!(cell_amount(&extraction, 0, "unitPrice"), decimal("180"));
    assert_eq!(cell_amount(&extraction, 0, "netAmount"), decimal("14940"));
    assert_eq!(cell_amount(&extraction, 0, "taxAmount"), decimal("1494"));
    assert_eq!(cell_amount(&extraction, 0, "totalAmount"), decimal("16434"));
    assert_eq!(
        cell(&extraction, 1, "description").as_deref(),
        Some("Tiroir")
    );
    assert_eq!(cell_amount(&extraction, 1, "quantity"), decimal("19"));
    assert_eq!(cell_amount(&extraction, 1, "taxAmount"), decimal("0"));
    // Read, not repaired: the quantity was printed.
    assert!(extraction.table_items[0].cells["quantity"]
        .repaired_from
        .is_none());
    assert_eq!(amount(&extraction, "netAmount"), decimal("16840"));
    assert_eq!(amount(&extraction, "taxAmount"), decimal("1494"));
    assert!(extraction.is_valid, "{:?}", extraction.validation);
}

#[test]
fn text_in_a_sidebar_beside_the_table_is_not_part_of_its_rows() {
    let text = "\
Rechnung 2025-7

                      Beschreibung                    Menge     Preis      Betrag
                      Beratung                         2,00     50,00      100,00
Wood Corner
1839 Arbor Way        Schulung                         1,00     80,00       80,00
info@example.com
                      Summe                                               180,00
";
    let extraction = run(text, "generic-invoice");
    assert_eq!(extraction.table_items.len(), 2);
    assert_eq!(
        cell(&extraction, 0, "description").as_deref(),
        Some("Beratung")
    );
    assert_eq!(
        cell(&extraction, 1, "description").as_deref(),
        Some("Schulung")
    );
}

#[test]
fn a_receipt_that_prints_no_cents_has_its_whole_amounts_read() {
    // Amounts need cents on till receipts (`Total 4` counts items); a document printing none has whole
    // amounts.
    let text = "\
Contoso, Ltd.                              Receipt # No.: 2468
                                           Date: 8/20/2020
   Description                    Price           Line Total
   Compliance Training            $5,000          $4,500
                                  Subtotal        $4,500
                                  Sales Tax       $450
                                  Total           $4,950
Thank you for your business!
";
    let extraction = run(text, "generic-receipt");
    assert_eq!(amount(&extraction, "totalAmount"), decimal("4950"));
    assert_eq!(amount(&extraction, "taxAmount"), decimal("450"));
    // With cents printed elsewhere, a whole number after `Total` is not the total.
    let text = "\
Freshway Local
Milk                 1.20
Bread                2.30
Total items 4
TOTAL                3.50
";
    let extraction = run(text, "generic-receipt");
    assert_eq!(amount(&extraction, "totalAmount"), decimal("3.50"));
}
