//! # hishatak
//!
//! Keep an archive's digital collection: ingest documents, photos and memoirs with their
//! provenance into a folder whose files are stored bit-exact by content hash, prove their
//! fixity, and describe them in a SQLite catalog.
//!
//! ```
//! use hishatak::{ingest, Archive, IngestOptions, Silent};
//!
//! # fn main() -> hishatak::Result<()> {
//! let dir = tempfile::tempdir().unwrap();
//! let mut archive = Archive::init(&dir.path().join("archive"), Some("Family papers"))?;
//!
//! // A scan to ingest, with a date the archivist is not sure of.
//! let scan = dir.path().join("letter.txt");
//! std::fs::write(&scan, "Dear brother, we reached Aleppo in the spring.").unwrap();
//! let mut opts = IngestOptions::default();
//! opts.defaults.set_field("date", "1916?")?;
//! opts.defaults.set_field("lang", "en")?;
//! let plans = ingest::plan_files(&[scan], &opts, &mut Vec::new())?;
//! let report = ingest::run(&mut archive, plans, &opts, &Silent)?;
//! let id = report.stored[0].id.clone().unwrap();
//!
//! let item = archive.catalog.item(&id)?;
//! assert_eq!(item.record.date.as_ref().unwrap().text, "1916?");
//! assert_eq!(item.texts[0].source, "transcript");
//!
//! // Every stored byte is still what was ingested.
//! let fixity = hishatak::verify::verify(&mut archive, &Silent)?;
//! assert!(!fixity.is_damaged());
//! # Ok(())
//! # }
//! ```

// One `unsafe` block in the crate, allowed where it is and argued there: the call into
// the AVX-512 SHA-512 rounds after the CPU was checked for them (export/sha512.rs).
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod archive;
pub mod backup;
pub mod catalog;
mod clock;
pub mod content;
pub mod demo;
pub mod derive;
pub mod edtf;
mod error;
pub mod export;
mod fault;
pub mod ingest;
pub mod interrupt;
pub mod model;
pub mod notice;
mod progress;
pub mod search;
mod settings;
pub mod store;
pub mod verify;

pub use archive::{Archive, CATALOG_FILE, SETTINGS_FILE};
pub use error::{Error, Result};
pub use ingest::{IngestOptions, IngestReport};
pub use model::{Access, ItemRecord, Kind};
pub use progress::{Progress, Silent};
pub use settings::Settings;
