//! Reading many files on a pool of worker threads, one [`Reader`] (and so one OCR recogniser) per worker.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use quire_document::Document;

use crate::{ReadError, ReadErrorKind, Reader, ReaderConfig};

/// Reads `paths` with `n_workers` threads and calls `on_done(index, result)` on the calling thread as each
/// file finishes (in completion order; `index` is the position in `paths`). A panic while reading one file
/// (a bug, never expected) is reported as that file's [`ReadErrorKind::Internal`] error; the others go on.
pub fn read_all(
    paths: &[PathBuf],
    config: &ReaderConfig,
    n_workers: usize,
    mut on_done: impl FnMut(usize, Result<Document, ReadError>),
) {
    let n_workers = n_workers.clamp(1, paths.len().max(1));
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..n_workers {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || {
                let mut reader = Reader::new(config.clone());
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(index) else { break };
                    let result = catch_unwind(AssertUnwindSafe(|| reader.read_path(path)))
                        .unwrap_or_else(|panic| {
                            // The reader may be in a bad state after a panic: start a fresh one.
                            reader = Reader::new(config.clone());
                            let message = crate::panic_message(panic.as_ref());
                            Err(ReadError::new(path, ReadErrorKind::Internal(message)))
                        });
                    if sender.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for (index, result) in receiver {
            on_done(index, result);
        }
    });
}
