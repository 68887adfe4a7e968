//! Content-addressed copies of original files in the data folder (`originals/ab/abcdef….pdf`), so history
//! survives the source file being moved or deleted. Identical content is stored once.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{HistoryError, Result};

/// Copies `source` into `data_dir/originals/` under its content hash (with `extension`), unless a copy is
/// already there. The copy is written to a temporary file and renamed, so a crash never leaves a partial
/// copy under the final name. Returns the copy's path.
pub fn store_original(
    data_dir: &Path,
    source: &Path,
    content_hash: &str,
    extension: &str,
) -> Result<PathBuf> {
    let prefix = content_hash.get(..2).unwrap_or("00");
    let folder = data_dir.join("originals").join(prefix);
    let destination = folder.join(format!("{content_hash}.{extension}"));
    if destination.exists() {
        return Ok(destination);
    }
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| HistoryError::Io { path, source }
    };
    std::fs::create_dir_all(&folder).map_err(io_error(&folder))?;
    let bytes = std::fs::read(source).map_err(io_error(source))?;
    let mut temporary = tempfile::NamedTempFile::new_in(&folder).map_err(io_error(&folder))?;
    temporary
        .write_all(&bytes)
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(io_error(temporary.path()))?;
    temporary
        .persist(&destination)
        .map_err(|e| HistoryError::Io {
            path: destination.clone(),
            source: e.error,
        })?;
    Ok(destination)
}

/// The file extension for a media type (`application/pdf` → `pdf`).
pub fn extension_for_mime(mime: &str) -> &'static str {
    match mime {
        "application/pdf" => "pdf",
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/tiff" => "tiff",
        "image/bmp" => "bmp",
        "image/webp" => "webp",
        _ => "bin",
    }
}
