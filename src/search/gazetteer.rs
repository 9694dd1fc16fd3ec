//! The variant-name gazetteer: places and persons with their names in every language,
//! shipped in `index/gazetteer.tsv` and extended per archive by `ARCHIVE/gazetteer.tsv`
//! (same format; an entry with the same id replaces the shipped one).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use sha2::{Digest, Sha256};

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
    /// The keys of each entry's names (same order as `entries`).
    keys: Vec<Vec<String>>,
    /// The last word of each name of two or more words, and the longest such name in
    /// words: a text's word that is no such last word ends no longer name.
    last_words: HashSet<String>,
    max_words: usize,
    /// A digest of every entry's id and keys: an index made with another gazetteer holds
    /// other name tokens, and is rebuilt.
    fingerprint: String,
}

/// The prefix of an entry's token in the index (`=erzurum`): no word form starts with
/// it, since words are letters and digits.
pub const TOKEN_PREFIX: char = '=';

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
        Ok(Gazetteer::of(by_id.into_values().collect()))
    }

    fn of(entries: Vec<Entry>) -> Gazetteer {
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        let mut keys = Vec::with_capacity(entries.len());
        let mut last_words = HashSet::new();
        let mut max_words = 1;
        let mut digest = Sha256::new();
        for (i, e) in entries.iter().enumerate() {
            let mut mine: Vec<String> = Vec::new();
            for n in &e.names {
                let k = key(n);
                if k.is_empty() || mine.contains(&k) {
                    continue;
                }
                let v = by_key.entry(k.clone()).or_default();
                if !v.contains(&i) {
                    v.push(i);
                }
                let words = k.split(' ').count();
                if words > 1 {
                    max_words = max_words.max(words);
                    if let Some(last) = k.rsplit(' ').next() {
                        last_words.insert(last.to_string());
                    }
                }
                mine.push(k);
            }
            digest.update(e.id.as_bytes());
            for k in &mine {
                digest.update([0u8]);
                digest.update(k.as_bytes());
            }
            digest.update([1u8]);
            keys.push(mine);
        }
        Gazetteer {
            entries,
            by_key,
            keys,
            last_words,
            max_words,
            fingerprint: hex::encode(&digest.finalize()[..16]),
        }
    }

    /// The positions (in load order) of the entries one of whose names has this key.
    pub fn positions(&self, key: &str) -> &[usize] {
        self.by_key.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The keys of the names of the entry at a position.
    pub fn keys_of(&self, position: usize) -> &[String] {
        &self.keys[position]
    }

    /// The index token of the entry at a position: every text word or run of words that
    /// is one of its names is indexed with it, so a query asks one term for all its names.
    pub fn token(&self, position: usize) -> String {
        format!("{TOKEN_PREFIX}{}", self.entries[position].id)
    }

    /// Whether a word's key ends a name of two or more words.
    pub fn ends_longer_name(&self, word_key: &str) -> bool {
        self.last_words.contains(word_key)
    }

    /// A digest of the entries' ids and name keys.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Entries one of whose names has this key.
    pub fn lookup(&self, key: &str) -> Vec<&Entry> {
        self.positions(key)
            .iter()
            .map(|&i| &self.entries[i])
            .collect()
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
        self.max_words
    }
}
