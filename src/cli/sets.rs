//! `hishatak set ...` and `hishatak export`

use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::json;

use hishatak::catalog::{SetChanges, SetKind};
use hishatak::export::{self, ExportOptions, Format};

use super::output::human_bytes;
use super::{open, Failure, Out, Outcome};

#[derive(Subcommand, Debug)]
pub enum SetCommand {
    /// Create a curated set
    Create {
        /// Set name (used by every other set command and by export)
        name: String,
        #[command(flatten)]
        fields: SetFields,
    },
    /// Change a set's title, description (per language), type, venue or dates
    Edit {
        /// Set name
        name: String,
        #[command(flatten)]
        fields: SetFields,
    },
    /// Add items at the end of a set, optionally with a caption
    Add {
        /// Set name
        name: String,
        /// Item ids
        #[arg(required = true)]
        ids: Vec<String>,
        /// Caption for the item(s) in this set
        #[arg(long)]
        caption: Option<String>,
        /// Language of the caption [default: the archive's first language]
        #[arg(long, value_name = "CODE")]
        caption_lang: Option<String>,
    },
    /// Remove an item from a set
    Remove {
        /// Set name
        name: String,
        /// Item id
        id: String,
    },
    /// Move an item to a position (1-based)
    Move {
        /// Set name
        name: String,
        /// Item id
        id: String,
        /// New position, 1 = first
        position: usize,
    },
    /// Show a set with its items in order
    Show {
        /// Set name
        name: String,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// List the sets
    List {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug, Default)]
pub struct SetFields {
    /// Title (in --lang when given)
    #[arg(long)]
    title: Option<String>,
    /// Description (in --lang when given)
    #[arg(long)]
    description: Option<String>,
    /// Language of --title and --description (hy, en, ru, ...)
    #[arg(long, value_name = "CODE")]
    lang: Option<String>,
    /// exhibition-permanent, exhibition-temporary, exhibition-online, exhibition-traveling or research
    #[arg(long = "type", value_name = "TYPE")]
    kind: Option<String>,
    /// Where the exhibition is shown
    #[arg(long)]
    venue: Option<String>,
    /// When it is shown (EDTF, e.g. 2026-04/2026-09)
    #[arg(long, value_name = "EDTF")]
    dates: Option<String>,
}

impl SetFields {
    fn changes(self) -> Result<SetChanges, Failure> {
        Ok(SetChanges {
            title: self.title,
            description: self.description,
            lang: self.lang,
            kind: self
                .kind
                .as_deref()
                .map(SetKind::parse)
                .transpose()
                .map_err(|e| Failure::usage(format!("--type: {e}")))?,
            venue: self.venue,
            dates: self.dates,
        })
    }
}

pub fn run(archive: &Option<PathBuf>, cmd: SetCommand, quiet: bool) -> Result<Outcome, Failure> {
    let mut a = open(archive)?;
    let default_lang = a
        .settings
        .languages
        .first()
        .cloned()
        .unwrap_or_else(|| "en".into());
    match cmd {
        SetCommand::Create { name, fields } => {
            let s = a.catalog.create_set(&name, &fields.changes()?)?;
            Out::new(false, quiet).line(format!(
                "created set '{}' ({}); add items with: hishatak set add '{}' ID...",
                s.name,
                s.kind.as_str(),
                s.name
            ));
        }
        SetCommand::Edit { name, fields } => {
            let s = a.catalog.edit_set(&name, &fields.changes()?)?;
            Out::new(false, quiet).line(format!("updated set '{}'", s.name));
        }
        SetCommand::Add {
            name,
            ids,
            caption,
            caption_lang,
        } => {
            let added = a.catalog.add_to_set(
                &name,
                &ids,
                caption.as_deref(),
                caption_lang.as_deref(),
                &default_lang,
            )?;
            let s = a.catalog.set(&name)?;
            let out = Out::new(false, quiet);
            for (id, now) in &added {
                if let Some(e) = s.items.iter().find(|e| e.id == *id) {
                    let item = a.catalog.item(&e.id)?;
                    let note = if *now { "added" } else { "already in the set" };
                    out.line(format!(
                        "{:>3}. {}  {}  ({note})",
                        e.position,
                        e.id,
                        item.title()
                    ));
                    if !item.is_public() {
                        out.warn(format!(
                            "{} is {}: `export` will refuse the set unless --include-restricted is given",
                            e.id,
                            item.record.access.as_string()
                        ));
                    }
                }
            }
            out.line(format!("set '{}' has {} item(s)", s.name, s.items.len()));
        }
        SetCommand::Remove { name, id } => {
            let id = a.catalog.remove_from_set(&name, &id)?;
            Out::new(false, quiet).line(format!("removed {id} from set '{}'", name.trim()));
        }
        SetCommand::Move { name, id, position } => {
            a.catalog.move_in_set(&name, &id, position)?;
            Out::new(false, quiet).line(format!("moved to position {position}"));
        }
        SetCommand::Show { name, json } => {
            let s = a.catalog.set(&name)?;
            let out = Out::new(json, quiet);
            let mut items = Vec::new();
            for e in &s.items {
                let item = a.catalog.item(&e.id)?;
                items.push(json!({
                    "position": e.position,
                    "id": e.id,
                    "title": item.title(),
                    "kind": item.kind().as_str(),
                    "date": item.record.date.as_ref().map(|d| d.text.clone()),
                    "access": item.record.access.as_string(),
                    "withdrawn": item.withdrawn.is_some(),
                    "captions": e.captions,
                }));
            }
            if json {
                out.json(&json!({
                    "name": s.name, "type": s.kind.as_str(), "title": s.title_in(None),
                    "titles": s.titles, "descriptions": s.descriptions, "venue": s.venue,
                    "dates": s.dates, "created": s.created, "updated": s.updated,
                    "items": items,
                }));
            } else {
                out.line(format!(
                    "{}  [{}]  {}",
                    s.name,
                    s.kind.as_str(),
                    s.title_in(None)
                ));
                for (l, t) in s.titles.iter().filter(|(l, _)| !l.is_empty()) {
                    out.line(format!("  title:{l}  {t}"));
                }
                for (l, d) in &s.descriptions {
                    let l = if l.is_empty() {
                        String::new()
                    } else {
                        format!(":{l}")
                    };
                    out.line(format!("  description{l}  {d}"));
                }
                if let Some(v) = &s.venue {
                    out.line(format!("  venue  {v}"));
                }
                if let Some(d) = &s.dates {
                    out.line(format!("  dates  {d}"));
                }
                for i in &items {
                    let mut flags = String::new();
                    if i["withdrawn"] == json!(true) {
                        flags.push_str("  [withdrawn: left out of exports]");
                    }
                    if i["access"] != json!("open") {
                        flags.push_str(&format!("  [{}]", i["access"].as_str().unwrap_or("")));
                    }
                    out.line(format!(
                        "{:>3}. {}  {}  {}{flags}",
                        i["position"],
                        i["id"].as_str().unwrap_or(""),
                        i["date"].as_str().unwrap_or("-"),
                        i["title"].as_str().unwrap_or("")
                    ));
                    if let Some(c) = i["captions"].as_object() {
                        for (l, t) in c {
                            out.line(format!("       caption:{l}  {}", t.as_str().unwrap_or("")));
                        }
                    }
                }
                out.line(format!("{} item(s)", items.len()));
            }
        }
        SetCommand::List { json } => {
            let sets = a.catalog.sets()?;
            let out = Out::new(json, quiet);
            if json {
                out.json(&serde_json::to_value(&sets).unwrap_or_default());
            } else {
                if sets.is_empty() {
                    out.line("no sets yet; create one with: hishatak set create NAME --title TEXT");
                }
                for s in sets {
                    out.line(format!(
                        "{}  [{}]  {} item(s)  {}",
                        s.name,
                        s.kind.as_str(),
                        s.items,
                        s.title
                    ));
                }
            }
        }
    }
    Ok(Outcome::Done)
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Set name
    name: String,
    /// zip (exhibition package), bagit (masters, RFC 8493), iiif (Presentation 3), site (static web exhibition)
    #[arg(long)]
    format: String,
    /// Where to write the package (a folder; a .zip file for zip)
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Export restricted and embargoed items too (for packages that stay in the archive)
    #[arg(long)]
    include_restricted: bool,
    /// Where the IIIF files will be served from [default: http://localhost:8000/]
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

pub fn export(
    archive: &Option<PathBuf>,
    args: ExportArgs,
    quiet: bool,
) -> Result<Outcome, Failure> {
    let format =
        Format::parse(&args.format).map_err(|e| Failure::usage(format!("--format: {e}")))?;
    if let Some(u) = &args.base_url {
        if !(u.starts_with("http://") || u.starts_with("https://")) {
            return Err(Failure::usage(format!(
                "--base-url {u}: give an http:// or https:// URL"
            )));
        }
    }
    let mut a = open(archive)?;
    let out = Out::new(args.json, quiet);
    let bar = out.progress();
    let started = std::time::Instant::now();
    let r = export::export(
        &mut a,
        &args.name,
        &ExportOptions {
            format,
            out: args.out.clone(),
            include_restricted: args.include_restricted,
            base_url: args.base_url.clone(),
        },
        &bar,
    )?;
    let secs = started.elapsed().as_secs_f64();
    for w in &r.withdrawn {
        out.warn(format!("{w} is withdrawn and was left out"));
    }
    for w in &r.warnings {
        out.warn(w);
    }
    for id in &r.restricted_included {
        out.warn(format!(
            "{id} is not open to the public and IS in this package (--include-restricted)"
        ));
    }
    if args.json {
        out.json(&json!({
            "set": r.set, "format": r.format.as_str(), "out": r.out.display().to_string(),
            "items": r.items, "withdrawn": r.withdrawn, "restricted_included": r.restricted_included,
            "files": r.files, "bytes": r.bytes, "warnings": r.warnings,
            "seconds": (secs * 1000.0).round() / 1000.0,
        }));
    } else {
        out.line(format!(
            "exported set '{}' as {}: {} item(s), {} file(s), {} in {:.1} s -> {}",
            r.set,
            r.format.as_str(),
            r.items.len(),
            r.files,
            human_bytes(r.bytes),
            secs,
            r.out.display()
        ));
        match r.format {
            Format::Site => out.line(format!(
                "open {} in a browser (works offline)",
                r.out.join("index.html").display()
            )),
            Format::Iiif => out.line(format!(
                "serve it with: python3 -m http.server 8000 --directory {}  then load {}collection.json in a IIIF viewer",
                r.out.display(),
                args.base_url.as_deref().unwrap_or("http://localhost:8000/")
            )),
            Format::Bagit => out.line(format!("check it with: bagit.py --validate {}", r.out.display())),
            Format::Zip => out.line("unzip it and open index.html; manifest.json lists every file with its SHA-256"),
        }
    }
    Ok(Outcome::Done)
}
