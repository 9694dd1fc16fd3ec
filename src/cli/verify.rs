//! `hishatak verify`

use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;

use super::output::human_bytes;
use super::{open, Failure, Out, Outcome};

pub fn run(archive: &Option<PathBuf>, out: Out) -> Result<Outcome, Failure> {
    let mut a = open(archive)?;
    let started = Instant::now();
    let bar = out.progress();
    let r = hishatak::verify::verify(&mut a, &bar)?;
    let secs = started.elapsed().as_secs_f64();
    if out.json {
        out.json(&json!({
            "checked": r.checked, "ok": r.ok, "damaged": r.damaged, "orphans": r.orphans,
            "bytes": r.bytes, "items": r.items, "seconds": (secs * 1000.0).round() / 1000.0,
        }));
    } else {
        for d in &r.damaged {
            out.line(format!(
                "{:<8} {}  items {}  files {}  ({})",
                d.problem.to_uppercase(),
                d.path,
                d.items.join(","),
                d.files.join(", "),
                d.detail
            ));
        }
        for o in &r.orphans {
            out.line(format!(
                "orphan   {o}  (no catalog row refers to it; harmless, kept)"
            ));
        }
        out.line(format!(
            "checked {} object(s), {} in {:.1} s: {} ok, {} damaged, {} orphan(s); fixity recorded for {} item(s)",
            r.checked,
            human_bytes(r.bytes),
            secs,
            r.ok,
            r.damaged.len(),
            r.orphans.len(),
            r.items
        ));
    }
    if r.is_damaged() {
        if !out.json {
            out.error("damage found: restore the damaged objects from a backup (the paths above), then run verify again");
        }
        return Ok(Outcome::Code(4));
    }
    Ok(Outcome::Done)
}
