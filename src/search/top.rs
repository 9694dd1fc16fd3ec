//! The top hits and the number of matches of a search without facets, collected segment
//! by segment.
//!
//! tantivy's `TopDocs` and `Count` would need the access filter as a query clause, which
//! intersects every match with the posting list of `open` (nearly every item). Here access
//! is checked per match against the few items that are hidden ([`hidden`]). Hits, scores
//! and counts are those of the query with the access clause.
//!
//! Block-max WAND (top 10 without scoring every match, the count from the posting lists
//! alone) was tried and measured slower at 20,000 items: a query word is 20-80 terms that
//! mostly hit the same items, so few blocks can be skipped and the pivoting costs more
//! than it saves.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::query::{EnableScoring, Query};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

use super::index::Fields;
use super::SearchRequest;

/// One hit: higher scores first, then lower addresses (as tantivy's `TopDocs`).
#[derive(Clone, Copy)]
struct Entry {
    score: Score,
    segment: u32,
    doc: DocId,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| (other.segment, other.doc).cmp(&(self.segment, self.doc)))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}

/// The best `k` hits seen, in any order of arrival.
struct Best {
    k: usize,
    heap: BinaryHeap<Reverse<Entry>>,
    /// Once there are `k`, the lowest score kept: hits arrive in address order, so one
    /// scoring no higher loses to every hit kept and is not compared.
    floor: Score,
}

impl Best {
    fn new(k: usize) -> Best {
        Best {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
            floor: Score::NEG_INFINITY,
        }
    }

    /// Offer a hit; hits must come in address order.
    fn push(&mut self, e: Entry) {
        if self.heap.len() < self.k {
            self.heap.push(Reverse(e));
        } else if e.score <= self.floor {
            return;
        } else if let Some(mut least) = self.heap.peek_mut() {
            if e > least.0 {
                *least = Reverse(e);
            }
        }
        if self.heap.len() == self.k {
            self.floor = self.heap.peek().map_or(self.floor, |least| least.0.score);
        }
    }

    fn into_sorted(self) -> Vec<(Score, DocAddress)> {
        let mut v: Vec<Entry> = self.heap.into_iter().map(|r| r.0).collect();
        v.sort_by(|a, b| b.cmp(a));
        v.into_iter()
            .map(|e| (e.score, DocAddress::new(e.segment, e.doc)))
            .collect()
    }
}

/// The items of one segment that a search must not return (besides deleted ones), in doc
/// order: hidden from this request (restricted, embargoed until after today, withdrawn).
/// The same items as the access clause of the faceted search leaves out, given that every
/// item has one of the four access states.
fn hidden(reader: &SegmentReader, f: &Fields, req: &SearchRequest) -> tantivy::Result<Vec<DocId>> {
    let mut states: Vec<&str> = Vec::new();
    if !req.include_restricted {
        states.extend(["restricted", "embargoed"]);
    }
    if !req.include_withdrawn {
        states.push("withdrawn");
    }
    let inverted = reader.inverted_index(f.access)?;
    let today = crate::clock::today();
    let mut embargo = None;
    let mut list = Vec::new();
    for state in states {
        let t = Term::from_field_text(f.access, state);
        let Some(mut postings) = inverted.read_postings(&t, IndexRecordOption::Basic)? else {
            continue;
        };
        if state == "embargoed" && embargo.is_none() {
            embargo = Some(reader.fast_fields().i64("embargo_until")?);
        }
        let mut doc = postings.doc();
        while doc != TERMINATED {
            // An embargo that ended today or before hides nothing.
            let ended = state == "embargoed"
                && embargo
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .is_some_and(|until| until <= today);
            if !ended {
                list.push(doc);
            }
            doc = postings.advance();
        }
    }
    list.sort_unstable();
    list.dedup();
    Ok(list)
}

/// Every match of `q` scored (an AND, a NOT, filters): the best `k` and the count, in one
/// pass.
pub(super) fn all_matches(
    searcher: &tantivy::Searcher,
    f: &Fields,
    req: &SearchRequest,
    q: &dyn Query,
    k: usize,
) -> tantivy::Result<(Vec<(Score, DocAddress)>, usize)> {
    let weight = q.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let mut best = Best::new(k);
    let mut total = 0;
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let hidden = hidden(reader, f, req)?;
        let alive = reader.alive_bitset();
        let segment = segment as u32;
        // Matches come in doc order, so the hidden list is walked alongside them.
        let mut next_hidden = 0;
        weight.for_each(reader, &mut |doc, score| {
            while hidden.get(next_hidden).is_some_and(|&h| h < doc) {
                next_hidden += 1;
            }
            if hidden.get(next_hidden) == Some(&doc) || alive.is_some_and(|a| a.is_deleted(doc)) {
                return;
            }
            total += 1;
            best.push(Entry {
                score,
                segment,
                doc,
            });
        })?;
    }
    Ok((best.into_sorted(), total))
}
