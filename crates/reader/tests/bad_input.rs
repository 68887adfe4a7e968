//! One test per kind of bad input: each gives its own error kind, names the file, and never panics.

use quire_reader::{ReadErrorKind, Reader, ReaderConfig};

use crate::util::{png_header_only, reader, temp_file, tiny_pdf};

#[test]
fn zero_byte_file_is_reported_as_empty() {
    let (_dir, path) = temp_file("empty.pdf", b"");
    let err = reader().read_path(&path).unwrap_err();
    assert!(matches!(err.kind, ReadErrorKind::Empty), "{err}");
    assert_eq!(err.code(), "empty_file");
    assert!(err.to_string().contains("empty.pdf"), "{err}");
}

#[test]
fn missing_file_is_unreadable_and_named() {
    let err = reader()
        .read_path(std::path::Path::new("/no/such/dir/invoice.pdf"))
        .unwrap_err();
    assert!(matches!(err.kind, ReadErrorKind::Unreadable(_)), "{err}");
    assert!(
        err.to_string()
            .starts_with("/no/such/dir/invoice.pdf: cannot read the file"),
        "{err}"
    );
}

#[test]
fn a_folder_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    let err = reader().read_path(dir.path()).unwrap_err();
    assert_eq!(err.code(), "unreadable");
    assert!(err.to_string().contains("folder"), "{err}");
}

#[test]
fn truncated_pdf_is_reported_as_truncated() {
    let pdf = tiny_pdf(&[&["Invoice 1001", "Total 12.00"], &["Page two"]]);
    let cut = &pdf[..pdf.len() * 2 / 3];
    let (_dir, path) = temp_file("cut.pdf", cut);
    let err = reader().read_path(&path).unwrap_err();
    assert!(
        matches!(
            err.kind,
            ReadErrorKind::TruncatedPdf | ReadErrorKind::CorruptPdf(_)
        ),
        "{err}"
    );
    assert!(err.to_string().contains("cut.pdf"));
}

#[test]
fn a_pdf_cut_after_its_last_page_object_is_still_truncated() {
    // PDFium can rebuild this file's cross-reference table, so only the missing %%EOF gives it away.
    let pdf = tiny_pdf(&[&["Invoice 1001 for services rendered in August"]]);
    let at_xref = pdf.windows(4).position(|w| w == b"xref").unwrap();
    let (_dir, path) = temp_file("partial.pdf", &pdf[..at_xref]);
    let err = reader().read_path(&path).unwrap_err();
    assert!(matches!(err.kind, ReadErrorKind::TruncatedPdf), "{err}");
    assert_eq!(err.code(), "truncated_pdf");
}

#[test]
fn corrupt_pdf_is_reported_as_corrupt() {
    let (_dir, path) = temp_file(
        "garbage.pdf",
        b"%PDF-1.7\nthis is not a pdf body at all\n%%EOF\n",
    );
    let err = reader().read_path(&path).unwrap_err();
    assert!(matches!(err.kind, ReadErrorKind::CorruptPdf(_)), "{err}");
    assert_eq!(err.code(), "corrupt_pdf");
}

#[test]
fn password_protected_pdf_is_reported_as_encrypted() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/encrypted.pdf");
    let err = reader().read_path(&path).unwrap_err();
    assert!(matches!(err.kind, ReadErrorKind::EncryptedPdf), "{err}");
    assert!(
        err.to_string()
            .contains("encrypted.pdf: the PDF is password-protected"),
        "{err}"
    );
}

#[test]
fn unsupported_type_names_what_it_looks_like() {
    let (_dir, path) = temp_file("invoice.pdf", b"PK\x03\x04 this is really a zip archive");
    let err = reader().read_path(&path).unwrap_err();
    match &err.kind {
        ReadErrorKind::Unsupported { detected } => {
            assert_eq!(detected, "a ZIP archive or Office document")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
    assert_eq!(err.code(), "unsupported_type");
}

#[test]
fn decompression_bomb_image_is_refused_before_decoding() {
    let (_dir, path) = temp_file("bomb.png", &png_header_only(100_000, 100_000));
    let err = reader().read_path(&path).unwrap_err();
    match err.kind {
        ReadErrorKind::ImageTooLarge {
            width,
            height,
            limit,
        } => {
            assert_eq!((width, height), (100_000, 100_000));
            assert_eq!(limit, ReaderConfig::default().max_image_pixels);
        }
        ref other => panic!("expected ImageTooLarge, got {other:?}"),
    }
}

#[test]
fn damaged_image_is_reported_as_corrupt() {
    let mut png = png_header_only(100, 100);
    png.truncate(33); // keep the signature and IHDR only
    png.extend_from_slice(b"\0\0\0\x10IDATgarbagegarbage!!");
    let (_dir, path) = temp_file("scan.png", &png);
    let err = reader().read_path(&path).unwrap_err();
    assert!(matches!(err.kind, ReadErrorKind::CorruptImage(_)), "{err}");
}

#[test]
fn too_many_pages_respects_the_configured_limit() {
    let pdf = tiny_pdf(&[&["one"], &["two"], &["three"]]);
    let (_dir, path) = temp_file("three.pdf", &pdf);
    let mut reader = Reader::new(ReaderConfig {
        max_pages: 2,
        ..Default::default()
    });
    let err = reader.read_path(&path).unwrap_err();
    match err.kind {
        ReadErrorKind::TooManyPages { n_pages, limit } => assert_eq!((n_pages, limit), (3, 2)),
        ref other => panic!("expected TooManyPages, got {other:?}"),
    }
}

#[test]
fn file_over_the_size_limit_is_refused_without_reading() {
    let (_dir, path) = temp_file("big.pdf", &tiny_pdf(&[&["some text on the page"]]));
    let mut reader = Reader::new(ReaderConfig {
        max_file_bytes: 100,
        ..Default::default()
    });
    let err = reader.read_path(&path).unwrap_err();
    assert_eq!(err.code(), "file_too_large");
}

#[test]
fn one_bad_file_does_not_stop_the_others() {
    let good = tiny_pdf(&[&["Receipt 42 total 9.99 paid by card"]]);
    let (_d1, good_path) = temp_file("good.pdf", &good);
    let (_d2, bad_path) = temp_file("bad.pdf", b"");
    let paths = vec![bad_path.clone(), good_path.clone(), bad_path];
    let mut outcomes = vec![None; 3];
    quire_reader::read_all(&paths, &ReaderConfig::default(), 2, |i, r| {
        outcomes[i] = Some(r.map(|d| d.pages.len()).map_err(|e| e.code()));
    });
    assert_eq!(
        outcomes,
        vec![
            Some(Err("empty_file")),
            Some(Ok(1)),
            Some(Err("empty_file"))
        ]
    );
}
