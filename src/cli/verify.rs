//! `hishatak verify`

use std::path::PathBuf;
use std::time::Instant;

use serde_json::json;

use super::output::human_bytes;
use super::{open, Failure, Out, Outcome};

/// Arguments of `verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// Check only objects not checked in the last DAYS days (never-checked ones included);
    /// run it daily with a cycle length to spread fixity over the days
    #[arg(long, value_name = "DAYS")]
    since: Option<u64>,
    /// Check a random PERCENT of the objects (after --since), at least one
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    sample: Option<f64>,
    /// Seed for --sample: the same seed picks the same objects
    #[arg(long, requires = "sample")]
    seed: Option<u64>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("'{s}' is not a number; give a percentage such as 5 or 0.5"))?;
    if !(v > 0.0 && v <= 100.0) {
        return Err(format!(
            "{s}: a sample is more than 0 and at most 100 percent"
        ));
    }
    Ok(v)
}

pub fn run(archive: &Option<PathBuf>, args: VerifyArgs, quiet: bool) -> Result<Outcome, Failure> {
    let out = Out::new(args.json, quiet);
    let mut a = open(archive)?;
    let started = Instant::now();
    let bar = out.progress();
    let sel = hishatak::verify::Selection {
        since_days: args.since,
        sample_percent: args.sample,
        seed: args.seed,
    };
    let r = hishatak::verify::verify_selected(&mut a, sel, &bar)?;
    let secs = started.elapsed().as_secs_f64();
    if out.json {
        out.json(&json!({
            "checked": r.checked, "ok": r.ok, "damaged": r.damaged, "orphans": r.orphans,
            "skipped": r.skipped,
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
            "checked {} object(s){}, {} in {:.1} s: {} ok, {} damaged, {} orphan(s); fixity recorded for {} item(s)",
            r.checked,
            if r.skipped > 0 {
                format!(" ({} not due or not in the sample)", r.skipped)
            } else {
                String::new()
            },
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
