//! Classification and extraction of header fields and tables with the built-in templates.

use quire_extract::test_pages::document_from_layout;
use quire_extract::{classify, extract, ExtractOptions, Extraction, TemplateSet, Value};

fn builtin() -> TemplateSet {
    TemplateSet::builtin().unwrap()
}

fn run(text: &str, template_id: &str) -> Extraction {
    let set = builtin();
    let document = document_from_layout(text);
    extract(
        &document,
        set.get(template_id).unwrap(),
        &ExtractOptions::default(),
    )
    .unwrap()
}

fn field(extraction: &Extraction, key: &str) -> Option<String> {
    extraction.field_string(key)
}

const ENGLISH_INVOICE: &str = "\
ACME Widgets Ltd                                        INVOICE
12 High Street, London

Bill to:                                   Invoice No: INV-2025-0042
Globex Corporation                         Invoice Date: 15/08/2025
1 Main Road                                Due Date: 14/09/2025
                                           PO Number: PO-7781

Description                        Qty     Unit Price      Amount
Blue widgets, large size             2          10.00       20.00
Red widgets with a very long         3           5.50       16.50
  description that wraps
Installation service                 1         100.00      100.00

                                           Subtotal:       136.50
                                           VAT 20%:         27.30
                                           Total due:   GBP 163.80

VAT No: GB123456789         IBAN: GB29 NWBK 6016 1331 9268 19
";

#[test]
fn an_english_invoice_is_classified_as_an_invoice_with_reasons() {
    let document = document_from_layout(ENGLISH_INVOICE);
    let classification = classify(&document, &builtin());
    assert_eq!(
        classification.template_id.as_deref(),
        Some("generic-invoice")
    );
    assert_eq!(classification.template_version, Some(7));
    assert!(classification
        .matched_keywords
        .iter()
        .any(|k| k == "invoice"));
    assert!(classification.score > 0.0);
    assert!(
        classification.reason.contains("invoice"),
        "{}",
        classification.reason
    );
}

#[test]
fn an_invoice_with_its_bank_details_is_an_invoice_not_a_bank_statement() {
    // Payment details (IBAN, BIC, account holder) are on most invoices: they do not make a statement.
    let text = "\
Bei Spiel GmbH, Ecke 12, 12345 Stadthausen

Rechnung # RE-20140703/502 vom 03.07.2014
 #         Produkt                        USt       Einzelpreis  Summe
 1,00      Gestaltung                     7%        160,00 \u{20ac}     160,00 \u{20ac}
Summe inkl. USt: 171,20 \u{20ac}
                                  IBAN DE88 2008 0000 0970 3757 00
                                  BIC COBADEFFXXX
                                  Kontoinhaber: Max Mustermann
";
    let classification = classify(&document_from_layout(text), &builtin());
    assert_eq!(
        classification.template_id.as_deref(),
        Some("generic-invoice"),
        "{}",
        classification.reason
    );
}

#[test]
fn a_dutch_invoice_is_classified_and_read_with_dutch_labels() {
    let text = "\
FACTUUR                                                     Coolblue B.V.
                                                            3012 CN Rotterdam
Factuurnummer: 993548900                                    BTW NL810433941B01
Factuurdatum: 19 april 2014
Ordernummer: 12572103

Artikel                                 Aantal   Prijs per stuk  BTW  Prijs incl. BTW
Apple iPad Air Wifi 16 GB Zilver           1       \u{20ac} 399,00  21%     \u{20ac} 399,00
Mario Kart 7 3DS                           2        \u{20ac} 44,99  21%      \u{20ac} 89,98

    Exclusief BTW      \u{20ac} 404,11                          Subtotaal     \u{20ac} 488,98
        BTW 21%        \u{20ac} 84,87
          Totaal       \u{20ac} 488,98
";
    let document = document_from_layout(text);
    let classification = classify(&document, &builtin());
    assert_eq!(
        classification.template_id.as_deref(),
        Some("generic-invoice")
    );
    let extraction = run(text, "generic-invoice");
    let expected = [
        ("documentId", "993548900"),
        ("date", "2014-04-19"),
        ("orderNumber", "12572103"),
        ("netAmount", "404.11"),
        ("taxAmount", "84.87"),
        ("totalAmount", "488.98"),
    ];
    for (key, value) in expected {
        assert_eq!(field(&extraction, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(extraction.table_items.len(), 2);
    let quantity = extraction.table_items[1].cells["quantity"]
        .value
        .as_decimal();
    assert_eq!(quantity, Some(2.into()));
    assert!(extraction.is_valid, "{:?}", extraction.validation);
}

#[test]
fn an_english_invoice_gives_its_header_fields() {
    let extraction = run(ENGLISH_INVOICE, "generic-invoice");
    let expected = [
        ("supplierName", "ACME Widgets Ltd"),
        ("documentId", "INV-2025-0042"),
        ("date", "2025-08-15"),
        ("dueDate", "2025-09-14"),
        ("currencyCode", "GBP"),
        ("netAmount", "136.50"),
        ("taxAmount", "27.30"),
        ("totalAmount", "163.80"),
        ("orderNumber", "PO-7781"),
        ("customerName", "Globex Corporation"),
        ("vatId", "GB123456789"),
        ("iban", "GB29NWBK60161331926819"),
    ];
    for (key, value) in expected {
        assert_eq!(field(&extraction, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(extraction.template_id, "generic-invoice");
    assert_eq!(extraction.template_version, 7);
}

#[test]
fn every_value_carries_its_provenance() {
    let extraction = run(ENGLISH_INVOICE, "generic-invoice");
    let total = &extraction.fields["totalAmount"];
    let provenance = total.provenance.as_ref().unwrap();
    assert_eq!(provenance.page, 1);
    assert_eq!(provenance.raw_text, "163.80");
    assert_eq!(provenance.confidence, 100.0);
    // Line 17 of the text (0-based 16) at y = 36 + 16 * 12.
    assert_eq!(provenance.bbox.y0, 36.0 + 16.0 * 12.0);
    assert_eq!(total.label.as_deref(), Some("Total due:"));
    let date = extraction.fields["date"].provenance.as_ref().unwrap();
    assert_eq!(date.raw_text, "15/08/2025");
}

#[test]
fn an_english_invoice_gives_its_line_items_with_wrapped_descriptions_merged() {
    let extraction = run(ENGLISH_INVOICE, "generic-invoice");
    let rows = &extraction.table_items;
    assert_eq!(rows.len(), 3, "{rows:#?}");
    let text = |row: usize, key: &str| {
        rows[row]
            .cells
            .get(key)
            .map(|c| c.value.normalized_string())
    };
    assert_eq!(
        text(0, "description").as_deref(),
        Some("Blue widgets, large size")
    );
    assert_eq!(
        text(1, "description").as_deref(),
        Some("Red widgets with a very long description that wraps")
    );
    assert_eq!(text(1, "quantity").as_deref(), Some("3"));
    assert_eq!(text(1, "unitPrice").as_deref(), Some("5.50"));
    assert_eq!(text(1, "netAmount").as_deref(), Some("16.50"));
    assert_eq!(text(2, "netAmount").as_deref(), Some("100"));
    let cell = &rows[0].cells["netAmount"];
    assert_eq!(cell.provenance.as_ref().unwrap().raw_text, "20.00");
}

const GERMAN_INVOICE: &str = "\
Muster Handel GmbH · Hauptstraße 5 · 10115 Berlin

Kunde AG                                          Rechnung
Am Markt 1                                        Rechnungsnummer:   RE-4711
80331 München                                     Rechnungsdatum:    3. März 2025
                                                  Fällig am:         02.04.2025

Pos.  Bezeichnung                      Menge    Einzelpreis         Gesamtpreis
1     Beratung                          10,5         120,00            1.260,00
2     Reisekosten                          1         240,00              240,00

                                                  Nettobetrag:          1.500,00 €
                                                  MwSt. 19%:              285,00 €
                                                  Gesamtbetrag:         1.785,00 €
";

#[test]
fn a_german_invoice_reads_with_german_labels_and_number_format() {
    let extraction = run(GERMAN_INVOICE, "generic-invoice");
    let expected = [
        ("supplierName", "Muster Handel GmbH"),
        ("documentId", "RE-4711"),
        ("date", "2025-03-03"),
        ("dueDate", "2025-04-02"),
        ("currencyCode", "EUR"),
        ("netAmount", "1500"),
        ("taxAmount", "285"),
        ("totalAmount", "1785"),
    ];
    for (key, value) in expected {
        assert_eq!(field(&extraction, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(extraction.table_items.len(), 2);
    let row = &extraction.table_items[0];
    assert_eq!(row.decimal("quantity").unwrap().to_string(), "10.5");
    assert_eq!(row.decimal("netAmount").unwrap().to_string(), "1260.00");
    assert_eq!(
        row.cells["description"].value,
        Value::Text("Beratung".into())
    );
    assert!(extraction.is_valid, "{:#?}", extraction.validation);
}

const FRENCH_INVOICE: &str = "\
SARL Dupont & Fils
12 rue de la Paix, 75002 Paris

FACTURE                                  N° de facture : F-2025-118
                                         Date de facture : 15 août 2025
                                         Échéance : 14/09/2025

Désignation                     Qté      Prix unitaire       Montant HT
Peinture murale                   4            25,00           100,00

                                         Total HT :             100,00 €
                                         TVA 20 % :              20,00 €
                                         Total TTC :            120,00 €
";

#[test]
fn a_french_invoice_reads_with_french_labels() {
    let extraction = run(FRENCH_INVOICE, "generic-invoice");
    let expected = [
        ("documentId", "F-2025-118"),
        ("date", "2025-08-15"),
        ("dueDate", "2025-09-14"),
        ("currencyCode", "EUR"),
        ("netAmount", "100"),
        ("taxAmount", "20"),
        ("totalAmount", "120"),
    ];
    for (key, value) in expected {
        assert_eq!(field(&extraction, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(extraction.table_items.len(), 1);
    assert_eq!(
        extraction.table_items[0]
            .decimal("quantity")
            .unwrap()
            .to_string(),
        "4"
    );
}

const RECEIPT: &str = "\
            SUPERMART SDN BHD
         Lot 5, Jalan Besar, KL
         GST REG: 001234567890
Receipt No: R00123        Date: 05/01/2018
Cashier: Ali

Item                 Qty    Price    Amount
Bread                  2     2.50      5.00
Milk 1L                1     6.90      6.90

Total Sales (Inclusive of GST)      RM 11.90
GST 6%                               0.67
Cash                                20.00
Change                               8.10
        THANK YOU, PLEASE COME AGAIN
";

#[test]
fn a_receipt_is_classified_and_read_with_the_receipt_template() {
    let set = builtin();
    let document = document_from_layout(RECEIPT);
    let classification = classify(&document, &set);
    assert_eq!(
        classification.template_id.as_deref(),
        Some("generic-receipt")
    );
    let extraction = run(RECEIPT, "generic-receipt");
    let expected = [
        ("supplierName", "SUPERMART SDN BHD"),
        ("documentId", "R00123"),
        ("date", "2018-01-05"),
        ("totalAmount", "11.90"),
        ("taxAmount", "0.67"),
        ("currencyCode", "MYR"),
        ("paymentMethod", "cash"),
    ];
    for (key, value) in expected {
        assert_eq!(field(&extraction, key).as_deref(), Some(value), "{key}");
    }
    assert_eq!(extraction.table_items.len(), 2);
}

const STATEMENT_PAGE_1: &str = "\
First Example Bank plc
Account statement

Account holder: Jane Doe
Account number: 12345678
Statement period: 01/08/2025 - 31/08/2025
Currency: EUR
Opening balance                                            1,000.00

Date         Description                      Debit      Credit      Balance
01/08/2025   Salary August                              2,500.00    3,500.00
03/08/2025   Rent payment to Landlord
             reference 2025-08              1,200.00                2,300.00
                                    Balance carried forward          2,300.00
";

const STATEMENT_PAGE_2: &str = "\
Date         Description                      Debit      Credit      Balance
10/08/2025   Grocery store                    150.25                2,149.75
20/08/2025   Refund                                        20.25    2,170.00
Closing balance                                                     2,170.00
";

#[test]
fn a_two_page_bank_statement_gives_fields_transactions_and_balances() {
    let text = format!("{STATEMENT_PAGE_1}\u{c}{STATEMENT_PAGE_2}");
    let set = builtin();
    let document = document_from_layout(&text);
    assert_eq!(document.n_pages(), 2);
    let classification = classify(&document, &set);
    assert_eq!(
        classification.template_id.as_deref(),
        Some("generic-bank-statement")
    );
    let extraction = run(&text, "generic-bank-statement");
    let expected = [
        ("bankName", "First Example Bank plc"),
        ("accountHolderName", "Jane Doe"),
        ("accountNumber", "12345678"),
        ("currencyCode", "EUR"),
        ("openingDate", "2025-08-01"),
        ("closingDate", "2025-08-31"),
        ("openingBalance", "1000"),
        ("closingBalance", "2170"),
    ];
    for (key, value) in expected {
        assert_eq!(field(&extraction, key).as_deref(), Some(value), "{key}");
    }
    let rows = &extraction.table_items;
    assert_eq!(rows.len(), 4, "{rows:#?}");
    assert_eq!(
        rows[1].cells["description"].value.normalized_string(),
        "Rent payment to Landlord reference 2025-08"
    );
    assert_eq!(
        rows[1].decimal("debitAmount").unwrap().to_string(),
        "1200.00"
    );
    assert_eq!(rows[2].page, 2);
    let balance = extraction
        .validation
        .iter()
        .find(|r| r.rule_type == quire_extract::template::RuleType::StatementBalance)
        .unwrap();
    assert_eq!(
        balance.status,
        quire_extract::RuleStatus::Pass,
        "{}",
        balance.message
    );
    assert!(extraction.is_valid, "{:#?}", extraction.validation);
}

#[test]
fn a_document_no_template_recognises_is_unmatched_with_the_reason() {
    let document = document_from_layout("Dear Sir or Madam,\nplease find our brochure enclosed.\n");
    let classification = classify(&document, &builtin());
    assert!(!classification.is_matched());
    assert!(
        classification.reason.starts_with("no template matched"),
        "{}",
        classification.reason
    );
    assert!(classification.reason.contains("generic-invoice"));
    let empty = document_from_layout("");
    assert_eq!(
        classify(&empty, &builtin()).reason,
        "the document has no text"
    );
}

#[test]
fn a_pathological_field_regex_is_a_template_error_not_a_hang() {
    let template_json = r#"{
      "id": "slow", "version": 1, "name": "Slow", "document_type": "invoice",
      "schema_definition": { "general_part": { "documentId": { "name": "Number", "format_type": "text" } } },
      "extraction": { "fields": { "documentId": { "regex": ["^(?:(a+)(?=\\1))+b$"] } } }
    }"#;
    let template = quire_extract::Template::from_json_str("slow.json", template_json).unwrap();
    let document = document_from_layout(&"a".repeat(60));
    let started = std::time::Instant::now();
    let error = extract(&document, &template, &ExtractOptions::default()).unwrap_err();
    assert_eq!(error.code(), "template_regex_too_complex");
    assert!(error.to_string().contains("documentId"), "{error}");
    assert!(started.elapsed().as_secs() < 10);
}

const FACTUR_X: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocument><ram:ID>INV-2025-0042</ram:ID>
    <ram:IssueDateTime><udt:DateTimeString format="102">20250815</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>ACME Widgets Ltd</ram:Name></ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>GBP</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:TaxBasisTotalAmount>136.50</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="GBP">27.30</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>163.90</ram:GrandTotalAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation></ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#;

#[test]
fn an_embedded_factur_x_is_read_and_cross_checked_unless_switched_off() {
    let set = builtin();
    let template = set.get("generic-invoice").unwrap();
    let mut document = document_from_layout(ENGLISH_INVOICE);
    document.attachments.push(quire_document::Attachment {
        name: "factur-x.xml".into(),
        size_bytes: FACTUR_X.len() as u64,
        data: FACTUR_X.as_bytes().to_vec(),
    });
    let from_xml = extract(&document, template, &ExtractOptions::default()).unwrap();
    assert_eq!(from_xml.source, quire_extract::ExtractionSource::EInvoice);
    assert_eq!(field(&from_xml, "totalAmount").as_deref(), Some("163.90"));
    // The printed total is 163.80: the cross-check reports it.
    let total = from_xml
        .cross_check
        .iter()
        .find(|d| d.field == "totalAmount")
        .unwrap();
    assert_eq!(
        (total.e_invoice.as_str(), total.text.as_deref()),
        ("163.90", Some("163.80"))
    );
    assert!(!from_xml.cross_check.iter().any(|d| d.field == "documentId"));
    let options = ExtractOptions {
        e_invoice: false,
        ..ExtractOptions::default()
    };
    let from_text = extract(&document, template, &options).unwrap();
    assert_eq!(from_text.source, quire_extract::ExtractionSource::Text);
    assert_eq!(field(&from_text, "totalAmount").as_deref(), Some("163.80"));
}
