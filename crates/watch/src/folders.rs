//! Adding, changing, finding and removing watched folders: a request is checked once (the folder exists,
//! patterns compile, the template is loaded, no overlap with another watched folder, and no destination
//! inside a watched tree unless that tree excludes it) and stored in history. Changing a folder's settings
//! keeps its ledger, so nothing it took is taken again.

use std::path::{Path, PathBuf};

use quire_extract::TemplateSet;
use quire_history::{NewWatchFolder, Store, WatchFolder};

use crate::error::{Result, WatchError};
use crate::filter::{FileFilter, DEFAULT_TEMPORARY};

/// How long a file must stay unchanged before it is taken, by default.
pub const DEFAULT_SETTLE_MS: u64 = 1000;
/// How often a polled folder is scanned, by default.
pub const DEFAULT_POLL_INTERVAL_MS: u64 = 1000;

/// What the user asked for when adding a folder (before checks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderRequest {
    pub folder: PathBuf,
    pub template_id: Option<String>,
    pub recursive: bool,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// Temporary-file patterns (default: [`DEFAULT_TEMPORARY`]).
    pub temporary: Option<Vec<String>>,
    /// Move processed files to `<move_to>/processed` and failed ones to `<move_to>/failed`.
    pub move_to: Option<PathBuf>,
    /// Export after each batch: a `.csv` or `.xlsx` file, or a folder (one JSON per document).
    pub export_path: Option<PathBuf>,
    pub polling: bool,
    pub poll_interval_ms: Option<u64>,
    pub settle_ms: Option<u64>,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> WatchError + '_ {
    move |source| WatchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The absolute, symlink-free form of a path that may not exist yet: its longest existing ancestor is
/// canonicalized and the rest appended.
fn resolved(path: &Path) -> Result<PathBuf> {
    let absolute = std::path::absolute(path).map_err(io_error(path))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            return Ok(rest
                .iter()
                .rev()
                .fold(canonical, |acc, part| acc.join(part)));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return Ok(absolute),
        }
    }
}

fn create_folder(path: &Path) -> Result<()> {
    std::fs::create_dir_all(path).map_err(io_error(path))
}

/// Whether a file placed in `destination` would be seen by the watched folder `folder`: it lies in the
/// folder itself, or in a sub-folder of a recursive one that its patterns do not exclude.
pub fn watched_by(destination: &Path, folder: &WatchFolder) -> bool {
    let Ok(relative) = destination.strip_prefix(&folder.folder) else {
        return false;
    };
    if relative.as_os_str().is_empty() {
        return true;
    }
    if !folder.recursive {
        return false;
    }
    let Ok(filter) = FileFilter::of(folder) else {
        return true;
    };
    // A document file dropped there: would the folder take it?
    ["probe.pdf", "probe.png", "probe.tif", "probe.jpg"]
        .iter()
        .any(|name| filter.accepts(&folder.folder, &destination.join(name)))
}

fn check_destination(destination: &Path, folders: &[WatchFolder]) -> Result<()> {
    match folders.iter().find(|folder| watched_by(destination, folder)) {
        Some(folder) => Err(WatchError::BadDestination {
            destination: destination.to_path_buf(),
            reason: format!(
                "is inside the watched folder {} (id {}): files put there would be taken again; choose a folder outside it or exclude it (e.g. --exclude 'processed/**')",
                folder.folder.display(),
                folder.id
            ),
        }),
        None => Ok(()),
    }
}

/// Checks a request and stores the watched folder. Destination folders are created.
pub fn add_folder(
    store: &Store,
    templates: &TemplateSet,
    request: &FolderRequest,
) -> Result<WatchFolder> {
    let new_folder = checked_folder(store, templates, request, None)?;
    let id = store.add_watch_folder(&new_folder)?;
    Ok(store.watch_folder(id)?)
}

/// The request a stored folder was added with (what `watch set` starts from).
pub fn request_of(folder: &WatchFolder) -> FolderRequest {
    FolderRequest {
        folder: folder.folder.clone(),
        template_id: folder.template_id.clone(),
        recursive: folder.recursive,
        include: folder.include.clone(),
        exclude: folder.exclude.clone(),
        temporary: Some(folder.temporary.clone()),
        move_to: folder
            .processed_dir
            .as_deref()
            .and_then(Path::parent)
            .map(Path::to_path_buf),
        export_path: folder.export_path.clone(),
        polling: folder.polling,
        poll_interval_ms: Some(folder.poll_interval_ms),
        settle_ms: Some(folder.settle_ms),
    }
}

/// Changes a watched folder's settings (found by id or path) after the same checks as adding it; its
/// ledger is kept. The request's `folder` must be the folder's own path. Returns the folder as stored.
pub fn update_folder(
    store: &Store,
    templates: &TemplateSet,
    id_or_path: &str,
    change: impl FnOnce(&mut FolderRequest),
) -> Result<WatchFolder> {
    let current = find_folder(store, id_or_path)?;
    let mut request = request_of(&current);
    change(&mut request);
    request.folder = current.folder.clone();
    let new_folder = checked_folder(store, templates, &request, Some(current.id))?;
    store.update_watch_folder(current.id, &new_folder)?;
    Ok(store.watch_folder(current.id)?)
}

/// Checks a request against the stored folders (leaving out `replacing`, the folder being changed) and
/// creates its destination folders.
fn checked_folder(
    store: &Store,
    templates: &TemplateSet,
    request: &FolderRequest,
    replacing: Option<i64>,
) -> Result<NewWatchFolder> {
    let metadata = std::fs::metadata(&request.folder).map_err(|e| WatchError::BadFolder {
        folder: request.folder.clone(),
        reason: if e.kind() == std::io::ErrorKind::NotFound {
            "does not exist".into()
        } else {
            format!("cannot be read: {e}")
        },
    })?;
    if !metadata.is_dir() {
        return Err(WatchError::BadFolder {
            folder: request.folder.clone(),
            reason: "is a file, not a folder".into(),
        });
    }
    let folder = resolved(&request.folder)?;
    if let Some(template) = &request.template_id {
        if templates.get(template).is_none() {
            return Err(WatchError::UnknownTemplate(template.clone()));
        }
    }
    let temporary = request
        .temporary
        .clone()
        .unwrap_or_else(|| DEFAULT_TEMPORARY.iter().map(|s| s.to_string()).collect());
    FileFilter::new(&request.include, &request.exclude, &temporary)?;
    let mut existing = store.watch_folders()?;
    existing.retain(|watched| Some(watched.id) != replacing);
    for watched in &existing {
        let overlaps = watched.folder == folder
            || (watched.recursive && folder.starts_with(&watched.folder))
            || (request.recursive && watched.folder.starts_with(&folder));
        if overlaps {
            return Err(WatchError::AlreadyWatched {
                folder,
                watched: watched.folder.clone(),
                id: watched.id,
            });
        }
    }
    let (processed_dir, failed_dir) = match &request.move_to {
        Some(base) => {
            let base = resolved(base)?;
            (Some(base.join("processed")), Some(base.join("failed")))
        }
        None => (None, None),
    };
    let export_path = match &request.export_path {
        Some(path) => Some(resolved(path)?),
        None => None,
    };
    let new_folder = NewWatchFolder {
        folder,
        template_id: request.template_id.clone(),
        recursive: request.recursive,
        include: request.include.clone(),
        exclude: request.exclude.clone(),
        temporary,
        processed_dir,
        failed_dir,
        export_path,
        polling: request.polling,
        poll_interval_ms: request
            .poll_interval_ms
            .unwrap_or(DEFAULT_POLL_INTERVAL_MS)
            .max(10),
        settle_ms: request.settle_ms.unwrap_or(DEFAULT_SETTLE_MS),
    };
    // The new folder is checked as if stored already: its own destinations must not be inside it.
    existing.push(WatchFolder {
        id: 0,
        folder: new_folder.folder.clone(),
        template_id: None,
        recursive: new_folder.recursive,
        include: new_folder.include.clone(),
        exclude: new_folder.exclude.clone(),
        temporary: new_folder.temporary.clone(),
        processed_dir: None,
        failed_dir: None,
        export_path: None,
        polling: false,
        poll_interval_ms: 0,
        settle_ms: 0,
        created_at: String::new(),
    });
    let destinations = [&new_folder.processed_dir, &new_folder.failed_dir]
        .into_iter()
        .flatten()
        .cloned()
        .chain(new_folder.export_path.iter().map(|path| {
            match export_file_kind(path) {
                Some(_) => path
                    .parent()
                    .map_or_else(|| path.clone(), Path::to_path_buf),
                None => path.clone(),
            }
        }));
    for destination in destinations {
        check_destination(&destination, &existing)?;
    }
    // And the existing folders' destinations must not fall inside the new folder.
    let new_only = &existing[existing.len() - 1..];
    for watched in &existing[..existing.len() - 1] {
        for destination in [&watched.processed_dir, &watched.failed_dir]
            .into_iter()
            .flatten()
        {
            check_destination(destination, new_only)?;
        }
    }
    for folder in [&new_folder.processed_dir, &new_folder.failed_dir]
        .into_iter()
        .flatten()
    {
        create_folder(folder)?;
    }
    match &new_folder.export_path {
        Some(path) if export_file_kind(path).is_some() => {
            if let Some(parent) = path.parent() {
                create_folder(parent)?;
            }
        }
        Some(path) => create_folder(path)?,
        None => {}
    }
    Ok(new_folder)
}

/// The export file kind a path asks for: `csv` or `xlsx` (`None`: a folder of JSON files).
pub fn export_file_kind(path: &Path) -> Option<quire_export::Format> {
    match quire_export::Format::from_path(path)? {
        quire_export::Format::Json => None,
        format => Some(format),
    }
}

/// Finds a watched folder by id or by path.
pub fn find_folder(store: &Store, id_or_path: &str) -> Result<WatchFolder> {
    let folders = store.watch_folders()?;
    if let Ok(id) = id_or_path.parse::<i64>() {
        if let Some(folder) = folders.iter().find(|f| f.id == id) {
            return Ok(folder.clone());
        }
    }
    let wanted = std::fs::canonicalize(id_or_path)
        .or_else(|_| std::path::absolute(id_or_path))
        .unwrap_or_else(|_| PathBuf::from(id_or_path));
    folders
        .into_iter()
        .find(|f| f.folder == wanted)
        .ok_or_else(|| WatchError::UnknownFolder(id_or_path.to_string()))
}

/// Stops watching a folder (by id or path); returns it.
pub fn remove_folder(store: &Store, id_or_path: &str) -> Result<WatchFolder> {
    let folder = find_folder(store, id_or_path)?;
    store.remove_watch_folder(folder.id)?;
    Ok(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates() -> TemplateSet {
        TemplateSet::builtin().unwrap()
    }

    #[test]
    fn changing_a_folder_keeps_its_ledger_and_is_checked_like_adding_one() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let mut store = Store::open_in_memory().unwrap();
        let folder = add_folder(
            &store,
            &templates(),
            &FolderRequest {
                folder: inbox.clone(),
                move_to: Some(dir.path().join("out")),
                ..Default::default()
            },
        )
        .unwrap();
        // A file taken before the change.
        let file = inbox.join("a.pdf");
        std::fs::write(&file, b"%PDF-1.4").unwrap();
        let taken = quire_history::TakenFile {
            path: file.clone(),
            size_bytes: 8,
            mtime_ns: 1,
            content_hash: "hash-a".into(),
        };
        let job = store
            .create_watch_job(
                folder.id,
                "watch",
                &serde_json::json!({}),
                std::slice::from_ref(&taken),
            )
            .unwrap();
        assert!(job.is_some());
        let changed = update_folder(&store, &templates(), inbox.to_str().unwrap(), |request| {
            request.template_id = Some("generic-receipt".into());
            request.export_path = Some(dir.path().join("exports/receipts.xlsx"));
            request.settle_ms = Some(300);
            request.recursive = true;
        })
        .unwrap();
        assert_eq!(changed.id, folder.id);
        assert_eq!(changed.template_id.as_deref(), Some("generic-receipt"));
        assert_eq!(
            changed.export_path,
            Some(
                dir.path()
                    .canonicalize()
                    .unwrap()
                    .join("exports/receipts.xlsx")
            )
        );
        assert_eq!(changed.settle_ms, 300);
        assert!(changed.recursive);
        // Unchanged settings stay, and the ledger is kept.
        assert_eq!(changed.processed_dir, folder.processed_dir);
        assert_eq!(store.ledger(folder.id).unwrap().len(), 1);
        assert!(dir.path().join("exports").is_dir());
        // A change that fails the checks changes nothing: processed files inside the (now recursive)
        // watched tree would be taken again.
        let refused = update_folder(&store, &templates(), &folder.id.to_string(), |request| {
            request.move_to = Some(inbox.join("done"));
        });
        assert_eq!(refused.unwrap_err().code(), "bad_destination");
        let unknown = update_folder(&store, &templates(), &folder.id.to_string(), |request| {
            request.template_id = Some("no-such-template".into());
        });
        assert!(unknown.is_err());
        assert_eq!(store.watch_folder(folder.id).unwrap(), changed);
    }

    #[test]
    fn a_folder_is_stored_with_defaults_and_its_move_folders_created() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = dir.path().join("inbox");
        std::fs::create_dir(&inbox).unwrap();
        let store = Store::open_in_memory().unwrap();
        let folder = add_folder(
            &store,
            &templates(),
            &FolderRequest {
                folder: inbox.clone(),
                move_to: Some(dir.path().join("out")),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(folder.folder, inbox.canonicalize().unwrap());
        assert_eq!(folder.settle_ms, DEFAULT_SETTLE_MS);
        assert_eq!(folder.temporary.len(), DEFAULT_TEMPORARY.len());
        assert!(dir.path().join("out/processed").is_dir());
        assert!(dir.path().join("out/failed").is_dir());
        let again = add_folder(
            &store,
            &templates(),
            &FolderRequest {
                folder: inbox.clone(),
                ..Default::default()
            },
        );
        assert_eq!(again.unwrap_err().code(), "already_watched");
        assert_eq!(
            find_folder(&store, inbox.to_str().unwrap()).unwrap().id,
            folder.id
        );
        remove_folder(&store, &folder.id.to_string()).unwrap();
        assert_eq!(
            find_folder(&store, "1").unwrap_err().code(),
            "unknown_folder"
        );
    }

    #[test]
    fn a_destination_inside_the_watched_tree_is_refused_unless_excluded() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory().unwrap();
        let request = FolderRequest {
            folder: dir.path().to_path_buf(),
            recursive: true,
            move_to: Some(dir.path().join("sorted")),
            ..Default::default()
        };
        let refused = add_folder(&store, &templates(), &request).unwrap_err();
        assert_eq!(refused.code(), "bad_destination");
        assert!(refused.to_string().contains("sorted"), "{refused}");
        assert!(!dir.path().join("sorted").exists(), "nothing created");
        let excluded = FolderRequest {
            exclude: vec!["sorted/**".into()],
            ..request
        };
        add_folder(&store, &templates(), &excluded).unwrap();
    }

    #[test]
    fn a_missing_folder_an_unknown_template_and_a_non_recursive_sub_folder_destination() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory().unwrap();
        let missing = add_folder(
            &store,
            &templates(),
            &FolderRequest {
                folder: dir.path().join("nope"),
                ..Default::default()
            },
        );
        assert_eq!(missing.unwrap_err().code(), "bad_folder");
        let unknown = add_folder(
            &store,
            &templates(),
            &FolderRequest {
                folder: dir.path().to_path_buf(),
                template_id: Some("no-such-template".into()),
                ..Default::default()
            },
        );
        assert_eq!(unknown.unwrap_err().code(), "unknown_template");
        // Sub-folders of a non-recursive folder are not watched: moving there is fine.
        add_folder(
            &store,
            &templates(),
            &FolderRequest {
                folder: dir.path().to_path_buf(),
                move_to: Some(dir.path().join("out")),
                ..Default::default()
            },
        )
        .unwrap();
    }
}
