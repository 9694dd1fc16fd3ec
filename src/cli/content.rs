//! `hishatak derive` and `hishatak duplicates`

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use hishatak::catalog::ListFilter;
use hishatak::content::{self, OcrMode};

use super::{open, Failure, Out, Outcome};

#[derive(Args, Debug)]
pub struct DeriveArgs {
    /// Items to (re)make; all items when none is given
    ids: Vec<String>,
    /// OCR: auto (items without a transcript), always or never
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    ocr: String,
    /// Only items that were never analysed (for example after an interrupted ingest)
    #[arg(long)]
    missing: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn derive(
    archive: &Option<PathBuf>,
    args: DeriveArgs,
    quiet: bool,
) -> Result<Outcome, Failure> {
    let ocr = OcrMode::parse(&args.ocr).map_err(|e| Failure::usage(format!("--ocr: {e}")))?;
    let mut a = open(archive)?;
    let ids: Vec<String> = if args.ids.is_empty() {
        let (items, _) = a.catalog.list(&ListFilter {
            include_restricted: true,
            include_withdrawn: true,
            ..ListFilter::default()
        })?;
        items.into_iter().map(|i| i.id).collect()
    } else {
        let mut v = Vec::new();
        for id in &args.ids {
            v.push(a.catalog.item(id)?.id);
        }
        v
    };
    let out = Out::new(args.json, quiet);
    let bar = out.progress();
    let started = std::time::Instant::now();
    let r = content::process(
        &mut a,
        &ids,
        &content::Options {
            ocr,
            force: !args.missing,
        },
        &bar,
    )?;
    // The index picks up the new texts from the `derived` events.
    if let Err(e) = hishatak::search::sync(&a) {
        out.warn(format!(
            "the search index was not updated ({e}); run `hishatak reindex`"
        ));
    }
    if args.json {
        out.json(&json!({
            "items": r.items, "files": r.files, "derivatives": r.derivatives, "texts": r.texts,
            "flagged": r.flagged, "warnings": r.warnings,
            "seconds": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        }));
    } else {
        warn_content(out, &r.warnings, &r.flagged);
        out.line(format!(
            "read inside {} file(s) of {} item(s) in {:.1} s: {} access copies and thumbnails, {} text source(s), {} flagged",
            r.files,
            r.items,
            started.elapsed().as_secs_f64(),
            r.derivatives,
            r.texts,
            r.flagged.len()
        ));
    }
    Ok(Outcome::Done)
}

#[derive(Args, Debug)]
pub struct DuplicatesArgs {
    /// Largest perceptual-hash distance (of 256 bits) still called a near-duplicate
    #[arg(long, default_value_t = content::NEAR_DUPLICATE_DISTANCE)]
    max_distance: u32,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn duplicates(
    archive: &Option<PathBuf>,
    args: DuplicatesArgs,
    quiet: bool,
) -> Result<Outcome, Failure> {
    let a = open(archive)?;
    let exact = a.catalog.exact_duplicates()?;
    let hashes = a.catalog.image_hashes()?;
    // Group pages of different items whose hashes are within the distance (single link).
    // Every pair is compared (four popcounts each); nothing per pair is kept, so pages
    // that are all close to one another cost time, not memory.
    let n = hashes.len();
    let bits: Vec<Option<content::Bits>> = hashes
        .iter()
        .map(|h| content::Bits::parse(&h.hash))
        .collect();
    let mut parent: Vec<usize> = (0..n).collect();
    // Largest distance of a pair inside the group, kept at the group's root.
    let mut widest: Vec<u32> = vec![0; n];
    let mut paired: Vec<bool> = vec![false; n];
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..n {
        let Some(bi) = bits[i] else { continue };
        for j in i + 1..n {
            let Some(bj) = bits[j] else { continue };
            let d = bi.distance(&bj);
            if d > args.max_distance || hashes[i].item == hashes[j].item {
                continue;
            }
            paired[i] = true;
            paired[j] = true;
            let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
            if ri != rj {
                parent[rj] = ri;
                widest[ri] = widest[ri].max(widest[rj]);
            }
            widest[ri] = widest[ri].max(d);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &p) in paired.iter().enumerate() {
        if p {
            let r = root(&mut parent, i);
            groups.entry(r).or_default().push(i);
        }
    }
    let near: Vec<serde_json::Value> = groups
        .iter()
        .map(|(&r, members)| {
            json!({
                "max_distance": widest[r],
                "pages": members.iter().map(|&i| json!({
                    "id": hashes[i].item, "name": hashes[i].name, "page": hashes[i].page,
                    "sha256": hashes[i].sha256,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let out = Out::new(args.json, quiet);
    if args.json {
        out.json(&json!({
            "exact": exact.iter().map(|(sha, items)| json!({"sha256": sha, "ids": items})).collect::<Vec<_>>(),
            "near": near,
            "max_distance": args.max_distance,
            "pages_compared": n,
        }));
    } else {
        for (sha, items) in &exact {
            out.line(format!(
                "exact  {}  the same file in {}",
                &sha[..16],
                items.join(", ")
            ));
        }
        for g in &near {
            let pages: Vec<String> = g["pages"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| {
                            format!(
                                "{} p{} ({})",
                                p["id"].as_str().unwrap_or(""),
                                p["page"],
                                p["name"].as_str().unwrap_or("")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.line(format!(
                "near   distance ≤ {}  {}",
                g["max_distance"],
                pages.join("  ~  ")
            ));
        }
        out.line(format!(
            "{} exact duplicate file(s), {} near-duplicate group(s) among {} image page(s) (max distance {} of 256)",
            exact.len(),
            near.len(),
            n,
            args.max_distance
        ));
    }
    Ok(Outcome::Done)
}

/// The warnings and flagged files of content analysis, on stderr (derive and ingest).
pub(super) fn warn_content(out: Out, warnings: &[String], flagged: &[String]) {
    for w in warnings {
        out.warn(w);
    }
    for f in flagged {
        out.warn(format!("flagged: {f}"));
    }
}
