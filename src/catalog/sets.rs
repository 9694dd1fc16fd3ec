//! Curated sets: an ordered selection of items with titles and captions in several
//! languages, the input of every export.
//!
//! Adding or removing an item records an event in that item's history, so an item's
//! history shows every exhibition it took part in.

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::json;

use super::items::{add_event, normalize_id};
use super::Catalog;
use crate::clock;
use crate::edtf;
use crate::error::{Error, Result};
use crate::model::check_lang;

/// What a set is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetKind {
    /// A permanent exhibition.
    #[serde(rename = "exhibition-permanent")]
    Permanent,
    /// A temporary exhibition.
    #[serde(rename = "exhibition-temporary")]
    Temporary,
    /// An online exhibition.
    #[serde(rename = "exhibition-online")]
    Online,
    /// A travelling exhibition.
    #[serde(rename = "exhibition-traveling")]
    Traveling,
    /// A researcher's working set.
    #[serde(rename = "research")]
    Research,
}

impl SetKind {
    /// Every kind, in the order help texts list them.
    pub const ALL: [SetKind; 5] = [
        SetKind::Permanent,
        SetKind::Temporary,
        SetKind::Online,
        SetKind::Traveling,
        SetKind::Research,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SetKind::Permanent => "exhibition-permanent",
            SetKind::Temporary => "exhibition-temporary",
            SetKind::Online => "exhibition-online",
            SetKind::Traveling => "exhibition-traveling",
            SetKind::Research => "research",
        }
    }

    /// Parse a stored or typed name (`travelling` is accepted for `traveling`).
    pub fn parse(s: &str) -> Result<SetKind> {
        let t = s
            .trim()
            .to_ascii_lowercase()
            .replace("travelling", "traveling");
        SetKind::ALL
            .into_iter()
            .find(|k| k.as_str() == t || k.as_str().strip_prefix("exhibition-") == Some(&t))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "'{s}' is not a set type; use one of {}",
                    SetKind::ALL.map(SetKind::as_str).join(", ")
                ))
            })
    }
}

/// One item in a set.
#[derive(Debug, Clone, Serialize)]
pub struct SetEntry {
    /// 1-based position.
    pub position: usize,
    /// Item id.
    pub id: String,
    /// Captions by language.
    pub captions: BTreeMap<String, String>,
}

/// A set with its items in order.
#[derive(Debug, Clone, Serialize)]
pub struct Set {
    /// Name (what commands use).
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: SetKind,
    /// Titles by language (`""` when no language was given).
    pub titles: BTreeMap<String, String>,
    /// Descriptions by language.
    pub descriptions: BTreeMap<String, String>,
    /// Venue.
    pub venue: Option<String>,
    /// Dates (EDTF).
    pub dates: Option<String>,
    /// Created (RFC 3339).
    pub created: String,
    /// Last changed (RFC 3339): the fixed timestamp of deterministic exports.
    pub updated: String,
    /// Items in order.
    pub items: Vec<SetEntry>,
}

impl Set {
    /// The title to show: in `lang` when there is one, else the first one, else the name.
    pub fn title_in(&self, lang: Option<&str>) -> String {
        pick(&self.titles, lang).unwrap_or_else(|| self.name.clone())
    }

    /// The description to show.
    pub fn description_in(&self, lang: Option<&str>) -> Option<String> {
        pick(&self.descriptions, lang)
    }
}

/// Text in `lang`, else the language-less one, else the first.
pub(crate) fn pick(map: &BTreeMap<String, String>, lang: Option<&str>) -> Option<String> {
    lang.and_then(|l| map.get(l))
        .or_else(|| map.get(""))
        .or_else(|| map.values().next())
        .cloned()
}

/// A line of `set list`.
#[derive(Debug, Clone, Serialize)]
pub struct SetSummary {
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: SetKind,
    /// Title to show.
    pub title: String,
    /// Number of items.
    pub items: usize,
    /// Last changed.
    pub updated: String,
}

/// What to change on a set; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SetChanges {
    /// New title (in `lang`).
    pub title: Option<String>,
    /// New description (in `lang`).
    pub description: Option<String>,
    /// Language of the title and description given.
    pub lang: Option<String>,
    /// Type.
    pub kind: Option<SetKind>,
    /// Venue.
    pub venue: Option<String>,
    /// Dates (EDTF).
    pub dates: Option<String>,
}

fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "'{name}' is not a usable set name: give 1 to 100 characters, no control characters"
        )));
    }
    Ok(n.to_string())
}

impl Catalog {
    fn set_seq(&self, name: &str) -> Result<i64> {
        self.conn()
            .query_row("SELECT seq FROM sets WHERE name = ?1", [name.trim()], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| {
                Error::invalid(format!(
                    "no set named '{}'; `hishatak set list` shows the sets, `hishatak set create` makes one",
                    name.trim()
                ))
            })
    }

    /// Create a set. Refused when the name is taken.
    pub fn create_set(&mut self, name: &str, changes: &SetChanges) -> Result<Set> {
        let name = check_name(name)?;
        let lang = changes.lang.as_deref().map(check_lang).transpose()?;
        if let Some(d) = &changes.dates {
            edtf::parse(d).map_err(|e| Error::invalid(format!("--dates: {e}")))?;
        }
        let tx = self.write()?;
        let exists: Option<i64> = tx
            .query_row("SELECT seq FROM sets WHERE name = ?1", [&name], |r| {
                r.get(0)
            })
            .optional()?;
        if exists.is_some() {
            return Err(Error::invalid(format!(
                "a set named '{name}' already exists; `hishatak set show {name}` shows it"
            )));
        }
        let now = clock::now();
        tx.execute(
            "INSERT INTO sets (name, set_type, venue, dates, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![
                name,
                changes.kind.unwrap_or(SetKind::Temporary).as_str(),
                changes.venue.as_deref().map(str::trim).filter(|v| !v.is_empty()),
                changes.dates.as_deref().map(str::trim),
                now
            ],
        )?;
        let seq = tx.last_insert_rowid();
        let lang = lang.unwrap_or_default();
        for (field, value) in [
            ("title", &changes.title),
            ("description", &changes.description),
        ] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                tx.execute(
                    "INSERT INTO set_texts (set_seq, field, lang, body) VALUES (?1, ?2, ?3, ?4)",
                    params![seq, field, lang, v],
                )?;
            }
        }
        tx.commit()?;
        self.set(&name)
    }

    /// Change a set's title, description (per language), type, venue or dates.
    pub fn edit_set(&mut self, name: &str, changes: &SetChanges) -> Result<Set> {
        let seq = self.set_seq(name)?;
        let lang = changes
            .lang
            .as_deref()
            .map(check_lang)
            .transpose()?
            .unwrap_or_default();
        if let Some(d) = changes.dates.as_deref().filter(|d| !d.trim().is_empty()) {
            edtf::parse(d).map_err(|e| Error::invalid(format!("--dates: {e}")))?;
        }
        let tx = self.write()?;
        for (field, value) in [
            ("title", &changes.title),
            ("description", &changes.description),
        ] {
            match value.as_deref().map(str::trim) {
                Some("") => {
                    tx.execute(
                        "DELETE FROM set_texts WHERE set_seq = ?1 AND field = ?2 AND lang = ?3",
                        params![seq, field, lang],
                    )?;
                }
                Some(v) => {
                    tx.execute(
                        "INSERT INTO set_texts (set_seq, field, lang, body) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (set_seq, field, lang) DO UPDATE SET body = excluded.body",
                        params![seq, field, lang, v],
                    )?;
                }
                None => {}
            }
        }
        if let Some(k) = changes.kind {
            tx.execute(
                "UPDATE sets SET set_type = ?2 WHERE seq = ?1",
                params![seq, k.as_str()],
            )?;
        }
        for (col, value) in [("venue", &changes.venue), ("dates", &changes.dates)] {
            if let Some(v) = value {
                let v = Some(v.trim()).filter(|v| !v.is_empty());
                // Column names come from the fixed list above, never from the user.
                tx.execute(
                    &format!("UPDATE sets SET {col} = ?2 WHERE seq = ?1"),
                    params![seq, v],
                )?;
            }
        }
        touch(&tx, seq)?;
        tx.commit()?;
        self.set(name)
    }

    /// Add items at the end of a set (an item already in it keeps its place). A caption,
    /// when given, is set for each of them in `caption_lang`. Returns each id (normalised)
    /// with whether it was added now (false: it was already in the set).
    pub fn add_to_set(
        &mut self,
        name: &str,
        ids: &[String],
        caption: Option<&str>,
        caption_lang: Option<&str>,
        default_lang: &str,
    ) -> Result<Vec<(String, bool)>> {
        let seq = self.set_seq(name)?;
        let lang = check_lang(caption_lang.unwrap_or(default_lang))?;
        // Every id must exist before anything changes.
        let mut items = Vec::new();
        for id in ids {
            items.push(self.item(id)?.id);
        }
        let set_name = name.trim().to_string();
        let tx = self.write()?;
        let mut added = Vec::new();
        for id in &items {
            let present: Option<i64> = tx
                .query_row(
                    "SELECT position FROM set_items WHERE set_seq = ?1 AND item_id = ?2",
                    params![seq, id],
                    |r| r.get(0),
                )
                .optional()?;
            if present.is_none() {
                tx.execute(
                    "INSERT INTO set_items (set_seq, item_id, position)
                     VALUES (?1, ?2, (SELECT COALESCE(MAX(position), 0) + 1 FROM set_items WHERE set_seq = ?1))",
                    params![seq, id],
                )?;
                add_event(
                    &tx,
                    Some(id),
                    "set-added",
                    "success",
                    &json!({"set": set_name}),
                )?;
            }
            added.push((id.clone(), present.is_none()));
            if let Some(c) = caption.map(str::trim).filter(|c| !c.is_empty()) {
                tx.execute(
                    "INSERT INTO set_captions (set_seq, item_id, lang, body) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (set_seq, item_id, lang) DO UPDATE SET body = excluded.body",
                    params![seq, id, lang, c],
                )?;
            }
        }
        touch(&tx, seq)?;
        tx.commit()?;
        Ok(added)
    }

    /// Remove an item from a set; the items after it move up.
    pub fn remove_from_set(&mut self, name: &str, id: &str) -> Result<String> {
        let seq = self.set_seq(name)?;
        let id = normalize_id(id);
        let tx = self.write()?;
        let pos: i64 = tx
            .query_row(
                "SELECT position FROM set_items WHERE set_seq = ?1 AND item_id = ?2",
                params![seq, id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::invalid(format!("{id} is not in set '{}'", name.trim())))?;
        tx.execute(
            "DELETE FROM set_items WHERE set_seq = ?1 AND item_id = ?2",
            params![seq, id],
        )?;
        tx.execute(
            "UPDATE set_items SET position = position - 1 WHERE set_seq = ?1 AND position > ?2",
            params![seq, pos],
        )?;
        add_event(
            &tx,
            Some(&id),
            "set-removed",
            "success",
            &json!({"set": name.trim()}),
        )?;
        touch(&tx, seq)?;
        tx.commit()?;
        Ok(id)
    }

    /// Move an item to a 1-based position; the others shift to make room.
    pub fn move_in_set(&mut self, name: &str, id: &str, position: usize) -> Result<()> {
        let seq = self.set_seq(name)?;
        let id = normalize_id(id);
        let tx = self.write()?;
        let mut order: Vec<String> = {
            let mut st =
                tx.prepare("SELECT item_id FROM set_items WHERE set_seq = ?1 ORDER BY position")?;
            let rows = st.query_map([seq], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let from = order
            .iter()
            .position(|x| *x == id)
            .ok_or_else(|| Error::invalid(format!("{id} is not in set '{}'", name.trim())))?;
        if position == 0 || position > order.len() {
            return Err(Error::invalid(format!(
                "position {position} is outside set '{}', which has {} item(s): give 1 to {}",
                name.trim(),
                order.len(),
                order.len()
            )));
        }
        let it = order.remove(from);
        order.insert(position - 1, it);
        for (i, item) in order.iter().enumerate() {
            tx.execute(
                "UPDATE set_items SET position = ?3 WHERE set_seq = ?1 AND item_id = ?2",
                params![seq, item, i as i64 + 1],
            )?;
        }
        touch(&tx, seq)?;
        tx.commit()?;
        Ok(())
    }

    /// A set with its items in order.
    pub fn set(&self, name: &str) -> Result<Set> {
        let seq = self.set_seq(name)?;
        let (name, kind, venue, dates, created, updated) = self.conn().query_row(
            "SELECT name, set_type, venue, dates, created, updated FROM sets WHERE seq = ?1",
            [seq],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            },
        )?;
        let kind = SetKind::parse(&kind).map_err(|e| Error::Corruption {
            what: format!("set {name}"),
            detail: e.to_string(),
        })?;
        let mut titles = BTreeMap::new();
        let mut descriptions = BTreeMap::new();
        let mut st = self
            .conn()
            .prepare("SELECT field, lang, body FROM set_texts WHERE set_seq = ?1")?;
        for row in st.query_map([seq], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (field, lang, body) = row?;
            if field == "title" {
                titles.insert(lang, body);
            } else {
                descriptions.insert(lang, body);
            }
        }
        let mut items = Vec::new();
        let mut st = self.conn().prepare(
            "SELECT item_id, position FROM set_items WHERE set_seq = ?1 ORDER BY position",
        )?;
        for row in st.query_map([seq], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))? {
            let (id, position) = row?;
            items.push(SetEntry {
                position: usize::try_from(position).unwrap_or(0),
                id,
                captions: BTreeMap::new(),
            });
        }
        let mut st = self
            .conn()
            .prepare("SELECT item_id, lang, body FROM set_captions WHERE set_seq = ?1")?;
        for row in st.query_map([seq], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })? {
            let (id, lang, body) = row?;
            if let Some(e) = items.iter_mut().find(|e| e.id == id) {
                e.captions.insert(lang, body);
            }
        }
        Ok(Set {
            name,
            kind,
            titles,
            descriptions,
            venue,
            dates,
            created,
            updated,
            items,
        })
    }

    /// Every set, by name.
    pub fn sets(&self) -> Result<Vec<SetSummary>> {
        let mut st = self.conn().prepare("SELECT name FROM sets ORDER BY name")?;
        let names: Vec<String> = st
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        names
            .iter()
            .map(|n| {
                let s = self.set(n)?;
                Ok(SetSummary {
                    title: s.title_in(None),
                    name: s.name,
                    kind: s.kind,
                    items: s.items.len(),
                    updated: s.updated,
                })
            })
            .collect()
    }

    /// Record that items were exported (one event per item).
    pub fn record_export(
        &mut self,
        set: &str,
        format: &str,
        out: &str,
        ids: &[String],
    ) -> Result<()> {
        let tx = self.write()?;
        for id in ids {
            add_event(
                &tx,
                Some(id),
                "exported",
                "success",
                &json!({"set": set, "format": format, "out": out}),
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn touch(tx: &rusqlite::Connection, seq: i64) -> Result<()> {
    tx.execute(
        "UPDATE sets SET updated = ?2 WHERE seq = ?1",
        params![seq, clock::now()],
    )?;
    Ok(())
}
