//! Integration tests of hot folders: real files, real SQLite, real PDFium, in native and polling modes.

mod crash;
mod hot_folder;
mod util;
