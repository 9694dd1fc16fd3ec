//! `hishatak backup DEST`

use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;

use super::output::human_bytes;
use super::{open, Failure, Out, Outcome};

/// Arguments of `backup`.
#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// Folder of the copy: new or empty, or an earlier backup of this archive (updated:
    /// only objects it lacks are copied)
    dest: PathBuf,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn run(archive: &Option<PathBuf>, args: BackupArgs, quiet: bool) -> Result<Outcome, Failure> {
    let out = Out::new(args.json, quiet);
    let a = open(archive)?;
    let started = Instant::now();
    let bar = out.progress();
    let r = hishatak::backup::backup(&a, &args.dest, &bar)?;
    let secs = started.elapsed().as_secs_f64();
    if out.json {
        out.json(&json!({
            "dest": r.dest, "items": r.items, "objects": r.objects, "copied": r.copied,
            "copied_bytes": r.copied_bytes, "present": r.present, "damaged": r.damaged,
            "seconds": (secs * 1000.0).round() / 1000.0,
        }));
    } else {
        for d in &r.damaged {
            out.line(format!(
                "{:<8} {}  ({}); not copied, the backup keeps what it had",
                d.problem.to_uppercase(),
                d.path,
                d.detail
            ));
        }
        out.line(format!(
            "backed up {} item(s) to {}: {} object(s) copied and read back ({}), {} already there, in {:.1} s",
            r.items,
            r.dest,
            r.copied,
            human_bytes(r.copied_bytes),
            r.present,
            secs
        ));
        out.line(format!(
            "check it with: hishatak --archive {} verify",
            r.dest
        ));
    }
    if !r.damaged.is_empty() {
        if !out.json {
            out.error("damaged objects in this archive were not backed up: restore them from an older backup, then run verify");
        }
        return Ok(Outcome::Code(4));
    }
    Ok(Outcome::Done)
}
