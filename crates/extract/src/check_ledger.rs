//! Templates this very program has already checked, remembered between runs.
//!
//! Loading a folder of templates checks each one ([`crate::Template::check`]: rule targets, regex syntax,
//! ...), which is about half of loading a few hundred templates and a good part of a short command's run
//! (`quire extract FILE`). The check is a function of the template's text and of the checking program
//! alone, so a [`CheckLedger`] remembers the SHA-256 of each text that passed, under an identity of the
//! program (its version, and its executable's path, size and modification time: a rebuilt or upgraded
//! program starts a new ledger). A text found in the ledger is only parsed; any other text is parsed and
//! checked as always, and remembered once it passes. A template that fails its check is never remembered, so
//! its error shows on every load. The ledger is a small text file (the program identity, then one digest per
//! line), written atomically (a temporary file, then a rename); an unreadable or foreign ledger is ignored,
//! and a failed write costs nothing but the next load's time.

use std::collections::HashSet;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// At most this many digests are kept (the most recent ones).
const MAX_ENTRIES: usize = 20_000;

/// The SHA-256 of a template's text.
pub type TextDigest = [u8; 32];

/// What checked templates the program remembers (see the module's documentation).
#[derive(Debug)]
pub struct CheckLedger {
    path: PathBuf,
    program: String,
    /// In file order, oldest first.
    entries: Vec<TextDigest>,
    known: HashSet<TextDigest>,
    changed: bool,
}

impl CheckLedger {
    /// The ledger at `path` for the running program (empty when the file is missing, unreadable or was
    /// written by another program or build).
    pub fn open(path: &Path) -> CheckLedger {
        CheckLedger::open_for(path, &program_identity())
    }

    /// The ledger at `path` for the program identified by `program`.
    pub fn open_for(path: &Path, program: &str) -> CheckLedger {
        let mut ledger = CheckLedger {
            path: path.to_path_buf(),
            program: program.to_string(),
            entries: Vec::new(),
            known: HashSet::new(),
            changed: false,
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            return ledger;
        };
        let mut lines = text.lines();
        if lines.next() != Some(program) {
            return ledger;
        }
        for line in lines {
            if let Some(digest) = parse_hex(line) {
                if ledger.known.insert(digest) {
                    ledger.entries.push(digest);
                }
            }
        }
        ledger
    }

    /// Whether a text with this digest passed its check before.
    pub fn knows(&self, digest: &TextDigest) -> bool {
        self.known.contains(digest)
    }

    /// Remembers that a text with this digest passed its check.
    pub fn remember(&mut self, digest: TextDigest) {
        if self.known.insert(digest) {
            self.entries.push(digest);
            self.changed = true;
        }
    }

    /// Writes the ledger when something was remembered since it was opened.
    pub fn save(&mut self) -> std::io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let keep = self.entries.len().saturating_sub(MAX_ENTRIES);
        let mut text = String::with_capacity(self.program.len() + 65 * self.entries.len());
        text.push_str(&self.program);
        text.push('\n');
        for digest in &self.entries[keep..] {
            for byte in digest {
                text.push_str(&format!("{byte:02x}"));
            }
            text.push('\n');
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(text.as_bytes())?;
        file.persist(&self.path).map_err(|error| error.error)?;
        self.changed = false;
        Ok(())
    }
}

/// The digest under which a template's text is remembered.
pub fn text_digest(text: &str) -> TextDigest {
    Sha256::digest(text.as_bytes()).into()
}

/// The running program: its version, and its executable's path, size and modification time (a rebuild
/// changes the last two).
fn program_identity() -> String {
    let exe = std::env::current_exe().ok();
    let metadata = exe.as_ref().and_then(|exe| std::fs::metadata(exe).ok());
    format!(
        "quire-extract {} {} {} {}.{}",
        env!("CARGO_PKG_VERSION"),
        exe.map(|exe| exe.display().to_string()).unwrap_or_default(),
        metadata.as_ref().map_or(0, |m| m.len()),
        metadata.as_ref().map_or(0, |m| m.mtime()),
        metadata.as_ref().map_or(0, |m| m.mtime_nsec()),
    )
}

fn parse_hex(line: &str) -> Option<TextDigest> {
    let line = line.trim();
    if line.len() != 64 || !line.is_ascii() {
        return None;
    }
    let mut digest = [0u8; 32];
    for (i, byte) in digest.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&line[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ledger_remembers_digests_for_its_program_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache/checked-templates");
        let digest = text_digest("{\"id\": \"a\"}");
        let mut ledger = CheckLedger::open_for(&path, "program 1");
        assert!(!ledger.knows(&digest));
        ledger.remember(digest);
        ledger.save().unwrap();

        assert!(CheckLedger::open_for(&path, "program 1").knows(&digest));
        // Another build of the program does not trust it.
        assert!(!CheckLedger::open_for(&path, "program 2").knows(&digest));
        // No temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("checked-templates")]);
    }

    #[test]
    fn a_damaged_ledger_is_read_for_what_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checked-templates");
        let digest = text_digest("template");
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        std::fs::write(&path, format!("p\nnot a digest\n{}\n{hex}\n", &hex[..10])).unwrap();
        let ledger = CheckLedger::open_for(&path, "p");
        assert!(ledger.knows(&digest));
        assert_eq!(ledger.entries.len(), 1);
    }
}
