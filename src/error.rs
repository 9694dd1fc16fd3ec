//! One error type for the whole library.
//!
//! Every message is written for a person: it names the file, row or field at fault and,
//! where there is one, says what to do next. The CLI maps each variant to an exit code in
//! one place (`src/main.rs`).

use std::path::PathBuf;

/// The result type of every fallible library call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in hishatak.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The folder is not a hishatak archive.
    #[error("{} is not a hishatak archive (no hishatak.toml); run `hishatak init` to create one there, or pass --archive DIR", .0.display())]
    NotAnArchive(PathBuf),

    /// The archive was written by a newer hishatak than this one.
    #[error("the archive at {path} has catalog schema version {found}, but this hishatak only knows versions up to {known}; install a newer hishatak to open it (nothing was changed)")]
    TooNew {
        /// Archive folder.
        path: String,
        /// Schema version found in the catalog.
        found: i64,
        /// Newest schema version this binary knows.
        known: i64,
    },

    /// A file or folder could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path that was being read or written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The catalog database reported an error.
    #[error("catalog: {0}")]
    Catalog(rusqlite::Error),

    /// Stored data is not what it should be (a hash mismatch, a broken record).
    #[error("corruption in {what}: {detail}")]
    Corruption {
        /// Which file, object or record is damaged.
        what: String,
        /// What is wrong with it.
        detail: String,
    },

    /// Input supplied by the user was refused (a bad date, an unknown field, ...).
    #[error("{0}")]
    Invalid(String),

    /// The named item does not exist.
    #[error("no item with id {0}; `hishatak list` shows the ids in this archive")]
    NoSuchItem(String),

    /// The archive settings file could not be parsed.
    #[error("{}: {detail}", .path.display())]
    Settings {
        /// Path of hishatak.toml.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },

    /// The user interrupted the run (Ctrl-C); everything committed before stays valid.
    #[error("interrupted; everything committed before the interruption is kept, run the same command again to finish")]
    Interrupted,
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) =>
            {
                Error::Corruption {
                    what: "the catalog (catalog.sqlite)".into(),
                    detail: format!(
                        "{e}. The stored files in objects/ are not affected. Restore catalog.sqlite from your latest backup (`hishatak backup` makes one; see docs/reliability.md), then run `hishatak verify` and `hishatak reindex`"
                    ),
                }
            }
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
            {
                Error::Invalid(format!(
                    "the catalog stayed locked by another hishatak command for over 3 minutes ({e}); nothing was changed by this command, run it again when the other one is done"
                ))
            }
            rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::DiskFull => {
                Error::Invalid(format!(
                    "the disk holding the catalog is full ({e}); nothing of this step was committed; free some space and run the command again"
                ))
            }
            _ => Error::Catalog(e),
        }
    }
}

impl Error {
    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An input refusal with a message for a person.
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}

/// Attach a path to I/O errors: `fs::read(p).at(p)?`.
pub(crate) trait IoContext<T> {
    /// Turn an `io::Result` into a `Result` naming `path`.
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|e| Error::io(path, e))
    }
}
