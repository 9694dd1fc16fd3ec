//! Recording what was read from inside the masters: technical metadata, derivatives,
//! PDF and OCR text, detected languages, perceptual hashes.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use serde_json::{json, Value};

use super::items::{add_event, add_object, NewText};
use super::Catalog;
use crate::clock;
use crate::error::Result;

/// An access copy or thumbnail to record (its object already durable).
#[derive(Debug, Clone)]
pub struct NewDerivative {
    /// `access` or `thumbnail`.
    pub role: &'static str,
    /// Page of the item (1-based, counting every page of multi-page masters).
    pub page: i64,
    /// File name.
    pub name: String,
    /// Object hash.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// Everything found in one item's masters.
#[derive(Debug, Clone, Default)]
pub struct ContentRecord {
    /// Per master: (sha256, media type, metadata, problem).
    pub objects: Vec<(String, String, Value, Option<String>)>,
    /// Access copies and thumbnails.
    pub derivatives: Vec<NewDerivative>,
    /// Perceptual hashes: (master sha256, page within the master, hash).
    pub hashes: Vec<(String, i64, String)>,
    /// New text sources (PDF and OCR).
    pub texts: Vec<NewText>,
    /// OCR confidence per new text.
    pub confidences: Vec<Option<f64>>,
    /// Detected language per new text.
    pub detected: Vec<Option<String>>,
    /// Detected language per text the item already had, in its order.
    pub existing_detected: Vec<Option<String>>,
}

/// One near-duplicate pair or exact duplicate, for `duplicates`.
#[derive(Debug, Clone, Serialize)]
pub struct ImageHash {
    /// Item id.
    pub item: String,
    /// Master file name.
    pub name: String,
    /// Master hash.
    pub sha256: String,
    /// Page within the master.
    pub page: i64,
    /// Perceptual hash.
    pub hash: String,
}

impl Catalog {
    /// Whether the item's masters were analysed already.
    pub fn was_analysed(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM events WHERE item_id = ?1 AND kind = 'derived' LIMIT 1",
                [id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Of these items (normalised ids), those with something to read inside: an image
    /// or PDF master, or a text whose language can be detected.
    pub fn items_with_content(&self, ids: &[String]) -> Result<std::collections::HashSet<String>> {
        let wanted = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string());
        let mut st = self.conn().prepare_cached(
            "SELECT DISTINCT f.item_id FROM files f JOIN objects o ON o.sha256 = f.sha256
             WHERE f.item_id IN (SELECT value FROM json_each(?1)) AND f.role = 'master'
               AND (o.media_type LIKE 'image/%' OR o.media_type = 'application/pdf')
             UNION SELECT DISTINCT item_id FROM texts WHERE item_id IN (SELECT value FROM json_each(?1))",
        )?;
        let found = st
            .query_map([&wanted], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(found)
    }

    /// How many master files these items (normalised ids) have.
    pub fn count_masters(&self, ids: &[String]) -> Result<u64> {
        let wanted = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string());
        let n: i64 = self.conn().prepare_cached(
            "SELECT COUNT(*) FROM files WHERE role = 'master' AND item_id IN (SELECT value FROM json_each(?1))",
        )?
        .query_row([&wanted], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Technical metadata and problem of an object, when it was analysed.
    pub fn object_meta(&self, sha256: &str) -> Result<Option<(Value, Option<String>)>> {
        let row: Option<(String, Option<String>)> = self
            .conn()
            .query_row(
                "SELECT meta, problem FROM object_meta WHERE sha256 = ?1",
                [sha256],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.map(|(m, p)| (serde_json::from_str(&m).unwrap_or(Value::Null), p)))
    }

    /// Every perceptual hash of a master page, with its item.
    pub fn image_hashes(&self) -> Result<Vec<ImageHash>> {
        let mut st = self.conn().prepare(
            "SELECT DISTINCT f.item_id, f.name, h.sha256, h.page, h.hash
             FROM image_hashes h JOIN files f ON f.sha256 = h.sha256 AND f.role = 'master'
             JOIN items i ON i.id = f.item_id
             WHERE i.withdrawn_at IS NULL
             ORDER BY f.item_id, h.sha256, h.page",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ImageHash {
                item: r.get(0)?,
                name: r.get(1)?,
                sha256: r.get(2)?,
                page: r.get(3)?,
                hash: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Masters stored in more than one item: (sha256, items).
    pub fn exact_duplicates(&self) -> Result<Vec<(String, Vec<String>)>> {
        let mut st = self.conn().prepare(
            "SELECT sha256, group_concat(DISTINCT item_id) FROM files WHERE role = 'master'
             GROUP BY sha256 HAVING COUNT(DISTINCT item_id) > 1 ORDER BY sha256",
        )?;
        let rows = st.query_map([], |r| {
            let items: String = r.get(1)?;
            Ok((
                r.get::<_, String>(0)?,
                items.split(',').map(str::to_string).collect(),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Record what was read from items' masters (one transaction for the batch),
    /// replacing earlier analyses.
    pub fn record_contents(&mut self, batch: &[(String, ContentRecord)]) -> Result<()> {
        let tx = self.write()?;
        for (id, rec) in batch {
            record_one(&tx, id, rec)?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn record_one(tx: &rusqlite::Transaction<'_>, id: &str, rec: &ContentRecord) -> Result<()> {
    let tx: &rusqlite::Connection = tx;
    {
        let now = clock::now();
        for (sha, mt, meta, problem) in &rec.objects {
            tx.execute(
                "INSERT INTO object_meta (sha256, media_type, meta, problem, analysed) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (sha256) DO UPDATE SET media_type = excluded.media_type, meta = excluded.meta,
                 problem = excluded.problem, analysed = excluded.analysed",
                params![sha, mt, meta.to_string(), problem, now],
            )?;
        }
        let old: Vec<(String, String)> = {
            let mut st = tx.prepare(
                "SELECT role, sha256 FROM files WHERE item_id = ?1 AND role IN ('access', 'thumbnail') ORDER BY role, page",
            )?;
            let rows = st.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        tx.execute(
            "DELETE FROM files WHERE item_id = ?1 AND role IN ('access', 'thumbnail')",
            [id],
        )?;
        tx.execute(
            "DELETE FROM texts WHERE item_id = ?1 AND source IN ('pdf', 'ocr')",
            [id],
        )?;
        for d in &rec.derivatives {
            add_object(tx, &d.sha256, d.size, "image/jpeg")?;
            tx.execute(
                "INSERT OR IGNORE INTO object_meta (sha256, media_type, meta, problem, analysed) VALUES (?1, 'image/jpeg', ?2, NULL, ?3)",
                params![d.sha256, json!({"media_type": "image/jpeg", "width": d.width, "height": d.height, "derived": true}).to_string(), now],
            )?;
            tx.execute(
                "INSERT INTO files (item_id, role, page, name, sha256, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, d.role, d.page, d.name, d.sha256, now],
            )?;
        }
        for (sha, page, hash) in &rec.hashes {
            tx.execute(
                "INSERT OR REPLACE INTO image_hashes (sha256, page, hash) VALUES (?1, ?2, ?3)",
                params![sha, page, hash],
            )?;
        }
        for (i, t) in rec.texts.iter().enumerate() {
            tx.execute(
                "INSERT INTO texts (item_id, source, lang, page, name, sha256, encoding, body, created, confidence, detected_lang)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    id,
                    t.source,
                    t.lang.as_ref().or(rec.detected.get(i).and_then(Option::as_ref)),
                    t.page,
                    t.name,
                    t.sha256,
                    t.encoding,
                    t.body,
                    now,
                    rec.confidences.get(i).copied().flatten(),
                    rec.detected.get(i).cloned().flatten()
                ],
            )?;
        }
        // Languages detected in the texts the item already had (transcripts, translations).
        let existing: Vec<i64> = {
            let mut st = tx.prepare(
                "SELECT id FROM texts WHERE item_id = ?1 AND source NOT IN ('pdf', 'ocr') ORDER BY id",
            )?;
            let rows = st.query_map([id], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for (text_id, lang) in existing.iter().zip(&rec.existing_detected) {
            tx.execute(
                "UPDATE texts SET detected_lang = ?2 WHERE id = ?1",
                params![text_id, lang],
            )?;
        }
        // An item without languages gets those detected in its texts, most common first.
        let langs: i64 = tx.query_row(
            "SELECT COUNT(*) FROM item_langs WHERE item_id = ?1",
            [id],
            |r| r.get(0),
        )?;
        let mut detected_langs = Vec::new();
        if langs == 0 {
            let mut counts: Vec<(String, usize)> = Vec::new();
            for l in rec
                .detected
                .iter()
                .chain(rec.existing_detected.iter())
                .flatten()
            {
                match counts.iter_mut().find(|(c, _)| c == l) {
                    Some(e) => e.1 += 1,
                    None => counts.push((l.clone(), 1)),
                }
            }
            counts.sort_by_key(|c| std::cmp::Reverse(c.1));
            for (pos, (l, _)) in counts.iter().enumerate() {
                tx.execute(
                    "INSERT INTO item_langs (item_id, position, lang) VALUES (?1, ?2, ?3)",
                    params![id, pos as i64, l],
                )?;
                detected_langs.push(l.clone());
            }
            if !detected_langs.is_empty() {
                tx.execute(
                    "UPDATE items SET updated = ?2 WHERE id = ?1",
                    params![id, now],
                )?;
            }
        }
        let problems: Vec<&String> = rec.objects.iter().filter_map(|o| o.3.as_ref()).collect();
        add_event(
            tx,
            Some(id),
            "derived",
            if problems.is_empty() {
                "success"
            } else {
                "flagged"
            },
            &json!({
                "access": rec.derivatives.iter().filter(|d| d.role == "access").count(),
                "thumbnails": rec.derivatives.iter().filter(|d| d.role == "thumbnail").count(),
                "texts": rec.texts.iter().map(|t| json!({"source": t.source, "page": t.page})).collect::<Vec<_>>(),
                "problems": problems,
                "replaced": old.iter().map(|(r, s)| format!("{r}:{s}")).collect::<Vec<_>>(),
                "lang_detected": detected_langs,
            }),
        )?;
    }
    Ok(())
}
