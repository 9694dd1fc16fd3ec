//! The variant-name gazetteer: places and persons with their names in every language,
//! shipped in `index/gazetteer.tsv` and extended per archive by `ARCHIVE/gazetteer.tsv`
//! (same format; an entry with the same id replaces the shipped one).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::analyze;
use crate::error::{Error, Result};

/// The gazetteer shipped with hishatak.
const SHIPPED: &str = include_str!("../../index/gazetteer.tsv");

/// One place or person.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Stable id (`erzurum`).
    pub id: String,
    /// `place` or `person`.
    pub kind: String,
    /// Every name, in every language, as written.
    pub names: Vec<String>,
    /// Coordinates, for places that have them.
    pub coords: Option<(f64, f64)>,
}

/// The loaded gazetteer with a lookup by normalised name.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    entries: Vec<Entry>,
    by_key: HashMap<String, Vec<usize>>,
}

/// The matching key of a name: each word lower-cased, folded and in Latin letters,
/// joined by single spaces (`Der Zor` and `Дер-Зор` give `der zor`).
pub fn key(name: &str) -> String {
    analyze::words(name)
        .iter()
        .map(|w| analyze::to_latin(&analyze::fold(&w.lower)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse(text: &str, source: &str) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    let mut header: Option<Vec<String>> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let Some(h) = &header else {
            header = Some(
                cells
                    .iter()
                    .map(|c| c.trim().to_ascii_lowercase())
                    .collect(),
            );
            continue;
        };
        let get = |name: &str| -> &str {
            h.iter()
                .position(|c| c == name)
                .and_then(|k| cells.get(k))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let id = get("id");
        if id.is_empty() {
            return Err(Error::invalid(format!("{source}: line {}: no id", i + 1)));
        }
        let mut names = Vec::new();
        for col in ["en", "hy", "ru", "tr", "fr", "de", "other"] {
            for n in get(col).split(';').map(str::trim).filter(|n| !n.is_empty()) {
                if !names.iter().any(|x: &String| x == n) {
                    names.push(n.to_string());
                }
            }
        }
        let coords = match (get("lat").parse::<f64>(), get("lon").parse::<f64>()) {
            (Ok(a), Ok(b)) => Some((a, b)),
            _ => None,
        };
        out.push(Entry {
            id: id.to_string(),
            kind: get("type").to_string(),
            names,
            coords,
        });
    }
    Ok(out)
}

impl Gazetteer {
    /// The shipped gazetteer extended by `archive_root/gazetteer.tsv` when present.
    pub fn load(archive_root: Option<&Path>) -> Result<Gazetteer> {
        let mut by_id: BTreeMap<String, Entry> = BTreeMap::new();
        for e in parse(SHIPPED, "index/gazetteer.tsv")? {
            by_id.insert(e.id.clone(), e);
        }
        if let Some(root) = archive_root {
            let p = root.join("gazetteer.tsv");
            if p.is_file() {
                let text = std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))?;
                for e in parse(&text, &p.display().to_string())? {
                    by_id.insert(e.id.clone(), e);
                }
            }
        }
        let entries: Vec<Entry> = by_id.into_values().collect();
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            for n in &e.names {
                let k = key(n);
                if !k.is_empty() {
                    let v = by_key.entry(k).or_default();
                    if !v.contains(&i) {
                        v.push(i);
                    }
                }
            }
        }
        Ok(Gazetteer { entries, by_key })
    }

    /// Entries one of whose names has this key.
    pub fn lookup(&self, key: &str) -> Vec<&Entry> {
        self.by_key
            .get(key)
            .map(|v| v.iter().map(|&i| &self.entries[i]).collect())
            .unwrap_or_default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The longest number of words in any name (bounds n-gram lookups).
    pub fn max_words(&self) -> usize {
        self.by_key
            .keys()
            .map(|k| k.split(' ').count())
            .max()
            .unwrap_or(1)
    }
}
