//! `hishatak ingest`

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use hishatak::ingest::{self, manifest, IngestReport};
use hishatak::{IngestOptions, ItemRecord};

use super::output::{human_bytes, one_line};
use super::{open, Failure, Out, Outcome};

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// Files or folders to store (folders are walked in sorted order)
    #[arg(
        value_name = "FILE",
        required_unless_present = "manifest",
        conflicts_with = "manifest"
    )]
    files: Vec<PathBuf>,
    /// A manifest of items: .csv, .json or .jsonl
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Check the manifest and the files, store nothing
    #[arg(long)]
    dry_run: bool,
    /// document, photo, memoir, publication or audio [default: inferred from the content]
    #[arg(long)]
    kind: Option<String>,
    /// Collection the items belong to
    #[arg(long)]
    collection: Option<String>,
    /// Title
    #[arg(long)]
    title: Option<String>,
    /// Language(s) of the items, ISO 639 codes (e.g. hy or hy,en)
    #[arg(long, value_name = "CODE")]
    lang: Option<String>,
    /// Date (EDTF: 1915, 1915-04-24, 1915?, 1915~, 191X, 1915/1916, 1915-21 ...)
    #[arg(long, value_name = "EDTF")]
    date: Option<String>,
    /// Creator (author, photographer, office)
    #[arg(long)]
    creator: Option<String>,
    /// Archive that holds the original
    #[arg(long)]
    source_archive: Option<String>,
    /// Country of that archive (ISO 3166-1 alpha-2)
    #[arg(long, value_name = "CODE")]
    source_country: Option<String>,
    /// Reference code (call number)
    #[arg(long)]
    reference: Option<String>,
    /// Rights statement (text or URI)
    #[arg(long)]
    rights: Option<String>,
    /// open, restricted or embargoed:YYYY-MM-DD
    #[arg(long)]
    access: Option<String>,
    /// Donor
    #[arg(long)]
    donor: Option<String>,
    /// Extra metadata, KEY=VALUE (repeatable)
    #[arg(long = "meta", value_name = "KEY=VALUE")]
    meta: Vec<String>,
    /// All files become the pages of one item, in the order given
    #[arg(long)]
    one_item: bool,
    /// A transcript (text file) of the item
    #[arg(long, value_name = "FILE")]
    transcript: Option<PathBuf>,
    /// Encoding of the transcript when it is not UTF-8/UTF-16 with BOM (e.g. windows-1251)
    #[arg(long)]
    encoding: Option<String>,
    /// OCR: auto, always or never
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    ocr: String,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

impl IngestArgs {
    /// Validate the flags into ingest options (exit 2 on a bad value).
    fn options(&self) -> Result<IngestOptions, Failure> {
        let mut d = ItemRecord::default();
        let flags: [(&str, &Option<String>); 12] = [
            ("kind", &self.kind),
            ("collection", &self.collection),
            ("title", &self.title),
            ("lang", &self.lang),
            ("date", &self.date),
            ("creator", &self.creator),
            ("source_archive", &self.source_archive),
            ("source_country", &self.source_country),
            ("reference", &self.reference),
            ("rights", &self.rights),
            ("access", &self.access),
            ("donor", &self.donor),
        ];
        for (name, value) in flags {
            if let Some(v) = value {
                // The message already names the field ("date: '24.04.1915' is not ...").
                d.set_field(name, v)
                    .map_err(|e| Failure::usage(e.to_string()))?;
            }
        }
        for m in &self.meta {
            let (k, v) = m.split_once('=').ok_or_else(|| {
                Failure::usage(format!(
                    "--meta '{m}': write it as KEY=VALUE (e.g. --meta box=12)"
                ))
            })?;
            d.set_field(&format!("meta:{k}"), v)
                .map_err(|e| Failure::usage(format!("--meta: {e}")))?;
        }
        Ok(IngestOptions {
            defaults: d,
            one_item: self.one_item,
            dry_run: self.dry_run,
            transcript: self.transcript.clone(),
            encoding: self.encoding.clone(),
            ocr: hishatak::content::OcrMode::parse(&self.ocr)
                .map_err(|e| Failure::usage(format!("--ocr: {e}")))?,
        })
    }
}

pub fn run(archive: &Option<PathBuf>, args: IngestArgs, quiet: bool) -> Result<Outcome, Failure> {
    let out = Out::new(args.json, quiet);
    let opts = args.options()?;
    if args.dry_run && args.manifest.is_none() {
        return Err(Failure::usage(
            "--dry-run checks a manifest: use it with --manifest FILE",
        ));
    }
    let mut a = open(archive)?;
    let started = Instant::now();
    let mut warnings = Vec::new();
    let mut report = match &args.manifest {
        // A manifest is checked whole, then read, planned and stored a batch at a time.
        Some(m) => {
            let manifest = manifest::Manifest::open(m)?;
            let bar = out.progress();
            // The bar's totals take a first pass over the rows (counts only).
            let totals = if bar.shown() {
                match manifest.totals() {
                    Ok(t) => Some(t),
                    Err(hishatak::Error::Interrupted) => return Ok(Outcome::Code(130)),
                    Err(e) => return Err(e.into()),
                }
            } else {
                None
            };
            ingest::run_stream(&mut a, manifest.plans()?, totals, &opts, &bar)?
        }
        None => {
            let plans = ingest::plan_files(&args.files, &opts, &mut warnings)?;
            let bar = out.progress();
            ingest::run(&mut a, plans, &opts, &bar)?
        }
    };
    warnings.append(&mut report.warnings);
    report.warnings = warnings;
    if !report.stored.is_empty() && !report.dry_run {
        super::search::sync_after_change(&a, out);
    }
    let secs = started.elapsed().as_secs_f64();
    print_report(&report, out, secs);
    let anything = !report.stored.is_empty() || !report.duplicates.is_empty();
    if report.interrupted {
        return Ok(Outcome::Code(130));
    }
    if report.stopped.is_some() {
        return Ok(Outcome::Code(if report.stored.is_empty() { 1 } else { 3 }));
    }
    Ok(match (report.refused.is_empty(), anything) {
        (true, _) => Outcome::Done,
        (false, true) => Outcome::Code(3),
        (false, false) => Outcome::Code(1),
    })
}

fn print_report(r: &IngestReport, out: Out, secs: f64) {
    for w in &r.warnings {
        out.warn(w);
    }
    for f in &r.refused {
        out.error(format!("refused: {f}"));
    }
    if let Some(s) = &r.stopped {
        out.error(format!("stopped: {s}"));
    }
    if out.json {
        out.json(&json!({
            "dry_run": r.dry_run,
            "stored": r.stored,
            "duplicates": r.duplicates,
            "refused": r.refused,
            "warnings": r.warnings,
            "stopped": r.stopped,
            "content": r.content,
            "summary": {
                "stored": r.stored.len(), "duplicates": r.duplicates.len(),
                "refused": r.refused.len(), "bytes": r.bytes, "new_objects": r.new_objects,
                "seconds": (secs * 1000.0).round() / 1000.0,
            },
        }));
        return;
    }
    let verb = if r.dry_run { "would store" } else { "stored" };
    for s in &r.stored {
        let kind = if s.kind_inferred {
            format!("{} (inferred from {})", s.kind, s.media_type)
        } else {
            s.kind.to_string()
        };
        out.line(format!(
            "{verb:<11} {:<11} {kind:<34} {}",
            s.id.as_deref().unwrap_or("-"),
            one_line(&s.source)
        ));
    }
    for d in &r.duplicates {
        out.line(format!(
            "{:<11} {:<11} {} (already stored, nothing written)",
            "duplicate",
            d.id,
            one_line(&d.source)
        ));
    }
    let mut summary = format!(
        "{} {} item(s), {} duplicate(s), {} refused; {} read in {:.1} s",
        if r.dry_run { "would store" } else { "stored" },
        r.stored.len(),
        r.duplicates.len(),
        r.refused.len(),
        human_bytes(r.bytes),
        secs
    );
    if r.stored.is_empty() && r.refused.is_empty() && !r.duplicates.is_empty() {
        summary.push_str(" — nothing new: every input is already in the archive");
    }
    out.line(summary);
    if let Some(c) = &r.content {
        super::content::warn_content(out, &c.warnings, &c.flagged);
        out.line(format!(
            "read inside {} file(s): {} access copies and thumbnails, {} text source(s) (PDF text, OCR), {} flagged",
            c.files,
            c.derivatives,
            c.texts,
            c.flagged.len()
        ));
    }
}
