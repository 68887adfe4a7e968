//! The one error type of quire-watch: what stops a watched folder from being added or watched. A file that
//! cannot be processed is not an error of the watcher: it is recorded (and moved to failed/) and watching
//! goes on.

use std::path::PathBuf;

/// An error that stops adding or watching a folder.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The folder to watch does not exist or is not a folder.
    #[error("{}: {reason}", folder.display())]
    BadFolder { folder: PathBuf, reason: String },
    /// The folder (or one overlapping it) is watched already.
    #[error("{} overlaps the watched folder {} (id {id})", folder.display(), watched.display())]
    AlreadyWatched {
        folder: PathBuf,
        watched: PathBuf,
        id: i64,
    },
    /// No watched folder has this id or path.
    #[error("no watched folder `{0}`")]
    UnknownFolder(String),
    /// No folder is watched.
    #[error("no folder is watched: add one with `quire watch add DIR`")]
    NoFolders,
    /// Another watcher is running on the same history database.
    #[error("another `quire watch run` is already watching with this history database (lock {})", lock.display())]
    AlreadyRunning { lock: PathBuf },
    /// An include, exclude or temporary-file pattern is not a valid glob.
    #[error("invalid file pattern `{pattern}`: {reason}")]
    BadPattern { pattern: String, reason: String },
    /// Where processed or failed files (or exports) would go is inside a watched tree and not excluded.
    #[error("{}: {reason}", destination.display())]
    BadDestination {
        destination: PathBuf,
        reason: String,
    },
    /// The template asked for is not loaded.
    #[error("no template named `{0}`")]
    UnknownTemplate(String),
    /// A file or folder could not be created, read or moved.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The automatic export failed.
    #[error("export to {}: {source}", path.display())]
    Export {
        path: PathBuf,
        #[source]
        source: quire_export::ExportError,
    },
    /// The batch runner failed.
    #[error(transparent)]
    Engine(#[from] quire_engine::EngineError),
    /// The history store failed.
    #[error(transparent)]
    History(#[from] quire_history::HistoryError),
}

impl WatchError {
    /// A stable code for the UI and CLI to switch on.
    pub fn code(&self) -> &'static str {
        match self {
            WatchError::BadFolder { .. } => "bad_folder",
            WatchError::AlreadyWatched { .. } => "already_watched",
            WatchError::UnknownFolder(_) => "unknown_folder",
            WatchError::NoFolders => "no_watched_folders",
            WatchError::AlreadyRunning { .. } => "watch_already_running",
            WatchError::BadPattern { .. } => "bad_pattern",
            WatchError::BadDestination { .. } => "bad_destination",
            WatchError::UnknownTemplate(_) => "unknown_template",
            WatchError::Io { .. } => "io",
            WatchError::Export { .. } => "export_failed",
            WatchError::Engine(err) => err.code(),
            WatchError::History(err) => err.code(),
        }
    }
}

pub type Result<T, E = WatchError> = std::result::Result<T, E>;
