//! Synthetic text-layer PDFs for benchmarks and tests: a page of monospaced text (Courier) placed so that
//! its layout text reads back as written. Varied copies of a real invoice make large, realistic batches.

/// Courier's advance width at `FONT_SIZE` points: 0.6 em.
const FONT_SIZE: f32 = 7.0;
const LINE_PITCH: f32 = 10.0;
const MARGIN: f32 = 24.0;

/// A one-page PDF showing `text` (one text line per line) in 7-point Courier.
pub fn text_pdf(text: &str) -> Vec<u8> {
    let lines: Vec<&str> = text.lines().collect();
    let n_columns = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let width = (2.0 * MARGIN + n_columns as f32 * FONT_SIZE * 0.6)
        .max(595.0)
        .ceil();
    let height = (2.0 * MARGIN + lines.len() as f32 * LINE_PITCH)
        .max(842.0)
        .ceil();
    let mut content = format!("BT /F1 {FONT_SIZE} Tf\n");
    for (index, line) in lines.iter().enumerate() {
        let y = height - MARGIN - (index as f32 + 1.0) * LINE_PITCH;
        // WinAnsi covers Latin-1; anything else becomes '?'.
        let escaped: String = line
            .chars()
            .map(|c| match c {
                '\\' => "\\\\".to_string(),
                '(' => "\\(".to_string(),
                ')' => "\\)".to_string(),
                c if (c as u32) < 256 => c.to_string(),
                _ => "?".to_string(),
            })
            .collect();
        content.push_str(&format!("1 0 0 1 {MARGIN} {y} Tm ({escaped}) Tj\n"));
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>"
        ),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1),
    ];
    quire_reader::synthetic::pdf_from_objects(&objects)
}

/// The layout text of a sample invoice (Brightline Office Supply, INV-2025-0147, total 2,453.45).
pub const SAMPLE_INVOICE_TEXT: &str = include_str!("sample_invoice.txt");

/// The sample invoice with its number replaced by `INV-{number}` (unique content per number).
pub fn invoice_text(number: u64) -> String {
    SAMPLE_INVOICE_TEXT.replace("INV-2025-0147", &format!("INV-{number:06}"))
}
