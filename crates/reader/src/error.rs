//! Why a file could not be read: one error type naming the file, with a distinct kind per reason.

use std::path::{Path, PathBuf};

/// A file that could not be read at all. Names the file and the reason.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct ReadError {
    pub path: PathBuf,
    #[source]
    pub kind: ReadErrorKind,
}

impl ReadError {
    pub fn new(path: &Path, kind: ReadErrorKind) -> ReadError {
        ReadError {
            path: path.to_path_buf(),
            kind,
        }
    }

    /// A stable, machine-readable code for the reason (for the UI, the CLI's JSON and history).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

/// The reason a file could not be read. (Serialisable, except `Unreadable`, for the reading helper's
/// answers: see [`crate::helper`].)
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum ReadErrorKind {
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("the file is {size_bytes} bytes, over the limit of {limit_bytes} bytes")]
    FileTooLarge { size_bytes: u64, limit_bytes: u64 },
    #[error("unsupported file type ({detected}); Quire reads PDF, PNG, JPEG, TIFF, BMP and WebP")]
    Unsupported { detected: String },
    #[error("the PDF is damaged or truncated: {0}")]
    CorruptPdf(String),
    #[error(
        "the PDF is truncated (no end-of-file marker): it was not copied or downloaded completely"
    )]
    TruncatedPdf,
    #[error("the PDF is password-protected")]
    EncryptedPdf,
    #[error("the document has {n_pages} pages, over the limit of {limit}")]
    TooManyPages { n_pages: u32, limit: u32 },
    #[error("the image is {width}x{height} pixels, over the limit of {limit} pixels")]
    ImageTooLarge { width: u32, height: u32, limit: u64 },
    #[error("the image is damaged or cannot be decoded: {0}")]
    CorruptImage(String),
    #[error("PDF support is not available: {0}")]
    PdfBackendMissing(String),
    #[error("OCR is not available: {0}")]
    OcrBackendMissing(String),
    #[error("page {page}: {message}")]
    PageFailed { page: u32, message: String },
    #[error("internal error while reading (please report it): {0}")]
    Internal(String),
    #[error("the PDF reader stopped while reading this file ({0}): the file is probably malformed; the other files are not affected")]
    ReaderCrashed(String),
    #[error("the PDF reader made no progress for {seconds} s (after page {pages_done}) and was stopped: the file is probably malformed; the other files are not affected")]
    ReaderStalled { seconds: u64, pages_done: u32 },
    #[error("page {page}: the OCR engine stopped while recognising it ({how}): the page is probably malformed; the other files are not affected")]
    OcrCrashed { page: u32, how: String },
    #[error("page {page}: the OCR engine made no progress for {seconds} s and was stopped; the other files are not affected")]
    OcrStalled { page: u32, seconds: u64 },
    // Last: a skipped variant must not shift the others' indexes in the helper's compact encoding.
    #[error("cannot read the file: {0}")]
    #[serde(skip)]
    Unreadable(#[source] std::io::Error),
}

impl ReadErrorKind {
    /// A stable, machine-readable code for the reason.
    pub fn code(&self) -> &'static str {
        match self {
            ReadErrorKind::Unreadable(_) => "unreadable",
            ReadErrorKind::Empty => "empty_file",
            ReadErrorKind::FileTooLarge { .. } => "file_too_large",
            ReadErrorKind::Unsupported { .. } => "unsupported_type",
            ReadErrorKind::CorruptPdf(_) => "corrupt_pdf",
            ReadErrorKind::TruncatedPdf => "truncated_pdf",
            ReadErrorKind::EncryptedPdf => "encrypted_pdf",
            ReadErrorKind::TooManyPages { .. } => "too_many_pages",
            ReadErrorKind::ImageTooLarge { .. } => "image_too_large",
            ReadErrorKind::CorruptImage(_) => "corrupt_image",
            ReadErrorKind::PdfBackendMissing(_) => "pdf_backend_missing",
            ReadErrorKind::OcrBackendMissing(_) => "ocr_backend_missing",
            ReadErrorKind::PageFailed { .. } => "page_failed",
            ReadErrorKind::Internal(_) => "internal_error",
            ReadErrorKind::ReaderCrashed(_) => "reader_crashed",
            ReadErrorKind::ReaderStalled { .. } => "reader_stalled",
            ReadErrorKind::OcrCrashed { .. } => "ocr_crashed",
            ReadErrorKind::OcrStalled { .. } => "ocr_stalled",
        }
    }
}
