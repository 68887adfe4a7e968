//! What happens to a file after processing: left in place, or moved to the folder's processed/ or failed/
//! folder (keeping its path below the watched folder, never overwriting: `name (2).pdf`), a failed file with
//! a `<name>.error.txt` note beside it saying why. The note is written before the move, so a crash in
//! between only leaves a note that the next attempt rewrites.

use std::path::{Path, PathBuf};

use quire_history::{DocumentStatus, LedgerOutcome, WatchFolder};

/// A file name not taken yet in its folder: `a.pdf`, else `a (2).pdf`, `a (3).pdf`, ...
fn free_destination(wanted: PathBuf) -> PathBuf {
    if !wanted.exists() {
        return wanted;
    }
    let stem = wanted
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let extension = wanted
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2..)
        .map(|n| wanted.with_file_name(format!("{stem} ({n}){extension}")))
        .find(|candidate| !candidate.exists())
        .unwrap_or(wanted)
}

/// The `.error.txt` note's path for a file.
pub fn error_note_path(file: &Path) -> PathBuf {
    let mut name = file
        .file_name()
        .map_or_else(Default::default, |n| n.to_os_string());
    name.push(".error.txt");
    file.with_file_name(name)
}

fn move_file(source: &Path, destination: &Path) -> std::io::Result<()> {
    match std::fs::rename(source, destination) {
        Ok(()) => Ok(()),
        // Another file system: copy, then remove.
        Err(_) if source.exists() => {
            std::fs::copy(source, destination)?;
            std::fs::remove_file(source)
        }
        Err(e) => Err(e),
    }
}

/// Moves `path` (below `root`) into `folder`, writing the error note first when there is one. Returns
/// where the file went.
pub fn move_with_note(
    root: &Path,
    path: &Path,
    folder: &Path,
    error: Option<(&str, &str)>,
) -> std::io::Result<PathBuf> {
    let relative = path
        .strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .map_or_else(
            || PathBuf::from(path.file_name().unwrap_or_default()),
            Path::to_path_buf,
        );
    let destination = free_destination(folder.join(relative));
    if let Some(parent) = destination.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if let Some((code, message)) = error {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let note = format!(
            "{name} could not be processed.\nerror code: {code}\nreason: {message}\nfrom: {}\n",
            path.display()
        );
        std::fs::write(error_note_path(&destination), note)?;
    }
    move_file(path, &destination)?;
    Ok(destination)
}

/// Applies the folder's after-processing action to a file whose document reached `status` (with its
/// error when it failed) and says how its ledger entry ends (with a warning when the move failed: the
/// file then stays where it is). A file no longer there (moved by an earlier, interrupted attempt) is
/// not moved again.
pub fn finish_file(
    folder: &WatchFolder,
    path: &Path,
    status: DocumentStatus,
    error: Option<(&str, &str)>,
) -> (LedgerOutcome, Option<String>) {
    let failed = status == DocumentStatus::Failed;
    let error = if failed {
        Some(error.unwrap_or(("failed", "")))
    } else {
        None
    };
    let target = if failed {
        &folder.failed_dir
    } else {
        &folder.processed_dir
    };
    let mut warning = None;
    let moved_to = match target {
        Some(target) if path.exists() => {
            match move_with_note(&folder.folder, path, target, error) {
                Ok(destination) => Some(destination),
                Err(e) => {
                    warning = Some(format!(
                        "{}: cannot be moved to {}: {e}",
                        path.display(),
                        target.display()
                    ));
                    None
                }
            }
        }
        _ => None,
    };
    let outcome = LedgerOutcome {
        outcome: status.as_str().to_string(),
        error_code: error.map(|(code, _)| code.to_string()),
        error_message: error.map(|(_, message)| message.to_string()),
        moved_to,
    };
    (outcome, warning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_file_keeps_its_sub_folder_never_overwrites_and_gets_its_note() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        let failed = dir.path().join("failed");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(failed.join("sub")).unwrap();
        std::fs::write(failed.join("sub/a.pdf"), b"earlier").unwrap();
        let source = root.join("sub/a.pdf");
        std::fs::write(&source, b"broken").unwrap();
        let moved = move_with_note(
            &root,
            &source,
            &failed,
            Some(("truncated_pdf", "a.pdf: the PDF ends early")),
        )
        .unwrap();
        assert_eq!(moved, failed.join("sub/a (2).pdf"));
        assert!(!source.exists());
        assert_eq!(std::fs::read(&moved).unwrap(), b"broken");
        assert_eq!(std::fs::read(failed.join("sub/a.pdf")).unwrap(), b"earlier");
        let note = std::fs::read_to_string(failed.join("sub/a (2).pdf.error.txt")).unwrap();
        assert!(note.contains("error code: truncated_pdf"), "{note}");
        assert!(note.contains("the PDF ends early"), "{note}");
    }
}
