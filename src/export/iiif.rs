//! IIIF Presentation 3.0: a Collection for the set, a Manifest per item with a Canvas per
//! page, the access JPEG as the painting annotation and a thumbnail, language maps from
//! the multilingual titles, metadata pairs and the rights statement.
//!
//! Files: `collection.json`, `manifests/<ID>.json`, `access/<ID>/pNNNN.jpg`,
//! `thumbnails/<ID>/pNNNN.jpg`, `files/<ID>/<name>` (PDF and text, linked as
//! `rendering`). Every `id` starts with the base URL the folder will be served from.

use serde_json::{json, Map, Value};

use crate::catalog::Item;
use crate::error::{Error, Result};

use super::{item_texts, url_path, Package, PkgItem, Sink};

/// Where the files are served when no `--base-url` is given.
pub const DEFAULT_BASE: &str = "http://localhost:8000/";

/// A language map: `{"hy": ["..."]}`; text without a language goes under `none`.
fn lang_map<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
    let mut m = Map::new();
    for (l, t) in pairs {
        if t.trim().is_empty() {
            continue;
        }
        let key = if l.is_empty() { "none" } else { l };
        let slot = m.entry(key.to_string()).or_insert_with(|| json!([]));
        if let Some(a) = slot.as_array_mut() {
            a.push(json!(t));
        }
    }
    Value::Object(m)
}

fn en(label: &str) -> Value {
    json!({ "en": [label] })
}

fn none(value: &str) -> Value {
    json!({ "none": [value] })
}

/// Rights URIs IIIF accepts in `rights`: Creative Commons and RightsStatements.org.
fn rights_uri(r: &str) -> Option<String> {
    let t = r.trim();
    let ok = [
        "http://creativecommons.org/",
        "https://creativecommons.org/",
        "http://rightsstatements.org/vocab/",
        "https://rightsstatements.org/vocab/",
    ]
    .iter()
    .any(|p| t.starts_with(p))
        && !t.contains(char::is_whitespace);
    // The registry lists the http:// forms; keep what was given otherwise.
    ok.then(|| {
        t.replacen(
            "https://rightsstatements.org",
            "http://rightsstatements.org",
            1,
        )
        .replacen(
            "https://creativecommons.org",
            "http://creativecommons.org",
            1,
        )
    })
}

fn label_of(item: &Item) -> Value {
    let r = &item.record;
    let mut pairs: Vec<(&str, &str)> = r
        .titles
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    if pairs.is_empty() {
        let t = item.title();
        let lang = r.langs.first().map(String::as_str).unwrap_or("");
        return lang_map([(lang, t.as_str())]);
    }
    if let Some(t) = &r.title {
        pairs.push(("", t.as_str()));
    }
    lang_map(pairs)
}

fn manifest(p: &PkgItem, item: &Item, base: &str) -> Value {
    let r = &item.record;
    let id = &item.id;
    let mid = format!("{base}manifests/{id}.json");
    let mut metadata = Vec::new();
    let mut pair = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            metadata.push(json!({"label": en(label), "value": none(&v)}));
        }
    };
    pair("Identifier", Some(id.clone()));
    pair("Kind", Some(item.kind().as_str().to_string()));
    pair("Date", r.date.as_ref().map(|d| d.text.clone()));
    pair("Creator", r.creator.clone());
    pair("Language", Some(r.langs.join(", ")));
    pair("Collection", r.collection.clone());
    pair("Source archive", r.source_archive.clone());
    pair("Source country", r.source_country.clone());
    pair("Reference", r.reference.clone());
    pair("Persons", Some(r.persons.join("; ")));
    pair("Places", Some(r.places.join("; ")));
    pair("Subjects", Some(r.subjects.join("; ")));
    if !p.entry.captions.is_empty() {
        metadata.push(json!({
            "label": en("Caption"),
            "value": lang_map(p.entry.captions.iter().map(|(l, c)| (l.as_str(), c.as_str()))),
        }));
    }
    let mut canvases = Vec::new();
    let mut renderings = Vec::new();
    let mut thumb = None;
    for pg in &p.pages {
        let cid = format!("{base}manifests/{id}/canvas/p{}", pg.page);
        let Some(a) = &pg.access else { continue };
        if let (Some(w), Some(h)) = (a.width, a.height) {
            let t = pg.thumbnail.as_ref().map(|t| {
                json!([{"id": format!("{base}{}", url_path(&t.path)), "type": "Image", "format": "image/jpeg",
                        "width": t.width, "height": t.height}])
            });
            if thumb.is_none() {
                thumb = t.clone();
            }
            let mut canvas = json!({
                "id": cid,
                "type": "Canvas",
                "label": none(&format!("p. {}", pg.page)),
                "width": w,
                "height": h,
                "items": [{
                    "id": format!("{cid}/page"),
                    "type": "AnnotationPage",
                    "items": [{
                        "id": format!("{cid}/page/painting"),
                        "type": "Annotation",
                        "motivation": "painting",
                        "body": {"id": format!("{base}{}", url_path(&a.path)), "type": "Image",
                                 "format": "image/jpeg", "width": w, "height": h},
                        "target": cid,
                    }],
                }],
            });
            if let Some(t) = t {
                canvas["thumbnail"] = t;
            }
            canvases.push(canvas);
        } else {
            renderings.push(json!({
                "id": format!("{base}{}", url_path(&a.path)),
                "type": if a.media_type == "application/pdf" { "Text" } else { "Dataset" },
                "label": none(&pg.master.name),
                "format": a.media_type,
            }));
        }
    }
    if canvases.is_empty() {
        // No image: one page-sized canvas that shows the item's text (or its title).
        let cid = format!("{base}manifests/{id}/canvas/text");
        let text = item_texts(item)
            .into_iter()
            .next()
            .map(|(_, _, t)| t.chars().take(4000).collect::<String>())
            .unwrap_or_else(|| item.title());
        let lang = r.langs.first().cloned();
        let mut body = json!({"type": "TextualBody", "value": text, "format": "text/plain"});
        if let Some(l) = lang {
            body["language"] = json!(l);
        }
        canvases.push(json!({
            "id": cid, "type": "Canvas", "label": none("text"), "width": 1000, "height": 1414,
            "items": [{"id": format!("{cid}/page"), "type": "AnnotationPage", "items": [{
                "id": format!("{cid}/page/painting"), "type": "Annotation",
                "motivation": "painting", "body": body, "target": cid,
            }]}],
        }));
    }
    let mut m = json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": mid,
        "type": "Manifest",
        "label": label_of(item),
        "metadata": metadata,
        "items": canvases,
    });
    let summary = lang_map(
        r.descriptions
            .iter()
            .map(|(l, d)| (l.as_str(), d.as_str()))
            .chain(r.description.as_deref().map(|d| ("", d))),
    );
    if summary.as_object().is_some_and(|o| !o.is_empty()) {
        m["summary"] = summary;
    }
    if let Some(t) = thumb {
        m["thumbnail"] = t;
    }
    if !renderings.is_empty() {
        m["rendering"] = json!(renderings);
    }
    if let Some(rights) = &r.rights {
        m["requiredStatement"] = json!({"label": en("Rights"), "value": none(rights)});
        if let Some(uri) = rights_uri(rights) {
            m["rights"] = json!(uri);
        }
    }
    m
}

/// Write the collection and the manifests (the images are already in the sink). Each
/// manifest is written as its item is read; the collection is streamed in a second pass
/// over the items, so that nothing is held per item.
pub(crate) fn write(pkg: &Package<'_>, sink: &mut dyn Sink, base: Option<&str>) -> Result<()> {
    let mut base = base.unwrap_or(DEFAULT_BASE).trim().to_string();
    if !base.ends_with('/') {
        base.push('/');
    }
    let set = &pkg.set;
    pkg.each_item(|_, p, item| {
        let m = manifest(p, item, &base);
        sink.add(
            &format!("manifests/{}.json", item.id),
            &serde_json::to_vec_pretty(&m).unwrap_or_default(),
        )
    })?;
    let mut label = lang_map(set.titles.iter().map(|(l, t)| (l.as_str(), t.as_str())));
    if label.as_object().is_some_and(|o| o.is_empty()) {
        label = none(&set.name);
    }
    let mut c = json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": format!("{base}collection.json"),
        "type": "Collection",
        "label": label,
    });
    let summary = lang_map(
        set.descriptions
            .iter()
            .map(|(l, t)| (l.as_str(), t.as_str())),
    );
    if summary.as_object().is_some_and(|o| !o.is_empty()) {
        c["summary"] = summary;
    }
    // The head object without its closing brace, then "items", member by member.
    let head = serde_json::to_string_pretty(&c).unwrap_or_default();
    let open = head.trim_end().trim_end_matches('}').trim_end().to_string();
    let io = |e: std::io::Error| Error::io("collection.json", e);
    sink.add_streamed("collection.json", &mut |w| {
        write!(w, "{open},\n  \"items\": [").map_err(io)?;
        pkg.each_item(|k, p, item| {
            let m = manifest(p, item, &base);
            let mut member = json!({"id": m["id"], "type": "Manifest", "label": m["label"]});
            if let Some(t) = m.get("thumbnail") {
                member["thumbnail"] = t.clone();
            }
            let text = serde_json::to_string_pretty(&member).unwrap_or_default();
            let indented = text.replace('\n', "\n    ");
            write!(w, "{}\n    {indented}", if k == 0 { "" } else { "," }).map_err(io)
        })?;
        write!(w, "\n  ]\n}}").map_err(io)
    })?;
    Ok(())
}
