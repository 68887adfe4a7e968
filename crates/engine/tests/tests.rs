//! Integration tests of the batch runner: real PDFs read through PDFium, a real SQLite store.

mod batch;
mod crash;
mod util;
