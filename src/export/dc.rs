//! Dublin Core (oai_dc XML and a flat CSV) of the items in a package.

use std::io::Write;

use crate::catalog::Item;
use crate::error::{Error, Result};
use crate::model::Kind;

use super::{masters, Package};

/// XML text: escaped, and characters XML 1.0 cannot hold dropped.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The DCMI Type of a kind.
fn dc_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Photo => "StillImage",
        Kind::Audio => "Sound",
        _ => "Text",
    }
}

/// One `oai_dc:dc` element for an item (with the namespace declarations when `root`).
pub(crate) fn item_dc(item: &Item, root: bool) -> String {
    let r = &item.record;
    let mut x = String::new();
    if root {
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }
    x.push_str(
        "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">\n",
    );
    let mut el = |name: &str, lang: Option<&str>, value: &str| {
        if value.trim().is_empty() {
            return;
        }
        match lang.filter(|l| !l.is_empty()) {
            Some(l) => x.push_str(&format!(
                "  <dc:{name} xml:lang=\"{}\">{}</dc:{name}>\n",
                xml(l),
                xml(value)
            )),
            None => x.push_str(&format!("  <dc:{name}>{}</dc:{name}>\n", xml(value))),
        }
    };
    if r.titles.is_empty() {
        el("title", None, &item.title());
    }
    if let Some(t) = &r.title {
        el("title", None, t);
    }
    for (l, t) in &r.titles {
        el("title", Some(l), t);
    }
    if let Some(c) = &r.creator {
        el("creator", None, c);
    }
    for s in r.subjects.iter().chain(&r.persons) {
        el("subject", None, s);
    }
    if let Some(d) = &r.description {
        el("description", None, d);
    }
    for (l, d) in &r.descriptions {
        el("description", Some(l), d);
    }
    if let Some(d) = &r.date {
        el("date", None, &d.text);
    }
    el("type", None, dc_type(item.kind()));
    let mut formats: Vec<&str> = masters(item)
        .iter()
        .map(|f| f.media_type.as_str())
        .collect();
    formats.dedup();
    for f in formats {
        el("format", None, f);
    }
    el("identifier", None, &item.id);
    if let Some(reference) = &r.reference {
        el("identifier", None, reference);
    }
    let source = [r.source_archive.as_deref(), r.reference.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    el("source", None, &source);
    for l in &r.langs {
        el("language", None, l);
    }
    if let Some(c) = &r.collection {
        el("relation", None, c);
    }
    for p in &r.places {
        el("coverage", None, p);
    }
    if let Some(rights) = &r.rights {
        el("rights", None, rights);
    }
    x.push_str("</oai_dc:dc>\n");
    x
}

/// `metadata.xml`: every item's oai_dc record, in set order, streamed item by item.
pub(crate) fn write_metadata_xml(pkg: &Package<'_>, w: &mut dyn Write) -> Result<()> {
    let io = |e: std::io::Error| Error::io("metadata.xml", e);
    write!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<records set=\"{}\" generator=\"hishatak {}\">\n",
        xml(&pkg.set.name),
        env!("CARGO_PKG_VERSION")
    )
    .map_err(io)?;
    pkg.each_item(|_, p, item| {
        write!(
            w,
            "<record id=\"{}\" position=\"{}\">\n{}</record>\n",
            xml(&item.id),
            p.entry.position,
            item_dc(item, false)
        )
        .map_err(io)
    })?;
    w.write_all(b"</records>\n").map_err(io)
}

/// A CSV cell a spreadsheet will show as text: a leading `= + - @` (or tab / CR, which
/// some spreadsheets skip before a formula) gets a `'` in front, so it is never run.
pub(crate) fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Write CSV rows with every cell neutralised.
fn csv_rows(
    name: &str,
    w: &mut dyn Write,
    each: impl FnOnce(&mut dyn FnMut(Vec<String>) -> Result<()>) -> Result<()>,
) -> Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    let err = |e: csv::Error| Error::invalid(format!("{name}: {e}"));
    each(&mut |row: Vec<String>| out.write_record(row.iter().map(|c| cell(c))).map_err(err))?;
    out.flush().map_err(|e| Error::io(name, e))
}

/// `metadata.csv`: one row per item, Dublin Core columns plus provenance, lists joined
/// with `; `, a title and caption column per language of the package; streamed.
pub(crate) fn write_metadata_csv(pkg: &Package<'_>, w: &mut dyn Write) -> Result<()> {
    let langs = &pkg.langs;
    let mut header: Vec<String> = ["position", "id", "kind", "title"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(langs.iter().map(|l| format!("title:{l}")));
    header.extend(langs.iter().map(|l| format!("caption:{l}")));
    header.extend(
        [
            "description",
            "date",
            "date_earliest",
            "date_latest",
            "lang",
            "creator",
            "collection",
            "source_archive",
            "source_country",
            "reference",
            "donor",
            "rights",
            "persons",
            "places",
            "subjects",
            "files",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    csv_rows("metadata.csv", w, |put| {
        put(header)?;
        pkg.each_item(|_, p, item| {
            let r = &item.record;
            let mut row = vec![
                p.entry.position.to_string(),
                item.id.clone(),
                item.kind().as_str().to_string(),
                item.title(),
            ];
            row.extend(
                langs
                    .iter()
                    .map(|l| r.titles.get(l).cloned().unwrap_or_default()),
            );
            row.extend(
                langs
                    .iter()
                    .map(|l| p.entry.captions.get(l).cloned().unwrap_or_default()),
            );
            let opt = |v: &Option<String>| v.clone().unwrap_or_default();
            row.extend([
                r.description
                    .clone()
                    .or_else(|| r.descriptions.values().next().cloned())
                    .unwrap_or_default(),
                r.date.as_ref().map(|d| d.text.clone()).unwrap_or_default(),
                r.date
                    .as_ref()
                    .and_then(|d| d.earliest)
                    .map(crate::edtf::format_day)
                    .unwrap_or_default(),
                r.date
                    .as_ref()
                    .and_then(|d| d.latest)
                    .map(crate::edtf::format_day)
                    .unwrap_or_default(),
                r.langs.join("; "),
                opt(&r.creator),
                opt(&r.collection),
                opt(&r.source_archive),
                opt(&r.source_country),
                opt(&r.reference),
                opt(&r.donor),
                opt(&r.rights),
                r.persons.join("; "),
                r.places.join("; "),
                r.subjects.join("; "),
                p.pages
                    .iter()
                    .filter_map(|pg| pg.access.as_ref().map(|a| a.path.clone()))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]);
            put(row)
        })
    })
}

/// `captions.csv`: position, id, language, caption.
pub(crate) fn write_captions_csv(pkg: &Package<'_>, w: &mut dyn Write) -> Result<()> {
    csv_rows("captions.csv", w, |put| {
        put(vec![
            "position".to_string(),
            "id".into(),
            "lang".into(),
            "caption".into(),
        ])?;
        for p in &pkg.items {
            for (l, c) in &p.entry.captions {
                put(vec![
                    p.entry.position.to_string(),
                    p.id().to_string(),
                    l.clone(),
                    c.clone(),
                ])?;
            }
        }
        Ok(())
    })
}
