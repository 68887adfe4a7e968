//! E-invoices: reading a Factur-X / ZUGFeRD (1 and 2) / XRechnung XML, in either of XRechnung's syntaxes
//! (UN/CEFACT CII or OASIS UBL 2.1 Invoice / CreditNote), into an extraction (exact data, no OCR), and
//! cross-checking it against the text extraction of the same document.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::Reader;
use quire_document::Document;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{ExtractError, Result};
use crate::extraction::{is_valid, ExtractOptions, Extraction, ExtractionSource};
use crate::template::Template;
use crate::validate::validate;
use crate::value::{Cell, Field, Method, Row, Value};

/// File names of embedded e-invoice XML (lower case).
const EINVOICE_NAMES: [&str; 5] = [
    "factur-x.xml",
    "zugferd-invoice.xml",
    "zugferd_invoice.xml",
    "xrechnung.xml",
    "order-x.xml",
];

/// The document's embedded e-invoice XML, if it carries one.
pub fn embedded_xml(document: &Document) -> Option<&[u8]> {
    let attachments = &document.attachments;
    attachments
        .iter()
        .find(|a| EINVOICE_NAMES.contains(&a.name.to_lowercase().as_str()))
        .or_else(|| {
            attachments
                .iter()
                .find(|a| a.name.to_lowercase().ends_with(".xml"))
        })
        .map(|a| a.data.as_slice())
        .filter(|data| !data.is_empty())
}

/// Elements read from the XML: the path of local element names (joined by `/`) and the text.
struct XmlTexts {
    entries: Vec<(String, String)>,
}

impl XmlTexts {
    fn parse(xml: &[u8]) -> std::result::Result<XmlTexts, String> {
        let text = std::str::from_utf8(xml).map_err(|e| format!("not UTF-8: {e}"))?;
        let mut reader = Reader::from_str(text);
        let mut path: Vec<String> = Vec::new();
        let mut entries = Vec::new();
        let mut current = String::new();
        loop {
            match reader.read_event() {
                Ok(Event::Start(start)) => {
                    path.push(start.local_name().as_ref().to_string());
                    current.clear();
                }
                Ok(Event::End(_)) => {
                    if !current.trim().is_empty() {
                        entries.push((path.join("/"), current.trim().to_string()));
                    }
                    current.clear();
                    path.pop();
                }
                Ok(Event::Text(text)) => current.push_str(&text),
                Ok(Event::CData(data)) => current.push_str(&data),
                Ok(Event::GeneralRef(reference)) => {
                    let name: &str = &reference;
                    let resolved = match name {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => reference.resolve_char_ref().ok().flatten(),
                    };
                    if let Some(c) = resolved {
                        current.push(c);
                    }
                }
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(error) => {
                    return Err(format!(
                        "invalid XML at byte {}: {error}",
                        reader.buffer_position()
                    ))
                }
            }
        }
        Ok(XmlTexts { entries })
    }

    /// The text of the element at exactly this path (from the root), if any.
    fn at(&self, path: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, text)| text.as_str())
    }

    /// The first text whose path ends with `suffix` (and does not pass through a line item unless the
    /// suffix names one).
    fn first(&self, suffix: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(path, _)| path.ends_with(suffix) && !path.contains("LineItem"))
            .map(|(_, text)| text.as_str())
    }
}

fn cii_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y%m%d")
        .or_else(|_| NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d"))
        .ok()
}

fn field(value: Value) -> Field {
    Field {
        value,
        provenance: None,
        method: Method::EInvoice,
        label: None,
    }
}

/// Reads an e-invoice (CII: Factur-X, ZUGFeRD 1 and 2, XRechnung CII; or UBL: XRechnung UBL, Peppol) into
/// an extraction with the invoice template's field names, validated with the template's rules.
pub fn from_factur_x_xml(
    xml: &[u8],
    template: &Template,
    options: &ExtractOptions<'_>,
) -> Result<Extraction> {
    let bad = |reason: String| ExtractError::BadInput {
        file: "embedded e-invoice XML".into(),
        reason,
    };
    let texts = XmlTexts::parse(xml).map_err(bad)?;
    let root = texts
        .entries
        .first()
        .and_then(|(path, _)| path.split('/').next())
        .unwrap_or("");
    let mut fields = match root {
        "CrossIndustryInvoice" | "CrossIndustryDocument" => cii_fields(&texts),
        "Invoice" | "CreditNote" => ubl_fields(&texts, root),
        _ => {
            return Err(bad(format!(
            "not a CII invoice (CrossIndustryInvoice / CrossIndustryDocument) or a UBL Invoice / \
                 CreditNote (root element `{root}`)"
        )))
        }
    };
    // Only the template's fields are kept.
    fields.retain(|key, _| template.schema_definition.general_part.contains_key(key));
    let table_items = if root.starts_with("CrossIndustry") {
        line_items(&texts, template)
    } else {
        ubl_line_items(&texts, root, template)
    };
    let validation = validate(template, &fields, &table_items, options.duplicates);
    Ok(Extraction {
        template_id: template.id.clone(),
        template_version: template.version,
        document_type: template.document_type.clone(),
        source: ExtractionSource::EInvoice,
        classification: None,
        is_valid: is_valid(&validation),
        fields,
        table_items,
        validation,
        cross_check: Vec::new(),
        e_invoice_error: None,
        elapsed_ms: 0,
    })
}

/// Puts a trimmed, non-empty text value under `key`.
fn put_text(fields: &mut BTreeMap<String, Field>, key: &str, text: Option<&str>) {
    if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
        fields.insert(key.to_string(), field(Value::Text(text.trim().to_string())));
    }
}

/// The header fields of a UBL 2.1 Invoice or CreditNote (XRechnung UBL, Peppol BIS), by their paths from
/// the root element.
fn ubl_fields(texts: &XmlTexts, root: &str) -> BTreeMap<String, Field> {
    let at = |path: &str| texts.at(&format!("{root}/{path}"));
    let mut fields = BTreeMap::new();
    put_text(&mut fields, "documentId", at("ID"));
    put_text(&mut fields, "currencyCode", at("DocumentCurrencyCode"));
    let party_name = |party: &str| {
        at(&format!("{party}/Party/PartyLegalEntity/RegistrationName"))
            .or_else(|| at(&format!("{party}/Party/PartyName/Name")))
    };
    put_text(
        &mut fields,
        "supplierName",
        party_name("AccountingSupplierParty"),
    );
    put_text(
        &mut fields,
        "customerName",
        party_name("AccountingCustomerParty"),
    );
    put_text(&mut fields, "orderNumber", at("OrderReference/ID"));
    put_text(
        &mut fields,
        "iban",
        at("PaymentMeans/PayeeFinancialAccount/ID"),
    );
    put_text(
        &mut fields,
        "vatId",
        at("AccountingSupplierParty/Party/PartyTaxScheme/CompanyID"),
    );
    if let Some(date) = at("IssueDate").and_then(cii_date) {
        fields.insert("date".into(), field(Value::Date(date)));
    }
    // An Invoice's due date is its own element; a CreditNote carries it in its payment means.
    if let Some(date) = at("DueDate")
        .or_else(|| at("PaymentMeans/PaymentDueDate"))
        .and_then(cii_date)
    {
        fields.insert("dueDate".into(), field(Value::Date(date)));
    }
    for (key, path) in [
        ("netAmount", "LegalMonetaryTotal/TaxExclusiveAmount"),
        ("totalAmount", "LegalMonetaryTotal/TaxInclusiveAmount"),
        ("discountAmount", "LegalMonetaryTotal/AllowanceTotalAmount"),
        // The document-level tax total (line-level ones sit under the lines).
        ("taxAmount", "TaxTotal/TaxAmount"),
    ] {
        if let Some(amount) = at(path).and_then(|t| Decimal::from_str(t.trim()).ok()) {
            fields.insert(key.to_string(), field(Value::Decimal(amount)));
        }
    }
    fields
}

/// The line items of a UBL Invoice (`InvoiceLine`) or CreditNote (`CreditNoteLine`).
fn ubl_line_items(texts: &XmlTexts, root: &str, template: &Template) -> Vec<Row> {
    let line = if root == "CreditNote" {
        "CreditNoteLine"
    } else {
        "InvoiceLine"
    };
    let prefix = format!("{root}/{line}/");
    let mut rows: Vec<Row> = Vec::new();
    for (path, text) in &texts.entries {
        let Some(inner) = path.strip_prefix(&prefix) else {
            continue;
        };
        // A new line starts with its ID (the first element of a UBL line).
        if inner == "ID" {
            rows.push(Row {
                cells: BTreeMap::new(),
                page: 1,
            });
            continue;
        }
        let decimal = || Decimal::from_str(text.trim()).ok().map(Value::Decimal);
        let cell = match inner {
            "Item/Name" => Some(("description", Some(Value::Text(text.clone())))),
            "InvoicedQuantity" | "CreditedQuantity" => Some(("quantity", decimal())),
            "Price/PriceAmount" => Some(("unitPrice", decimal())),
            "LineExtensionAmount" => Some(("netAmount", decimal())),
            _ => None,
        };
        if let (Some((key, Some(value))), Some(row)) = (cell, rows.last_mut()) {
            if template.schema_definition.table_part.contains_key(key) {
                row.cells
                    .entry(key.to_string())
                    .or_insert(Cell::new(value, None));
            }
        }
    }
    rows.retain(|row| !row.cells.is_empty());
    rows
}

/// The header fields of a CII invoice (Factur-X, ZUGFeRD 1 and 2, XRechnung CII).
fn cii_fields(texts: &XmlTexts) -> BTreeMap<String, Field> {
    let mut fields = BTreeMap::new();
    put_text(
        &mut fields,
        "documentId",
        texts
            .first("ExchangedDocument/ID")
            .or_else(|| texts.first("HeaderExchangedDocument/ID")),
    );
    put_text(
        &mut fields,
        "currencyCode",
        texts.first("InvoiceCurrencyCode"),
    );
    put_text(
        &mut fields,
        "supplierName",
        texts.first("SellerTradeParty/Name"),
    );
    put_text(
        &mut fields,
        "customerName",
        texts.first("BuyerTradeParty/Name"),
    );
    put_text(
        &mut fields,
        "orderNumber",
        texts.first("BuyerOrderReferencedDocument/IssuerAssignedID"),
    );
    put_text(
        &mut fields,
        "iban",
        texts.first("PayeePartyCreditorFinancialAccount/IBANID"),
    );
    let seller_vat = texts
        .entries
        .iter()
        .find(|(path, text)| {
            path.ends_with("SellerTradeParty/SpecifiedTaxRegistration/ID")
                && text.len() > 2
                && text.chars().take(2).all(|c| c.is_ascii_uppercase())
        })
        .map(|(_, text)| text.as_str());
    put_text(&mut fields, "vatId", seller_vat);
    let issue_date = texts
        .first("ExchangedDocument/IssueDateTime/DateTimeString")
        .or_else(|| texts.first("HeaderExchangedDocument/IssueDateTime/DateTimeString"))
        .and_then(cii_date);
    if let Some(date) = issue_date {
        fields.insert("date".into(), field(Value::Date(date)));
    }
    if let Some(date) = texts
        .first("SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString")
        .and_then(cii_date)
    {
        fields.insert("dueDate".into(), field(Value::Date(date)));
    }
    for (key, element) in [
        ("netAmount", "TaxBasisTotalAmount"),
        ("taxAmount", "TaxTotalAmount"),
        ("totalAmount", "GrandTotalAmount"),
        ("discountAmount", "AllowanceTotalAmount"),
    ] {
        let summation = texts
            .first(&format!(
                "SpecifiedTradeSettlementHeaderMonetarySummation/{element}"
            ))
            .or_else(|| {
                texts.first(&format!(
                    "SpecifiedTradeSettlementMonetarySummation/{element}"
                ))
            });
        if let Some(amount) = summation.and_then(|t| Decimal::from_str(t.trim()).ok()) {
            fields.insert(key.to_string(), field(Value::Decimal(amount)));
        }
    }
    fields
}

fn line_items(texts: &XmlTexts, template: &Template) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut current: Option<(String, Row)> = None;
    for (path, text) in &texts.entries {
        let Some(index) = path.find("IncludedSupplyChainTradeLineItem") else {
            continue;
        };
        let item_path_end = index + "IncludedSupplyChainTradeLineItem".len();
        let inner = &path[item_path_end..];
        // A new line item starts with its document line ID.
        if inner.ends_with("AssociatedDocumentLineDocument/LineID") {
            if let Some((_, row)) = current.take() {
                rows.push(row);
            }
            current = Some((text.clone(), Row::default()));
            continue;
        }
        let row = &mut current
            .get_or_insert_with(|| (String::new(), Row::default()))
            .1;
        row.page = 1;
        let decimal = || Decimal::from_str(text.trim()).ok().map(Value::Decimal);
        let cell = if inner.ends_with("SpecifiedTradeProduct/Name") {
            Some(("description", Some(Value::Text(text.clone()))))
        } else if inner.ends_with("BilledQuantity") {
            Some(("quantity", decimal()))
        } else if inner.ends_with("NetPriceProductTradePrice/ChargeAmount") {
            Some(("unitPrice", decimal()))
        } else if inner.ends_with("LineTotalAmount") {
            Some(("netAmount", decimal()))
        } else {
            None
        };
        if let Some((key, Some(value))) = cell {
            if template.schema_definition.table_part.contains_key(key) {
                row.cells
                    .entry(key.to_string())
                    .or_insert(Cell::new(value, None));
            }
        }
    }
    if let Some((_, row)) = current {
        rows.push(row);
    }
    rows.retain(|row| !row.cells.is_empty());
    rows
}

/// A header field on which the e-invoice XML and the printed text disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disagreement {
    pub field: String,
    /// The XML's value.
    pub e_invoice: String,
    /// The text extraction's value, absent when the text gave none.
    pub text: Option<String>,
}

/// Compares the e-invoice's header fields with the text extraction's: every field the XML has and the text
/// reads differently (or not at all) is reported.
pub fn cross_check(e_invoice: &Extraction, text: &Extraction) -> Vec<Disagreement> {
    let mut out = Vec::new();
    for (key, field) in &e_invoice.fields {
        let xml_value = field.value.normalized_string();
        let text_value = text.fields.get(key).map(|f| f.value.normalized_string());
        let agrees = match (&field.value, text.fields.get(key).map(|f| &f.value)) {
            (Value::Decimal(a), Some(Value::Decimal(b))) => a == b,
            (_, Some(_)) => {
                crate::eval::normalise_text(&xml_value)
                    == crate::eval::normalise_text(text_value.as_deref().unwrap_or(""))
            }
            (_, None) => false,
        };
        if !agrees {
            out.push(Disagreement {
                field: key.clone(),
                e_invoice: xml_value,
                text: text_value,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TemplateSet;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocument>
    <ram:ID>471102</ram:ID>
    <ram:IssueDateTime><udt:DateTimeString format="102">20180305</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>Trennblätter A4</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>9.90</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">20.0000</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>198.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Lieferant GmbH &amp; Co. KG</ram:Name>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Kunden AG Mitte</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">20180404</udt:DateTimeString></ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>198.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>198.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">37.62</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>235.62</ram:GrandTotalAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"#;

    fn invoice_template() -> Template {
        TemplateSet::builtin()
            .unwrap()
            .get("generic-invoice")
            .unwrap()
            .clone()
    }

    #[test]
    fn a_cii_invoice_gives_exact_header_fields_and_lines() {
        let extraction = from_factur_x_xml(
            XML.as_bytes(),
            &invoice_template(),
            &ExtractOptions::default(),
        )
        .unwrap();
        assert_eq!(extraction.source, ExtractionSource::EInvoice);
        let get = |key: &str| extraction.field_string(key);
        assert_eq!(get("documentId").as_deref(), Some("471102"));
        assert_eq!(get("date").as_deref(), Some("2018-03-05"));
        assert_eq!(get("dueDate").as_deref(), Some("2018-04-04"));
        assert_eq!(
            get("supplierName").as_deref(),
            Some("Lieferant GmbH & Co. KG")
        );
        assert_eq!(get("vatId").as_deref(), Some("DE123456789"));
        assert_eq!(get("totalAmount").as_deref(), Some("235.62"));
        assert_eq!(get("taxAmount").as_deref(), Some("37.62"));
        assert_eq!(extraction.table_items.len(), 1);
        assert_eq!(
            extraction.table_items[0]
                .decimal("netAmount")
                .unwrap()
                .to_string(),
            "198.00"
        );
        assert!(extraction.is_valid, "{:#?}", extraction.validation);
    }

    /// An XRechnung in UBL syntax (shortened from the XRechnung test suite's structure).
    const UBL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ubl:Invoice xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</cbc:CustomizationID>
  <cbc:ID>RE-2024-0815</cbc:ID>
  <cbc:IssueDate>2024-08-15</cbc:IssueDate>
  <cbc:DueDate>2024-09-14</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cbc:BuyerReference>04011000-12345-03</cbc:BuyerReference>
  <cac:OrderReference><cbc:ID>PO-7781</cbc:ID></cac:OrderReference>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyName><cbc:Name>Muster Büro</cbc:Name></cac:PartyName>
    <cac:PostalAddress><cbc:CityName>Berlin</cbc:CityName><cac:Country><cbc:IdentificationCode>DE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyTaxScheme><cbc:CompanyID>DE987654321</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Muster Bürobedarf GmbH</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyLegalEntity><cbc:RegistrationName>Stadtverwaltung Beispielstadt</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:PaymentMeans><cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>
    <cac:PayeeFinancialAccount><cbc:ID>DE02120300000000202051</cbc:ID></cac:PayeeFinancialAccount>
  </cac:PaymentMeans>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="EUR">47.50</cbc:TaxAmount>
    <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">250.00</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">47.50</cbc:TaxAmount></cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">250.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">250.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">297.50</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">297.50</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="H87">10</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">150.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Toner schwarz</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">15.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
  <cac:InvoiceLine>
    <cbc:ID>2</cbc:ID>
    <cbc:InvoicedQuantity unitCode="H87">4</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Papier A4</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">25.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</ubl:Invoice>"#;

    #[test]
    fn an_xrechnung_in_ubl_syntax_gives_exact_header_fields_and_lines() {
        let extraction = from_factur_x_xml(
            UBL.as_bytes(),
            &invoice_template(),
            &ExtractOptions::default(),
        )
        .unwrap();
        assert_eq!(extraction.source, ExtractionSource::EInvoice);
        let get = |key: &str| extraction.field_string(key);
        assert_eq!(get("documentId").as_deref(), Some("RE-2024-0815"));
        assert_eq!(get("date").as_deref(), Some("2024-08-15"));
        assert_eq!(get("dueDate").as_deref(), Some("2024-09-14"));
        assert_eq!(get("currencyCode").as_deref(), Some("EUR"));
        assert_eq!(
            get("supplierName").as_deref(),
            Some("Muster Bürobedarf GmbH")
        );
        assert_eq!(
            get("customerName").as_deref(),
            Some("Stadtverwaltung Beispielstadt")
        );
        assert_eq!(get("orderNumber").as_deref(), Some("PO-7781"));
        assert_eq!(get("vatId").as_deref(), Some("DE987654321"));
        assert_eq!(get("iban").as_deref(), Some("DE02120300000000202051"));
        assert_eq!(get("netAmount").as_deref(), Some("250"));
        assert_eq!(get("taxAmount").as_deref(), Some("47.50"));
        assert_eq!(get("totalAmount").as_deref(), Some("297.50"));
        assert_eq!(extraction.table_items.len(), 2);
        let cell = |row: usize, key: &str| {
            extraction.table_items[row]
                .cells
                .get(key)
                .map(|c| c.value.normalized_string())
        };
        assert_eq!(cell(0, "description").as_deref(), Some("Toner schwarz"));
        assert_eq!(cell(0, "quantity").as_deref(), Some("10"));
        assert_eq!(cell(0, "unitPrice").as_deref(), Some("15"));
        assert_eq!(cell(1, "netAmount").as_deref(), Some("100"));
        assert!(extraction.is_valid, "{:#?}", extraction.validation);
        // A credit note reads the same way (its lines are CreditNoteLine, quantities CreditedQuantity).
        let credit_note = UBL
            .replace("ubl:Invoice", "ubl:CreditNote")
            .replace("InvoiceLine", "CreditNoteLine")
            .replace("InvoicedQuantity", "CreditedQuantity")
            .replace("<cbc:DueDate>2024-09-14</cbc:DueDate>", "")
            .replace(
                "<cbc:PaymentMeansCode>58</cbc:PaymentMeansCode>",
                "<cbc:PaymentMeansCode>58</cbc:PaymentMeansCode><cbc:PaymentDueDate>2024-09-30</cbc:PaymentDueDate>",
            );
        let extraction = from_factur_x_xml(
            credit_note.as_bytes(),
            &invoice_template(),
            &ExtractOptions::default(),
        )
        .unwrap();
        assert_eq!(
            extraction.field_string("dueDate").as_deref(),
            Some("2024-09-30")
        );
        assert_eq!(extraction.table_items.len(), 2);
        assert_eq!(
            extraction.table_items[1]
                .decimal("quantity")
                .map(|q| q.to_string())
                .as_deref(),
            Some("4")
        );
    }

    #[test]
    fn the_cross_check_reports_where_the_text_disagrees() {
        let template = invoice_template();
        let xml = from_factur_x_xml(XML.as_bytes(), &template, &ExtractOptions::default()).unwrap();
        let mut text = xml.clone();
        text.source = ExtractionSource::Text;
        text.fields.insert(
            "totalAmount".into(),
            field(Value::Decimal(Decimal::new(23562, 1))),
        );
        text.fields.remove("dueDate");
        let disagreements = cross_check(&xml, &text);
        let fields: Vec<&str> = disagreements.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["dueDate", "totalAmount"]);
        assert_eq!(disagreements[1].e_invoice, "235.62");
        assert_eq!(disagreements[1].text.as_deref(), Some("2356.20"));
    }

    #[test]
    fn xml_that_is_not_an_invoice_is_an_error_naming_the_reason() {
        let error = from_factur_x_xml(
            b"<a><b>1</b></a>",
            &invoice_template(),
            &ExtractOptions::default(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("not a CII invoice"), "{error}");
        assert!(error.to_string().contains("root element `a`"), "{error}");
        let error = from_factur_x_xml(b"<a><b>", &invoice_template(), &ExtractOptions::default())
            .unwrap_err();
        assert_eq!(error.code(), "bad_input");
    }
}
