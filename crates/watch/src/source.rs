//! Where a watched folder's changes come from: native notifications (`notify`: inotify on Linux, FSEvents,
//! ReadDirectoryChangesW) or periodic scans. Polling is used when the folder asks for it, when it lies on a
//! network file system (where native notifications miss changes made by other machines), and when native
//! watching fails to start (no inotify instance or watch left, unsupported file system).

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use serde::Serialize;

/// How a folder is being watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchMode {
    Native,
    Polling,
}

/// What a folder's change source reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Something happened at this path (created, written, renamed or moved in).
    Path(PathBuf),
    /// Notifications were lost (queue overflow, watcher error): scan the whole folder.
    Rescan,
}

/// A started change source; native watching stops when it is dropped.
pub enum ChangeSource {
    Native(RecommendedWatcher),
    Polling,
}

/// File system types on which native notifications do not see other machines' changes.
const NETWORK_FILE_SYSTEMS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "afs",
    "ceph",
    "glusterfs",
    "fuse.sshfs",
    "fuse.rclone",
    "davfs",
    "fuse.davfs2",
    "lustre",
    "gpfs",
];

/// The type of the file system holding `path`, from a `/proc/mounts` listing (the longest mount point that
/// contains it).
pub fn file_system_type(path: &Path, mounts: &str) -> Option<String> {
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let _device = fields.next()?;
            // Spaces in mount points are written as \040.
            let mount_point = fields.next()?.replace("\\040", " ");
            let fs_type = fields.next()?;
            path.starts_with(&mount_point)
                .then(|| (mount_point.len(), fs_type.to_string()))
        })
        .max_by_key(|(length, _)| *length)
        .map(|(_, fs_type)| fs_type)
}

/// Whether a file system type is a network one (native notifications unreliable).
pub fn is_network_file_system(fs_type: &str) -> bool {
    NETWORK_FILE_SYSTEMS.contains(&fs_type)
}

/// Why `folder` should be polled although native watching was asked for (a network file system).
pub fn polling_reason(folder: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    let fs_type = file_system_type(folder, &mounts)?;
    is_network_file_system(&fs_type).then(|| {
        format!(
            "{} is on a network file system ({fs_type})",
            folder.display()
        )
    })
}

/// Starts native watching of a folder, sending its changes tagged with `folder_id`. The error says why
/// native watching is unavailable (the caller then polls).
pub fn start_native(
    folder: &Path,
    recursive: bool,
    folder_id: i64,
    sender: Sender<(i64, Change)>,
) -> Result<ChangeSource, String> {
    let handler = move |result: notify::Result<notify::Event>| {
        let changes: Vec<Change> = match result {
            Ok(event) if event.need_rescan() => vec![Change::Rescan],
            Ok(event) if event.kind.is_remove() => Vec::new(),
            Ok(event) => event.paths.into_iter().map(Change::Path).collect(),
            Err(_) => vec![Change::Rescan],
        };
        for change in changes {
            // The receiver is gone when watching stops.
            let _ = sender.send((folder_id, change));
        }
    };
    let mut watcher = notify::recommended_watcher(handler).map_err(|e| e.to_string())?;
    let mode = if recursive {
        RecursiveMode::Recursive
    } else {
        RecursiveMode::NonRecursive
    };
    watcher.watch(folder, mode).map_err(|e| e.to_string())?;
    Ok(ChangeSource::Native(watcher))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "\
sysfs /sys sysfs rw 0 0
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/office nfs4 rw 0 0
//nas/scans /mnt/nas\\040scans cifs rw 0 0
";

    #[test]
    fn the_longest_mount_point_gives_the_file_system_type() {
        let of = |path: &str| file_system_type(Path::new(path), MOUNTS);
        assert_eq!(of("/home/me/inbox").as_deref(), Some("ext4"));
        assert_eq!(of("/mnt/office/inbox").as_deref(), Some("nfs4"));
        assert_eq!(of("/mnt/nas scans/in").as_deref(), Some("cifs"));
        assert!(is_network_file_system("nfs4") && is_network_file_system("cifs"));
        assert!(!is_network_file_system("ext4"));
    }
}
