//! `hishatak edit`, `withdraw`

use std::path::PathBuf;

use clap::Args;

use super::{open, Failure, Outcome};

#[derive(Args, Debug)]
pub struct EditArgs {
    /// Item id
    id: String,
    /// FIELD=VALUE to set (repeatable); fields as in manifests (title:hy, date, persons ...)
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    set: Vec<String>,
    /// FIELD to clear (repeatable)
    #[arg(long = "unset", value_name = "FIELD")]
    unset: Vec<String>,
}

pub fn edit(archive: &Option<PathBuf>, args: EditArgs, quiet: bool) -> Result<Outcome, Failure> {
    if args.set.is_empty() && args.unset.is_empty() {
        return Err(Failure::usage(
            "nothing to change: give --set FIELD=VALUE or --unset FIELD",
        ));
    }
    let mut changes = Vec::new();
    for s in &args.set {
        let (f, v) = s.split_once('=').ok_or_else(|| {
            Failure::usage(format!(
                "--set '{s}': write it as FIELD=VALUE (e.g. --set date=1915?)"
            ))
        })?;
        changes.push((f.trim().to_string(), Some(v.to_string())));
    }
    for f in &args.unset {
        changes.push((f.trim().to_string(), None));
    }
    let mut a = open(archive)?;
    let changed = a.catalog.edit(&args.id, &changes)?;
    if !changed.is_empty() {
        super::search::sync_after_change(&a, super::Out::new(false, quiet));
    }
    if !quiet {
        if changed.is_empty() {
            super::output::stdout_line(&format!(
                "{}: nothing changed (the values were already so)",
                args.id
            ));
        } else {
            super::output::stdout_line(&format!("{}: changed {}", args.id, changed.join(", ")));
        }
    }
    Ok(Outcome::Done)
}

pub fn withdraw(
    archive: &Option<PathBuf>,
    id: &str,
    reason: &str,
    quiet: bool,
) -> Result<Outcome, Failure> {
    let mut a = open(archive)?;
    let id = a.catalog.withdraw(id, reason)?;
    super::search::sync_after_change(&a, super::Out::new(false, quiet));
    if !quiet {
        super::output::stdout_line(&format!(
            "{id}: withdrawn; it no longer appears in search or exports (files and history kept)"
        ));
    }
    Ok(Outcome::Done)
}
