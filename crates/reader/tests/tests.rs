//! Integration tests of the reader: real PDFium and real Tesseract on generated and sample documents.

mod bad_input;
mod formats;
mod helper;
mod ocr_engine;
mod sample_docs;
mod util;
