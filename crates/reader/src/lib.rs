//! The reading stage of Quire: turns a file (PDF, PNG, JPEG, TIFF, BMP, WebP) into a
//! [`quire_document::Document`] with words, lines and layout-preserving text per page.
//!
//! PDF pages with a usable text layer are read through PDFium without OCR; pages without one (scans, photos)
//! go through Tesseract. The decision is made per page, so mixed PDFs work. A [`Reader`] owns one Tesseract
//! recogniser, created on first use and reused for every later page: give each worker thread its own.
//!
//! Reading never panics on bad input: every failure is a [`ReadError`] that names the file and the reason.

mod backend;
mod error;
pub mod helper;
mod image_input;
mod ocr;
pub mod ocr_engine;
mod parallel;
mod pdf;
#[doc(hidden)]
pub mod process;
mod sniff;
pub mod synthetic;

use std::path::{Path, PathBuf};

pub use backend::{backend_status, pdfium_search_paths, BackendState, BackendStatus};
pub use error::{ReadError, ReadErrorKind};
pub use helper::{run_helper_if_asked, HelperCommand};
pub use ocr_engine::ocr_engine_search_paths;
use ocr_engine::EngineError;
pub use parallel::read_all;
use quire_document::{BBox, Document, Mime, OcrInfo, Page, PageSource};
use sha2::{Digest, Sha256};

/// The message of a caught panic (a `&str` or `String` payload).
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Limits and settings for reading. The defaults suit invoices, receipts and statements.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReaderConfig {
    /// Documents with more pages are refused ([`ReadErrorKind::TooManyPages`]).
    pub max_pages: u32,
    /// Images (and rendered pages) with more pixels are refused or rendered smaller: guards against
    /// decompression bombs.
    pub max_image_pixels: u64,
    /// Files larger than this are refused without being loaded.
    pub max_file_bytes: u64,
    /// A PDF page whose text layer has fewer non-blank characters is OCR'd instead.
    pub min_text_chars: usize,
    /// Tesseract language(s), e.g. `eng` or `eng+deu`, or `auto`: English, and pages whose words are
    /// German or French read again in that language when its data is installed.
    pub ocr_language: String,
    /// Resolution at which PDF pages without a usable embedded scan are rendered for OCR.
    pub ocr_dpi: u32,
    /// Run orientation detection on OCR pages that read poorly, and rotate them upright.
    pub detect_orientation: bool,
    /// Explicit path to libpdfium.so (otherwise searched, see [`pdfium_search_paths`]).
    pub pdfium_library: Option<PathBuf>,
    /// Explicit Tesseract data directory (otherwise TESSDATA_PREFIX or the system default).
    pub tessdata_dir: Option<PathBuf>,
    /// Explicit path to the OCR engine program, `quire-ocr` (otherwise searched, see
    /// [`ocr_engine_search_paths`]).
    pub ocr_engine: Option<PathBuf>,
    /// Read PDFs in a helper process started with this command (one per [`Reader`]), so that readers on
    /// several threads read PDFs side by side and a PDF that crashes PDFium costs only that file; `None`:
    /// in this process. See [`helper`].
    pub helper: Option<HelperCommand>,
    /// A helper that finishes no page for this many seconds is stopped and its file fails as
    /// `reader_stalled` (a malformed PDF can send the PDF engine into an endless loop).
    pub stall_limit_secs: u64,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig {
            max_pages: 500,
            max_image_pixels: 120_000_000,
            max_file_bytes: 512 * 1024 * 1024,
            min_text_chars: 20,
            ocr_language: ocr::AUTO_LANGUAGE.to_string(),
            ocr_dpi: 300,
            detect_orientation: true,
            pdfium_library: None,
            tessdata_dir: None,
            ocr_engine: None,
            helper: None,
            stall_limit_secs: 120,
        }
    }
}

/// A page image as OCR sees it.
pub struct PageImage {
    /// 1-based page number in its document.
    pub page: u32,
    /// 8-bit gray, or 8-bit RGB for colour photos.
    pub image: image::DynamicImage,
    pub dpi: u32,
}

/// Reads documents. Holds one OCR recogniser (created on first use, reused across pages and documents).
/// `Send` but not `Sync`: one per worker thread.
pub struct Reader {
    config: ReaderConfig,
    recognizer: Option<ocr::Recognizer>,
    /// The helper process reading this reader's PDFs, when the configuration asks for one.
    helper: Option<helper::Helper>,
}

impl Reader {
    pub fn new(config: ReaderConfig) -> Reader {
        Reader {
            config,
            recognizer: None,
            helper: None,
        }
    }

    pub fn config(&self) -> &ReaderConfig {
        &self.config
    }

    /// The process id of this reader's PDF reading helper, while one runs (see [`helper`]).
    pub fn helper_id(&self) -> Option<u32> {
        self.helper.as_ref().map(helper::Helper::id)
    }

    /// The process id of this reader's OCR engine, while one runs (see [`ocr_engine`]). (A PDF read in a
    /// helper process is recognised by the helper's own engine.)
    pub fn ocr_engine_id(&self) -> Option<u32> {
        self.recognizer
            .as_ref()
            .and_then(ocr::Recognizer::engine_id)
    }

    /// Reads the file at `path`.
    pub fn read_path(&mut self, path: &Path) -> Result<Document, ReadError> {
        let fail = |kind| ReadError::new(path, kind);
        let metadata = std::fs::metadata(path).map_err(|e| fail(ReadErrorKind::Unreadable(e)))?;
        if metadata.is_dir() {
            return Err(fail(ReadErrorKind::Unreadable(std::io::Error::other(
                "it is a folder, not a file",
            ))));
        }
        if metadata.len() > self.config.max_file_bytes {
            return Err(fail(ReadErrorKind::FileTooLarge {
                size_bytes: metadata.len(),
                limit_bytes: self.config.max_file_bytes,
            }));
        }
        let bytes = std::fs::read(path).map_err(|e| fail(ReadErrorKind::Unreadable(e)))?;
        self.read_bytes(path, &bytes)
    }

    /// Reads a file already in memory; `path` names it in errors.
    pub fn read_bytes(&mut self, path: &Path, bytes: &[u8]) -> Result<Document, ReadError> {
        let fail = |kind| ReadError::new(path, kind);
        if bytes.is_empty() {
            return Err(fail(ReadErrorKind::Empty));
        }
        if bytes.len() as u64 > self.config.max_file_bytes {
            return Err(fail(ReadErrorKind::FileTooLarge {
                size_bytes: bytes.len() as u64,
                limit_bytes: self.config.max_file_bytes,
            }));
        }
        let mime = sniff::detect(&bytes[..bytes.len().min(2048)])
            .map_err(|detected| fail(ReadErrorKind::Unsupported { detected }))?;
        let content_hash = format!("{:x}", Sha256::digest(bytes));
        let mut document = Document {
            content_hash,
            mime,
            size_bytes: bytes.len() as u64,
            pages: Vec::new(),
            attachments: Vec::new(),
        };
        let result = match mime {
            Mime::Pdf => match self.config.helper.clone() {
                Some(command) => helper::read_pdf(self, &command, bytes, &mut document),
                None => pdf::read_pdf(self, bytes, &mut document),
            },
            _ => image_input::read_image(self, mime, bytes, &mut document),
        };
        result.map_err(fail)?;
        Ok(document)
    }

    /// The grayscale images that OCR would recognise for each page of the file that has no usable text
    /// layer (for image files: every page), with their resolution. For benchmarks and page previews.
    /// PDFium's part of reading a PDF alone: the document, its pages and their text loaded, nothing
    /// else (see `quire bench extract`, which prints it beside the whole pipeline). Returns the number of
    /// characters found.
    pub fn pdfium_load_only(&self, path: &Path) -> Result<usize, ReadError> {
        let fail = |kind| ReadError::new(path, kind);
        let bytes = std::fs::read(path).map_err(|e| fail(ReadErrorKind::Unreadable(e)))?;
        pdf::pdfium_load_only(self, &bytes).map_err(fail)
    }

    pub fn ocr_page_images(&mut self, path: &Path) -> Result<Vec<PageImage>, ReadError> {
        let fail = |kind| ReadError::new(path, kind);
        let bytes = std::fs::read(path).map_err(|e| fail(ReadErrorKind::Unreadable(e)))?;
        if bytes.is_empty() {
            return Err(fail(ReadErrorKind::Empty));
        }
        let mime = sniff::detect(&bytes[..bytes.len().min(2048)])
            .map_err(|detected| fail(ReadErrorKind::Unsupported { detected }))?;
        match mime {
            Mime::Pdf => pdf::ocr_page_images(self, &bytes),
            _ => image_input::page_images(mime, &bytes, &self.config),
        }
        .map_err(fail)
    }

    /// OCRs a page image. `points_per_pixel` and `origin` place the image on the page (in points), so that
    /// word boxes land in page coordinates.
    fn ocr_page(
        &mut self,
        number: u32,
        image: &image::DynamicImage,
        dpi: u32,
        points_per_pixel: f32,
        origin: (f32, f32),
    ) -> Result<Page, ReadErrorKind> {
        let recognized = match self.recognizer()?.recognize(image, dpi) {
            Ok(recognized) => recognized,
            Err(error) => {
                if !matches!(error, EngineError::Failed(_)) {
                    // The engine is gone: the next page starts a fresh one.
                    self.recognizer = None;
                }
                return Err(match error {
                    EngineError::Failed(message) => ReadErrorKind::PageFailed {
                        page: number,
                        message,
                    },
                    EngineError::Crashed(how) => ReadErrorKind::OcrCrashed { page: number, how },
                    EngineError::Stalled { seconds } => ReadErrorKind::OcrStalled {
                        page: number,
                        seconds,
                    },
                    EngineError::Missing(reason) => ReadErrorKind::OcrBackendMissing(reason),
                });
            }
        };
        // A page turned upright by orientation detection is described as the upright image.
        let origin = if recognized.rotation_applied == 0 {
            origin
        } else {
            (0.0, 0.0)
        };
        let to_points = |v: f32, o: f32| o + v * points_per_pixel;
        let words = recognized
            .words
            .into_iter()
            .map(|mut w| {
                w.bbox = BBox::new(
                    to_points(w.bbox.x0, origin.0),
                    to_points(w.bbox.y0, origin.1),
                    to_points(w.bbox.x1, origin.0),
                    to_points(w.bbox.y1, origin.1),
                );
                w
            })
            .collect();
        let info = OcrInfo {
            dpi,
            rotation_applied: recognized.rotation_applied,
            image_width: recognized.width,
            image_height: recognized.height,
            skew_degrees: recognized.skew_degrees,
            language: recognized.language,
        };
        Ok(Page::from_words(
            number,
            recognized.width as f32 * points_per_pixel,
            recognized.height as f32 * points_per_pixel,
            PageSource::Ocr,
            words,
            Some(info),
        ))
    }

    /// OCRs a whole image as one page.
    fn ocr_image_page(
        &mut self,
        number: u32,
        image: &image::DynamicImage,
        dpi: u32,
    ) -> Result<Page, ReadErrorKind> {
        self.ocr_page(number, image, dpi, 72.0 / dpi as f32, (0.0, 0.0))
    }

    /// The OCR recogniser, created on first use.
    fn recognizer(&mut self) -> Result<&mut ocr::Recognizer, ReadErrorKind> {
        if self.recognizer.is_none() {
            let recognizer = ocr::Recognizer::new(&self.config)
                .map_err(|error| ReadErrorKind::OcrBackendMissing(error.to_string()))?;
            self.recognizer = Some(recognizer);
        }
        // Just set above when missing.
        self.recognizer
            .as_mut()
            .ok_or_else(|| ReadErrorKind::OcrBackendMissing("recogniser unavailable".into()))
    }
}
