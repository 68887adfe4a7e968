//! Schema migrations: the database's `PRAGMA user_version` says which migrations have run; opening a store
//! runs the missing ones in order, each in its own transaction. Each table module owns its part of the schema.

use rusqlite::Connection;

use crate::error::{HistoryError, Result, SqliteContext};
use crate::{corrections, documents, extractions, jobs, pages, search, sync, watch};

/// The migrations, in order: migration `i` (0-based) takes the schema from version `i` to `i + 1`.
pub(crate) fn migrations() -> Vec<Vec<&'static str>> {
    vec![
        // Version 1: jobs, documents, pages, extractions with validation results, corrections.
        vec![
            jobs::SCHEMA_V1,
            documents::SCHEMA_V1,
            pages::SCHEMA_V1,
            extractions::SCHEMA_V1,
            corrections::SCHEMA_V1,
        ],
        // Version 2: full-text search (filled from the rows already there) and sync state.
        vec![search::SCHEMA_V2, sync::SCHEMA_V2],
        // Version 3: hot folders (watched folders' settings and the ledger of files taken from them).
        vec![watch::SCHEMA_V3],
    ]
}

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    migrations().len() as i64
}

/// Sets the connection's pragmas (WAL, foreign keys, busy timeout).
pub(crate) fn configure(connection: &Connection) -> Result<()> {
    // journal_mode returns a row; in-memory databases answer "memory".
    let _mode: String = connection
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .during("enabling write-ahead logging")?;
    connection
        .execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;",
        )
        .during("setting pragmas")?;
    Ok(())
}

/// The schema version of a database.
pub fn schema_version(connection: &Connection) -> Result<i64> {
    connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .during("reading the schema version")
}

/// Brings the database's schema up to date. `name` names the database in errors.
pub(crate) fn migrate(connection: &mut Connection, name: &str) -> Result<()> {
    let migrations = migrations();
    let found = schema_version(connection)?;
    if found > migrations.len() as i64 {
        return Err(HistoryError::SchemaTooNew {
            path: name.to_string(),
            found,
            supported: migrations.len() as i64,
        });
    }
    for (index, parts) in migrations.iter().enumerate().skip(found as usize) {
        let transaction = connection
            .transaction()
            .during("starting a schema migration")?;
        for sql in parts {
            transaction
                .execute_batch(sql)
                .during("migrating the schema")?;
        }
        transaction
            .pragma_update(None, "user_version", index as i64 + 1)
            .during("recording the schema version")?;
        transaction
            .commit()
            .during("committing a schema migration")?;
    }
    Ok(())
}
