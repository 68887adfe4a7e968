//! quire-watch: Quire's hot folders. A watched folder (stored in history with its template, patterns,
//! after-processing action and export) is followed with native notifications or by polling; a file is taken
//! only once it is complete (size and modification time unchanged for the settle interval, readable to the
//! end), temporary and partial files are ignored, and taken files are processed by the engine's batch
//! runner. A ledger in history makes every file processed exactly once across restarts and crashes.

pub mod after;
pub mod error;
pub mod events;
pub mod export;
pub mod filter;
pub mod folders;
pub mod run;
pub mod source;
pub mod stability;

pub use error::{Result, WatchError};
pub use events::{WatchEvent, WatchSink};
pub use filter::{FileFilter, DEFAULT_TEMPORARY};
pub use folders::{
    add_folder, find_folder, remove_folder, request_of, update_folder, FolderRequest,
    DEFAULT_POLL_INTERVAL_MS, DEFAULT_SETTLE_MS,
};
pub use run::{watch, WatchOptions, WatchSummary};
pub use source::WatchMode;
