//! The stability check: a file is taken only once its size and modification time have stayed unchanged for
//! the settle interval and it can be opened and read to the end (its SHA-256 is computed on the way, and
//! its size and modification time must not change while it is read). A file still being copied keeps
//! resetting its clock; a file that disappears is forgotten. Time is passed in, so tests control it.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use quire_history::TakenFile;
use sha2::{Digest, Sha256};

/// A file's size and modification time (nanoseconds since the Unix epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileVersion {
    pub size_bytes: u64,
    pub mtime_ns: i64,
}

impl FileVersion {
    /// The version of a file as it is now (`None`: gone, or not a regular file).
    pub fn of(path: &Path) -> Option<FileVersion> {
        let metadata = std::fs::metadata(path).ok()?;
        if !metadata.is_file() {
            return None;
        }
        let mtime_ns = metadata
            .modified()
            .ok()
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |since| since.as_nanos() as i64);
        Some(FileVersion {
            size_bytes: metadata.len(),
            mtime_ns,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Observation {
    version: FileVersion,
    unchanged_since: Instant,
}

/// Files waiting to become stable.
#[derive(Debug, Default)]
pub struct StabilityTracker {
    candidates: HashMap<PathBuf, Observation>,
}

/// Reads a file to the end, hashing it. `None` when it cannot be read completely (it shrank, grew or
/// vanished while being read).
fn read_to_end(path: &Path, expected: FileVersion) -> std::io::Result<Option<String>> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut n_read = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        n_read += n as u64;
    }
    let complete = n_read == expected.size_bytes && FileVersion::of(path) == Some(expected);
    Ok(complete.then(|| format!("{:x}", hasher.finalize())))
}

impl StabilityTracker {
    pub fn new() -> StabilityTracker {
        StabilityTracker::default()
    }

    /// Starts following a file seen at `version` (a file already followed keeps its clock).
    pub fn note(&mut self, path: PathBuf, version: FileVersion, now: Instant) {
        self.candidates.entry(path).or_insert(Observation {
            version,
            unchanged_since: now,
        });
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.candidates.contains_key(path)
    }

    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// Looks at every followed file: changed ones restart their clock, vanished ones are forgotten, and
    /// those unchanged for `settle` that read completely are returned (and no longer followed), sorted by
    /// path. A file that exists but cannot be opened is returned with an empty hash once settled: the
    /// batch records why it failed.
    pub fn take_stable(&mut self, settle: Duration, now: Instant) -> Vec<TakenFile> {
        let mut stable = Vec::new();
        let mut forget = Vec::new();
        for (path, observation) in &mut self.candidates {
            let Some(version) = FileVersion::of(path) else {
                forget.push(path.clone());
                continue;
            };
            if version != observation.version {
                *observation = Observation {
                    version,
                    unchanged_since: now,
                };
                continue;
            }
            if now.duration_since(observation.unchanged_since) < settle {
                continue;
            }
            let content_hash = match read_to_end(path, version) {
                Ok(Some(hash)) => hash,
                // Changed while being read: wait again.
                Ok(None) => {
                    observation.unchanged_since = now;
                    continue;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    forget.push(path.clone());
                    continue;
                }
                Err(_) => String::new(),
            };
            stable.push(TakenFile {
                path: path.clone(),
                size_bytes: version.size_bytes,
                mtime_ns: version.mtime_ns,
                content_hash,
            });
        }
        for path in forget {
            self.candidates.remove(&path);
        }
        for file in &stable {
            self.candidates.remove(&file.path);
        }
        stable.sort_by(|a, b| a.path.cmp(&b.path));
        stable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_file_is_taken_only_after_it_stays_unchanged_for_the_settle_interval() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(b"%PDF-1.4 part one").unwrap();
        let settle = Duration::from_millis(500);
        let start = Instant::now();
        let mut tracker = StabilityTracker::new();
        tracker.note(path.clone(), FileVersion::of(&path).unwrap(), start);
        assert!(tracker.take_stable(settle, start).is_empty());
        // More is written before the interval ends: the clock restarts.
        file.write_all(b" and part two").unwrap();
        file.flush().unwrap();
        let later = start + Duration::from_millis(400);
        assert!(tracker.take_stable(settle, later).is_empty());
        assert!(tracker
            .take_stable(settle, later + Duration::from_millis(300))
            .is_empty());
        let taken = tracker.take_stable(settle, later + Duration::from_millis(600));
        assert_eq!(taken.len(), 1);
        let expected = format!("{:x}", Sha256::digest(b"%PDF-1.4 part one and part two"));
        assert_eq!(taken[0].content_hash, expected);
        assert_eq!(taken[0].size_bytes, 30);
        assert!(tracker.is_empty());
    }

    #[test]
    fn a_file_that_vanishes_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, b"x").unwrap();
        let start = Instant::now();
        let mut tracker = StabilityTracker::new();
        tracker.note(path.clone(), FileVersion::of(&path).unwrap(), start);
        std::fs::remove_file(&path).unwrap();
        let taken = tracker.take_stable(Duration::ZERO, start + Duration::from_secs(1));
        assert!(taken.is_empty());
        assert!(tracker.is_empty());
    }
}
