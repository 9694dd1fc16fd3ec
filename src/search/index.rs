//! The tantivy index in `ARCHIVE/index/`: derived from the catalog, one document per item.
//!
//! Words are analysed here (see `analyze`), not by tantivy: each text value is indexed as
//! pre-tokenised text, so the plain, stemmed and Latin forms of a word share one position
//! (phrases work in every form) and a query can ask each form with its own weight.
//!
//! The index records in `hishatak-index.json` its schema version and the last catalog
//! event it reflects. A command that finds it behind catches up from the event log (only
//! the items changed since); a missing, damaged or older-schema index is rebuilt.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rphonetic::DaitchMokotoffSoundex;
use serde::{Deserialize, Serialize};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, FAST, STORED, STRING,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::analyze;
use super::gazetteer::Gazetteer;
use crate::archive::Archive;
use crate::catalog::Item;
use crate::error::{Error, Result};

/// Version of the index layout; a different one is rebuilt. 2: combining marks of every
/// script stay in their word (1 split words at marks outside U+0300-U+036F). 3: hits'
/// display fields and snippet texts stored in the index. 4: both. 5: the number of a
/// `HSH-000042` id as a u64 fast field (`id_num`), read for hits instead of the id's
/// dictionary-encoded column. 6: a token per gazetteer entry (`gazetteer` field and
/// scoped fields) wherever a text names it, so a query asks one term per entry instead of
/// every form of every one of its names. 7: in running text only a word written with a
/// capital names an entry (`kilise`, "church", is not the town of Kilis; `a van` is not
/// Van), as in names, persons and creators any word does.
pub const INDEX_SCHEMA_VERSION: u32 = 7;
const META_FILE: &str = "hishatak-index.json";

/// Scoped text fields, by the query prefix that selects them.
pub const SCOPES: [(&str, &str); 7] = [
    ("title", "title"),
    ("person", "person"),
    ("place", "place"),
    ("subject", "subject"),
    ("creator", "creator"),
    ("ref", "ref"),
    ("collection", "collection_text"),
];

/// The fields of the index.
#[derive(Clone)]
pub struct Fields {
    pub(crate) id: Field,
    /// The number of an id of the form `HSH-000042` (42), or [`NO_ID_NUM`] for any other
    /// id: a hit's id is read from this u64 column in a few nanoseconds, where the id's
    /// string column scans a block of its dictionary (a fifth of a query's time at 20,000
    /// items).
    pub(crate) id_num: Field,
    pub(crate) kind: Field,
    pub(crate) lang: Field,
    pub(crate) collection: Field,
    pub(crate) country: Field,
    pub(crate) access: Field,
    pub(crate) embargo: Field,
    pub(crate) date_from: Field,
    pub(crate) date_to: Field,
    pub(crate) facets: Field,
    pub(crate) plain: Field,
    pub(crate) stem: Field,
    pub(crate) latin: Field,
    pub(crate) phonetic: Field,
    /// The gazetteer entries the item's texts name, one token each (see
    /// [`Gazetteer::token`]); the scoped fields hold them too, at the name's position.
    pub(crate) gazetteer: Field,
    pub(crate) scoped: Vec<(String, Field)>,
    /// What a hit shows and its snippet is made from ([`Shown`]), stored as JSON so a
    /// hit needs no catalog read.
    pub(crate) shown: Field,
}

/// What a hit shows, stored with each document: the item's display fields and the texts
/// its snippet is chosen from (those of [`item_texts`], in that order).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Shown {
    pub(crate) kind: String,
    pub(crate) title: String,
    pub(crate) date: Option<String>,
    pub(crate) lang: Vec<String>,
    pub(crate) collection: Option<String>,
    /// `(label, languages, text)`.
    pub(crate) texts: Vec<(String, Vec<String>, String)>,
}

impl Shown {
    fn of(item: &Item) -> Shown {
        let r = &item.record;
        Shown {
            kind: item.kind().as_str().to_string(),
            title: item.title(),
            date: r.date.as_ref().map(|d| d.text.clone()),
            lang: r.langs.clone(),
            collection: r.collection.clone(),
            texts: item_texts(item)
                .into_iter()
                .map(|(_, text, langs, label)| {
                    (
                        label.to_string(),
                        langs.into_iter().map(str::to_string).collect(),
                        text.to_string(),
                    )
                })
                .collect(),
        }
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let keys = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let num = NumericOptions::default().set_indexed().set_fast();
    let f = Fields {
        id: b.add_text_field("id", STRING | STORED | FAST),
        id_num: b.add_u64_field("id_num", FAST),
        kind: b.add_text_field("kind", STRING),
        lang: b.add_text_field("lang", STRING),
        collection: b.add_text_field("collection", STRING),
        country: b.add_text_field("source_country", STRING),
        access: b.add_text_field("access", STRING),
        embargo: b.add_i64_field("embargo_until", num.clone()),
        date_from: b.add_i64_field("date_from", num.clone()),
        date_to: b.add_i64_field("date_to", num),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        plain: b.add_text_field("all_plain", text.clone()),
        stem: b.add_text_field("all_stem", text.clone()),
        latin: b.add_text_field("all_latin", text.clone()),
        phonetic: b.add_text_field("phonetic", keys),
        gazetteer: b.add_text_field(
            "gazetteer",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(TOKENS)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        scoped: SCOPES
            .iter()
            .map(|(prefix, name)| (prefix.to_string(), b.add_text_field(name, text.clone())))
            .collect(),
        shown: b.add_text_field("shown", STORED),
    };
    (b.build(), f)
}

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    schema: u32,
    /// [`Gazetteer::fingerprint`] of the gazetteer the index was made with.
    #[serde(default)]
    gazetteer: String,
    last_event: i64,
    items: u64,
}

/// An open index with its fields.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    /// The archive's gazetteer (shipped and its own), which indexing and queries use.
    pub(crate) gazetteer: Gazetteer,
    dir: PathBuf,
    /// The archive's index lock, while this process may change the index.
    lock: Option<std::fs::File>,
}

/// What opening the index had to do.
#[derive(Debug, Clone, Default)]
pub struct Freshness {
    /// Why the index was rebuilt from scratch (missing, damaged, older schema).
    pub rebuilt: Option<String>,
    /// Items re-indexed to catch up with the catalog.
    pub caught_up: usize,
    /// Another command was updating the index: it was read as it was, and may lack that
    /// command's newest changes.
    pub busy: bool,
}

/// How long a rebuild queues for the index lock before giving up.
const REBUILD_WAIT_S: u64 = 30 * 60;

/// How long the tantivy writer lock (held inside `index.lock`, so only by an older
/// hishatak) is waited for.
const WRITER_WAIT_S: u64 = 60;

fn lock_path(index_dir: &Path) -> PathBuf {
    index_dir.parent().unwrap_or(index_dir).join("index.lock")
}

/// Take the archive's index lock, trying for up to `wait`; says so after 3 seconds.
fn take_lock(index_dir: &Path, wait: Duration) -> Result<Option<std::fs::File>> {
    let path = lock_path(index_dir);
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    let started = Instant::now();
    let mut told = false;
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(Some(f)),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        if started.elapsed() >= wait {
            return Ok(None);
        }
        if !told && started.elapsed() > Duration::from_secs(3) {
            crate::notice::say(
                "waiting for another hishatak command to finish updating the search index...",
            );
            told = true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn index_error(dir: &Path, e: impl std::fmt::Display) -> Error {
    Error::Corruption {
        what: dir.display().to_string(),
        detail: format!("the search index cannot be used ({e}); run `hishatak reindex` to rebuild it from the catalog"),
    }
}

fn read_meta(dir: &Path) -> Option<Meta> {
    let text = std::fs::read_to_string(dir.join(META_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

fn write_meta(dir: &Path, meta: &Meta) -> Result<()> {
    let tmp = dir.join(format!("{META_FILE}.tmp"));
    let text = serde_json::to_string_pretty(meta).unwrap_or_default();
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, dir.join(META_FILE)).map_err(|e| Error::io(dir, e))
}

/// Events that change what an item looks like in search.
const INDEXED_EVENTS: &str = "kind NOT IN ('fixity', 'exported', 'set-added', 'set-removed')";

fn last_event(archive: &Archive) -> Result<i64> {
    Ok(archive
        .catalog
        .conn()
        .query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))?)
}

impl SearchIndex {
    /// Open the index of `archive`, rebuilding it when missing, damaged or of another
    /// schema, and catching up with catalog changes it has not seen.
    ///
    /// Changing the index takes the archive's `index.lock` (one writer at a time, across
    /// processes). `wait` is how long to queue for it when the index only needs catching
    /// up: a search waits briefly and then reads the index as it is (`Freshness::busy`);
    /// a command that changed the catalog waits longer. A rebuild always waits, since
    /// there is nothing to read until it is done.
    pub fn open(
        archive: &Archive,
        writer_mb: usize,
        wait: Duration,
    ) -> Result<(SearchIndex, Freshness)> {
        let dir = archive.root().join("index");
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let gazetteer = Gazetteer::load(Some(archive.root()))?;
        let mut fresh = Freshness::default();
        // Fast path, no lock: a sound index that has seen every catalog event.
        if let Ok(index) = Self::open_existing(&dir, &gazetteer) {
            let si = SearchIndex {
                index,
                fields: schema().1,
                gazetteer,
                dir: dir.clone(),
                lock: None,
            };
            let seen = read_meta(&dir).map(|m| m.last_event).unwrap_or(0);
            if last_event(archive)? <= seen {
                return Ok((si, fresh));
            }
            // Behind the catalog: catch up if the lock comes within `wait`.
            let mut si = si;
            if !si.lock(wait)? {
                fresh.busy = true;
                return Ok((si, fresh));
            }
            match si.catch_up(archive, writer_mb) {
                Ok(n) => fresh.caught_up = n,
                // The index could not take the changes (a damaged segment): it is
                // derived, so build it again rather than leave search broken.
                Err(Error::Corruption { what, detail }) if what == dir.display().to_string() => {
                    let lock = si.lock.take();
                    let gazetteer = std::mem::take(&mut si.gazetteer);
                    drop(si);
                    let lock = match lock {
                        Some(l) => l,
                        None => return Err(Error::Corruption { what, detail }),
                    };
                    let si = Self::build_new(archive, writer_mb, dir, lock, gazetteer)?;
                    fresh.rebuilt = Some(format!("it could not be updated: {detail}"));
                    return Ok((si, fresh));
                }
                Err(e) => return Err(e),
            }
            si.lock = None;
            return Ok((si, fresh));
        }
        // Missing, damaged or of another schema: rebuild under the lock, after checking
        // again (another process may have rebuilt it while this one waited).
        let lock = take_lock(&dir, Duration::from_secs(REBUILD_WAIT_S))?.ok_or_else(|| {
            Error::invalid(format!(
                "another hishatak command has held the search index lock ({}) for over {} minutes; let it finish, or if none runs, remove that file",
                lock_path(&dir).display(),
                REBUILD_WAIT_S / 60
            ))
        })?;
        match Self::open_existing(&dir, &gazetteer) {
            Ok(index) => {
                let mut si = SearchIndex {
                    index,
                    fields: schema().1,
                    gazetteer,
                    dir,
                    lock: Some(lock),
                };
                fresh.caught_up = si.catch_up(archive, writer_mb)?;
                si.lock = None;
                Ok((si, fresh))
            }
            Err(why) => {
                let si = Self::build_new(archive, writer_mb, dir, lock, gazetteer)?;
                fresh.rebuilt = Some(why);
                Ok((si, fresh))
            }
        }
    }

    /// Throw the index away and build it again from the catalog (for an index found
    /// damaged while reading it).
    pub fn recreate(archive: &Archive, writer_mb: usize) -> Result<SearchIndex> {
        let dir = archive.root().join("index");
        let lock = take_lock(&dir, Duration::from_secs(REBUILD_WAIT_S))?.ok_or_else(|| {
            Error::invalid(format!(
                "another hishatak command has held the search index lock ({}) for over {} minutes",
                lock_path(&dir).display(),
                REBUILD_WAIT_S / 60
            ))
        })?;
        let gazetteer = Gazetteer::load(Some(archive.root()))?;
        Self::build_new(archive, writer_mb, dir, lock, gazetteer)
    }

    fn build_new(
        archive: &Archive,
        writer_mb: usize,
        dir: PathBuf,
        lock: std::fs::File,
        gazetteer: Gazetteer,
    ) -> Result<SearchIndex> {
        clear_dir(&dir)?;
        let index = Index::create_in_dir(&dir, schema().0).map_err(|e| index_error(&dir, e))?;
        let index = with_tokenizer(index);
        let mut si = SearchIndex {
            index,
            fields: schema().1,
            gazetteer,
            dir,
            lock: Some(lock),
        };
        si.rebuild(archive, writer_mb)?;
        si.lock = None;
        Ok(si)
    }

    /// Open the index in `dir` if its state file, schema version and fields are this
    /// binary's and it was made with this gazetteer; otherwise say why it must be rebuilt.
    fn open_existing(dir: &Path, gazetteer: &Gazetteer) -> std::result::Result<Index, String> {
        let (schema, _) = schema();
        match read_meta(dir) {
            None if dir.join("meta.json").exists() => {
                return Err("its state file is missing".to_string())
            }
            None => return Err("there was none yet".to_string()),
            Some(m) if m.schema != INDEX_SCHEMA_VERSION => {
                return Err(format!(
                    "it was made by another version (schema {}, now {INDEX_SCHEMA_VERSION})",
                    m.schema
                ))
            }
            Some(m) if m.gazetteer != gazetteer.fingerprint() => {
                return Err("the gazetteer's names changed since it was made".to_string())
            }
            Some(_) => {}
        }
        let i = with_tokenizer(Index::open_in_dir(dir).map_err(|e| e.to_string())?);
        if i.schema() == schema {
            Ok(i)
        } else {
            Err("its fields differ".to_string())
        }
    }

    /// Take the index lock, queueing up to `wait`. Returns whether it is held.
    pub(crate) fn lock(&mut self, wait: Duration) -> Result<bool> {
        if self.lock.is_none() {
            self.lock = take_lock(&self.dir, wait)?;
        }
        Ok(self.lock.is_some())
    }

    fn writer(&self, writer_mb: usize) -> Result<IndexWriter> {
        if self.lock.is_none() {
            return Err(Error::invalid(format!(
                "internal: the search index in {} was about to be changed without its lock",
                self.dir.display()
            )));
        }
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        // tantivy needs at least 15 MB per indexing thread.
        let budget = (writer_mb.max(15 * threads)) << 20;
        let started = Instant::now();
        let mut told = false;
        loop {
            match self.index.writer_with_num_threads(threads, budget) {
                Ok(w) => {
                    // Files of a writer that was killed before its commit are not in the
                    // index's state but keep their names; a new commit may reuse a name
                    // (`<segment>.<opstamp>.del`) and fail. Remove them first.
                    w.garbage_collect_files()
                        .wait()
                        .map_err(|e| index_error(&self.dir, e))?;
                    return Ok(w);
                }
                Err(tantivy::TantivyError::LockFailure(..))
                    if started.elapsed() < Duration::from_secs(WRITER_WAIT_S) =>
                {
                    // Only an older hishatak (without index.lock) can hold it here.
                    if !told && started.elapsed() > Duration::from_secs(3) {
                        crate::notice::say(
                            "waiting for another hishatak command to finish updating the search index...",
                        );
                        told = true;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(index_error(&self.dir, e)),
            }
        }
    }

    /// Rebuild from the catalog, analysing items on all cores.
    pub fn rebuild(&self, archive: &Archive, writer_mb: usize) -> Result<u64> {
        let last = last_event(archive)?;
        let ids = all_ids(archive)?;
        let mut writer = self.writer(writer_mb)?;
        writer
            .delete_all_documents()
            .map_err(|e| index_error(&self.dir, e))?;
        let dm = phonetic_encoder()?;
        // This thread reads the next chunk from the catalog while another analyses the
        // last one on all cores and feeds the writer, in catalog order.
        let (fields, dir, w, gaz) = (&self.fields, &self.dir, &writer, &self.gazetteer);
        std::thread::scope(|scope| -> Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(1);
            let feeder = scope.spawn(move || -> Result<()> {
                for items in rx {
                    let docs: Vec<TantivyDocument> = items
                        .par_iter()
                        .map(|it| document(fields, it, &dm, gaz))
                        .collect();
                    for d in docs {
                        w.add_document(d).map_err(|e| index_error(dir, e))?;
                    }
                }
                Ok(())
            });
            let mut read = Ok(());
            for chunk in ids.chunks(2000) {
                match archive.catalog.items(chunk) {
                    // A send fails only when the feeder stopped on an error, joined below.
                    Ok(items) => {
                        if tx.send(items).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        read = Err(e);
                        break;
                    }
                }
            }
            drop(tx);
            let fed = feeder
                .join()
                .map_err(|_| Error::invalid("internal: the indexing thread failed"))?;
            read.and(fed)
        })?;
        crate::fault::hit("index-commit").map_err(|e| Error::io(&self.dir, e))?;
        writer.commit().map_err(|e| index_error(&self.dir, e))?;
        // One segment instead of one per indexing thread: every query pays per segment
        // (each term looked up, the near-spelling automaton run over each term
        // dictionary), about a third of a term query's time with two segments at 20,000
        // items. The merge costs about a quarter of the rebuild's time. It replaces the
        // committed segments only once it is complete; if it fails (a full disk), the
        // committed index stands as it is and its leftover files are removed by the next
        // writer, so its error does not fail the rebuild.
        if let Ok(segments) = self.index.searchable_segment_ids() {
            if segments.len() > 1 {
                let _ = writer.merge(&segments).wait();
            }
        }
        drop(writer);
        write_meta(
            &self.dir,
            &Meta {
                schema: INDEX_SCHEMA_VERSION,
                gazetteer: self.gazetteer.fingerprint().to_string(),
                last_event: last,
                items: ids.len() as u64,
            },
        )?;
        Ok(ids.len() as u64)
    }

    /// Re-index the items whose catalog events the index has not seen. Returns how many.
    pub fn catch_up(&self, archive: &Archive, writer_mb: usize) -> Result<usize> {
        let seen = read_meta(&self.dir).map(|m| m.last_event).unwrap_or(0);
        let last = last_event(archive)?;
        if last <= seen {
            return Ok(0);
        }
        let sql = format!(
            "SELECT DISTINCT item_id FROM events WHERE id > ?1 AND item_id IS NOT NULL AND {INDEXED_EVENTS} ORDER BY item_id"
        );
        let ids: Vec<String> = {
            let mut st = archive.catalog.conn().prepare(&sql)?;
            let rows = st.query_map([seen], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        if !ids.is_empty() {
            let mut writer = self.writer(writer_mb)?;
            let dm = phonetic_encoder()?;
            // A chunk at a time, so catching up after a large ingest holds one chunk of
            // items in memory, not all of them.
            for chunk in ids.chunks(2000) {
                let items = archive.catalog.items(chunk)?;
                let docs: Vec<TantivyDocument> = items
                    .par_iter()
                    .map(|it| document(&self.fields, it, &dm, &self.gazetteer))
                    .collect();
                for (id, d) in chunk.iter().zip(docs) {
                    writer.delete_term(Term::from_field_text(self.fields.id, id));
                    writer
                        .add_document(d)
                        .map_err(|e| index_error(&self.dir, e))?;
                }
            }
            crate::fault::hit("index-commit").map_err(|e| Error::io(&self.dir, e))?;
            writer.commit().map_err(|e| index_error(&self.dir, e))?;
            // Let the merges the commit started finish (each catch-up adds a segment;
            // tantivy merges them by size once enough have gathered) rather than drop
            // them with the writer, which would leave segments piling up. As above, the
            // committed index stands whatever becomes of a merge.
            let _ = writer.wait_merging_threads();
        }
        let items = archive.catalog.count_items()?;
        write_meta(
            &self.dir,
            &Meta {
                schema: INDEX_SCHEMA_VERSION,
                gazetteer: self.gazetteer.fingerprint().to_string(),
                last_event: last,
                items,
            },
        )?;
        Ok(ids.len())
    }
}

fn all_ids(archive: &Archive) -> Result<Vec<String>> {
    let mut st = archive
        .catalog
        .conn()
        .prepare("SELECT id FROM items ORDER BY seq")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn clear_dir(dir: &Path) -> Result<()> {
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let p = e.map_err(|e| Error::io(dir, e))?.path();
        let r = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
        r.map_err(|e| Error::io(&p, e))?;
    }
    Ok(())
}

/// The Daitch-Mokotoff encoder with its embedded rules.
pub(crate) fn phonetic_encoder() -> Result<DaitchMokotoffSoundex> {
    rphonetic::DaitchMokotoffSoundexBuilder::default()
        .build()
        .map_err(|e| Error::invalid(format!("phonetic rules: {e:?}")))
}

/// Daitch-Mokotoff codes of a Latin word (empty for short or non-Latin words).
pub(crate) fn phonetic_codes(dm: &DaitchMokotoffSoundex, latin: &str) -> Vec<String> {
    if latin.chars().count() < 4 || !latin.chars().all(|c| c.is_ascii_alphabetic()) {
        return Vec::new();
    }
    dm.inner_soundex(latin, true)
}

/// Name of the tokenizer of the analysed text fields. Their values are analysed here
/// (see [`Analysed`]) and written as tokens: each form followed by `FORM_END`, each word
/// position closed by `POSITION_END` (a word may have no form in a field, e.g. no stem).
/// The tokenizer only reads the tokens back, with the word's position, so every form of
/// a word shares its position as with pre-tokenised text, without tantivy encoding and
/// decoding each value as JSON (a third of the indexing time when it did).
pub(crate) const TOKENS: &str = "hishatak_tokens";
const FORM_END: char = '\x1f';
const POSITION_END: char = '\x1e';

/// Reads back the tokens written by [`Analysed`].
#[derive(Clone, Default)]
pub(crate) struct TokensTokenizer {
    token: Token,
}

pub(crate) struct TokensStream<'a> {
    text: &'a str,
    /// Byte offset of the next form.
    at: usize,
    /// Position of the next form.
    position: usize,
    token: &'a mut Token,
}

impl Tokenizer for TokensTokenizer {
    type TokenStream<'a> = TokensStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokensStream<'a> {
        self.token.reset();
        TokensStream {
            text,
            at: 0,
            position: 0,
            token: &mut self.token,
        }
    }
}

impl TokenStream for TokensStream<'_> {
    fn advance(&mut self) -> bool {
        // One pass over the bytes: both marks are ASCII, so never inside a character.
        let bytes = self.text.as_bytes();
        let mut start = self.at;
        let mut i = start;
        while i < bytes.len() {
            match bytes[i] {
                b'\x1f' => {
                    self.token.text.clear();
                    self.token.text.push_str(&self.text[start..i]);
                    self.token.position = self.position;
                    self.token.position_length = 1;
                    self.at = i + 1;
                    return true;
                }
                b'\x1e' => {
                    // A position closes after its last form: the next form is the next word's.
                    self.position += 1;
                    i += 1;
                    start = i;
                }
                _ => i += 1,
            }
        }
        self.at = bytes.len();
        false
    }
    fn token(&self) -> &Token {
        self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Register the tokenizer the schema names (on every `Index` opened or created).
fn with_tokenizer(index: Index) -> Index {
    index
        .tokenizers()
        .register(TOKENS, TokensTokenizer::default());
    index
}

/// The analysed values of one text for the plain, stem and Latin fields, the combined
/// (scoped) form and the gazetteer entries it names, written as tokens (see [`TOKENS`]).
#[derive(Default)]
struct Analysed {
    plain: String,
    stem: String,
    latin: String,
    combined: String,
    gazetteer: String,
    latin_words: Vec<String>,
}

/// The analysis of one distinct word in one language setting, as token fragments.
struct WordTokens {
    plain: Box<str>,
    stem: Box<str>,
    latin: Box<str>,
    /// Every form (`analyse` adds the gazetteer tokens the word names where it counts).
    combined: Box<str>,
    /// The tokens of the gazetteer entries the word alone names, each ended by
    /// `FORM_END` (no position: the `gazetteer` field keeps none).
    gazetteer: Box<str>,
    /// The first Latin form: the word's gazetteer key (shared, for names of several
    /// words) and what its phonetic codes are made from.
    key: std::rc::Rc<str>,
    /// Whether the word may end a name of several words (see
    /// [`Gazetteer::ends_longer_name`]).
    ends_name: bool,
}

/// The gazetteer tokens of the entries named by `keys`, each followed by `FORM_END`, each
/// entry once, appended to `out`.
fn gazetteer_tokens<'k>(gaz: &Gazetteer, keys: impl Iterator<Item = &'k str>, out: &mut String) {
    let mut seen: Vec<usize> = Vec::new();
    for k in keys {
        for &p in gaz.positions(k) {
            if !seen.contains(&p) {
                seen.push(p);
                out.push_str(&gaz.token(p));
                out.push(FORM_END);
            }
        }
    }
}

fn word_tokens(raw: &str, langs: &[&str], gaz: &Gazetteer) -> WordTokens {
    let f = analyze::forms(&analyze::lower(raw), langs);
    let mut all: BTreeSet<&str> = BTreeSet::new();
    // The forms of one position, each ended by `FORM_END`, then `extra` (tokens already
    // ended), then `POSITION_END`.
    let frag = |forms: &mut dyn Iterator<Item = &str>, extra: &str| {
        let mut s = String::new();
        for x in forms {
            s.push_str(x);
            s.push(FORM_END);
        }
        s.push_str(extra);
        s.push(POSITION_END);
        s.into_boxed_str()
    };
    all.insert(&f.plain);
    all.extend(f.stems.iter().map(String::as_str));
    all.extend(f.latin.iter().map(String::as_str));
    // A word names an entry when one of its Latin forms (of the word or of a stem: the
    // keys a query's word is looked up by) is the key of one of the entry's names.
    let mut named = String::new();
    gazetteer_tokens(gaz, f.latin.iter().map(String::as_str), &mut named);
    WordTokens {
        plain: frag(&mut std::iter::once(f.plain.as_str()), ""),
        stem: frag(&mut f.stems.iter().map(String::as_str), ""),
        latin: frag(&mut f.latin.iter().map(String::as_str), ""),
        combined: frag(&mut all.iter().copied(), ""),
        gazetteer: named.into_boxed_str(),
        ends_name: gaz.ends_longer_name(&f.latin[0]),
        key: std::rc::Rc::from(f.latin[0].as_str()),
    }
}

/// Distinct words analysed, remembered per thread across documents (vocabularies
/// repeat: a word is analysed once, not at each occurrence). Keyed by the text's
/// languages, then by the word as written; cleared when it grows past `WORD_CACHE_MAX`
/// or another gazetteer is used (another archive in the same process).
#[derive(Default)]
struct WordCache {
    by_langs: rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, WordTokens>>,
    len: usize,
    gazetteer: String,
}

const WORD_CACHE_MAX: usize = 200_000;

thread_local! {
    static WORD_CACHE: std::cell::RefCell<WordCache> = std::cell::RefCell::new(WordCache::default());
}

/// What a text needs besides its plain, stem and Latin values.
#[derive(Clone, Copy)]
struct Needs {
    /// The combined value, for a scoped field (titles, names, ...; not the long texts).
    combined: bool,
    /// The first Latin form of each word, for phonetic codes (persons and creators).
    latin_words: bool,
    /// Every word may name a gazetteer entry (a value that is a name: a place, a person,
    /// a creator). In running text only a word that begins with a capital, or with a
    /// letter of a script without capitals, does: proper names are written so in all of
    /// the archive's languages, and common words that happen to be a name's form are not
    /// (Turkish `kilise` "church", whose stem `kilis` is the town of Kilis; `van`).
    names_any_case: bool,
}

fn analyse(text: &str, langs: &[&str], needs: Needs, gaz: &Gazetteer) -> Analysed {
    WORD_CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len > WORD_CACHE_MAX || cache.gazetteer != gaz.fingerprint() {
            *cache = WordCache {
                gazetteer: gaz.fingerprint().to_string(),
                ..WordCache::default()
            };
        }
        let WordCache { by_langs, len, .. } = &mut *cache;
        let words = by_langs.entry(langs.join(",")).or_default();
        let mut a = Analysed::default();
        // The keys of the last few words, for names of several words (`Deir ez-Zor`):
        // their token goes with the name's last word.
        let longest = gaz.max_words();
        let mut recent: std::collections::VecDeque<std::rc::Rc<str>> =
            std::collections::VecDeque::with_capacity(longest);
        let mut key = String::new();
        analyze::each_word(text, |raw, _, _| {
            let w = match words.get(raw) {
                Some(w) => w,
                None => {
                    *len += 1;
                    words
                        .entry(raw.to_string())
                        .or_insert_with(|| word_tokens(raw, langs, gaz))
                }
            };
            a.plain.push_str(&w.plain);
            a.stem.push_str(&w.stem);
            a.latin.push_str(&w.latin);
            let names = !w.gazetteer.is_empty()
                && (needs.names_any_case || raw.chars().next().is_some_and(|c| !c.is_lowercase()));
            let named: &str = if names { &w.gazetteer } else { "" };
            a.gazetteer.push_str(named);
            let mut longer = String::new();
            if longest > 1 {
                if recent.len() == longest {
                    recent.pop_front();
                }
                recent.push_back(w.key.clone());
                if w.ends_name {
                    // The key of a run of words is their keys joined by spaces.
                    for n in 2..=recent.len() {
                        key.clear();
                        for (i, k) in recent.iter().skip(recent.len() - n).enumerate() {
                            if i > 0 {
                                key.push(' ');
                            }
                            key.push_str(k);
                        }
                        gazetteer_tokens(gaz, std::iter::once(key.as_str()), &mut longer);
                    }
                    a.gazetteer.push_str(&longer);
                }
            }
            if needs.combined {
                match named.is_empty() && longer.is_empty() {
                    true => a.combined.push_str(&w.combined),
                    // The names' tokens join the word's position.
                    false => {
                        a.combined.push_str(&w.combined[..w.combined.len() - 1]);
                        a.combined.push_str(named);
                        a.combined.push_str(&longer);
                        a.combined.push(POSITION_END);
                    }
                }
            }
            if needs.latin_words {
                a.latin_words.push(w.key.to_string());
            }
        });
        a
    })
}

/// The texts of an item that search reads, with the scope each belongs to and its
/// languages. Also used for snippets.
pub(crate) type ItemText<'a> = (Option<&'static str>, &'a str, Vec<&'a str>, &'static str);

/// The texts of an item that search reads, with the scope each belongs to, its
/// languages and its label. Also used for snippets.
pub(crate) fn item_texts(item: &Item) -> Vec<ItemText<'_>> {
    let r = &item.record;
    let langs: Vec<&str> = r.langs.iter().map(String::as_str).collect();
    let mut out: Vec<ItemText<'_>> = Vec::new();
    if let Some(t) = &r.title {
        out.push((Some("title"), t, langs.clone(), "title"));
    }
    for (l, t) in &r.titles {
        out.push((Some("title"), t, vec![l.as_str()], "title"));
    }
    if let Some(t) = &r.description {
        out.push((None, t, langs.clone(), "description"));
    }
    for (l, t) in &r.descriptions {
        out.push((None, t, vec![l.as_str()], "description"));
    }
    for p in &r.persons {
        out.push((Some("person"), p, Vec::new(), "persons"));
    }
    for p in &r.places {
        out.push((Some("place"), p, Vec::new(), "places"));
    }
    for p in &r.subjects {
        out.push((Some("subject"), p, langs.clone(), "subjects"));
    }
    if let Some(c) = &r.creator {
        out.push((Some("creator"), c, Vec::new(), "creator"));
    }
    if let Some(c) = &r.reference {
        out.push((Some("ref"), c, Vec::new(), "reference"));
    }
    if let Some(c) = &r.collection {
        out.push((Some("collection"), c, Vec::new(), "collection"));
    }
    if let Some(c) = &r.source_archive {
        out.push((None, c, Vec::new(), "source_archive"));
    }
    for t in &item.texts {
        let l = t
            .lang
            .as_deref()
            .map(|l| vec![l])
            .unwrap_or_else(|| langs.clone());
        let label = match t.source.as_str() {
            "translation" => "translation",
            "ocr" => "ocr",
            "pdf" => "pdf",
            _ => "transcript",
        };
        out.push((None, &t.text, l, label));
    }
    out
}

/// `id_num` of an id that is not `HSH-` and a number written as `HSH-{n:06}` does.
pub(crate) const NO_ID_NUM: u64 = u64::MAX;

/// The number of an id that reads back exactly as `HSH-{n:06}`, else [`NO_ID_NUM`].
pub(crate) fn id_num(id: &str) -> u64 {
    id.strip_prefix("HSH-")
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<u64>().ok())
        .filter(|&n| n != NO_ID_NUM && id_of_num(n) == id)
        .unwrap_or(NO_ID_NUM)
}

/// The id whose number is `n` (see [`id_num`]).
pub(crate) fn id_of_num(n: u64) -> String {
    format!("HSH-{n:06}")
}

/// The index document of an item.
pub(crate) fn document(
    f: &Fields,
    item: &Item,
    dm: &DaitchMokotoffSoundex,
    gaz: &Gazetteer,
) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    let r = &item.record;
    d.add_text(f.id, &item.id);
    d.add_u64(f.id_num, id_num(&item.id));
    d.add_text(
        f.shown,
        serde_json::to_string(&Shown::of(item)).unwrap_or_default(),
    );
    let kind = item.kind().as_str();
    d.add_text(f.kind, kind);
    d.add_facet(f.facets, Facet::from_path(["kind", kind]));
    for l in &r.langs {
        d.add_text(f.lang, l);
        d.add_facet(f.facets, Facet::from_path(["lang", l.as_str()]));
    }
    if let Some(c) = &r.collection {
        d.add_text(f.collection, c);
        d.add_facet(f.facets, Facet::from_path(["collection", c.as_str()]));
    }
    if let Some(c) = &r.source_country {
        d.add_text(f.country, c);
        d.add_facet(f.facets, Facet::from_path(["source_country", c.as_str()]));
    }
    let (state, until) = if item.withdrawn.is_some() {
        ("withdrawn", 0)
    } else {
        match &r.access {
            crate::model::Access::Open => ("open", 0),
            crate::model::Access::Restricted => ("restricted", 0),
            crate::model::Access::Embargoed(_, day) => ("embargoed", *day),
        }
    };
    d.add_text(f.access, state);
    d.add_i64(f.embargo, until);
    d.add_facet(f.facets, Facet::from_path(["access", state]));
    if let Some(date) = &r.date {
        let from = date.earliest.unwrap_or(i64::MIN);
        let to = date.latest.unwrap_or(i64::MAX);
        d.add_i64(f.date_from, from);
        d.add_i64(f.date_to, to);
        for decade in decades(from, to) {
            d.add_facet(
                f.facets,
                Facet::from_path(["decade", decade.to_string().as_str()]),
            );
        }
    }
    for (scope, text, langs, _) in item_texts(item) {
        let needs = Needs {
            combined: scope.is_some(),
            latin_words: matches!(scope, Some("person" | "creator")),
            names_any_case: matches!(scope, Some("place" | "person" | "creator")),
        };
        let a = analyse(text, &langs, needs, gaz);
        if let Some(s) = scope {
            if let Some((_, field)) = f.scoped.iter().find(|(p, _)| p == s) {
                d.add_text(*field, a.combined);
            }
            if s == "person" || s == "creator" {
                for w in &a.latin_words {
                    for code in phonetic_codes(dm, w) {
                        d.add_text(f.phonetic, code);
                    }
                }
            }
        }
        d.add_text(f.plain, a.plain);
        d.add_text(f.stem, a.stem);
        d.add_text(f.latin, a.latin);
        if !a.gazetteer.is_empty() {
            d.add_text(f.gazetteer, a.gazetteer);
        }
    }
    d
}

/// The decades (1910, 1920, ...) a day range touches; at most 20, none for open ranges.
pub(crate) fn decades(from: i64, to: i64) -> Vec<i64> {
    if from == i64::MIN || to == i64::MAX {
        return Vec::new();
    }
    let (y1, _, _) = crate::edtf::civil_from_days(from);
    let (y2, _, _) = crate::edtf::civil_from_days(to);
    let (d1, d2) = (y1.div_euclid(10) * 10, y2.div_euclid(10) * 10);
    if d2 - d1 > 190 {
        return Vec::new();
    }
    (0..=(d2 - d1) / 10).map(|k| d1 + k * 10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(text: &str) -> Vec<(usize, String)> {
        let mut t = TokensTokenizer::default();
        let mut s = t.token_stream(text);
        let mut out = Vec::new();
        while s.advance() {
            out.push((s.token().position, s.token().text.clone()));
        }
        out
    }

    #[test]
    fn id_numbers_read_back_as_the_id() {
        assert_eq!(id_num("HSH-000042"), 42);
        assert_eq!(id_of_num(42), "HSH-000042");
        assert_eq!(id_num("HSH-1234567"), 1_234_567);
        for other in [
            "HSH-42",
            "HSH-0000042",
            "hsh-000042",
            "X-000042",
            "HSH-",
            "HSH-+00042",
        ] {
            assert_eq!(id_num(other), NO_ID_NUM, "{other}");
        }
    }

    #[test]
    fn tokens_keep_positions_empty_forms_and_wordless_positions() {
        // word 0: two forms; word 1: none; word 2: one empty form; word 3: one form
        let text = "a\x1fb\x1f\x1e\x1e\x1f\x1eцц\x1f\x1e";
        assert_eq!(
            read_back(text),
            vec![
                (0, "a".to_string()),
                (0, "b".to_string()),
                (2, String::new()),
                (3, "цц".to_string())
            ]
        );
        assert!(read_back("").is_empty());
    }

    #[test]
    fn cached_analysis_is_the_analysis() {
        let text = "Bakü'de Бакu Էրզրումից Erzurum Bakü'de Էրզրումից";
        for langs in [vec![], vec!["tr"], vec!["hy", "ru"]] {
            let all = Needs {
                combined: true,
                latin_words: true,
                names_any_case: false,
            };
            let gaz = Gazetteer::load(None).unwrap();
            let a = analyse(text, &langs, all, &gaz);
            let b = analyse(text, &langs, all, &gaz);
            let mut plain = String::new();
            let mut stem = String::new();
            for w in analyze::words(text) {
                let f = analyze::forms(&w.lower, &langs);
                plain.push_str(&f.plain);
                plain.push(FORM_END);
                plain.push(POSITION_END);
                for s in &f.stems {
                    stem.push_str(s);
                    stem.push(FORM_END);
                }
                stem.push(POSITION_END);
            }
            assert_eq!(a.plain, plain);
            assert_eq!(a.stem, stem);
            assert_eq!((a.latin, a.combined), (b.latin, b.combined));
            assert_eq!(a.gazetteer, b.gazetteer);
        }
    }

    #[test]
    fn names_in_any_form_and_names_of_several_words_give_their_entry_token() {
        let gaz = Gazetteer::load(None).unwrap();
        let needs = Needs {
            combined: true,
            latin_words: false,
            names_any_case: false,
        };
        let tokens_in = |text: &str, langs: &[&str], needs: Needs| -> Vec<String> {
            let a = analyse(text, langs, needs, &gaz);
            a.gazetteer
                .split(FORM_END)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect()
        };
        let tokens = |text: &str, langs: &[&str]| tokens_in(text, langs, needs);
        // Inflected (a stem's key), another script, a Turkish suffix after an apostrophe.
        assert_eq!(tokens("в Эрзуруме", &["ru"]), ["=erzurum"]);
        assert_eq!(tokens("Էրզրումից եկանք", &["hy"]), ["=erzurum"]);
        assert_eq!(tokens("Bakü'de kaldık", &["tr"]), ["=baku"]);
        // Names of two and three words, whatever stands between their words.
        assert_eq!(tokens("to Der Zor.", &["en"]), ["=der-zor"]);
        assert_eq!(tokens("à Deir ez-Zor", &["fr"]), ["=der-zor"]);
        let komitas = tokens("Komitas Vardapet sang", &["en"]);
        assert!(
            !komitas.is_empty() && komitas.iter().all(|t| t == "=komitas"),
            "{komitas:?}"
        );
        // No name, no token; a word that only begins a name is not that name.
        assert!(tokens("vanilla and zorn", &["en"]).is_empty());
        // In running text a name is written with a capital: the town of Kilis (also
        // inflected, `Kilis'e` "to Kilis"), not `kilise` "church", whose stem is `kilis`;
        // Van, not a moving van. In a value that is a name, any word names its entry.
        assert_eq!(tokens("Kilis'e gittik", &["tr"]), ["=kilis"]);
        assert_eq!(tokens("KILIS", &["tr"]), ["=kilis"]);
        assert!(tokens("kilise yaptılar", &["tr"]).is_empty());
        assert!(tokens("a moving van", &["en"]).is_empty());
        assert_eq!(tokens("the siege of Van", &["en"]), ["=van"]);
        let place = Needs {
            names_any_case: true,
            ..needs
        };
        assert_eq!(tokens_in("kilis", &["tr"], place), ["=kilis"]);
        // In a scoped value the token shares the last word's position.
        let a = analyse("Deir ez-Zor", &["en"], needs, &gaz);
        let positions: Vec<&str> = a.combined.split(POSITION_END).collect();
        assert!(positions[2].contains("=der-zor"), "{positions:?}");
        assert!(!positions[0].contains('='), "{positions:?}");
    }
}
