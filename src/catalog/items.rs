//! Queries on items, their files, texts and events.

use std::collections::HashMap;
use std::sync::LazyLock;

use rusqlite::{params, params_from_iter, OptionalExtension, Row, ToSql, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::Catalog;
use crate::clock;
use crate::edtf;
use crate::error::{Error, Result};
use crate::model::{Access, ItemRecord, Kind};

/// A stored file of an item.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileRow {
    /// Original file name.
    pub name: String,
    /// `master`, `access`, `thumbnail` or `text`.
    pub role: String,
    /// Content hash, which is also its name in the object store.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Media type sniffed from the content.
    pub media_type: String,
    /// Page number (1-based) for masters and their derivatives.
    pub page: Option<i64>,
    /// What was read from inside it (pixel size, colour, EXIF, PDF pages ...), once analysed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub technical: Option<Value>,
    /// Why it could not be read, when it could not (the file is still kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// A readable text of an item.
#[derive(Debug, Clone, Serialize)]
pub struct TextRow {
    /// `transcript`, `ocr`, `pdf` or `translation`.
    pub source: String,
    /// Language code, when known.
    pub lang: Option<String>,
    /// Page the text belongs to, when it is per page.
    pub page: Option<i64>,
    /// File the text came from, when it came from a file.
    pub name: Option<String>,
    /// Hash of that file in the object store.
    pub sha256: Option<String>,
    /// Encoding the file was read in (`tesseract:hye+eng` for OCR: the packs used).
    pub encoding: Option<String>,
    /// Mean OCR word confidence (0-100), for OCR text.
    pub confidence: Option<f64>,
    /// Language detected in the text.
    pub detected_lang: Option<String>,
    /// Length in characters.
    pub chars: usize,
    /// The text.
    pub text: String,
}

/// One event in an item's history.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    /// When it happened (UTC, RFC 3339).
    pub at: String,
    /// `ingested`, `edited`, `fixity`, `withdrawn`, ...
    pub kind: String,
    /// Who did it.
    pub agent: String,
    /// `success`, `pass`, `fail`, ...
    pub outcome: String,
    /// Details (old and new value of an edit, files checked, ...).
    pub detail: Value,
}

/// An item with everything stored about it.
#[derive(Debug, Clone)]
pub struct Item {
    /// Stable id (`HSH-000042`).
    pub id: String,
    /// Descriptive metadata, provenance and access.
    pub record: ItemRecord,
    /// Files in role and page order.
    pub files: Vec<FileRow>,
    /// Texts.
    pub texts: Vec<TextRow>,
    /// When and why it was withdrawn.
    pub withdrawn: Option<(String, String)>,
    /// When it was ingested.
    pub created: String,
    /// When its record last changed.
    pub updated: String,
}

impl Item {
    /// The kind (every stored item has one).
    pub fn kind(&self) -> Kind {
        self.record.kind.unwrap_or(Kind::Document)
    }

    /// The title to show.
    pub fn title(&self) -> String {
        let fallback = self
            .files
            .iter()
            .find(|f| f.role == "master")
            .map(|f| f.name.as_str())
            .unwrap_or("(untitled)");
        self.record.display_title(fallback)
    }

    /// Whether the public may see it today (open access and not withdrawn).
    pub fn is_public(&self) -> bool {
        self.withdrawn.is_none() && self.record.access.is_open_on(clock::today())
    }

    /// The JSON form used by `show --json` and `list --json` (see docs/json-output.md).
    pub fn to_json(&self, with_text: bool) -> Value {
        let r = &self.record;
        let texts: Vec<Value> = self
            .texts
            .iter()
            .map(|t| {
                let mut v = json!({
                    "source": t.source, "lang": t.lang, "page": t.page, "name": t.name,
                    "sha256": t.sha256, "encoding": t.encoding, "chars": t.chars,
                    "confidence": t.confidence.map(|c| (c * 10.0).round() / 10.0),
                    "detected_lang": t.detected_lang,
                });
                if with_text {
                    v["text"] = json!(t.text);
                }
                v
            })
            .collect();
        json!({
            "id": self.id,
            "kind": self.kind().as_str(),
            "title": self.title(),
            "titles": r.titles,
            "description": r.description.clone().or_else(|| {
                r.langs.iter().find_map(|l| r.descriptions.get(l).cloned())
                    .or_else(|| r.descriptions.values().next().cloned())
            }),
            "descriptions": r.descriptions,
            "date": r.date.as_ref().map(|d| d.text.clone()),
            "date_earliest": r.date.as_ref().and_then(|d| d.earliest).map(edtf::format_day),
            "date_latest": r.date.as_ref().and_then(|d| d.latest).map(edtf::format_day),
            "lang": r.langs,
            "collection": r.collection,
            "creator": r.creator,
            "source_archive": r.source_archive,
            "source_country": r.source_country,
            "reference": r.reference,
            "donor": r.donor,
            "acquired": r.acquired.as_ref().map(|d| d.text.clone()),
            "custody": r.custody,
            "rights": r.rights,
            "access": r.access.as_string(),
            "withdrawn": self.withdrawn.as_ref().map(|(at, reason)| json!({"at": at, "reason": reason})),
            "persons": r.persons,
            "places": r.places,
            "subjects": r.subjects,
            "meta": r.meta,
            "files": self.files,
            "text_sources": texts,
            "created": self.created,
            "updated": self.updated,
        })
    }
}

/// A file to record for a new item (its object already durable in the store).
#[derive(Debug, Clone)]
pub struct NewFile {
    /// Original name.
    pub name: String,
    /// Role.
    pub role: &'static str,
    /// Page.
    pub page: Option<i64>,
    /// Content hash.
    pub sha256: String,
    /// Size.
    pub size: u64,
    /// Media type.
    pub media_type: String,
}

/// A text to record for a new item.
#[derive(Debug, Clone)]
pub struct NewText {
    /// Source kind.
    pub source: &'static str,
    /// Language.
    pub lang: Option<String>,
    /// Page.
    pub page: Option<i64>,
    /// File name it came from.
    pub name: Option<String>,
    /// Hash of that file.
    pub sha256: Option<String>,
    /// Encoding it was decoded from.
    pub encoding: Option<String>,
    /// The text.
    pub body: String,
}

/// Filters of `list`.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only this collection.
    pub collection: Option<String>,
    /// Only items in this language.
    pub lang: Option<String>,
    /// Also restricted and embargoed items.
    pub include_restricted: bool,
    /// Also withdrawn items.
    pub include_withdrawn: bool,
}

/// Run a statement through the connection's statement cache: a batch of inserts parses
/// each statement once, not once per row (parsing was a fifth of small-file ingest).
fn exec(conn: &rusqlite::Connection, sql: &str, params: impl rusqlite::Params) -> Result<usize> {
    Ok(conn.prepare_cached(sql)?.execute(params)?)
}

const ITEM_COLUMNS: &str =
    "id, kind, title, description, date, creator, collection, source_archive, \
     source_country, reference, donor, acquired, custody, rights, access, withdrawn_at, \
     withdrawn_reason, created, updated";

/// Write every part of a record for `id` (the item row must exist).
/// `fresh`: the item row was just inserted, so it has no parts to replace.
fn write_record_parts(tx: &Transaction<'_>, id: &str, r: &ItemRecord, fresh: bool) -> Result<()> {
    if !fresh {
        for table in [
            "DELETE FROM item_titles WHERE item_id = ?1",
            "DELETE FROM item_descriptions WHERE item_id = ?1",
            "DELETE FROM item_langs WHERE item_id = ?1",
            "DELETE FROM item_terms WHERE item_id = ?1",
            "DELETE FROM item_meta WHERE item_id = ?1",
        ] {
            exec(tx, table, [id])?;
        }
    }
    for (lang, text) in &r.titles {
        exec(
            tx,
            "INSERT INTO item_titles (item_id, lang, text) VALUES (?1, ?2, ?3)",
            params![id, lang, text],
        )?;
    }
    for (lang, text) in &r.descriptions {
        exec(
            tx,
            "INSERT INTO item_descriptions (item_id, lang, text) VALUES (?1, ?2, ?3)",
            params![id, lang, text],
        )?;
    }
    for (i, lang) in r.langs.iter().enumerate() {
        exec(
            tx,
            "INSERT INTO item_langs (item_id, position, lang) VALUES (?1, ?2, ?3)",
            params![id, i as i64, lang],
        )?;
    }
    for (field, values) in [
        ("person", &r.persons),
        ("place", &r.places),
        ("subject", &r.subjects),
    ] {
        for (i, v) in values.iter().enumerate() {
            exec(
                tx,
                "INSERT INTO item_terms (item_id, field, position, value) VALUES (?1, ?2, ?3, ?4)",
                params![id, field, i as i64, v],
            )?;
        }
    }
    for (k, v) in &r.meta {
        exec(
            tx,
            "INSERT INTO item_meta (item_id, key, value) VALUES (?1, ?2, ?3)",
            params![id, k, v],
        )?;
    }
    Ok(())
}

/// The item row's descriptive columns, in the order `Descriptive::values` gives them.
const DESCRIPTIVE: &str = "kind, title, description, date, date_earliest, date_latest, \
     creator, collection, source_archive, source_country, reference, donor, acquired, custody, \
     rights, access";

/// A record's values for the `DESCRIPTIVE` columns: the derived ones computed once, the
/// rest borrowed (no allocation per column on the ingest path).
struct Descriptive<'a> {
    r: &'a ItemRecord,
    kind: &'static str,
    date: Option<&'a String>,
    earliest: Option<i64>,
    latest: Option<i64>,
    acquired: Option<&'a String>,
    access: String,
}

impl<'a> Descriptive<'a> {
    fn of(r: &'a ItemRecord) -> Self {
        Descriptive {
            r,
            kind: r.kind.unwrap_or(Kind::Document).as_str(),
            date: r.date.as_ref().map(|d| &d.text),
            earliest: r.date.as_ref().and_then(|d| d.earliest),
            latest: r.date.as_ref().and_then(|d| d.latest),
            acquired: r.acquired.as_ref().map(|d| &d.text),
            access: r.access.as_string(),
        }
    }

    fn values(&self) -> [&dyn ToSql; 16] {
        let r = self.r;
        [
            &self.kind,
            &r.title,
            &r.description,
            &self.date,
            &self.earliest,
            &self.latest,
            &r.creator,
            &r.collection,
            &r.source_archive,
            &r.source_country,
            &r.reference,
            &r.donor,
            &self.acquired,
            &r.custody,
            &r.rights,
            &self.access,
        ]
    }
}

/// `?N, ?N+1, ...`: `count` numbered placeholders from `first`.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn update_item_row(tx: &Transaction<'_>, id: &str, r: &ItemRecord, now: &str) -> Result<()> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let sets = DESCRIPTIVE
            .split(", ")
            .zip(placeholders(3, 16).split(", "))
            .map(|(c, p)| format!("{} = {p}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        format!("UPDATE items SET updated = ?2, {sets} WHERE id = ?1")
    });
    let head: [&dyn ToSql; 2] = [&id, &now];
    let d = Descriptive::of(r);
    exec(
        tx,
        &SQL,
        params_from_iter(head.into_iter().chain(d.values())),
    )?;
    Ok(())
}

/// Record an event (inside the caller's transaction).
pub(crate) fn add_event(
    tx: &rusqlite::Connection,
    item_id: Option<&str>,
    kind: &str,
    outcome: &str,
    detail: &Value,
) -> Result<()> {
    exec(
            tx,
        "INSERT INTO events (item_id, at, kind, agent, outcome, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![item_id, clock::now(), kind, clock::agent(), outcome, detail.to_string()],
    )?;
    Ok(())
}

/// Record an object row (no-op when the object is already known).
pub(crate) fn add_object(
    tx: &rusqlite::Connection,
    sha256: &str,
    size: u64,
    media_type: &str,
) -> Result<()> {
    exec(
        tx,
        "INSERT OR IGNORE INTO objects (sha256, size, media_type, created) VALUES (?1, ?2, ?3, ?4)",
        params![sha256, size as i64, media_type, clock::now()],
    )?;
    Ok(())
}

/// Insert a new item with its files and texts; returns its new id.
pub(crate) fn insert_item(
    tx: &Transaction<'_>,
    record: &ItemRecord,
    fingerprint: &str,
    files: &[NewFile],
    texts: &[NewText],
    event_detail: &Value,
) -> Result<String> {
    let now = clock::now();
    // The next number of the AUTOINCREMENT sequence, which never hands a number out twice
    // (`sqlite_sequence` keeps the highest ever used, even after deletes). Inserting it
    // explicitly, inside the write transaction, moves the sequence on the same way, and
    // gives the row its final id at once: inserting a placeholder and renaming it made
    // SQLite's foreign-key check scan every child table for the old key.
    let seq: i64 = tx
        .prepare_cached(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'items'), 0),
                        COALESCE((SELECT MAX(seq) FROM items), 0)) + 1",
        )?
        .query_row([], |r| r.get(0))?;
    let id = format!("HSH-{seq:06}");
    // One row write with every column (an insert and then `edit`'s update wrote the row
    // and its indexes twice).
    static SQL: LazyLock<String> = LazyLock::new(|| {
        format!(
            "INSERT INTO items (seq, id, fingerprint, created, updated, {DESCRIPTIVE})
             VALUES (?1, ?2, ?3, ?4, ?4, {})",
            placeholders(5, 16)
        )
    });
    let head: [&dyn ToSql; 4] = [&seq, &id, &fingerprint, &now];
    let d = Descriptive::of(record);
    exec(
        tx,
        &SQL,
        params_from_iter(head.into_iter().chain(d.values())),
    )?;
    write_record_parts(tx, &id, record, true)?;
    for f in files {
        add_object(tx, &f.sha256, f.size, &f.media_type)?;
        exec(
            tx,
            "INSERT INTO files (item_id, role, page, name, sha256, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, f.role, f.page, f.name, f.sha256, now],
        )?;
    }
    for t in texts {
        exec(
            tx,
            "INSERT INTO texts (item_id, source, lang, page, name, sha256, encoding, body, created)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![id, t.source, t.lang, t.page, t.name, t.sha256, t.encoding, t.body, now],
        )?;
    }
    add_event(tx, Some(&id), "ingested", "success", event_detail)?;
    Ok(id)
}

/// The ids of the items with these fingerprints (`None` for a fingerprint not stored), read
/// in one read transaction: in autocommit mode each lookup takes and lets go of the WAL
/// read lock (two `fcntl` calls and a look at the WAL index), 20,000 system calls for a
/// folder of 10,000 files.
pub(crate) fn find_by_fingerprints(
    conn: &rusqlite::Connection,
    fingerprints: &[&str],
) -> Result<Vec<Option<String>>> {
    let read = if conn.is_autocommit() && fingerprints.len() > 1 {
        Some(conn.unchecked_transaction()?)
    } else {
        None
    };
    let found = fingerprints
        .iter()
        .map(|f| find_by_fingerprint(conn, f))
        .collect::<Result<Vec<_>>>()?;
    if let Some(read) = read {
        // Nothing was written: this only ends the read transaction.
        read.commit()?;
    }
    Ok(found)
}

/// The id of the item with this fingerprint, if any.
pub(crate) fn find_by_fingerprint(
    conn: &rusqlite::Connection,
    fingerprint: &str,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT id FROM items WHERE fingerprint = ?1")?
        .query_row([fingerprint], |r| r.get(0))
        .optional()?)
}

fn opt_date(field: &str, id: &str, text: Option<String>) -> Result<Option<edtf::Edtf>> {
    text.map(|t| {
        edtf::parse(&t).map_err(|e| Error::Corruption {
            what: format!("item {id}"),
            detail: format!("stored {field} is not valid: {e}"),
        })
    })
    .transpose()
}

fn read_item_row(row: &Row<'_>) -> rusqlite::Result<[Option<String>; 19]> {
    let mut out: [Option<String>; 19] = Default::default();
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = row.get(i)?;
    }
    Ok(out)
}

/// The rows of the other tables that make up one item.
#[derive(Default)]
struct Parts {
    titles: Vec<(String, String)>,
    descriptions: Vec<(String, String)>,
    langs: Vec<String>,
    terms: Vec<(String, String)>,
    meta: Vec<(String, String)>,
    files: Vec<FileRow>,
    texts: Vec<TextRow>,
}

fn assemble(row: [Option<String>; 19], p: Parts) -> Result<Item> {
    let [id, kind, title, description, date, creator, collection, source_archive, source_country, reference, donor, acquired, custody, rights, access, withdrawn_at, withdrawn_reason, created, updated] =
        row;
    let id = id.unwrap_or_default();
    let corrupt = |detail: String| Error::Corruption {
        what: format!("item {id}"),
        detail,
    };
    let mut r = ItemRecord {
        kind: Some(Kind::parse(kind.as_deref().unwrap_or("")).map_err(|e| corrupt(e.to_string()))?),
        title,
        description,
        date: opt_date("date", &id, date)?,
        creator,
        collection,
        source_archive,
        source_country,
        reference,
        donor,
        acquired: opt_date("acquired", &id, acquired)?,
        custody,
        rights,
        access: Access::parse(access.as_deref().unwrap_or("open"))
            .map_err(|e| corrupt(e.to_string()))?,
        ..ItemRecord::default()
    };
    r.titles.extend(p.titles);
    r.descriptions.extend(p.descriptions);
    r.langs = p.langs;
    for (f, v) in p.terms {
        match f.as_str() {
            "person" => r.persons.push(v),
            "place" => r.places.push(v),
            _ => r.subjects.push(v),
        }
    }
    r.meta.extend(p.meta);
    Ok(Item {
        id,
        record: r,
        files: p.files,
        texts: p.texts,
        withdrawn: withdrawn_at.map(|at| (at, withdrawn_reason.unwrap_or_default())),
        created: created.unwrap_or_default(),
        updated: updated.unwrap_or_default(),
    })
}

impl Catalog {
    /// Load one item with its files, texts and record.
    pub fn item(&self, id: &str) -> Result<Item> {
        let id_norm = normalize_id(id);
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1");
        let row = self
            .conn()
            .query_row(&sql, [&id_norm], read_item_row)
            .optional()?
            .ok_or_else(|| Error::NoSuchItem(id.to_string()))?;
        self.assemble(row)
    }

    /// Load many items at once, in the order of `ids`: one query per table for all of
    /// them instead of seven per item (what `reindex` and search catch-up read). Each
    /// item is exactly what [`Catalog::item`] returns for its id.
    pub fn items(&self, ids: &[String]) -> Result<Vec<Item>> {
        let norm: Vec<String> = ids.iter().map(|i| normalize_id(i)).collect();
        let wanted = serde_json::to_string(&norm).unwrap_or_else(|_| "[]".to_string());
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM items WHERE id IN (SELECT value FROM json_each(?1))"
        );
        let mut rows: HashMap<String, [Option<String>; 19]> = HashMap::with_capacity(ids.len());
        {
            let mut st = self.conn().prepare_cached(&sql)?;
            for row in st.query_map([&wanted], read_item_row)? {
                let row = row?;
                rows.insert(row[0].clone().unwrap_or_default(), row);
            }
        }
        let mut parts = self.parts(&wanted)?;
        let mut out = Vec::with_capacity(ids.len());
        for (id, n) in ids.iter().zip(&norm) {
            let row = rows
                .remove(n)
                .ok_or_else(|| Error::NoSuchItem(id.to_string()))?;
            let p = parts.remove(n).unwrap_or_default();
            out.push(assemble(row, p)?);
        }
        Ok(out)
    }

    fn assemble(&self, row: [Option<String>; 19]) -> Result<Item> {
        let id = row[0].clone().unwrap_or_default();
        let wanted = serde_json::to_string(&[&id]).unwrap_or_else(|_| "[]".to_string());
        let p = self.parts(&wanted)?.remove(&id).unwrap_or_default();
        assemble(row, p)
    }

    /// The titles, descriptions, languages, terms, meta, files and texts of the items
    /// whose ids are in the JSON array `wanted`, one query per table.
    fn parts(&self, wanted: &str) -> Result<HashMap<String, Parts>> {
        const IN: &str = "item_id IN (SELECT value FROM json_each(?1))";
        let conn = self.conn();
        let mut out: HashMap<String, Parts> = HashMap::new();
        let pairs = |sql: &str| -> Result<Vec<(String, String, String)>> {
            let mut st = conn.prepare_cached(sql)?;
            let rows = st.query_map([wanted], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        for (id, l, t) in pairs(&format!(
            "SELECT item_id, lang, text FROM item_titles WHERE {IN}"
        ))? {
            out.entry(id).or_default().titles.push((l, t));
        }
        for (id, l, t) in pairs(&format!(
            "SELECT item_id, lang, text FROM item_descriptions WHERE {IN}"
        ))? {
            out.entry(id).or_default().descriptions.push((l, t));
        }
        for (id, _, l) in pairs(&format!(
            "SELECT item_id, '', lang FROM item_langs WHERE {IN} ORDER BY item_id, position"
        ))? {
            out.entry(id).or_default().langs.push(l);
        }
        for (id, f, v) in pairs(&format!(
            "SELECT item_id, field, value FROM item_terms WHERE {IN} ORDER BY item_id, field, position"
        ))? {
            out.entry(id).or_default().terms.push((f, v));
        }
        for (id, k, v) in pairs(&format!(
            "SELECT item_id, key, value FROM item_meta WHERE {IN}"
        ))? {
            out.entry(id).or_default().meta.push((k, v));
        }
        let mut st = conn.prepare_cached(&format!(
            "SELECT f.name, f.role, f.sha256, o.size, o.media_type, f.page, m.meta, m.problem, f.item_id
             FROM files f JOIN objects o ON o.sha256 = f.sha256
             LEFT JOIN object_meta m ON m.sha256 = f.sha256
             WHERE f.{IN}
             ORDER BY f.item_id,
                      CASE f.role WHEN 'master' THEN 0 WHEN 'text' THEN 1 WHEN 'access' THEN 2 ELSE 3 END,
                      f.page, f.id"
        ))?;
        let rows = st.query_map([wanted], |r| {
            Ok((
                r.get::<_, String>(8)?,
                FileRow {
                    name: r.get(0)?,
                    role: r.get(1)?,
                    sha256: r.get(2)?,
                    size: r.get::<_, i64>(3)?.max(0) as u64,
                    media_type: r.get(4)?,
                    technical: r
                        .get::<_, Option<String>>(6)?
                        .and_then(|m| serde_json::from_str(&m).ok()),
                    problem: r.get(7)?,
                    page: r.get(5)?,
                },
            ))
        })?;
        for x in rows {
            let (id, f) = x?;
            out.entry(id).or_default().files.push(f);
        }
        let mut st = conn.prepare_cached(&format!(
            "SELECT source, lang, page, name, sha256, encoding, body, confidence, detected_lang, item_id
             FROM texts WHERE {IN} ORDER BY id"
        ))?;
        let rows = st.query_map([wanted], |r| {
            let body: String = r.get(6)?;
            Ok((
                r.get::<_, String>(9)?,
                TextRow {
                    source: r.get(0)?,
                    lang: r.get(1)?,
                    page: r.get(2)?,
                    name: r.get(3)?,
                    sha256: r.get(4)?,
                    encoding: r.get(5)?,
                    confidence: r.get(7)?,
                    detected_lang: r.get(8)?,
                    chars: body.chars().count(),
                    text: body,
                },
            ))
        })?;
        for x in rows {
            let (id, t) = x?;
            out.entry(id).or_default().texts.push(t);
        }
        Ok(out)
    }

    /// Items matching `filter`, in id order.
    pub fn list(&self, filter: &ListFilter) -> Result<(Vec<Item>, usize)> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM items
             WHERE (?1 IS NULL OR kind = ?1)
               AND (?2 IS NULL OR collection = ?2)
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM item_langs l WHERE l.item_id = items.id AND l.lang = ?3))
             ORDER BY seq"
        );
        let mut st = self.conn().prepare(&sql)?;
        let rows = st
            .query_map(
                params![
                    filter.kind.map(|k| k.as_str()),
                    filter.collection,
                    filter.lang
                ],
                read_item_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        let mut hidden = 0;
        for row in rows {
            let item = self.assemble(row)?;
            let withdrawn_ok = filter.include_withdrawn || item.withdrawn.is_none();
            let access_ok =
                filter.include_restricted || item.record.access.is_open_on(clock::today());
            if withdrawn_ok && access_ok {
                out.push(item);
            } else {
                hidden += 1;
            }
        }
        Ok((out, hidden))
    }

    /// Change an item's record: `changes` are `(field, Some(value))` to set and
    /// `(field, None)` to unset. Every change is validated first; an event with the old
    /// and new value is recorded per field that really changed. Returns those fields.
    pub fn edit(&mut self, id: &str, changes: &[(String, Option<String>)]) -> Result<Vec<String>> {
        let item = self.item(id)?;
        let mut record = item.record.clone();
        let mut changed = Vec::new();
        for (field, value) in changes {
            let old = record.get_field(field);
            match value {
                Some(v) => record.set_field(field, v),
                None => record.unset_field(field),
            }
            .map_err(|e| Error::invalid(format!("{}: {e}", item.id)))?;
            let new = record.get_field(field);
            if old != new {
                changed.push((field.clone(), old, new));
            }
        }
        if changed.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.write()?;
        let now = clock::now();
        update_item_row(&tx, &item.id, &record, &now)?;
        write_record_parts(&tx, &item.id, &record, false)?;
        for (field, old, new) in &changed {
            add_event(
                &tx,
                Some(&item.id),
                "edited",
                "success",
                &json!({"field": field, "old": old, "new": new}),
            )?;
        }
        tx.commit()?;
        Ok(changed.into_iter().map(|(f, _, _)| f).collect())
    }

    /// Withdraw an item: hidden from search and export; files and history kept.
    pub fn withdraw(&mut self, id: &str, reason: &str) -> Result<String> {
        let item = self.item(id)?;
        if reason.trim().is_empty() {
            return Err(Error::invalid(
                "--reason must say why the item is withdrawn",
            ));
        }
        if let Some((at, why)) = &item.withdrawn {
            return Err(Error::invalid(format!(
                "{} was already withdrawn on {at} ({why}); nothing changed",
                item.id
            )));
        }
        let tx = self.write()?;
        let now = clock::now();
        tx.execute(
            "UPDATE items SET withdrawn_at = ?2, withdrawn_reason = ?3, updated = ?2 WHERE id = ?1",
            params![item.id, now, reason.trim()],
        )?;
        add_event(
            &tx,
            Some(&item.id),
            "withdrawn",
            "success",
            &json!({"reason": reason.trim()}),
        )?;
        tx.commit()?;
        Ok(item.id)
    }

    /// The event log of an item, oldest first.
    pub fn history(&self, id: &str) -> Result<(String, Vec<EventRow>)> {
        let item_id: String = self
            .conn()
            .query_row(
                "SELECT id FROM items WHERE id = ?1",
                [normalize_id(id)],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NoSuchItem(id.to_string()))?;
        let mut st = self.conn().prepare(
            "SELECT at, kind, agent, outcome, detail FROM events WHERE item_id = ?1 ORDER BY id",
        )?;
        let events = st
            .query_map([&item_id], |r| {
                let detail: String = r.get(4)?;
                Ok(EventRow {
                    at: r.get(0)?,
                    kind: r.get(1)?,
                    agent: r.get(2)?,
                    outcome: r.get(3)?,
                    detail: serde_json::from_str(&detail).unwrap_or(Value::String(detail)),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((item_id, events))
    }

    /// Every stored object with the items and file names that use it.
    pub fn objects(&self) -> Result<Vec<StoredObject>> {
        let mut st = self.conn().prepare(
            "SELECT o.sha256, o.size, f.item_id, f.name FROM objects o
             LEFT JOIN files f ON f.sha256 = o.sha256 ORDER BY o.sha256, f.item_id, f.id",
        )?;
        let mut out: Vec<StoredObject> = Vec::new();
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        for row in rows {
            let (sha, size, item, name) = row?;
            if out.last().map(|o| o.sha256 != sha).unwrap_or(true) {
                out.push(StoredObject {
                    sha256: sha,
                    size: size.max(0) as u64,
                    uses: Vec::new(),
                });
            }
            if let (Some(o), Some(item), Some(name)) = (out.last_mut(), item, name) {
                o.uses.push((item, name));
            }
        }
        Ok(out)
    }

    /// When each object was last re-hashed and found sound (Unix seconds). Objects never
    /// checked, or whose last check found damage, are absent.
    pub fn last_fixity(&self) -> Result<std::collections::HashMap<String, i64>> {
        let mut st = self
            .conn()
            .prepare("SELECT sha256, checked_at FROM object_fixity WHERE outcome = 'ok'")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Record a `verify` run: per object when it was checked and the outcome, and one
    /// fixity event per item. `items` maps an item id to (files checked, problems found).
    pub fn record_fixity(
        &mut self,
        objects: &[(String, &str)],
        items: &std::collections::BTreeMap<String, (usize, Vec<Value>)>,
    ) -> Result<()> {
        let at = crate::clock::unix_now();
        let tx = self.write()?;
        {
            let mut st = tx.prepare(
                "INSERT INTO object_fixity (sha256, checked_at, outcome) VALUES (?1, ?2, ?3)
                 ON CONFLICT (sha256) DO UPDATE SET checked_at = ?2, outcome = ?3",
            )?;
            for (sha, outcome) in objects {
                st.execute(rusqlite::params![sha, at, outcome])?;
            }
        }
        for (id, (checked, problems)) in items {
            let outcome = if problems.is_empty() { "pass" } else { "fail" };
            add_event(
                &tx,
                Some(id),
                "fixity",
                outcome,
                &json!({"files_checked": checked, "problems": problems}),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Number of items.
    pub fn count_items(&self) -> Result<u64> {
        Ok(self
            .conn()
            .query_row("SELECT COUNT(*) FROM items", [], |r| r.get::<_, i64>(0))?
            .max(0) as u64)
    }
}

/// A stored object and its uses.
#[derive(Debug, Clone)]
pub struct StoredObject {
    /// Content hash.
    pub sha256: String,
    /// Expected size.
    pub size: u64,
    /// `(item id, file name)` of each file that points at it.
    pub uses: Vec<(String, String)>,
}

/// Accept `hsh-42`, `HSH-000042` and `42` for the same item.
pub(crate) fn normalize_id(id: &str) -> String {
    let t = id.trim();
    let digits = t
        .strip_prefix("HSH-")
        .or_else(|| t.strip_prefix("hsh-"))
        .unwrap_or(t);
    match digits.parse::<u64>() {
        Ok(n) if digits.bytes().all(|b| b.is_ascii_digit()) => format!("HSH-{n:06}"),
        _ => t.to_string(),
    }
}
