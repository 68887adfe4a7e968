//! Which files of a watched folder are taken: include patterns (default: the supported document types),
//! exclude patterns, and temporary or partial files that are never taken (`~$*`, `*.part`, `*.crdownload`,
//! `*.tmp`, dotfiles; configurable). Patterns match a file's name or its path relative to the folder, as
//! `quire process` matches them; temporary-file patterns also match every folder on the way (a dot-folder's
//! files are skipped).

use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};
use quire_history::WatchFolder;

use crate::error::{Result, WatchError};

/// Temporary and partial files skipped by default: Office lock files, browser and downloader partial
/// files, temporary files, dotfiles.
pub const DEFAULT_TEMPORARY: &[&str] = &["~$*", "*.part", "*.crdownload", "*.tmp", ".*"];

fn glob_set(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| WatchError::BadPattern {
            pattern: pattern.clone(),
            reason: e.kind().to_string(),
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| WatchError::BadPattern {
        pattern: patterns.join(" "),
        reason: e.to_string(),
    })
}

/// A watched folder's file patterns, compiled.
#[derive(Debug, Clone)]
pub struct FileFilter {
    include: GlobSet,
    exclude: GlobSet,
    temporary: GlobSet,
}

impl FileFilter {
    /// Compiles patterns; an empty include list means the supported document types.
    pub fn new(include: &[String], exclude: &[String], temporary: &[String]) -> Result<FileFilter> {
        let include: Vec<String> = if include.is_empty() {
            quire_engine::intake::DEFAULT_INCLUDE
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            include.to_vec()
        };
        Ok(FileFilter {
            include: glob_set(&include)?,
            exclude: glob_set(exclude)?,
            temporary: glob_set(temporary)?,
        })
    }

    /// The filter of a stored watched folder.
    pub fn of(folder: &WatchFolder) -> Result<FileFilter> {
        FileFilter::new(&folder.include, &folder.exclude, &folder.temporary)
    }

    /// Whether a sub-folder (inside `root`) is skipped whole: it, or a folder above it, matches a
    /// temporary-file pattern (a dot-folder).
    pub fn skips_folder(&self, root: &Path, folder: &Path) -> bool {
        folder.strip_prefix(root).is_ok_and(|relative| {
            relative
                .components()
                .any(|part| self.temporary.is_match(Path::new(part.as_os_str())))
        })
    }

    /// Whether `file` (inside `root`) is one to take.
    pub fn accepts(&self, root: &Path, file: &Path) -> bool {
        let Ok(relative) = file.strip_prefix(root) else {
            return false;
        };
        let Some(name) = file.file_name().map(Path::new) else {
            return false;
        };
        let hit = |set: &GlobSet| set.is_match(name) || set.is_match(relative);
        let temporary = relative
            .components()
            .any(|part| self.temporary.is_match(Path::new(part.as_os_str())));
        !temporary && hit(&self.include) && !hit(&self.exclude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_filter(exclude: &[&str]) -> FileFilter {
        let temporary: Vec<String> = DEFAULT_TEMPORARY.iter().map(|s| s.to_string()).collect();
        let exclude: Vec<String> = exclude.iter().map(|s| s.to_string()).collect();
        FileFilter::new(&[], &exclude, &temporary).unwrap()
    }

    #[test]
    fn temporary_and_partial_files_and_dot_folders_are_never_taken() {
        let filter = default_filter(&[]);
        let root = Path::new("/in");
        for skipped in [
            "/in/~$invoice.pdf",
            "/in/invoice.pdf.part",
            "/in/invoice.pdf.crdownload",
            "/in/scan.tmp",
            "/in/.invoice.pdf",
            "/in/.sync/invoice.pdf",
            "/in/notes.txt",
            "/elsewhere/invoice.pdf",
        ] {
            assert!(!filter.accepts(root, Path::new(skipped)), "{skipped}");
        }
        for taken in ["/in/invoice.pdf", "/in/sub/scan.PNG", "/in/a.tmp.pdf"] {
            assert!(filter.accepts(root, Path::new(taken)), "{taken}");
        }
        assert!(filter.skips_folder(root, Path::new("/in/.git/objects")));
        assert!(!filter.skips_folder(root, Path::new("/in/2025/august")));
    }

    #[test]
    fn exclude_patterns_match_names_and_relative_paths() {
        let filter = default_filter(&["done/**", "draft-*"]);
        let root = Path::new("/in");
        assert!(!filter.accepts(root, Path::new("/in/done/a.pdf")));
        assert!(!filter.accepts(root, Path::new("/in/x/draft-1.pdf")));
        assert!(filter.accepts(root, Path::new("/in/x/final-1.pdf")));
    }

    #[test]
    fn a_bad_pattern_is_named() {
        let err = FileFilter::new(&["[".into()], &[], &[]).unwrap_err();
        assert_eq!(err.code(), "bad_pattern");
        assert!(err.to_string().contains("`[`"), "{err}");
    }
}
