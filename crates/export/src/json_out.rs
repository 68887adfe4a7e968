//! JSON output in the shape of the hosted API's extraction response:
//! `{ "documents": [{ document_id, file_name, page_start, page_end, template_id, extracted_data }] }`,
//! with validation results, status and provenance beside `extracted_data` (a line-item value repaired from
//! its row's arithmetic carries `repaired_from`, what OCR read, in its provenance). Amounts are strings holding the
//! exact decimal (`"2453.45"`), dates ISO 8601 strings.

use serde_json::{json, Map, Value as Json};

use crate::ExportDocument;

fn value_json(value: &quire_extract::Value) -> Json {
    match value {
        quire_extract::Value::Bool(flag) => Json::Bool(*flag),
        // The exact decimal with the scale it was read with.
        quire_extract::Value::Decimal(number) => Json::String(number.to_string()),
        other => Json::String(other.normalized_string()),
    }
}

fn document_json(document: &ExportDocument) -> Json {
    let row = &document.row;
    let mut general = Map::new();
    let mut general_provenance = Map::new();
    let mut table = Vec::new();
    let mut table_provenance = Vec::new();
    if let Some(extraction) = &document.extraction {
        for (key, field) in &extraction.fields {
            general.insert(key.clone(), value_json(&field.value));
            if let Some(provenance) = &field.provenance {
                general_provenance.insert(key.clone(), json!(provenance));
            }
        }
        for item in &extraction.table_items {
            let mut cells = Map::new();
            let mut provenance = Map::new();
            for (key, cell) in &item.cells {
                cells.insert(key.clone(), value_json(&cell.value));
                let mut cell_provenance = cell.provenance.as_ref().map(|p| json!(p));
                // A value repaired from its row's arithmetic: what OCR read ("" when nothing).
                if let Some(read) = &cell.repaired_from {
                    let entry = cell_provenance.get_or_insert_with(|| json!({}));
                    if let Some(object) = entry.as_object_mut() {
                        object.insert("repaired_from".into(), json!(read.normalized_string()));
                    }
                }
                if let Some(p) = cell_provenance {
                    provenance.insert(key.clone(), p);
                }
            }
            table.push(Json::Object(cells));
            table_provenance.push(Json::Object(provenance));
        }
    }
    let extraction = document.extraction.as_ref();
    json!({
        "document_id": row.id,
        "file_name": row.file_name,
        "page_start": 1,
        "page_end": row.n_pages.unwrap_or(0),
        "template_id": extraction.map(|e| e.template_id.clone()),
        "template_version": extraction.map(|e| e.template_version),
        "status": row.status.as_str(),
        "error": row.error_code.as_ref().map(|code| json!({ "code": code, "message": row.error_message })),
        "duplicate_of": row.duplicate_of,
        "extracted_data": {
            "general_part": general,
            "table_part": table,
        },
        "is_valid": extraction.map(|e| e.is_valid),
        "validation_results": extraction.map(|e| json!(e.validation)).unwrap_or(json!([])),
        "provenance": {
            "general_part": general_provenance,
            "table_part": table_provenance,
        },
    })
}

/// Writes one document as pretty-printed JSON with every line indented by `indent` spaces (the first
/// line too), as it appears inside the `documents` list of [`documents_json`]. JSON strings hold no raw
/// line breaks, so indenting line by line is exact.
pub(crate) fn write_document_indented(
    out: &mut impl std::io::Write,
    document: &ExportDocument,
    indent: usize,
) -> std::io::Result<()> {
    let text =
        serde_json::to_string_pretty(&document_json(document)).map_err(std::io::Error::other)?;
    let padding = " ".repeat(indent);
    for (index, line) in text.lines().enumerate() {
        if index > 0 {
            out.write_all(b"\n")?;
        }
        out.write_all(padding.as_bytes())?;
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// The export as pretty-printed JSON bytes.
pub fn documents_json(documents: &[ExportDocument]) -> Vec<u8> {
    let body = json!({
        "documents": documents.iter().map(document_json).collect::<Vec<_>>(),
    });
    let mut bytes = serde_json::to_vec_pretty(&body).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}
