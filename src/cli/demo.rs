//! `hishatak demo`

use std::collections::BTreeMap;
use std::path::Path;

use hishatak::catalog::ListFilter;

use super::{Failure, Out, Outcome};

pub fn run(quiet: bool) -> Result<Outcome, Failure> {
    let out = Out::new(false, quiet);
    let dir = Path::new("demo-archive");
    let bar = out.progress();
    let r = hishatak::demo::run(dir, &bar)?;
    let ing = &r.ingest;
    out.line(format!(
        "{} {}",
        if r.created { "created" } else { "reused" },
        dir.display()
    ));
    for w in &ing.warnings {
        out.warn(w);
    }
    for f in &ing.refused {
        out.error(format!("refused: {f}"));
    }
    out.line(format!(
        "sample collection: {} item(s) stored, {} already there, {} refused",
        ing.stored.len(),
        ing.duplicates.len(),
        ing.refused.len()
    ));
    let a = hishatak::Archive::open(dir)?;
    let (items, hidden) = a.catalog.list(&ListFilter {
        include_restricted: true,
        include_withdrawn: true,
        ..ListFilter::default()
    })?;
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut langs: BTreeMap<String, usize> = BTreeMap::new();
    let mut countries: BTreeMap<String, usize> = BTreeMap::new();
    for i in &items {
        *kinds.entry(i.kind().as_str()).or_default() += 1;
        for l in &i.record.langs {
            *langs.entry(l.clone()).or_default() += 1;
        }
        if let Some(c) = &i.record.source_country {
            *countries.entry(c.clone()).or_default() += 1;
        }
    }
    let _ = hidden;
    out.line(format!(
        "the archive holds {} item(s): {}",
        items.len(),
        counts(&kinds)
    ));
    out.line(format!("  languages: {}", counts(&langs)));
    out.line(format!("  source countries: {}", counts(&countries)));
    // What was read inside the files: thumbnails, PDF text, metadata.
    let thumbs = items
        .iter()
        .flat_map(|i| i.files.iter())
        .filter(|f| f.role == "thumbnail")
        .count();
    let pdf_pages = items
        .iter()
        .flat_map(|i| i.texts.iter())
        .filter(|t| t.source == "pdf")
        .count();
    out.line(format!(
        "  read inside the files: {thumbs} page(s) with access copy and thumbnail, {pdf_pages} PDF page(s) of text"
    ));
    if let Some((item, f)) = items.iter().find_map(|i| {
        i.files
            .iter()
            .find(|f| f.role == "thumbnail" && i.kind() == hishatak::Kind::Photo)
            .map(|f| (i, f))
    }) {
        out.line(format!(
            "    thumbnail of {} ({}): {}",
            item.id,
            item.title(),
            a.store.locate(&f.sha256)
        ));
    }
    if let Some((item, t)) = items
        .iter()
        .find_map(|i| i.texts.iter().find(|t| t.source == "pdf").map(|t| (i, t)))
    {
        let excerpt: String = t.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let excerpt: String = excerpt.chars().take(100).collect();
        out.line(format!(
            "    text read from {} ({}, page {}): {excerpt}…",
            t.name.as_deref().unwrap_or("?"),
            item.id,
            t.page.unwrap_or(1)
        ));
    }
    // Cross-script searches: one spelling typed, every script found.
    match hishatak::search::Searcher::open(&a) {
        Ok(searcher) => {
            out.line("\nSearches (one spelling typed, every script and spelling found):");
            for q in [
                "Erzurum",
                "Baku",
                "Kharpert",
                "Komitas",
                "person:Khatchadourian",
            ] {
                let req = hishatak::search::SearchRequest {
                    query: q.to_string(),
                    limit: 4,
                    ..Default::default()
                };
                match searcher.search(&a, &req) {
                    Ok(r) => {
                        out.line(format!("  search {q:<24} {} item(s)", r.total));
                        for h in &r.hits {
                            let snip = h
                                .snippet
                                .replace("<b>", "[")
                                .replace("</b>", "]")
                                .replace("&lt;", "<")
                                .replace("&gt;", ">")
                                .replace("&#39;", "'")
                                .replace("&quot;", "\"")
                                .replace("&amp;", "&");
                            let snip: String = snip.chars().take(110).collect();
                            out.line(format!("    {}  {snip}", h.id));
                        }
                    }
                    Err(e) => out.warn(format!("search {q}: {e}")),
                }
            }
        }
        Err(e) => out.warn(format!("the search index could not be built: {e}")),
    }
    let mut a = a;
    out.line(format!(
        "\nExhibition: set '{}' exported in every format:",
        hishatak::demo::DEMO_SET
    ));
    for r in hishatak::demo::exhibition(&mut a, &bar)? {
        out.line(format!(
            "  {:<6} {} item(s), {} file(s) -> {}",
            r.format.as_str(),
            r.items.len(),
            r.files,
            r.out.display()
        ));
    }
    out.line(format!(
        "  open {} in a browser (works offline)",
        dir.join("exports/demo-exhibition-site/index.html")
            .display()
    ));
    if let Some(first) = items.first() {
        out.line("\nTry next:");
        out.line(format!("  hishatak --archive {} list", dir.display()));
        out.line(format!(
            "  hishatak --archive {} show {}",
            dir.display(),
            first.id
        ));
        out.line(format!(
            "  hishatak --archive {} history {}",
            dir.display(),
            first.id
        ));
        out.line(format!("  hishatak --archive {} verify", dir.display()));
        out.line(format!(
            "  hishatak --archive {} search Bakü --facets",
            dir.display()
        ));
        out.line(format!(
            "  hishatak --archive {} search '\"Der Zor\"' --from 1915 --to 1916",
            dir.display()
        ));
        out.line(format!("  hishatak --archive {} duplicates", dir.display()));
        out.line(format!(
            "  hishatak --archive {} derive --ocr always      # OCR, where tesseract is installed",
            dir.display()
        ));
        out.line(format!(
            "  hishatak --archive {} set show {}",
            dir.display(),
            hishatak::demo::DEMO_SET
        ));
        out.line(format!(
            "  hishatak --archive {} edit {} --set date=1915~",
            dir.display(),
            first.id
        ));
    }
    if !ing.refused.is_empty() {
        return Ok(Outcome::Code(3));
    }
    Ok(Outcome::Done)
}

fn counts<K: std::fmt::Display>(m: &BTreeMap<K, usize>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
