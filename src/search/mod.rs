//! Search across languages and scripts: one query finds a place or person however each
//! record spells it (Baku, Բաքու, Баку, Bakü).
//!
//! - `analyze`: normalisation, folding, stemmers, transliteration;
//! - `gazetteer`: historical and modern names of places and persons;
//! - `index`: the tantivy index derived from the catalog, kept fresh from its event log;
//! - `query`: the query language and its weighted expansion;
//! - `snippet`: passages with the matched words highlighted.
//!
//! See docs/search.md.

pub mod analyze;
pub mod gazetteer;
mod index;
pub mod query;
pub mod snippet;
mod top;

pub use index::{Freshness, INDEX_SCHEMA_VERSION};

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::archive::Archive;
use crate::edtf;
use crate::error::{Error, Result};
use crate::model::Kind;
use index::SearchIndex;

/// A search as a person asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query text.
    pub query: String,
    /// Only this kind.
    pub kind: Option<Kind>,
    /// Only items in this language.
    pub lang: Option<String>,
    /// Only this collection.
    pub collection: Option<String>,
    /// Only items from archives in this country.
    pub source_country: Option<String>,
    /// Items whose date range reaches this EDTF date or later.
    pub from: Option<edtf::Edtf>,
    /// Items whose date range reaches this EDTF date or earlier.
    pub to: Option<edtf::Edtf>,
    /// Hits to return.
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Count facets.
    pub facets: bool,
    /// Staff: include restricted and embargoed items.
    pub include_restricted: bool,
    /// Staff: include withdrawn items.
    pub include_withdrawn: bool,
    /// Match only in the script typed (no transliteration, no gazetteer).
    pub exact_script: bool,
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Item id.
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Title.
    pub title: String,
    /// Date as written.
    pub date: Option<String>,
    /// Languages.
    pub lang: Vec<String>,
    /// Collection.
    pub collection: Option<String>,
    /// Relevance.
    pub score: f32,
    /// A passage with the matched words in `<b>`, HTML-escaped.
    pub snippet: String,
    /// Which text the snippet comes from (`title`, `transcript`, `places`, ...).
    pub matched_in: Option<String>,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Number of matching items.
    pub total: usize,
    /// Time taken, in milliseconds.
    pub took_ms: u64,
    /// The hits on this page.
    pub hits: Vec<Hit>,
    /// Facet counts, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<String, BTreeMap<String, u64>>>,
    /// What opening the index had to do (rebuild, catch-up).
    #[serde(skip)]
    pub freshness: Freshness,
}

/// Bring the index up to date with the catalog (after ingest, edit, withdraw).
pub fn sync(archive: &Archive) -> Result<Freshness> {
    let (_, fresh) = SearchIndex::open(
        archive,
        archive.settings.search.writer_memory_mb,
        Duration::from_secs(SYNC_WAIT_S),
    )?;
    if fresh.busy {
        return Err(Error::invalid(format!(
            "another hishatak command held the search index for over {SYNC_WAIT_S} s"
        )));
    }
    Ok(fresh)
}

/// How long a command that changed the catalog queues to update the index.
const SYNC_WAIT_S: u64 = 300;
/// How long a search queues to catch the index up before reading it as it is.
const SEARCH_WAIT_MS: u64 = 1500;

/// Rebuild the index from scratch; returns the number of items indexed.
pub fn reindex(archive: &Archive) -> Result<u64> {
    let (mut si, fresh) = SearchIndex::open(
        archive,
        archive.settings.search.writer_memory_mb,
        Duration::from_secs(SYNC_WAIT_S),
    )?;
    if fresh.rebuilt.is_some() {
        return archive.catalog.count_items();
    }
    if !si.lock(Duration::from_secs(SYNC_WAIT_S))? {
        return Err(Error::invalid(format!(
            "another hishatak command held the search index for over {SYNC_WAIT_S} s; run reindex again when it is done"
        )));
    }
    si.rebuild(archive, archive.settings.search.writer_memory_mb)
}

fn term(field: tantivy::schema::Field, v: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, v),
        IndexRecordOption::Basic,
    ))
}

const FACETS: [&str; 6] = [
    "kind",
    "lang",
    "collection",
    "source_country",
    "access",
    "decade",
];

/// Run a search (opens the index, catching up with the catalog first).
pub fn search(archive: &Archive, req: &SearchRequest) -> Result<SearchResults> {
    let started = Instant::now();
    let s = Searcher::open(archive)?;
    let mut r = s.search(archive, req)?;
    r.took_ms = started.elapsed().as_millis() as u64;
    Ok(r)
}

/// An open index, gazetteer and reader, for running many searches.
pub struct Searcher {
    si: SearchIndex,
    reader: tantivy::IndexReader,
    dm: rphonetic::DaitchMokotoffSoundex,
    freshness: Freshness,
}

impl Searcher {
    /// Open the index of `archive` (rebuilt or caught up as needed).
    pub fn open(archive: &Archive) -> Result<Searcher> {
        let mb = archive.settings.search.writer_memory_mb;
        let (mut si, mut freshness) =
            SearchIndex::open(archive, mb, Duration::from_millis(SEARCH_WAIT_MS))?;
        let reader = match si.index.reader() {
            Ok(r) => r,
            Err(e) => {
                // A damaged segment: the index is derived, so build it again and go on.
                si = SearchIndex::recreate(archive, mb)?;
                freshness.rebuilt = Some(format!("it was damaged: {e}"));
                si.index.reader().map_err(|e| {
                    Error::invalid(format!("search index: {e}; run `hishatak reindex`"))
                })?
            }
        };
        // Typo tolerance's automaton builders (one per edit distance) are made once per
        // process, at first use: about 0.8 ms for two edits. Made here, a searcher's first
        // query with a long word does not wait for them.
        for distance in [1, 2] {
            let t = tantivy::Term::from_field_text(si.fields.latin, "");
            let _ = tantivy::query::FuzzyTermQuery::new(t, distance, true).automaton();
        }
        Ok(Searcher {
            si,
            reader,
            dm: index::phonetic_encoder()?,
            freshness,
        })
    }

    /// Run one search.
    pub fn search(&self, _archive: &Archive, req: &SearchRequest) -> Result<SearchResults> {
        search_with(self, req)
    }

    /// The engine alone: run the query and return the number of matching items and the
    /// ids of the hits on the page, without their records or snippets (what SQLite FTS5
    /// returns for `... ORDER BY rank LIMIT 10`; for comparing like with like).
    pub fn search_ids(&self, req: &SearchRequest) -> Result<(usize, Vec<String>)> {
        let ran = run(self, req)?;
        let mut ids = Vec::with_capacity(ran.top.len());
        // Per segment: the id's number column, and the id's string column for ids that
        // have no number (opened only when one is met).
        type Columns = (
            Option<tantivy::columnar::Column<u64>>,
            Option<Option<tantivy::columnar::StrColumn>>,
        );
        let mut columns: BTreeMap<u32, Columns> = BTreeMap::new();
        let mut id = String::new();
        for (_, addr) in &ran.top {
            let segment = ran.searcher.segment_reader(addr.segment_ord);
            let (nums, strs) = match columns.entry(addr.segment_ord) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert((segment.fast_fields().u64("id_num").ok(), None))
                }
            };
            if let Some(n) = nums
                .as_ref()
                .and_then(|c| c.first(addr.doc_id))
                .filter(|&n| n != index::NO_ID_NUM)
            {
                ids.push(index::id_of_num(n));
                continue;
            }
            if strs.is_none() {
                *strs = Some(segment.fast_fields().str("id").map_err(search_error)?);
            }
            let Some(Some(col)) = strs else { continue };
            if let Some(ord) = col.term_ords(addr.doc_id).next() {
                if col.ord_to_str(ord, &mut id).map_err(search_error)? {
                    ids.push(id.clone());
                }
            }
        }
        Ok((ran.total, ids))
    }
}

fn search_error(e: impl std::fmt::Display) -> Error {
    Error::invalid(format!(
        "search failed: {e}; run `hishatak reindex` if it persists"
    ))
}

/// A query run: the hits on the page, the count, the facets, and what to highlight.
struct Ran {
    top: Vec<(f32, tantivy::DocAddress)>,
    total: usize,
    facet_counts: Option<tantivy::collector::FacetCounts>,
    wanted: query::Wanted,
    searcher: tantivy::Searcher,
}

fn run(s: &Searcher, req: &SearchRequest) -> Result<Ran> {
    let si = &s.si;
    let f = &si.fields;
    let parsed = query::parse(&req.query);
    let searcher = s.reader.searcher();
    let mut builder = query::Builder {
        fields: f,
        gazetteer: &s.si.gazetteer,
        dm: &s.dm,
        searcher: &searcher,
        exact_script: req.exact_script,
        wanted: query::Wanted::default(),
    };
    let limit = req.limit.clamp(1, 10_000);
    let filtered = req.kind.is_some()
        || req.lang.is_some()
        || req.collection.is_some()
        || req.source_country.is_some()
        || req.from.is_some()
        || req.to.is_some();
    // Alternatives only (`a`, `a OR b`): one flat list of forms, each term once.
    let flat = if filtered || req.facets {
        None
    } else {
        builder.flat(&parsed)
    };
    let main = match flat {
        Some(parts) => Some(query::any_of(parts)),
        None => builder.build(&parsed),
    };
    let Some(main) = main else {
        return Err(Error::invalid(format!(
            "the query '{}' has no words to search for; try a name, a place or a \"phrase\"",
            req.query
        )));
    };
    let wanted = builder.wanted;
    let mut parts: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, main)];
    let filter = |parts: &mut Vec<(Occur, Box<dyn Query>)>, q: Box<dyn Query>| {
        parts.push((
            Occur::Must,
            Box::new(tantivy::query::ConstScoreQuery::new(q, 0.0)),
        ));
    };
    if let Some(k) = req.kind {
        filter(&mut parts, term(f.kind, k.as_str()));
    }
    if let Some(l) = &req.lang {
        filter(&mut parts, term(f.lang, l));
    }
    if let Some(c) = &req.collection {
        filter(&mut parts, term(f.collection, c));
    }
    if let Some(c) = &req.source_country {
        filter(&mut parts, term(f.country, &c.to_ascii_uppercase()));
    }
    if req.from.is_some() || req.to.is_some() {
        let from = req.from.as_ref().and_then(|d| d.earliest);
        let to = req.to.as_ref().and_then(|d| d.latest);
        filter(&mut parts, query::date_overlap(f, from, to));
    }
    if !req.facets {
        // Access is checked per hit (`top::hidden`), not intersected with the posting
        // list of `open`, which holds nearly every item.
        let q = BooleanQuery::new(parts);
        let (top, total) =
            top::all_matches(&searcher, f, req, &q, limit + req.offset).map_err(search_error)?;
        return Ok(Ran {
            top: top.into_iter().skip(req.offset).collect(),
            total,
            facet_counts: None,
            wanted,
            searcher,
        });
    }
    // Access: what the public may see today, unless staff ask for more.
    let today = crate::clock::today();
    let mut allowed: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Should, term(f.access, "open")),
        (
            Occur::Should,
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term(f.access, "embargoed")),
                (
                    Occur::Must,
                    Box::new(tantivy::query::RangeQuery::new(
                        std::ops::Bound::Unbounded,
                        std::ops::Bound::Included(Term::from_field_i64(f.embargo, today)),
                    )),
                ),
            ])),
        ),
    ];
    if req.include_restricted {
        allowed.push((Occur::Should, term(f.access, "restricted")));
        allowed.push((Occur::Should, term(f.access, "embargoed")));
    }
    if req.include_withdrawn {
        allowed.push((Occur::Should, term(f.access, "withdrawn")));
    }
    filter(&mut parts, Box::new(BooleanQuery::new(allowed)));
    let q = BooleanQuery::new(parts);

    let top = TopDocs::with_limit(limit)
        .and_offset(req.offset)
        .order_by_score();
    let mut fc = FacetCollector::for_field("facets");
    for name in FACETS {
        fc.add_facet(format!("/{name}").as_str());
    }
    let (top, total, fcounts) = searcher
        .search(&q, &(top, Count, fc))
        .map_err(search_error)?;
    Ok(Ran {
        top,
        total,
        facet_counts: Some(fcounts),
        wanted,
        searcher,
    })
}

fn search_with(s: &Searcher, req: &SearchRequest) -> Result<SearchResults> {
    let started = Instant::now();
    let f = &s.si.fields;
    let Ran {
        top,
        total,
        facet_counts,
        wanted,
        searcher,
    } = run(s, req)?;
    // Each hit from its stored document alone (no catalog read); its snippet from the
    // texts stored with it, only for the hits on this page.
    let mut hits = Vec::new();
    let mut memo = snippet::Memo::default();
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr).map_err(search_error)?;
        let Some(id) = doc
            .get_first(f.id)
            .and_then(|v| v.as_str())
            .map(str::to_string)
        else {
            continue;
        };
        let shown: index::Shown = doc
            .get_first(f.shown)
            .and_then(|v| v.as_str())
            .and_then(|v| serde_json::from_str(v).ok())
            .ok_or_else(|| search_error(format!("the stored fields of {id} are unreadable")))?;
        let (snip, matched_in) = best_snippet(&wanted, &shown, &mut memo);
        hits.push(Hit {
            id,
            kind: shown.kind,
            title: shown.title,
            date: shown.date,
            lang: shown.lang,
            collection: shown.collection,
            score,
            snippet: snip,
            matched_in,
        });
    }
    let facets = facet_counts.map(|fcounts| {
        let mut out: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for name in FACETS {
            let m = out.entry(name.to_string()).or_default();
            for (facet, count) in fcounts.get(&format!("/{name}")) {
                let label = facet
                    .to_path()
                    .last()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                m.insert(label, count);
            }
        }
        out
    });
    Ok(SearchResults {
        query: req.query.clone(),
        total,
        took_ms: started.elapsed().as_millis() as u64,
        hits,
        facets,
        freshness: s.freshness.clone(),
    })
}

/// The snippet from the text with the most matched words (titles win ties).
fn best_snippet(
    wanted: &query::Wanted,
    shown: &index::Shown,
    memo: &mut snippet::Memo,
) -> (String, Option<String>) {
    let mut best: Option<(usize, String, &str)> = None;
    for (label, langs, text) in &shown.texts {
        let langs: Vec<&str> = langs.iter().map(String::as_str).collect();
        if let Some((s, n)) = snippet::snippet_cached(wanted, text, &langs, 30, memo) {
            if best.as_ref().map(|b| n > b.0).unwrap_or(true) {
                best = Some((n, s, label));
            }
        }
    }
    match best {
        Some((_, s, label)) => (s, Some(label.to_string())),
        None => {
            let mut s = String::new();
            for c in shown.title.chars().take(200) {
                match c {
                    '<' => s.push_str("&lt;"),
                    '>' => s.push_str("&gt;"),
                    '&' => s.push_str("&amp;"),
                    c => s.push(c),
                }
            }
            (s, None)
        }
    }
}
