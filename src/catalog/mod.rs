//! The SQLite catalog: the source of truth for items, files, texts and events.
//!
//! Opened in WAL mode with foreign keys on and `synchronous=FULL`, so a committed
//! transaction survives a power cut. Schema changes are numbered SQL files in
//! `migrations/`, applied in order and recorded in `schema_migrations`; an archive whose
//! catalog is newer than this binary is refused before anything is written.
//! Every statement binds its parameters: no SQL is built from user text.

mod content;
mod items;
mod sets;

pub use content::{ContentRecord, ImageHash, NewDerivative};
pub(crate) use items::{
    find_by_fingerprint, find_by_fingerprints, insert_item, normalize_id as normalize_item_id,
};
pub use items::{EventRow, FileRow, Item, ListFilter, NewFile, NewText, StoredObject, TextRow};
pub use sets::{Set, SetChanges, SetEntry, SetKind, SetSummary};

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::clock;
use crate::error::{Error, Result};

/// The numbered migrations, in order. Never edit one that has shipped; append.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "initial", include_str!("migrations/0001_initial.sql")),
    (2, "sets", include_str!("migrations/0002_sets.sql")),
    (3, "content", include_str!("migrations/0003_content.sql")),
    (4, "fixity", include_str!("migrations/0004_fixity.sql")),
];

/// The newest catalog schema version this binary knows.
pub const SCHEMA_VERSION: i64 = 4;

/// An open catalog.
pub struct Catalog {
    conn: Connection,
}

/// How long a command queues for the catalog's write lock before giving up.
const LOCK_WAIT: Duration = Duration::from_secs(180);

/// SQLite's busy handler: called with the number of earlier calls for this wait; sleeps a
/// little (growing to 50 ms) and says after 3 seconds that it is queueing.
fn wait_for_lock(calls: i32) -> bool {
    use std::cell::Cell;
    use std::time::Instant;
    thread_local! {
        static STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
        static TOLD: Cell<bool> = const { Cell::new(false) };
    }
    let now = Instant::now();
    if calls == 0 {
        STARTED.with(|s| s.set(Some(now)));
        TOLD.with(|t| t.set(false));
    }
    let waited = now.duration_since(STARTED.with(|s| s.get()).unwrap_or(now));
    if waited > LOCK_WAIT {
        return false;
    }
    if waited > Duration::from_secs(3) && !TOLD.with(|t| t.replace(true)) {
        crate::notice::say("waiting for another hishatak command to finish writing the catalog...");
    }
    std::thread::sleep(Duration::from_millis((1 + calls as u64).min(50)));
    true
}

impl Catalog {
    /// Open (creating when `create`) the catalog at `path`, check its schema version and
    /// apply pending migrations.
    pub fn open(path: &Path, create: bool) -> Result<Catalog> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|e| Error::Corruption {
            what: path.display().to_string(),
            detail: format!(
                "the catalog cannot be opened ({e}); restore catalog.sqlite from a backup"
            ),
        })?;
        // Other hishatak processes may hold the write lock for a batch; queue behind them
        // rather than fail with "database is locked", and say so when it takes a while.
        conn.busy_handler(Some(wait_for_lock))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Room for every statement an ingest batch repeats (rusqlite keeps 16 by default).
        conn.set_prepared_statement_cache_capacity(64);
        let mut cat = Catalog { conn };
        cat.migrate(path)?;
        Ok(cat)
    }

    fn migrate(&mut self, path: &Path) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        let current = self.schema_version()?;
        if current > SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: path.parent().unwrap_or(path).display().to_string(),
                found: current,
                known: SCHEMA_VERSION,
            });
        }
        for (version, name, sql) in MIGRATIONS {
            if *version <= current {
                continue;
            }
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            // Another process may have migrated while we waited for the lock.
            let now_at: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )?;
            if now_at < *version {
                tx.execute_batch(sql)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    rusqlite::params![version, name, clock::now()],
                )?;
            }
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version recorded in the catalog.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?)
    }

    /// The archive's id (made by migration 4; copied into its backups).
    pub fn archive_id(&self) -> Result<Option<String>> {
        match self
            .conn
            .query_row("SELECT value FROM archive_info WHERE key = 'id'", [], |r| {
                r.get::<_, String>(0)
            }) {
            Ok(v) => Ok(Some(v)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The underlying connection, for modules that own their own queries.
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Start a write transaction that takes the write lock at once (so two writers queue
    /// instead of failing half-way).
    pub(crate) fn write(&mut self) -> Result<rusqlite::Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Commit the transaction a pipelined writer left open (`ingest` holds a batch's
    /// rows until a later flush makes its objects durable).
    pub(crate) fn commit_open(&self) -> Result<()> {
        Ok(self.conn.execute_batch("COMMIT")?)
    }

    /// Roll back the transaction left open, if there is one.
    pub(crate) fn rollback_open(&self) {
        if !self.conn.is_autocommit() {
            // Fails only when SQLite has already rolled it back itself.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// SQLite's own consistency checks: `integrity_check` and `foreign_key_check`.
    /// Returns the problems found (empty when the catalog is sound).
    pub fn check_integrity(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        for row in st.query_map([], |r| r.get::<_, String>(0))? {
            let row = row?;
            if row != "ok" {
                problems.push(row);
            }
        }
        let mut st = self.conn.prepare("PRAGMA foreign_key_check")?;
        for row in st.query_map([], |r| {
            Ok(format!(
                "table {} row {} breaks a reference to {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or(-1),
                r.get::<_, String>(2)?
            ))
        })? {
            problems.push(row?);
        }
        Ok(problems)
    }
}
