//! The item record: descriptive metadata, provenance and access, and the one place where a
//! field named by a person (`title:hy`, `date`, `meta:box`) is validated and set.
//!
//! Manifest columns, `ingest` flags and `edit --set` all go through [`ItemRecord::set_field`],
//! so a value refused in one is refused in all, with the same message.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::edtf::{self, Edtf};
use crate::error::{Error, Result};

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Letters, reports, registers, clippings.
    Document,
    /// Photographs.
    Photo,
    /// Survivor memoirs and testimonies.
    Memoir,
    /// Books, pamphlets, periodicals.
    Publication,
    /// Sound recordings.
    Audio,
}

impl Kind {
    /// All kinds, in the order they are listed to users.
    pub const ALL: [Kind; 5] = [
        Kind::Document,
        Kind::Photo,
        Kind::Memoir,
        Kind::Publication,
        Kind::Audio,
    ];

    /// The name used in the CLI, manifests and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Document => "document",
            Kind::Photo => "photo",
            Kind::Memoir => "memoir",
            Kind::Publication => "publication",
            Kind::Audio => "audio",
        }
    }

    /// Parse a kind name, with a message listing the valid ones.
    pub fn parse(s: &str) -> Result<Kind> {
        let t = s.trim().to_ascii_lowercase();
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "kind '{s}' is not known; use one of: document, photo, memoir, publication, audio"
                ))
            })
    }

    /// The kind to infer from a media type when none is given.
    pub fn infer(media_type: &str) -> Kind {
        if media_type.starts_with("image/") {
            Kind::Photo
        } else if media_type.starts_with("audio/") {
            Kind::Audio
        } else {
            Kind::Document
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may see an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Searchable and exportable.
    Open,
    /// Staff only: never searched by default, never exported without `--include-restricted`.
    Restricted,
    /// Restricted until the given day (inclusive of the day before); `(text, day number)`.
    Embargoed(String, i64),
}

impl Access {
    /// Parse `open`, `restricted` or `embargoed:YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Access> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "open" => return Ok(Access::Open),
            "restricted" => return Ok(Access::Restricted),
            _ => {}
        }
        let bad = || {
            Error::invalid(format!(
                "access '{s}' is not valid; use open, restricted, or embargoed:YYYY-MM-DD (e.g. embargoed:2031-01-01)"
            ))
        };
        let day = t
            .strip_prefix("embargoed:")
            .or_else(|| t.strip_prefix("EMBARGOED:"))
            .ok_or_else(bad)?;
        let parsed = edtf::parse(day).map_err(|e| Error::invalid(format!("access: {e}")))?;
        match (parsed.earliest, parsed.latest) {
            (Some(a), Some(b))
                if a == b && !parsed.interval && !parsed.uncertain && !parsed.approximate =>
            {
                Ok(Access::Embargoed(day.to_string(), a))
            }
            _ => Err(bad()),
        }
    }

    /// The form stored and shown (`open`, `restricted`, `embargoed:2031-01-01`).
    pub fn as_string(&self) -> String {
        match self {
            Access::Open => "open".into(),
            Access::Restricted => "restricted".into(),
            Access::Embargoed(d, _) => format!("embargoed:{d}"),
        }
    }

    /// Whether the public may see the item on the given day (days since 1970-01-01).
    pub fn is_open_on(&self, today: i64) -> bool {
        match self {
            Access::Open => true,
            Access::Restricted => false,
            Access::Embargoed(_, until) => today >= *until,
        }
    }
}

/// Descriptive metadata, provenance and access of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRecord {
    /// Kind; `None` until given or inferred from the first file.
    pub kind: Option<Kind>,
    /// A title with no language given.
    pub title: Option<String>,
    /// Titles by language code.
    pub titles: BTreeMap<String, String>,
    /// A description with no language given.
    pub description: Option<String>,
    /// Descriptions by language code.
    pub descriptions: BTreeMap<String, String>,
    /// Date (EDTF).
    pub date: Option<Edtf>,
    /// Languages of the item, in order of importance.
    pub langs: Vec<String>,
    /// Creator (author, photographer, issuing office).
    pub creator: Option<String>,
    /// Collection within the archive.
    pub collection: Option<String>,
    /// The archive the original is held in.
    pub source_archive: Option<String>,
    /// ISO 3166-1 alpha-2 country of the source archive.
    pub source_country: Option<String>,
    /// Reference code (call number, fonds/series/file).
    pub reference: Option<String>,
    /// Who gave it.
    pub donor: Option<String>,
    /// When it was acquired (EDTF).
    pub acquired: Option<Edtf>,
    /// Custody history.
    pub custody: Option<String>,
    /// Rights statement (text or URI).
    pub rights: Option<String>,
    /// Access status.
    pub access: Access,
    /// Persons named.
    pub persons: Vec<String>,
    /// Places named.
    pub places: Vec<String>,
    /// Subjects.
    pub subjects: Vec<String>,
    /// Free `meta:KEY` values.
    pub meta: BTreeMap<String, String>,
}

impl Default for ItemRecord {
    fn default() -> Self {
        ItemRecord {
            kind: None,
            title: None,
            titles: BTreeMap::new(),
            description: None,
            descriptions: BTreeMap::new(),
            date: None,
            langs: Vec::new(),
            creator: None,
            collection: None,
            source_archive: None,
            source_country: None,
            reference: None,
            donor: None,
            acquired: None,
            custody: None,
            rights: None,
            access: Access::Open,
            persons: Vec::new(),
            places: Vec::new(),
            subjects: Vec::new(),
            meta: BTreeMap::new(),
        }
    }
}

/// The plain (single-valued text) fields, by name.
const TEXT_FIELDS: [&str; 8] = [
    "creator",
    "collection",
    "source_archive",
    "reference",
    "donor",
    "custody",
    "rights",
    "source_country",
];

/// Names of every field `set_field` accepts, for messages and documentation.
pub const FIELD_NAMES: &str = "kind, title, title:LANG, description, description:LANG, date, lang, creator, collection, source_archive, source_country, reference, donor, acquired, custody, rights, access, persons, places, subjects, meta:KEY";

/// Check a language code: ISO 639-1 (two letters) or ISO 639-3 (three letters).
pub fn check_lang(code: &str) -> Result<String> {
    let c = code.trim().to_ascii_lowercase();
    if (c.len() == 2 || c.len() == 3) && c.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(c)
    } else {
        Err(Error::invalid(format!(
            "language '{code}' is not an ISO 639 code; use two letters where one exists (en, hy, ru, tr, fr, de) or three (e.g. lad)"
        )))
    }
}

/// Split a `;`-separated list, trimming and dropping empty parts.
pub fn split_list(value: &str) -> Vec<String> {
    value
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_date(field: &str, value: &str) -> Result<Edtf> {
    edtf::parse(value).map_err(|e| Error::invalid(format!("{field}: {e}")))
}

fn non_empty(value: &str) -> Option<String> {
    let t = value.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl ItemRecord {
    /// Set a field from its text form, validating it. An empty value clears the field.
    ///
    /// `name` is one of [`FIELD_NAMES`]; list fields (`lang`, `persons`, `places`,
    /// `subjects`) take `;`-separated values (`lang` also accepts `,`).
    pub fn set_field(&mut self, name: &str, value: &str) -> Result<()> {
        let name = name.trim();
        if value.trim().is_empty() {
            return self.unset_field(name);
        }
        if let Some(lang) = name.strip_prefix("title:") {
            let lang = check_lang(lang)?;
            self.titles.insert(lang, value.trim().to_string());
            return Ok(());
        }
        if let Some(lang) = name.strip_prefix("description:") {
            let lang = check_lang(lang)?;
            self.descriptions.insert(lang, value.trim().to_string());
            return Ok(());
        }
        if let Some(key) = name.strip_prefix("meta:") {
            let key = check_meta_key(key)?;
            self.meta.insert(key, value.trim().to_string());
            return Ok(());
        }
        match name {
            "kind" => self.kind = Some(Kind::parse(value)?),
            "title" => self.title = non_empty(value),
            "description" => self.description = non_empty(value),
            "date" => self.date = Some(parse_date("date", value)?),
            "acquired" => self.acquired = Some(parse_date("acquired", value)?),
            "lang" => {
                let mut langs = Vec::new();
                for part in value
                    .split([';', ','])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    let code = check_lang(part)?;
                    if !langs.contains(&code) {
                        langs.push(code);
                    }
                }
                self.langs = langs;
            }
            "source_country" => {
                let c = value.trim().to_ascii_uppercase();
                if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(Error::invalid(format!(
                        "source_country '{}' is not an ISO 3166-1 alpha-2 code (two letters, e.g. US, GB, DE, RU, FR, TR, AM)",
                        value.trim()
                    )));
                }
                self.source_country = Some(c);
            }
            "access" => self.access = Access::parse(value)?,
            "persons" => self.persons = split_list(value),
            "places" => self.places = split_list(value),
            "subjects" => self.subjects = split_list(value),
            n if TEXT_FIELDS.contains(&n) => *self.text_field_mut(n) = non_empty(value),
            _ => return Err(unknown_field(name)),
        }
        Ok(())
    }

    /// Clear a field (`access` returns to `open`).
    pub fn unset_field(&mut self, name: &str) -> Result<()> {
        let name = name.trim();
        if let Some(lang) = name.strip_prefix("title:") {
            self.titles.remove(&check_lang(lang)?);
            return Ok(());
        }
        if let Some(lang) = name.strip_prefix("description:") {
            self.descriptions.remove(&check_lang(lang)?);
            return Ok(());
        }
        if let Some(key) = name.strip_prefix("meta:") {
            self.meta.remove(&check_meta_key(key)?);
            return Ok(());
        }
        match name {
            "kind" => {
                return Err(Error::invalid(
                    "kind cannot be unset; set another kind instead (e.g. --set kind=memoir)",
                ))
            }
            "title" => self.title = None,
            "description" => self.description = None,
            "date" => self.date = None,
            "acquired" => self.acquired = None,
            "lang" => self.langs.clear(),
            "access" => self.access = Access::Open,
            "persons" => self.persons.clear(),
            "places" => self.places.clear(),
            "subjects" => self.subjects.clear(),
            n if TEXT_FIELDS.contains(&n) => *self.text_field_mut(n) = None,
            _ => return Err(unknown_field(name)),
        }
        Ok(())
    }

    /// The text form of a field, as `set_field` would take it (`None` when unset).
    pub fn get_field(&self, name: &str) -> Option<String> {
        let name = name.trim();
        if let Some(lang) = name.strip_prefix("title:") {
            return self.titles.get(lang).cloned();
        }
        if let Some(lang) = name.strip_prefix("description:") {
            return self.descriptions.get(lang).cloned();
        }
        if let Some(key) = name.strip_prefix("meta:") {
            return self.meta.get(key).cloned();
        }
        let join = |v: &Vec<String>| (!v.is_empty()).then(|| v.join("; "));
        match name {
            "kind" => self.kind.map(|k| k.as_str().to_string()),
            "title" => self.title.clone(),
            "description" => self.description.clone(),
            "date" => self.date.as_ref().map(|d| d.text.clone()),
            "acquired" => self.acquired.as_ref().map(|d| d.text.clone()),
            "lang" => join(&self.langs),
            "access" => Some(self.access.as_string()),
            "persons" => join(&self.persons),
            "places" => join(&self.places),
            "subjects" => join(&self.subjects),
            "creator" => self.creator.clone(),
            "collection" => self.collection.clone(),
            "source_archive" => self.source_archive.clone(),
            "source_country" => self.source_country.clone(),
            "reference" => self.reference.clone(),
            "donor" => self.donor.clone(),
            "custody" => self.custody.clone(),
            "rights" => self.rights.clone(),
            _ => None,
        }
    }

    fn text_field_mut(&mut self, name: &str) -> &mut Option<String> {
        match name {
            "creator" => &mut self.creator,
            "collection" => &mut self.collection,
            "source_archive" => &mut self.source_archive,
            "source_country" => &mut self.source_country,
            "reference" => &mut self.reference,
            "donor" => &mut self.donor,
            "custody" => &mut self.custody,
            // Only called with names from TEXT_FIELDS; rights is the last of them.
            _ => &mut self.rights,
        }
    }

    /// The title to show: the plain title, else the title in the item's first language
    /// that has one, else any title, else `fallback` (usually the first file name).
    pub fn display_title(&self, fallback: &str) -> String {
        if let Some(t) = &self.title {
            return t.clone();
        }
        for l in &self.langs {
            if let Some(t) = self.titles.get(l) {
                return t.clone();
            }
        }
        if let Some(t) = self
            .titles
            .get("en")
            .or_else(|| self.titles.values().next())
        {
            return t.clone();
        }
        fallback.to_string()
    }

    /// Fill every field that is unset here from `defaults` (flags given to `ingest`).
    pub fn fill_from(&mut self, defaults: &ItemRecord) {
        fn opt<T: Clone>(a: &mut Option<T>, b: &Option<T>) {
            if a.is_none() {
                a.clone_from(b);
            }
        }
        opt(&mut self.kind, &defaults.kind);
        opt(&mut self.title, &defaults.title);
        opt(&mut self.description, &defaults.description);
        opt(&mut self.date, &defaults.date);
        opt(&mut self.creator, &defaults.creator);
        opt(&mut self.collection, &defaults.collection);
        opt(&mut self.source_archive, &defaults.source_archive);
        opt(&mut self.source_country, &defaults.source_country);
        opt(&mut self.reference, &defaults.reference);
        opt(&mut self.donor, &defaults.donor);
        opt(&mut self.acquired, &defaults.acquired);
        opt(&mut self.custody, &defaults.custody);
        opt(&mut self.rights, &defaults.rights);
        for (k, v) in &defaults.titles {
            self.titles.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in &defaults.descriptions {
            self.descriptions
                .entry(k.clone())
                .or_insert_with(|| v.clone());
        }
        for (k, v) in &defaults.meta {
            self.meta.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if self.langs.is_empty() {
            self.langs.clone_from(&defaults.langs);
        }
        if self.access == Access::Open {
            self.access = defaults.access.clone();
        }
        for (mine, theirs) in [
            (&mut self.persons, &defaults.persons),
            (&mut self.places, &defaults.places),
            (&mut self.subjects, &defaults.subjects),
        ] {
            if mine.is_empty() {
                mine.clone_from(theirs);
            }
        }
    }
}

fn check_meta_key(key: &str) -> Result<String> {
    let k = key.trim();
    if !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        Ok(k.to_string())
    } else {
        Err(Error::invalid(format!(
            "meta key '{key}' is not valid; use letters, digits, '_', '-' or '.' (e.g. meta:box)"
        )))
    }
}

fn unknown_field(name: &str) -> Error {
    Error::invalid(format!(
        "'{name}' is not a field; fields are: {FIELD_NAMES}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_through_text() {
        let mut r = ItemRecord::default();
        for (f, v) in [
            ("kind", "memoir"),
            ("title:hy", "Հուշեր"),
            ("date", "1915?"),
            ("lang", "hy; EN"),
            ("source_country", "am"),
            ("access", "embargoed:2031-01-01"),
            ("persons", "Komitas; ; Andranik"),
            ("meta:box", "Box 12"),
        ] {
            r.set_field(f, v).unwrap();
        }
        assert_eq!(r.get_field("lang").as_deref(), Some("hy; en"));
        assert_eq!(r.get_field("source_country").as_deref(), Some("AM"));
        assert_eq!(r.persons, vec!["Komitas", "Andranik"]);
        assert_eq!(
            r.get_field("access").as_deref(),
            Some("embargoed:2031-01-01")
        );
        assert_eq!(r.display_title("x"), "Հուշեր");
        r.unset_field("title:hy").unwrap();
        assert_eq!(r.display_title("scan.jpg"), "scan.jpg");
    }

    #[test]
    fn bad_values_are_refused_with_the_reason() {
        let mut r = ItemRecord::default();
        let e = r.set_field("date", "1915-13-01").unwrap_err().to_string();
        assert!(e.contains("date") && e.contains("13"), "{e}");
        let e = r.set_field("titel", "x").unwrap_err().to_string();
        assert!(e.contains("'titel' is not a field"), "{e}");
        assert!(r.set_field("access", "secret").is_err());
        assert!(r.set_field("access", "embargoed:2031").is_err());
        assert!(r.set_field("lang", "english").is_err());
        assert!(r.set_field("source_country", "USA").is_err());
        assert!(r.set_field("meta:a b", "x").is_err());
        assert_eq!(r, ItemRecord::default(), "a refused value changes nothing");
    }

    #[test]
    fn embargo_opens_on_its_day() {
        let a = Access::parse("embargoed:2031-01-01").unwrap();
        let day = crate::edtf::days_from_civil(2031, 1, 1);
        assert!(!a.is_open_on(day - 1));
        assert!(a.is_open_on(day));
    }
}
