//! `hishatak search`, `reindex`

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use serde_json::json;

use hishatak::model::check_lang;
use hishatak::search::{self, SearchRequest};
use hishatak::{edtf, Kind};

use super::{open, Failure, Out, Outcome};

#[derive(Args, Debug)]
pub struct SearchArgs {
    /// Words, "phrases", AND/OR/NOT, -word, prefixes title: person: place: subject: creator: ref: collection:
    /// (Quote a query of several words; a first word may start with '-'.)
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    query: String,
    /// More words of the query, when it is not quoted
    #[arg(value_name = "MORE", hide = true)]
    more: Vec<String>,
    /// Only this kind
    #[arg(long)]
    kind: Option<String>,
    /// Only items in this language
    #[arg(long)]
    lang: Option<String>,
    /// Only this collection
    #[arg(long)]
    collection: Option<String>,
    /// Only items from archives in this country (ISO 3166-1 alpha-2)
    #[arg(long, value_name = "CODE")]
    source_country: Option<String>,
    /// Dated no earlier than (EDTF; uncertain dates match when their range overlaps)
    #[arg(long, value_name = "EDTF")]
    from: Option<String>,
    /// Dated no later than (EDTF)
    #[arg(long, value_name = "EDTF")]
    to: Option<String>,
    /// Hits to show
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Hits to skip
    #[arg(long, default_value_t = 0)]
    offset: usize,
    /// Count hits by kind, language, collection, source country, access and decade
    #[arg(long)]
    facets: bool,
    /// Staff: include restricted and embargoed items
    #[arg(long)]
    include_restricted: bool,
    /// Staff: include withdrawn items
    #[arg(long)]
    include_withdrawn: bool,
    /// Match only in the script typed (no transliteration, no variant names)
    #[arg(long)]
    exact_script: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

fn date(flag: &str, v: &Option<String>) -> Result<Option<edtf::Edtf>, Failure> {
    v.as_deref()
        .map(|s| edtf::parse(s).map_err(|e| Failure::usage(format!("--{flag}: {e}"))))
        .transpose()
}

pub fn run(archive: &Option<PathBuf>, args: SearchArgs, quiet: bool) -> Result<Outcome, Failure> {
    let out = Out::new(args.json, quiet);
    let req = SearchRequest {
        query: std::iter::once(args.query.clone())
            .chain(args.more.iter().cloned())
            .collect::<Vec<_>>()
            .join(" "),
        kind: args
            .kind
            .as_deref()
            .map(Kind::parse)
            .transpose()
            .map_err(|e| Failure::usage(format!("--kind: {e}")))?,
        lang: args
            .lang
            .as_deref()
            .map(check_lang)
            .transpose()
            .map_err(|e| Failure::usage(format!("--lang: {e}")))?,
        collection: args.collection.clone(),
        source_country: args.source_country.clone(),
        from: date("from", &args.from)?,
        to: date("to", &args.to)?,
        limit: args.limit,
        offset: args.offset,
        facets: args.facets,
        include_restricted: args.include_restricted,
        include_withdrawn: args.include_withdrawn,
        exact_script: args.exact_script,
    };
    let a = open(archive)?;
    let r = search::search(&a, &req)?;
    if r.freshness.busy {
        out.warn("another hishatak command is updating the search index; these results may lack its newest changes");
    }
    if let Some(why) = &r.freshness.rebuilt {
        out.warn(format!(
            "the search index was rebuilt from the catalog ({why})"
        ));
    }
    if out.json {
        let mut v = json!({
            "query": r.query, "total": r.total, "took_ms": r.took_ms, "hits": r.hits,
        });
        if let Some(f) = &r.facets {
            v["facets"] = json!(f);
        }
        out.json(&v);
        return Ok(Outcome::Done);
    }
    out.line(format!(
        "{} item(s) match \"{}\" ({} ms)",
        r.total, r.query, r.took_ms
    ));
    for (i, h) in r.hits.iter().enumerate() {
        out.line(format!(
            "\n{:>3}. {}  {}  {}  {}",
            req.offset + i + 1,
            h.id,
            h.kind,
            h.date.as_deref().unwrap_or("undated"),
            super::output::one_line(&h.title)
        ));
        let plain = h.snippet.replace("<b>", "[").replace("</b>", "]");
        let plain = plain
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        out.line(format!(
            "     {}{}",
            h.matched_in
                .as_deref()
                .map(|m| format!("{m}: "))
                .unwrap_or_default(),
            plain
        ));
    }
    if let Some(f) = &r.facets {
        out.line("");
        for (name, counts) in f {
            if counts.is_empty() {
                continue;
            }
            let list: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            out.line(format!("{name}: {}", list.join(", ")));
        }
    }
    if r.total > req.offset + r.hits.len() {
        out.line(format!("\n(more: --offset {})", req.offset + r.hits.len()));
    }
    Ok(Outcome::Done)
}

pub fn reindex(archive: &Option<PathBuf>, quiet: bool) -> Result<Outcome, Failure> {
    let a = open(archive)?;
    let started = Instant::now();
    let n = search::reindex(&a)?;
    if !quiet {
        super::output::stdout_line(&format!(
            "indexed {n} item(s) in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(Outcome::Done)
}

/// Bring the index up to date after a change; a failure only warns (the next search
/// catches up).
pub fn sync_after_change(a: &hishatak::Archive, out: Out) {
    if let Err(e) = search::sync(a) {
        out.warn(format!(
            "the search index was not updated ({e}); the next search will catch up"
        ));
    }
}
