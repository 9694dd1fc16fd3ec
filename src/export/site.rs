//! A static web exhibition that opens from `file://` with no network: `index.html` (the
//! set in order, thumbnails, captions, a search box), `items/<ID>.html` (access images,
//! all metadata, the texts), a language switch, plain JavaScript and CSS beside them.
//!
//! Safety: every piece of catalog text is HTML-escaped where it is written; the search
//! data is JSON with `<`, `>`, `&` and line separators escaped so it cannot close its
//! script element; the script only ever sets `textContent` and `hidden`; the only links
//! are to files of the package and to `http(s)` rights URIs. A Content-Security-Policy
//! forbids inline scripts, so even markup that slipped through could not run.

use std::collections::BTreeMap;

use crate::catalog::Item;
use crate::error::{Error, Result};
use crate::search::analyze;

use super::{item_texts, url_path, Package, PkgItem, Sink};

/// HTML text and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside a `<script>` element.
fn script_json(v: &serde_json::Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A link target we accept from catalog data: only absolute http(s) URLs.
fn safe_url(s: &str) -> Option<&str> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    ((lower.starts_with("http://") || lower.starts_with("https://"))
        && !t.contains(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>'))
    .then_some(t)
}

/// Text in several languages: one `<span lang>` each, the switch shows one.
fn multi(map: &BTreeMap<String, String>, fallback: &str) -> String {
    let shown: Vec<(&String, &String)> = map.iter().filter(|(_, t)| !t.trim().is_empty()).collect();
    if shown.is_empty() {
        return format!("<span>{}</span>", esc(fallback));
    }
    let mut out = String::from("<span class=\"l10n\">");
    for (l, t) in shown {
        let lang = if l.is_empty() { "und" } else { l.as_str() };
        out.push_str(&format!("<span lang=\"{}\">{}</span>", esc(lang), esc(t)));
    }
    out.push_str("</span>");
    out
}

fn titles_of(item: &Item) -> BTreeMap<String, String> {
    let mut m = item.record.titles.clone();
    if m.is_empty() {
        let lang = item.record.langs.first().cloned().unwrap_or_default();
        m.insert(lang, item.title());
    }
    m
}

/// A whole page.
fn page(title: &str, lang: &str, root: &str, body: &str, langs: &[String]) -> String {
    format!(
        "{}{body}{}",
        page_head(title, lang, root, langs),
        page_tail(root)
    )
}

/// The start of a page, up to where its body goes (`root` is the way back to the package
/// root: `""` or `"../"`).
fn page_head(title: &str, lang: &str, root: &str, langs: &[String]) -> String {
    let switch = if langs.len() > 1 {
        let buttons: String = langs
            .iter()
            .map(|l| {
                format!(
                    "<button type=\"button\" data-lang=\"{0}\">{0}</button>",
                    esc(l)
                )
            })
            .collect();
        format!("<nav class=\"langs\" aria-label=\"Language\">{buttons}</nav>")
    } else {
        String::new()
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'\">\n\
<title>{title}</title>\n<link rel=\"stylesheet\" href=\"{root}assets/site.css\">\n</head>\n<body>\n\
<header>{switch}</header>\n<main>\n",
        lang = esc(lang),
        title = esc(title),
    )
}

/// The end of a page, after its body.
fn page_tail(root: &str) -> String {
    format!(
        "\n</main>\n\
<footer><p>Made with hishatak. Opens without a network.</p></footer>\n\
<script src=\"{root}assets/data.js\"></script>\n<script src=\"{root}assets/site.js\"></script>\n</body>\n</html>\n"
    )
}

/// Write the site into the sink (the images are already there). `index.html` and the
/// search data are streamed item by item, so a set of any size needs the memory of one
/// item.
pub(crate) fn write(pkg: &Package<'_>, sink: &mut dyn Sink) -> Result<()> {
    let set = &pkg.set;
    let first_lang = pkg.langs.first().cloned().unwrap_or_else(|| "en".into());
    let mut set_titles = set.titles.clone();
    if set_titles.is_empty() {
        set_titles.insert(String::new(), set.name.clone());
    }
    let desc = if set.descriptions.is_empty() {
        String::new()
    } else {
        format!(
            "<p class=\"description\">{}</p>",
            multi(&set.descriptions, "")
        )
    };
    let meta_line = [
        Some(set.kind.as_str().replace('-', " ")),
        set.venue.clone(),
        set.dates.clone(),
    ]
    .into_iter()
    .flatten()
    .map(|s| esc(&s))
    .collect::<Vec<_>>()
    .join(" · ");
    let intro = format!(
        "<h1>{title}</h1>\n<p class=\"meta\">{meta_line}</p>\n{desc}\n\
<form class=\"search\" role=\"search\"><label for=\"q\">Search this exhibition</label> \
<input type=\"search\" id=\"q\" name=\"q\" autocomplete=\"off\"> <output id=\"count\">{n} items</output></form>\n\
<ol class=\"cards\" id=\"cards\">\n",
        title = multi(&set_titles, &set.name),
        n = pkg.items.len(),
    );
    let head = page_head(
        &set.title_in(Some(&first_lang)),
        &first_lang,
        "",
        &pkg.langs,
    );
    let io = |e: std::io::Error| Error::io("index.html", e);
    sink.add_streamed("index.html", &mut |w| {
        w.write_all(head.as_bytes()).map_err(io)?;
        w.write_all(intro.as_bytes()).map_err(io)?;
        pkg.each_item(|_, p, item| w.write_all(card(p, item).as_bytes()).map_err(io))?;
        w.write_all(b"</ol>\n<p id=\"none\" hidden>No item matches.</p>")
            .map_err(io)?;
        w.write_all(page_tail("").as_bytes()).map_err(io)
    })?;

    pkg.each_item(|i, p, item| {
        sink.add(
            &format!("items/{}.html", item.id),
            item_page(pkg, i, p, item, &first_lang).as_bytes(),
        )
    })?;

    let io = |e: std::io::Error| Error::io("assets/data.js", e);
    sink.add_streamed("assets/data.js", &mut |w| {
        let langs = script_json(&serde_json::json!(pkg.langs));
        write!(w, "window.HISHATAK = {{\"languages\":{langs},\"items\":[").map_err(io)?;
        pkg.each_item(|k, p, item| {
            let sep = if k == 0 { "" } else { "," };
            write!(w, "{sep}{}", script_json(&search_entry(p, item))).map_err(io)
        })?;
        w.write_all(b"]};\n").map_err(io)
    })?;
    sink.add("assets/site.js", SITE_JS.as_bytes())?;
    sink.add("assets/site.css", SITE_CSS.as_bytes())?;
    Ok(())
}

/// An item's card on the index page.
fn card(p: &PkgItem, item: &Item) -> String {
    let thumb = p
        .pages
        .iter()
        .find_map(|pg| pg.thumbnail.as_ref())
        .map(|t| {
            format!(
                "<img src=\"{}\" alt=\"\" width=\"{}\" height=\"{}\" loading=\"lazy\">",
                esc(&url_path(&t.path)),
                t.width.unwrap_or(0),
                t.height.unwrap_or(0)
            )
        })
        .unwrap_or_else(|| format!("<div class=\"noimage\">{}</div>", esc(item.kind().as_str())));
    let date = item
        .record
        .date
        .as_ref()
        .map(|d| d.text.clone())
        .unwrap_or_default();
    format!(
        "<li class=\"card\" data-id=\"{id}\"><a href=\"items/{id}.html\">{thumb}<span class=\"title\">{title}</span></a>\
<span class=\"date\">{date}</span><p class=\"caption\">{caption}</p></li>\n",
        id = esc(&item.id),
        title = multi(&titles_of(item), &item.title()),
        date = esc(&date),
        caption = multi(&p.entry.captions, ""),
    )
}

/// An item's entry in the search data: titles, captions, people, places, subjects, date,
/// description and the first part of the texts, folded, with the Latin forms of every
/// word so that a visitor typing in one script finds the others.
fn search_entry(p: &PkgItem, item: &Item) -> serde_json::Value {
    let r = &item.record;
    let mut raw = Vec::new();
    raw.extend(titles_of(item).into_values());
    raw.extend(p.entry.captions.values().cloned());
    raw.extend(r.persons.iter().cloned());
    raw.extend(r.places.iter().cloned());
    raw.extend(r.subjects.iter().cloned());
    raw.extend(r.descriptions.values().cloned());
    raw.extend(r.description.iter().cloned());
    raw.extend(r.creator.iter().cloned());
    raw.push(r.date.as_ref().map(|d| d.text.clone()).unwrap_or_default());
    raw.push(item.id.clone());
    for (_, _, t) in item_texts(item) {
        raw.push(t.chars().take(3000).collect());
    }
    let mut words: Vec<String> = Vec::new();
    for text in &raw {
        for w in analyze::words(text) {
            let folded = analyze::fold(&w.lower);
            words.push(analyze::to_latin(&folded));
            words.push(folded);
        }
    }
    words.sort();
    words.dedup();
    serde_json::json!({"id": item.id, "text": words.join(" ")})
}

/// The page of the `i`-th item.
fn item_page(pkg: &Package<'_>, i: usize, p: &PkgItem, item: &Item, first_lang: &str) -> String {
    let set = &pkg.set;
    let id = &item.id;
    let r = &item.record;
    let mut images = String::new();
    for pg in &p.pages {
        match &pg.access {
            Some(a) if a.width.is_some() => images.push_str(&format!(
                "<figure><img src=\"../{}\" alt=\"page {}\" width=\"{}\" height=\"{}\"><figcaption>p. {}</figcaption></figure>\n",
                esc(&url_path(&a.path)), pg.page, a.width.unwrap_or(0), a.height.unwrap_or(0), pg.page
            )),
            Some(a) => images.push_str(&format!(
                "<p class=\"file\"><a href=\"../{}\">{}</a> ({})</p>\n",
                esc(&url_path(&a.path)),
                esc(&pg.master.name),
                esc(&a.media_type)
            )),
            None => images.push_str(&format!(
                "<p class=\"file\">{} (no access copy)</p>\n",
                esc(&pg.master.name)
            )),
        }
    }
    let mut rows = String::new();
    let mut row = |label: &str, value: String| {
        if !value.trim().is_empty() {
            rows.push_str(&format!(
                "<tr><th>{}</th><td>{}</td></tr>\n",
                esc(label),
                value
            ));
        }
    };
    row("Identifier", esc(id));
    row("Kind", esc(item.kind().as_str()));
    row(
        "Date",
        esc(&r.date.as_ref().map(|d| d.text.clone()).unwrap_or_default()),
    );
    row("Languages", esc(&r.langs.join(", ")));
    row("Creator", esc(r.creator.as_deref().unwrap_or("")));
    row("Collection", esc(r.collection.as_deref().unwrap_or("")));
    row(
        "Source archive",
        esc(r.source_archive.as_deref().unwrap_or("")),
    );
    row("Country", esc(r.source_country.as_deref().unwrap_or("")));
    row("Reference", esc(r.reference.as_deref().unwrap_or("")));
    row("Donor", esc(r.donor.as_deref().unwrap_or("")));
    row("Custody", esc(r.custody.as_deref().unwrap_or("")));
    row("Persons", esc(&r.persons.join("; ")));
    row("Places", esc(&r.places.join("; ")));
    row("Subjects", esc(&r.subjects.join("; ")));
    for (k, v) in &r.meta {
        row(k, esc(v));
    }
    if let Some(rights) = &r.rights {
        row(
            "Rights",
            match safe_url(rights) {
                Some(u) => format!("<a href=\"{0}\" rel=\"license noopener\">{0}</a>", esc(u)),
                None => esc(rights),
            },
        );
    }
    let mut descriptions = r.descriptions.clone();
    if let Some(d) = &r.description {
        descriptions
            .entry(String::new())
            .or_insert_with(|| d.clone());
    }
    let description = if descriptions.is_empty() {
        String::new()
    } else {
        format!("<p class=\"description\">{}</p>", multi(&descriptions, ""))
    };
    let texts: String = item_texts(item)
        .into_iter()
        .map(|(source, lang, text)| {
            let lang = lang.unwrap_or_default();
            format!(
                "<section class=\"text\"><h2>{} {}</h2><div lang=\"{}\" class=\"body\">{}</div></section>\n",
                esc(&source),
                esc(&lang),
                esc(if lang.is_empty() { "und" } else { &lang }),
                esc(&text).replace('\n', "<br>\n")
            )
        })
        .collect();
    let link = |j: usize, rel: &str, text: &dyn Fn(&str) -> String| {
        pkg.items
            .get(j)
            .map(|q| {
                format!(
                    " <a href=\"{}.html\" rel=\"{rel}\">{}</a>",
                    esc(q.id()),
                    text(&esc(q.id()))
                )
            })
            .unwrap_or_default()
    };
    let nav = format!(
        "<nav class=\"pager\"><a href=\"../index.html\">↑ {}</a>{}{}</nav>",
        esc(&set.title_in(Some(first_lang))),
        i.checked_sub(1)
            .map(|j| link(j, "prev", &|t| format!("← {t}")))
            .unwrap_or_default(),
        link(i + 1, "next", &|t| format!("{t} →")),
    );
    let caption = if p.entry.captions.is_empty() {
        String::new()
    } else {
        format!("<p class=\"caption\">{}</p>", multi(&p.entry.captions, ""))
    };
    let body = format!(
        "{nav}\n<h1>{title}</h1>\n{caption}\n{description}\n<div class=\"pages\">{images}</div>\n\
<table class=\"meta\">\n{rows}</table>\n{texts}",
        title = multi(&titles_of(item), &item.title()),
    );
    page(&item.title(), first_lang, "../", &body, &pkg.langs)
}

/// The script of every page (language switch, search).
const SITE_JS: &str = include_str!("assets/site.js");
/// The style sheet.
const SITE_CSS: &str = include_str!("assets/site.css");
