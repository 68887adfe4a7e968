//! Intake: turning what the user named (files, folders searched recursively with include/exclude patterns,
//! a CSV list of paths) into the list of documents of a batch. Every input is checked before anything
//! starts, and every problem is reported at once.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{EngineError, InputProblem, Result};

/// File patterns searched for in folders when no include pattern is given.
pub const DEFAULT_INCLUDE: &[&str] = &[
    "*.pdf", "*.PDF", "*.png", "*.PNG", "*.jpg", "*.JPG", "*.jpeg", "*.JPEG", "*.tif", "*.TIF",
    "*.tiff", "*.TIFF", "*.bmp", "*.BMP", "*.webp", "*.WEBP",
];

/// What to process.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// Files and folders (folders are searched recursively).
    pub paths: Vec<PathBuf>,
    /// CSV files listing one path per row (a `path` column, or the first column); relative paths are
    /// relative to the CSV's folder.
    pub lists: Vec<PathBuf>,
    /// Glob patterns a file found in a folder must match (matched against its file name, or its path
    /// relative to the folder when the pattern has a `/`); default: the supported types.
    pub include: Vec<String>,
    /// Glob patterns of files in folders to leave out.
    pub exclude: Vec<String>,
}

fn glob_set(patterns: &[String]) -> Result<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|e| EngineError::BadPattern {
            pattern: pattern.clone(),
            reason: e.kind().to_string(),
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|e| EngineError::BadPattern {
        pattern: patterns.join(" "),
        reason: e.to_string(),
    })
}

/// Whether a file can be opened for reading (exists, is a file, permissions allow it).
fn check_readable(path: &Path) -> std::result::Result<(), String> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err("does not exist".into()),
        Err(e) => Err(format!("cannot be read: {e}")),
        Ok(metadata) if metadata.is_dir() => Err("is a folder, not a file".into()),
        Ok(_) => std::fs::File::open(path)
            .map(|_| ())
            .map_err(|e| format!("cannot be read: {e}")),
    }
}

struct Matcher {
    include: GlobSet,
    exclude: GlobSet,
}

impl Matcher {
    fn matches(&self, root: &Path, file: &Path) -> bool {
        let relative = file.strip_prefix(root).unwrap_or(file);
        let name = file.file_name().map(Path::new).unwrap_or(relative);
        let hit = |set: &GlobSet| set.is_match(name) || set.is_match(relative);
        hit(&self.include) && !hit(&self.exclude)
    }
}

fn walk(
    root: &Path,
    folder: &Path,
    matcher: &Matcher,
    found: &mut Vec<PathBuf>,
    problems: &mut Vec<InputProblem>,
) {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(InputProblem {
                path: folder.to_path_buf(),
                origin: "folder".into(),
                reason: format!("cannot be listed: {e}"),
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(root, &path, matcher, found, problems);
        } else if matcher.matches(root, &path) {
            found.push(path);
        }
    }
}

/// Reads a CSV path list: the `path` column when the header has one, otherwise the first column (and a
/// first row that names an existing file is data, not a header).
fn read_list(list: &Path, problems: &mut Vec<InputProblem>) -> Result<Vec<PathBuf>> {
    let bad = |reason: String| EngineError::PathList {
        path: list.to_path_buf(),
        reason,
    };
    let text = std::fs::read_to_string(list).map_err(|e| bad(format!("cannot be read: {e}")))?;
    let base = list.parent().unwrap_or(Path::new("."));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut records = Vec::new();
    for record in reader.records() {
        records.push(record.map_err(|e| bad(format!("not a valid CSV file: {e}")))?);
    }
    let header_column = records.first().and_then(|first| {
        first
            .iter()
            .position(|cell| cell.trim().eq_ignore_ascii_case("path"))
    });
    let (column, skip) = match header_column {
        Some(column) => (column, 1),
        None => (0, 0),
    };
    let mut paths = Vec::new();
    for (index, record) in records.iter().enumerate().skip(skip) {
        let line = index + 1;
        let cell = record.get(column).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let path = base.join(cell);
        match check_readable(&path) {
            Ok(()) => paths.push(path),
            Err(reason) => problems.push(InputProblem {
                path,
                origin: format!("{} line {line}", list.display()),
                reason,
            }),
        }
    }
    Ok(paths)
}

/// The documents named by `inputs`, in a stable order, each once. Fails listing every input that does not
/// exist or cannot be read.
pub fn collect_inputs(inputs: &Inputs) -> Result<Vec<PathBuf>> {
    let include: Vec<String> = if inputs.include.is_empty() {
        DEFAULT_INCLUDE.iter().map(|s| s.to_string()).collect()
    } else {
        inputs.include.clone()
    };
    let matcher = Matcher {
        include: glob_set(&include)?,
        exclude: glob_set(&inputs.exclude)?,
    };
    let mut problems = Vec::new();
    let mut found = Vec::new();
    for path in &inputs.paths {
        if path.is_dir() {
            walk(path, path, &matcher, &mut found, &mut problems);
        } else {
            match check_readable(path) {
                Ok(()) => found.push(path.clone()),
                Err(reason) => problems.push(InputProblem {
                    path: path.clone(),
                    origin: "argument".into(),
                    reason,
                }),
            }
        }
    }
    for list in &inputs.lists {
        found.extend(read_list(list, &mut problems)?);
    }
    if !problems.is_empty() {
        return Err(EngineError::BadInputs { problems });
    }
    // Absolute paths, so a job resumed from another folder finds its files.
    let mut seen = std::collections::HashSet::new();
    let documents: Vec<PathBuf> = found
        .into_iter()
        .map(|path| std::path::absolute(&path).unwrap_or(path))
        .filter(|path| seen.insert(path.clone()))
        .collect();
    if documents.is_empty() {
        return Err(EngineError::NoInputs);
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"%PDF-").unwrap();
    }

    fn names(paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn folders_are_searched_recursively_for_supported_files_in_a_stable_order() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("b.pdf"));
        touch(&dir.path().join("a.PNG"));
        touch(&dir.path().join("notes.txt"));
        touch(&dir.path().join("deep/er/c.jpeg"));
        let found = collect_inputs(&Inputs {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(names(&found), ["a.PNG", "b.pdf", "c.jpeg"]);
    }

    #[test]
    fn include_and_exclude_patterns_filter_files_found_in_folders() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("inv-1.pdf"));
        touch(&dir.path().join("inv-2.pdf"));
        touch(&dir.path().join("receipt.pdf"));
        touch(&dir.path().join("archive/inv-3.pdf"));
        let found = collect_inputs(&Inputs {
            paths: vec![dir.path().to_path_buf()],
            include: vec!["inv-*.pdf".into()],
            exclude: vec!["archive/**".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(names(&found), ["inv-1.pdf", "inv-2.pdf"]);
    }

    #[test]
    fn every_bad_path_of_a_list_is_reported_before_starting() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("ok.pdf"));
        std::fs::create_dir(dir.path().join("folder")).unwrap();
        let list = dir.path().join("paths.csv");
        std::fs::write(
            &list,
            "path,note\nok.pdf,fine\nmissing.pdf,gone\nfolder,dir\n\n",
        )
        .unwrap();
        let err = collect_inputs(&Inputs {
            lists: vec![list],
            paths: vec![dir.path().join("also-missing.pdf")],
            ..Default::default()
        })
        .unwrap_err();
        let EngineError::BadInputs { problems } = &err else {
            panic!("{err}")
        };
        let reasons: Vec<(String, String, String)> = problems
            .iter()
            .map(|p| {
                (
                    names(std::slice::from_ref(&p.path))[0].clone(),
                    p.origin.clone(),
                    p.reason.clone(),
                )
            })
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert_eq!(reasons[0].0, "also-missing.pdf");
        assert_eq!(reasons[0].2, "does not exist");
        assert_eq!(reasons[1].0, "missing.pdf");
        assert!(
            reasons[1].1.ends_with("paths.csv line 3"),
            "{}",
            reasons[1].1
        );
        assert_eq!(reasons[2].2, "is a folder, not a file");
        assert_eq!(err.code(), "bad_inputs");
    }

    #[test]
    fn a_headerless_list_uses_its_first_column_relative_to_the_list() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("x/a.pdf"));
        touch(&dir.path().join("b.pdf"));
        let list = dir.path().join("x/list.csv");
        std::fs::write(&list, "a.pdf\n../b.pdf\na.pdf\n").unwrap();
        let found = collect_inputs(&Inputs {
            lists: vec![list],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(names(&found), ["a.pdf", "b.pdf"], "duplicates collapse");
    }

    #[test]
    fn an_empty_folder_is_no_inputs_and_a_bad_glob_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let empty = collect_inputs(&Inputs {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        });
        assert_eq!(empty.unwrap_err().code(), "no_inputs");
        let bad = collect_inputs(&Inputs {
            paths: vec![dir.path().to_path_buf()],
            include: vec!["[".into()],
            ..Default::default()
        });
        assert!(bad.unwrap_err().to_string().contains("`[`"));
    }
}
