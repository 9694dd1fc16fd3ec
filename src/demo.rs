//! The embedded default: the sample collection in `collections/sample/`, built into the
//! binary, and the demo that ingests it.

use std::path::{Path, PathBuf};

use crate::archive::Archive;
use crate::error::{Error, IoContext, Result};
use crate::ingest::{self, manifest, IngestOptions, IngestReport};
use crate::progress::Progress;

include!(concat!(env!("OUT_DIR"), "/sample.rs"));

/// What the demo did.
pub struct DemoReport {
    /// The demo archive folder.
    pub archive: PathBuf,
    /// Whether it was created now (false: reused).
    pub created: bool,
    /// The ingest of the sample collection.
    pub ingest: IngestReport,
}

/// Write the embedded sample collection into `dir` (which must not exist or be empty).
/// Returns the path of its manifest.
pub fn extract_sample(dir: &Path) -> Result<PathBuf> {
    if SAMPLE.is_empty() {
        return Err(Error::invalid(
            "this hishatak was built without its sample collection (collections/sample/ was empty)",
        ));
    }
    for (rel, bytes) in SAMPLE {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).at(parent)?;
        }
        std::fs::write(&p, bytes).at(&p)?;
    }
    Ok(dir.join("manifest.csv"))
}

/// Create (or reuse) the archive at `dir` and ingest the sample collection into it.
pub fn run(dir: &Path, progress: &dyn Progress) -> Result<DemoReport> {
    let created = !dir.join(crate::archive::SETTINGS_FILE).exists();
    let mut archive = if created {
        Archive::init(dir, Some("hishatak demo archive"))?
    } else {
        Archive::open(dir)?
    };
    let tmp = std::env::temp_dir().join(format!("hishatak-sample-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let manifest_path = extract_sample(&tmp)?;
    let result = manifest::read(&manifest_path)
        .and_then(|plans| ingest::run(&mut archive, plans, &IngestOptions::default(), progress));
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(DemoReport {
        archive: dir.to_path_buf(),
        created,
        ingest: result?,
    })
}
