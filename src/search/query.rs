//! The query language and its translation into an index query.
//!
//! `word`, `"exact phrase"`, `AND` (the default), `OR`, `NOT word`, `-word`, and field
//! prefixes `title: person: place: subject: creator: ref: collection:`. Nothing a person
//! types is an error: an unbalanced quote runs to the end, an unknown prefix (`10:30`,
//! `http://...`) is read as words, a lone operator is ignored.
//!
//! Each word is asked in every form, each form with its weight: the folded word (exact,
//! highest), its stems in each language whose script fits (inflections), its Latin forms
//! (other scripts), the gazetteer entry it names (one term for all the entry's names,
//! indexed where texts name it; lower), a near spelling for long words (typos; lower
//! still), and, in person names, its Daitch-Mokotoff key.

use std::collections::BTreeSet;
use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::analyze;
use super::gazetteer::{self, Gazetteer};
use super::index::{phonetic_codes, Fields};

/// One piece of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// Field prefix (`title`, `place`, ...), `None` for everywhere.
    pub scope: Option<String>,
    /// The words (one for a word, several for a phrase).
    pub words: Vec<String>,
    /// Written as a phrase (quoted).
    pub phrase: bool,
    /// `NOT` / `-`.
    pub negated: bool,
}

/// A parsed query: alternatives (`OR`) of conjunctions.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// Each inner list is ANDed; the lists are ORed.
    pub groups: Vec<Vec<Clause>>,
}

const PREFIXES: [&str; 7] = [
    "title",
    "person",
    "place",
    "subject",
    "creator",
    "ref",
    "collection",
];

/// Split a raw token into its words, dropping Turkish case suffixes after an apostrophe
/// (`Erzurum'a` → `erzurum`).
fn token_words(raw: &str) -> Vec<String> {
    let cut = raw
        .find(['\'', '’', 'ʼ', '՚'])
        .filter(|&i| i > 0 && raw[..i].chars().count() >= 2)
        .map(|i| &raw[..i])
        .unwrap_or(raw);
    analyze::words(cut).into_iter().map(|w| w.lower).collect()
}

/// Parse a query string. Never fails.
pub fn parse(q: &str) -> Parsed {
    let mut groups: Vec<Vec<Clause>> = vec![Vec::new()];
    let mut negate_next = false;
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Read one raw token (a quoted phrase may contain spaces).
        let start = i;
        let mut in_quote = false;
        while i < chars.len() && (in_quote || !chars[i].is_whitespace()) {
            if chars[i] == '"' {
                in_quote = !in_quote;
            }
            i += 1;
        }
        let raw: String = chars[start..i].iter().collect();
        match raw.as_str() {
            "OR" | "|" | "||" => {
                if groups.last().map(|g| !g.is_empty()).unwrap_or(false) {
                    groups.push(Vec::new());
                }
                negate_next = false;
                continue;
            }
            "AND" | "&&" | "+" => continue,
            "NOT" | "!" => {
                negate_next = true;
                continue;
            }
            _ => {}
        }
        let mut body = raw.as_str();
        let mut negated = std::mem::take(&mut negate_next);
        if let Some(rest) = body.strip_prefix('-').filter(|r| !r.is_empty()) {
            negated = true;
            body = rest;
        } else if let Some(rest) = body.strip_prefix('+').filter(|r| !r.is_empty()) {
            body = rest;
        }
        let mut scope = None;
        if let Some((p, rest)) = body.split_once(':') {
            let p = p.to_ascii_lowercase();
            if PREFIXES.contains(&p.as_str()) && !rest.is_empty() {
                scope = Some(p);
                body = rest;
            }
        }
        let phrase = body.starts_with('"');
        let inner = body.trim_matches('"');
        let words: Vec<String> = if phrase {
            analyze::words(inner).into_iter().map(|w| w.lower).collect()
        } else {
            token_words(inner)
        };
        if words.is_empty() {
            continue;
        }
        let phrase = phrase || words.len() > 1;
        if let Some(g) = groups.last_mut() {
            g.push(Clause {
                scope,
                words,
                phrase,
                negated,
            });
        }
    }
    groups.retain(|g| !g.is_empty());
    Parsed { groups }
}

/// Weights of the forms of a word.
const EXACT: f32 = 4.0;
const STEM: f32 = 2.5;
const LATIN: f32 = 2.0;
const PHONETIC: f32 = 0.8;
const FUZZY: f32 = 0.6;
/// An entry's token, asked for any of its names (it was 0.4 times each form's weight when
/// every name was asked in every form: about 1.6 for a name's exact form).
const GAZETTEER: f32 = 1.6;

/// What a query looks for, for highlighting snippets.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// Folded words.
    pub plain: BTreeSet<String>,
    /// Folded stems.
    pub stems: BTreeSet<String>,
    /// Latin forms.
    pub latin: BTreeSet<String>,
    /// Latin forms asked with typo tolerance, and the distance allowed.
    pub fuzzy: Vec<(String, u8)>,
}

/// Builds index queries from parsed queries.
pub struct Builder<'a> {
    pub(crate) fields: &'a Fields,
    pub(crate) gazetteer: &'a Gazetteer,
    pub(crate) dm: &'a rphonetic::DaitchMokotoffSoundex,
    /// The index as the query will see it: near spellings are looked up in its terms.
    pub(crate) searcher: &'a tantivy::Searcher,
    /// Turn off cross-script matching (Latin forms, gazetteer).
    pub(crate) exact_script: bool,
    pub(crate) wanted: Wanted,
}

/// One alternative form of a clause: a term with its weight, or another query (a phrase,
/// near spellings).
pub(crate) enum Part {
    /// A term in a field and its weight.
    Term(Term, f32),
    /// Any other query, already weighted.
    Other(Box<dyn Query>),
}

fn term_q(field: Field, text: &str, boost: f32) -> Part {
    Part::Term(Term::from_field_text(field, text), boost)
}

fn phrase_q(field: Field, words: &[String], boost: f32) -> Part {
    if words.len() == 1 {
        return term_q(field, &words[0], boost);
    }
    let terms: Vec<Term> = words
        .iter()
        .map(|w| Term::from_field_text(field, w))
        .collect();
    Part::Other(Box::new(BoostQuery::new(
        Box::new(PhraseQuery::new(terms)),
        boost,
    )))
}

/// Alternatives, each term once: a term asked with two weights is asked once with their
/// sum, which scores the same (a term's score is the same wherever it is asked) with
/// one posting list read instead of two. Terms first, in the order first asked.
type Merged = (Vec<(Term, f32)>, Vec<Box<dyn Query>>);

fn merged(parts: Vec<Part>) -> Merged {
    let mut terms: Vec<(Term, f32)> = Vec::new();
    let mut at: std::collections::HashMap<Term, usize> = std::collections::HashMap::new();
    let mut others = Vec::new();
    for p in parts {
        match p {
            Part::Term(t, w) => match at.get(&t) {
                Some(&i) => terms[i].1 += w,
                None => {
                    at.insert(t.clone(), terms.len());
                    terms.push((t, w));
                }
            },
            Part::Other(q) => others.push(q),
        }
    }
    (terms, others)
}

/// A weighted term query. Frequencies without positions: a term's score needs none.
fn weighted_term(t: Term, w: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(
        Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)),
        w,
    ))
}

pub(crate) fn any_of(parts: Vec<Part>) -> Box<dyn Query> {
    let (terms, others) = merged(parts);
    Box::new(BooleanQuery::new(
        terms
            .into_iter()
            .map(|(t, w)| weighted_term(t, w))
            .chain(others)
            .map(|q| (Occur::Should, q))
            .collect(),
    ))
}

/// Near spellings of one word asked as terms of their own; more are asked as one set.
const NEAR_TERMS_MAX: usize = 32;

/// A near-spelling automaton that does not walk into the terms that begin with two digits
/// (dates, page and reference numbers), for a word that does not begin with a digit: such
/// a term spends both edits of the widest tolerance on its first two characters, so it is
/// no typo of the word (a scanned `1stanbul` is still found). Their subtree is the largest
/// part of a term dictionary, every number of up to three digits, and walking it was half
/// the walk for a word of nine letters or more. With one edit tantivy's automaton itself
/// stops at a second digit.
struct NoLeadingNumber<A> {
    inner: A,
}

/// Where a term's walk stands with respect to its leading digits.
#[derive(Clone, Copy)]
enum Lead {
    /// Nothing read yet.
    Start,
    /// One digit read, the term's first byte.
    OneDigit,
    /// A byte other than a leading digit read: digits no longer matter.
    Past,
}

impl<A: tantivy_fst::Automaton> tantivy_fst::Automaton for NoLeadingNumber<A> {
    /// The inner state and where the term stands; `None` once the term is left out.
    type State = Option<(A::State, Lead)>;

    fn start(&self) -> Self::State {
        Some((self.inner.start(), Lead::Start))
    }

    fn is_match(&self, state: &Self::State) -> bool {
        state.as_ref().is_some_and(|(s, _)| self.inner.is_match(s))
    }

    fn can_match(&self, state: &Self::State) -> bool {
        state.as_ref().is_some_and(|(s, _)| self.inner.can_match(s))
    }

    fn accept(&self, state: &Self::State, byte: u8) -> Self::State {
        let (inner, lead) = state.as_ref()?;
        let lead = match (lead, byte.is_ascii_digit()) {
            (Lead::Start, true) => Lead::OneDigit,
            (Lead::OneDigit, true) => return None,
            _ => Lead::Past,
        };
        Some((self.inner.accept(inner, byte), lead))
    }
}

/// Typo tolerance by length: 1 edit from 5 letters, 2 from 9.
pub fn fuzzy_distance(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

impl Builder<'_> {
    /// Near spellings of `t` (within `dist` edits, a swap of two letters counting as one):
    /// the terms of `t`'s field in the index within that distance, each as an alternative
    /// with `weight`, less those `asked` already holds in the field (`t` itself above all)
    /// and gazetteer tokens (and, for a word of letters, numbers: see [`NoLeadingNumber`]).
    /// Most words have no other term that near, and add nothing.
    ///
    /// Looked up here rather than left to a `FuzzyTermQuery`, whose one clause holds every
    /// near term (the word itself too) as a set: a query whose alternatives are all terms
    /// is scored by tantivy's union of term scorers, which took half the time of the same
    /// union with that one clause in it (gazetteer names, 100,000 items). Past
    /// `NEAR_TERMS_MAX` near terms they are asked as one set again, each item counted
    /// once.
    fn near(&self, t: &Term, dist: u8, weight: f32, asked: &[Part]) -> Vec<Part> {
        let field = t.field();
        let fuzzy = FuzzyTermQuery::new(t.clone(), dist, true);
        let found = fuzzy.automaton().and_then(|dfa| {
            let word_is_number = t
                .value()
                .as_str()
                .is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit()));
            if dist >= 2 && !word_is_number {
                self.terms_matching(field, &NoLeadingNumber { inner: dfa })
            } else {
                self.terms_matching(field, &dfa)
            }
        });
        let mut found = match found {
            Ok(found) => found,
            // The term dictionary could not be read: the query meets (and reports) the
            // same error when it runs.
            Err(_) => {
                return vec![Part::Other(Box::new(BoostQuery::new(
                    Box::new(fuzzy),
                    weight,
                )))]
            }
        };
        for p in asked {
            if let Part::Term(a, _) = p {
                if let Some(text) = a.value().as_str().filter(|_| a.field() == field) {
                    found.remove(text);
                }
            }
        }
        if found.len() > NEAR_TERMS_MAX {
            // A long word in a large or noisy vocabulary (OCR): one clause for them all,
            // adding `weight` once to each item that holds any, keeps the query's size
            // bounded.
            let terms = found.iter().map(|k| Term::from_field_text(field, k));
            return vec![Part::Other(Box::new(BoostQuery::new(
                Box::new(TermSetQuery::new(terms)),
                weight,
            )))];
        }
        found.iter().map(|k| term_q(field, k, weight)).collect()
    }

    /// The terms of `field` in every segment that `automaton` matches, less gazetteer
    /// tokens.
    fn terms_matching<A>(&self, field: Field, automaton: &A) -> tantivy::Result<BTreeSet<String>>
    where
        A: tantivy_fst::Automaton,
        A::State: Clone,
    {
        let mut found = BTreeSet::new();
        for reader in self.searcher.segment_readers() {
            let inverted = reader.inverted_index(field)?;
            let mut stream = inverted.terms().search(automaton).into_stream()?;
            while stream.advance() {
                // A text field's terms are UTF-8.
                if let Ok(key) = std::str::from_utf8(stream.key()) {
                    if !key.starts_with(gazetteer::TOKEN_PREFIX) {
                        found.insert(key.to_string());
                    }
                }
            }
        }
        Ok(found)
    }

    fn scoped_field(&self, scope: &str) -> Option<Field> {
        self.fields
            .scoped
            .iter()
            .find(|(p, _)| p == scope)
            .map(|(_, f)| *f)
    }

    /// Every form of one word, as alternatives.
    fn word(
        &mut self,
        lower: &str,
        scope: Option<&str>,
        weight: f32,
        record: bool,
        near: bool,
    ) -> Vec<Part> {
        let f = analyze::forms(lower, &[]);
        let mut stems = Vec::new();
        for l in analyze::query_langs(lower) {
            if let Some(s) = analyze::stem(l, lower) {
                let s = analyze::fold(&s);
                if !stems.contains(&s) && !s.is_empty() {
                    stems.push(s);
                }
            }
        }
        let mut latin: Vec<String> = vec![analyze::to_latin(&f.plain)];
        for s in &stems {
            let l = analyze::to_latin(s);
            if !latin.contains(&l) {
                latin.push(l);
            }
        }
        let mut qs: Vec<Part> = Vec::new();
        let scoped = scope.and_then(|s| self.scoped_field(s));
        let (plain_f, stem_f, latin_f) = match scoped {
            Some(sf) => (sf, sf, sf),
            None => (self.fields.plain, self.fields.stem, self.fields.latin),
        };
        qs.push(term_q(plain_f, &f.plain, EXACT * weight));
        for s in &stems {
            qs.push(term_q(stem_f, s, STEM * weight));
        }
        let dist = if near { fuzzy_distance(&latin[0]) } else { 0 };
        if !self.exact_script {
            for l in &latin {
                qs.push(term_q(latin_f, l, LATIN * weight));
            }
            if dist > 0 {
                let t = Term::from_field_text(latin_f, &latin[0]);
                qs.extend(self.near(&t, dist, FUZZY * weight, &qs));
            }
            if near && (scope.is_none() || scope == Some("person") || scope == Some("creator")) {
                for code in phonetic_codes(self.dm, &latin[0]) {
                    qs.push(term_q(self.fields.phonetic, &code, PHONETIC * weight));
                }
            }
        } else if dist > 0 {
            let t = Term::from_field_text(plain_f, &f.plain);
            qs.extend(self.near(&t, dist, FUZZY * weight, &qs));
        }
        if record {
            self.wanted.plain.insert(f.plain.clone());
            self.wanted.stems.extend(stems.iter().cloned());
            if !self.exact_script {
                self.wanted.latin.extend(latin.iter().cloned());
                if dist > 0 {
                    self.wanted.fuzzy.push((latin[0].clone(), dist));
                }
            } else if dist > 0 {
                self.wanted.fuzzy.push((f.plain.clone(), dist));
            }
        }
        qs
    }

    /// A phrase in plain and Latin forms.
    fn phrase(
        &mut self,
        words: &[String],
        scope: Option<&str>,
        weight: f32,
        record: bool,
    ) -> Vec<Part> {
        let plain: Vec<String> = words.iter().map(|w| analyze::fold(w)).collect();
        let latin: Vec<String> = plain.iter().map(|w| analyze::to_latin(w)).collect();
        let scoped = scope.and_then(|s| self.scoped_field(s));
        let mut qs = vec![phrase_q(
            scoped.unwrap_or(self.fields.plain),
            &plain,
            EXACT * weight,
        )];
        if !self.exact_script {
            qs.push(phrase_q(
                scoped.unwrap_or(self.fields.latin),
                &latin,
                LATIN * weight,
            ));
        }
        if record {
            self.wanted.plain.extend(plain);
            if !self.exact_script {
                self.wanted.latin.extend(latin);
            }
        }
        qs
    }

    /// The gazetteer entries words `span` (lower-cased) name, as alternatives: one term
    /// per entry, which the index holds wherever a text names the entry in any of its
    /// names and forms (see `index::analyse`).
    fn gazetteer_names(&mut self, span: &[String], scope: Option<&str>, record: bool) -> Vec<Part> {
        if self.exact_script {
            return Vec::new();
        }
        let mut keys = vec![gazetteer::key(&span.join(" "))];
        if span.len() == 1 {
            for l in analyze::query_langs(&span[0]) {
                if let Some(s) = analyze::stem(l, &span[0]) {
                    let k = gazetteer::key(&s);
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
            }
        }
        let field = scope
            .and_then(|s| self.scoped_field(s))
            .unwrap_or(self.fields.gazetteer);
        let mut seen: Vec<usize> = Vec::new();
        let mut qs = Vec::new();
        for k in &keys {
            for &p in self.gazetteer.positions(k) {
                if seen.contains(&p) {
                    continue;
                }
                seen.push(p);
                qs.push(term_q(field, &self.gazetteer.token(p), GAZETTEER));
                if record {
                    // A text's word is highlighted when one of its Latin forms is the key
                    // of one of the entry's names: the test indexing made.
                    for k in self.gazetteer.keys_of(p) {
                        self.wanted.latin.extend(k.split(' ').map(str::to_string));
                    }
                }
            }
        }
        qs
    }

    /// The forms of one clause (for a positive clause also its gazetteer names).
    fn clause_parts(&mut self, c: &Clause) -> Vec<Part> {
        let record = !c.negated;
        let scope = c.scope.as_deref();
        let mut qs = if c.phrase {
            self.phrase(&c.words, scope, 1.0, record)
        } else {
            self.word(&c.words[0], scope, 1.0, record, true)
        };
        if !c.negated {
            let g = self.gazetteer_names(&c.words, scope, record);
            qs.extend(g);
        }
        qs
    }

    /// The query of one clause: its forms as alternatives.
    fn clause(&mut self, c: &Clause) -> Box<dyn Query> {
        let parts = self.clause_parts(c);
        any_of(parts)
    }

    /// The forms of a query that is only alternatives (`a`, `a OR b`, `"a b" OR c`: no
    /// AND, no NOT), flattened into one list (see [`any_of`]): the sum of alternatives of
    /// alternatives is the sum of all of them, so this scores each item as
    /// [`Builder::build`] does, and a term two words share is read once. `None` (nothing
    /// recorded) for any other query.
    pub(crate) fn flat(&mut self, parsed: &Parsed) -> Option<Vec<Part>> {
        let alternatives = !parsed.groups.is_empty()
            && parsed.groups.iter().all(|g| g.len() == 1 && !g[0].negated);
        if !alternatives {
            return None;
        }
        let mut parts = Vec::new();
        for g in &parsed.groups {
            parts.extend(self.clause_parts(&g[0]));
        }
        Some(parts)
    }

    /// The query of a whole parsed query; `None` when there is nothing to search for.
    pub fn build(&mut self, parsed: &Parsed) -> Option<Box<dyn Query>> {
        let mut groups: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for g in &parsed.groups {
            let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for c in g {
                let q = self.clause(c);
                parts.push((
                    if c.negated {
                        Occur::MustNot
                    } else {
                        Occur::Must
                    },
                    q,
                ));
            }
            if parts.iter().all(|(o, _)| *o == Occur::MustNot) {
                parts.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
            }
            groups.push((Occur::Should, Box::new(BooleanQuery::new(parts))));
        }
        if groups.is_empty() {
            return None;
        }
        Some(Box::new(BooleanQuery::new(groups)))
    }
}

/// `[from, to]` overlap filter on the item's date range.
pub fn date_overlap(fields: &Fields, from: Option<i64>, to: Option<i64>) -> Box<dyn Query> {
    let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(to) = to {
        parts.push((
            Occur::Must,
            Box::new(tantivy::query::RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_i64(fields.date_from, to)),
            )),
        ));
    }
    if let Some(from) = from {
        parts.push((
            Occur::Must,
            Box::new(tantivy::query::RangeQuery::new(
                Bound::Included(Term::from_field_i64(fields.date_to, from)),
                Bound::Unbounded,
            )),
        ));
    }
    Box::new(BooleanQuery::new(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(words: &[&str], phrase: bool, negated: bool, scope: Option<&str>) -> Clause {
        Clause {
            scope: scope.map(str::to_string),
            words: words.iter().map(|s| s.to_string()).collect(),
            phrase,
            negated,
        }
    }

    #[test]
    fn parses_the_query_language() {
        let p = parse(r#"Van "Der Zor" -vanilla NOT Smyrna place:Erzurum OR title:Komitas"#);
        assert_eq!(
            p.groups,
            vec![
                vec![
                    c(&["van"], false, false, None),
                    c(&["der", "zor"], true, false, None),
                    c(&["vanilla"], false, true, None),
                    c(&["smyrna"], false, true, None),
                    c(&["erzurum"], false, false, Some("place")),
                ],
                vec![c(&["komitas"], false, false, Some("title"))],
            ]
        );
    }

    #[test]
    fn near_spellings_of_a_long_word_skip_terms_that_begin_with_two_digits() {
        use tantivy_fst::{IntoStreamer, Map, Streamer};
        let terms = [
            "12nstantinople",
            "1915",
            "1onstantinople",
            "constantinopel",
            "konstantinopel",
            "konstantinopol",
        ];
        let map = Map::from_iter(terms.iter().map(|t| (t.as_bytes(), 0))).unwrap();
        let field = tantivy::schema::Field::from_field_id(0);
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, "constantinople"), 2, true);
        fn keys<A: tantivy_fst::Automaton>(map: &Map<Vec<u8>>, a: A) -> Vec<String>
        where
            A::State: Clone,
        {
            let mut stream = map.search(a).into_stream();
            let mut out = Vec::new();
            while let Some((k, _)) = stream.next() {
                out.push(String::from_utf8(k.to_vec()).unwrap());
            }
            out
        }
        let walk = |wrapped: bool| -> Vec<String> {
            let dfa = fuzzy.automaton().unwrap();
            match wrapped {
                true => keys(&map, NoLeadingNumber { inner: dfa }),
                false => keys(&map, dfa),
            }
        };
        // Within two edits: the two digits too, unless they are left out.
        assert_eq!(
            walk(false),
            [
                "12nstantinople",
                "1onstantinople",
                "constantinopel",
                "konstantinopel"
            ]
        );
        assert_eq!(
            walk(true),
            ["1onstantinople", "constantinopel", "konstantinopel"]
        );
    }

    #[test]
    fn never_fails_on_odd_input() {
        for q in [
            "\"unbalanced",
            "OR OR",
            "NOT",
            "-",
            "::",
            "http://x.org/a",
            "10:30",
            "((",
            "title:",
            "\u{0}",
            "Erzurum'a",
            "\"\"",
        ] {
            let _ = parse(q);
        }
        assert_eq!(parse("Erzurum'a").groups[0][0].words, vec!["erzurum"]);
        assert_eq!(parse("10:30").groups[0][0].words, vec!["10", "30"]);
        assert!(parse("OR AND NOT").groups.is_empty());
    }
}
