//! File type detection from content (magic bytes), never from the extension.

use quire_document::Mime;

/// The type of the file whose first bytes are `head`, or a short description of what it seems to be.
pub fn detect(head: &[u8]) -> Result<Mime, String> {
    // PDF: "%PDF-" may be preceded by a little garbage (some producers prepend bytes); readers accept it
    // within the first kilobyte.
    let window = &head[..head.len().min(1024)];
    if window.windows(5).any(|w| w == b"%PDF-") {
        return Ok(Mime::Pdf);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Mime::Png);
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Mime::Jpeg);
    }
    if head.starts_with(b"II*\0") || head.starts_with(b"MM\0*") {
        return Ok(Mime::Tiff);
    }
    if head.starts_with(b"BM") && head.len() >= 14 {
        return Ok(Mime::Bmp);
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Ok(Mime::Webp);
    }
    Err(describe_unknown(head))
}

fn describe_unknown(head: &[u8]) -> String {
    let known: &[(&[u8], &str)] = &[
        (b"PK\x03\x04", "a ZIP archive or Office document"),
        (b"GIF8", "a GIF image"),
        (b"\xD0\xCF\x11\xE0", "a legacy Office document"),
        (b"{\\rtf", "an RTF document"),
        (b"<?xml", "an XML file"),
        (b"II\x2B\0", "a BigTIFF image"),
    ];
    for (magic, what) in known {
        if head.starts_with(magic) {
            return (*what).to_string();
        }
    }
    if !head.is_empty()
        && head.iter().take(512).all(|&b| {
            b == b'\n' || b == b'\r' || b == b'\t' || (0x20..0x7f).contains(&b) || b >= 0x80
        })
    {
        return "a text file".to_string();
    }
    "unknown content".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_supported_type_by_magic_bytes() {
        assert_eq!(detect(b"%PDF-1.7\n..."), Ok(Mime::Pdf));
        assert_eq!(detect(b"\x89PNG\r\n\x1a\n\0\0"), Ok(Mime::Png));
        assert_eq!(detect(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok(Mime::Jpeg));
        assert_eq!(detect(b"II*\0\x08\0\0\0"), Ok(Mime::Tiff));
        assert_eq!(detect(b"MM\0*\0\0\0\x08"), Ok(Mime::Tiff));
        assert_eq!(detect(b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0"), Ok(Mime::Bmp));
        assert_eq!(detect(b"RIFF\x24\0\0\0WEBPVP8 "), Ok(Mime::Webp));
    }

    #[test]
    fn pdf_header_after_leading_garbage_is_still_a_pdf() {
        let mut bytes = b"\r\n\r\n".to_vec();
        bytes.extend_from_slice(b"%PDF-1.4");
        assert_eq!(detect(&bytes), Ok(Mime::Pdf));
    }

    #[test]
    fn unknown_content_is_described() {
        assert_eq!(
            detect(b"PK\x03\x04rest"),
            Err("a ZIP archive or Office document".into())
        );
        assert_eq!(detect(b"hello, world"), Err("a text file".into()));
        assert_eq!(detect(&[0u8, 1, 2, 3]), Err("unknown content".into()));
    }
}
