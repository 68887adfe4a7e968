//! The `sync_state` table: for each document, whether it has been sent to the hosted API and under which
//! remote id (filled by the later sync issue; the store keeps and reads it).

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{Result, SqliteContext};
use crate::{now_text, Store};

pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE sync_state (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    remote_id   TEXT,
    state       TEXT NOT NULL,
    synced_at   TEXT,
    last_error  TEXT,
    updated_at  TEXT NOT NULL
);
";

/// A document's sync state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub document_id: i64,
    pub remote_id: Option<String>,
    /// `pending`, `synced` or `error`.
    pub state: String,
    pub synced_at: Option<String>,
    pub last_error: Option<String>,
}

impl Store {
    /// Records a document's sync state (replacing the previous one).
    pub fn set_sync_state(&self, sync: &SyncState) -> Result<()> {
        self.connection
            .execute(
                "INSERT INTO sync_state (document_id, remote_id, state, synced_at, last_error, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (document_id) DO UPDATE SET remote_id = excluded.remote_id, state = excluded.state,
                 synced_at = excluded.synced_at, last_error = excluded.last_error, updated_at = excluded.updated_at",
                params![
                    sync.document_id,
                    sync.remote_id,
                    sync.state,
                    sync.synced_at,
                    sync.last_error,
                    now_text()
                ],
            )
            .during("recording sync state")?;
        Ok(())
    }

    /// A document's sync state, if it has one.
    pub fn sync_state(&self, document_id: i64) -> Result<Option<SyncState>> {
        self.connection
            .query_row(
                "SELECT document_id, remote_id, state, synced_at, last_error FROM sync_state WHERE document_id = ?1",
                [document_id],
                |row| {
                    Ok(SyncState {
                        document_id: row.get(0)?,
                        remote_id: row.get(1)?,
                        state: row.get(2)?,
                        synced_at: row.get(3)?,
                        last_error: row.get(4)?,
                    })
                },
            )
            .optional()
            .during("reading sync state")
    }
}
