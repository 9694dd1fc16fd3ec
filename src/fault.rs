//! Fault injection at the steps of the commit protocol, for tests that prove a failure
//! at any step leaves the archive valid.
//!
//! Inactive unless the environment variable `HISHATAK_FAULTS` is set, e.g.
//! `HISHATAK_FAULTS=stage-write=3:enospc,catalog-commit=1:crash`: the 3rd time a file is
//! staged the write fails with "No space left on device"; the 1st catalog commit aborts
//! the process as a crash would. Points: `stage-write`, `stage-sync`, `rename`,
//! `dir-sync`, `catalog-commit`, `index-commit`, `export-write`, `export-rename`,
//! `backup-install`. Actions: `enospc`, `eio`, `crash`. See docs/reliability.md.

use std::collections::HashMap;
use std::io;
use std::sync::{Mutex, OnceLock};

struct Fault {
    point: String,
    nth: u64,
    action: String,
}

fn spec() -> &'static [Fault] {
    static SPEC: OnceLock<Vec<Fault>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let Ok(text) = std::env::var("HISHATAK_FAULTS") else {
            return Vec::new();
        };
        text.split(',')
            .filter_map(|part| {
                let (point, rest) = part.trim().split_once('=')?;
                let (nth, action) = rest.split_once(':')?;
                Some(Fault {
                    point: point.to_string(),
                    nth: nth.parse().ok()?,
                    action: action.to_string(),
                })
            })
            .collect()
    })
}

/// Count a pass through `point`; fail or crash if the spec says so.
pub(crate) fn hit(point: &str) -> io::Result<()> {
    let faults = spec();
    if faults.is_empty() {
        return Ok(());
    }
    static COUNTS: OnceLock<Mutex<HashMap<String, u64>>> = OnceLock::new();
    let n = {
        let mut counts = COUNTS
            .get_or_init(|| Mutex::new(HashMap::new()))
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let c = counts.entry(point.to_string()).or_insert(0);
        *c += 1;
        *c
    };
    match faults.iter().find(|f| f.point == point && f.nth == n) {
        None => Ok(()),
        Some(f) if f.action == "crash" => std::process::abort(),
        Some(f) if f.action == "eio" => Err(io::Error::from_raw_os_error(5)),
        Some(_) => Err(io::Error::from_raw_os_error(28)),
    }
}
