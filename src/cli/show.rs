//! `hishatak show`, `list`, `history`

use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use hishatak::catalog::{Item, ListFilter};
use hishatak::model::check_lang;
use hishatak::Kind;

use super::output::{human_bytes, one_line};
use super::{open, Failure, Out, Outcome};

pub fn show(archive: &Option<PathBuf>, id: &str, out: Out) -> Result<Outcome, Failure> {
    let a = open(archive)?;
    let item = a.catalog.item(id)?;
    if out.json {
        out.json(&item.to_json(true));
        return Ok(Outcome::Done);
    }
    print_item(&item, out);
    Ok(Outcome::Done)
}

fn print_item(item: &Item, out: Out) {
    let r = &item.record;
    out.line(format!(
        "{}  {}  {}",
        item.id,
        item.kind(),
        one_line(&item.title())
    ));
    if let Some((at, why)) = &item.withdrawn {
        out.line(format!("  WITHDRAWN {at}: {why}"));
    }
    let field = |name: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            // A value of several lines (a description) keeps its lines, indented.
            let v = v.replace('\n', &format!("\n{:18}", ""));
            out.line(format!("  {:<15} {v}", one_line(name)));
        }
    };
    for (l, t) in &r.titles {
        field(&format!("title:{l}"), Some(t.clone()));
    }
    field("description", r.description.clone());
    for (l, t) in &r.descriptions {
        field(&format!("description:{l}"), Some(t.clone()));
    }
    field(
        "date",
        r.date.as_ref().map(|d| {
            let range = match (d.earliest, d.latest) {
                (Some(a), Some(b)) => format!(
                    "{} .. {}",
                    hishatak::edtf::format_day(a),
                    hishatak::edtf::format_day(b)
                ),
                (Some(a), None) => format!("{} .. (open)", hishatak::edtf::format_day(a)),
                (None, Some(b)) => format!("(open) .. {}", hishatak::edtf::format_day(b)),
                (None, None) => "(unknown)".into(),
            };
            format!("{}   [{range}]", d.text)
        }),
    );
    for name in [
        "lang",
        "creator",
        "collection",
        "source_archive",
        "source_country",
        "reference",
        "donor",
        "acquired",
        "custody",
        "rights",
        "access",
        "persons",
        "places",
        "subjects",
    ] {
        field(name, r.get_field(name));
    }
    for (k, v) in &r.meta {
        field(&format!("meta:{k}"), Some(v.clone()));
    }
    out.line("  files:");
    for f in &item.files {
        out.line(format!(
            "    {:<9} p{:<3} {:<28} {:>9}  {}  {}",
            f.role,
            f.page.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
            f.media_type,
            human_bytes(f.size),
            &f.sha256[..16.min(f.sha256.len())],
            one_line(&f.name)
        ));
        if f.role == "master" {
            if let Some(t) = &f.technical {
                out.line(format!("              {}", technical_line(t)));
            }
            if let Some(p) = &f.problem {
                out.line(format!("              FLAGGED: {p}"));
            }
        }
    }
    if !item.texts.is_empty() {
        out.line("  texts:");
        for t in &item.texts {
            let excerpt: String = t
                .text
                .chars()
                .take(160)
                .collect::<String>()
                .replace('\n', " ");
            let page = t.page.map(|p| format!(" p{p}")).unwrap_or_default();
            let conf = t
                .confidence
                .map(|c| format!(" ({c:.0}% confidence)"))
                .unwrap_or_default();
            out.line(format!(
                "    {:<11} {:<3} {:>6} chars{page}{conf}  {}{}",
                t.source,
                t.lang
                    .as_deref()
                    .or(t.detected_lang.as_deref())
                    .unwrap_or("?"),
                t.chars,
                excerpt,
                if t.chars > 160 { "…" } else { "" }
            ));
        }
    }
    out.line(format!(
        "  created {}   updated {}",
        item.created, item.updated
    ));
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only this kind
    #[arg(long)]
    kind: Option<String>,
    /// Only this collection
    #[arg(long)]
    collection: Option<String>,
    /// Only items in this language
    #[arg(long)]
    lang: Option<String>,
    /// Also list restricted and embargoed items (staff)
    #[arg(long)]
    include_restricted: bool,
    /// Also list withdrawn items
    #[arg(long)]
    include_withdrawn: bool,
    /// Print JSON Lines (one item per line)
    #[arg(long)]
    json: bool,
}

pub fn list(archive: &Option<PathBuf>, args: ListArgs, quiet: bool) -> Result<Outcome, Failure> {
    let out = Out::new(args.json, quiet);
    let filter = ListFilter {
        kind: args
            .kind
            .as_deref()
            .map(Kind::parse)
            .transpose()
            .map_err(|e| Failure::usage(format!("--kind: {e}")))?,
        collection: args.collection.clone(),
        lang: args
            .lang
            .as_deref()
            .map(check_lang)
            .transpose()
            .map_err(|e| Failure::usage(format!("--lang: {e}")))?,
        include_restricted: args.include_restricted,
        include_withdrawn: args.include_withdrawn,
    };
    let a = open(archive)?;
    let (items, hidden) = a.catalog.list(&filter)?;
    for item in &items {
        if out.json {
            super::output::stdout_line(&format!("{}", item.to_json(false)));
        } else {
            let date = item
                .record
                .date
                .as_ref()
                .map(|d| d.text.as_str())
                .unwrap_or("");
            let flag = if item.withdrawn.is_some() {
                " [withdrawn]"
            } else if !item.is_public() {
                // Restricted, or embargoed until a day still to come.
                " [restricted]"
            } else {
                ""
            };
            out.line(format!(
                "{}  {:<8} {:<22} {}{}",
                item.id,
                item.kind().as_str(),
                date,
                one_line(&item.title()),
                flag
            ));
        }
    }
    if !out.json && !quiet {
        eprintln!(
            "{} item(s){}",
            items.len(),
            if hidden > 0 {
                format!("; {hidden} restricted or withdrawn not shown (--include-restricted, --include-withdrawn)")
            } else {
                String::new()
            }
        );
    }
    Ok(Outcome::Done)
}

pub fn history(archive: &Option<PathBuf>, id: &str, out: Out) -> Result<Outcome, Failure> {
    let a = open(archive)?;
    let (id, events) = a.catalog.history(id)?;
    if out.json {
        out.json(&json!({"id": id, "events": events}));
        return Ok(Outcome::Done);
    }
    out.line(format!("{id}: {} event(s)", events.len()));
    for e in &events {
        let detail = match (e.kind.as_str(), &e.detail) {
            ("edited", d) => format!(
                "{}: {} -> {}",
                d["field"].as_str().unwrap_or("?"),
                d["old"]
                    .as_str()
                    .map(|s| format!("'{s}'"))
                    .unwrap_or_else(|| "(unset)".into()),
                d["new"]
                    .as_str()
                    .map(|s| format!("'{s}'"))
                    .unwrap_or_else(|| "(unset)".into())
            ),
            ("withdrawn", d) => d["reason"].as_str().unwrap_or("").to_string(),
            ("ingested", d) => format!("from {}", d["source"].as_str().unwrap_or("?")),
            ("fixity", d) => format!("{} file(s) checked", d["files_checked"]),
            (_, d) => d.to_string(),
        };
        out.line(format!(
            "  {}  {:<10} {:<8} {:<12} {}",
            e.at,
            e.kind,
            e.outcome,
            e.agent,
            one_line(&detail)
        ));
    }
    Ok(Outcome::Done)
}

/// One line about what was read inside a master: size, colour, pages, camera, place.
fn technical_line(t: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    if let (Some(w), Some(h)) = (t["width"].as_u64(), t["height"].as_u64()) {
        parts.push(format!("{w}x{h} px"));
    }
    if let Some(c) = t["color_type"].as_str() {
        match t["bit_depth"].as_u64() {
            Some(b) => parts.push(format!("{c} {b}-bit")),
            None => parts.push(c.to_string()),
        }
    }
    if let Some(p) = t["pages"].as_u64() {
        parts.push(format!("{p} page(s)"));
    }
    if t["encrypted"] == serde_json::json!(true) {
        parts.push("encrypted".into());
    }
    if let Some(tl) = t["text_layer"].as_bool() {
        parts.push(if tl { "text layer" } else { "no text layer" }.into());
    }
    if let Some(p) = t["producer"].as_str() {
        parts.push(format!("producer {p}"));
    }
    let e = &t["exif"];
    let camera: Vec<&str> = [e["make"].as_str(), e["model"].as_str()]
        .into_iter()
        .flatten()
        .collect();
    if !camera.is_empty() {
        parts.push(camera.join(" "));
    }
    if let Some(d) = e["date_time_original"].as_str() {
        parts.push(format!("taken {d}"));
    }
    if let (Some(la), Some(lo)) = (e["gps"]["lat"].as_f64(), e["gps"]["lon"].as_f64()) {
        parts.push(format!("GPS {la:.4}, {lo:.4}"));
    }
    if let Some(o) = e["orientation"].as_u64() {
        if o != 1 {
            parts.push(format!("EXIF orientation {o}"));
        }
    }
    parts.join(", ")
}
