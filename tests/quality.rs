//! The search quality set: `tests/search_quality/queries.tsv` over the sample collection.
//! Every query must return each of its expected items in the top 10 (recall@10 = 1.0) and
//! none of its forbidden ones; the mean reciprocal rank is printed.

use std::collections::HashMap;

use hishatak::search::{SearchRequest, Searcher};
use hishatak::{Archive, Kind};

use crate::util::{sample_dir, Dir};

struct Case {
    line: usize,
    query: String,
    flags: Vec<String>,
    must: Vec<String>,
    must_not: Vec<String>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/search_quality/queries.tsv"
    ))
    .expect("queries.tsv");
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let list = |k: usize| -> Vec<String> {
            cells
                .get(k)
                .map(|c| c.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default()
        };
        out.push(Case {
            line: i + 1,
            query: cells[0].to_string(),
            flags: list(1).into_iter().filter(|f| f != "-").collect(),
            must: list(2).into_iter().filter(|f| f != "-").collect(),
            must_not: list(3).into_iter().filter(|f| f != "-").collect(),
        });
    }
    out
}

fn request(c: &Case) -> SearchRequest {
    let mut r = SearchRequest {
        query: c.query.clone(),
        limit: 10,
        ..SearchRequest::default()
    };
    for f in &c.flags {
        let (k, v) = f.split_once('=').unwrap_or((f.as_str(), ""));
        match k {
            "kind" => r.kind = Some(Kind::parse(v).expect("kind")),
            "lang" => r.lang = Some(v.to_string()),
            "collection" => r.collection = Some(v.replace('_', " ")),
            "country" => r.source_country = Some(v.to_string()),
            "from" => r.from = Some(hishatak::edtf::parse(v).expect("from")),
            "to" => r.to = Some(hishatak::edtf::parse(v).expect("to")),
            "exact-script" => r.exact_script = true,
            "include-restricted" => r.include_restricted = true,
            other => panic!("unknown flag {other}"),
        }
    }
    r
}

#[test]
fn the_quality_set_has_full_recall_at_10() {
    let d = Dir::with_archive();
    d.run(&[
        "ingest",
        "--manifest",
        sample_dir().join("manifest.csv").to_str().unwrap(),
    ])
    .ok();
    let archive = Archive::open(&d.archive()).unwrap();
    // Items are named by their first master file in the manifest.
    let (items, _) = archive
        .catalog
        .list(&hishatak::catalog::ListFilter {
            include_restricted: true,
            include_withdrawn: true,
            ..Default::default()
        })
        .unwrap();
    let by_file: HashMap<String, String> = items
        .iter()
        .filter_map(|i| {
            i.files
                .iter()
                .find(|f| f.role == "master")
                .map(|f| (f.name.clone(), i.id.clone()))
        })
        .collect();
    let id_of = |f: &str| -> String {
        by_file.get(f).cloned().unwrap_or_else(|| {
            panic!("queries.tsv names {f}, which is not a first master file of the sample")
        })
    };
    let searcher = Searcher::open(&archive).unwrap();
    let cases = cases();
    assert!(
        cases.len() >= 60,
        "the quality set has {} queries; at least 60",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut rr_sum = 0.0;
    let mut rr_n = 0;
    for c in &cases {
        let r = searcher.search(&archive, &request(c)).unwrap();
        let got: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
        let mut first_rank = None;
        for f in &c.must {
            let id = id_of(f);
            match got.iter().position(|g| *g == id) {
                Some(p) => first_rank = Some(first_rank.map_or(p, |r: usize| r.min(p))),
                None => failures.push(format!(
                    "line {}: '{}' misses {f} ({id}); got {got:?}",
                    c.line, c.query
                )),
            }
        }
        for f in &c.must_not {
            if got.contains(&id_of(f).as_str()) {
                failures.push(format!(
                    "line {}: '{}' must not return {f}",
                    c.line, c.query
                ));
            }
        }
        if c.must.is_empty() && c.must_not.is_empty() {
            failures.push(format!("line {}: '{}' expects nothing", c.line, c.query));
        }
        if let Some(p) = first_rank.filter(|&p| p > 0) {
            // Shown with `--nocapture`: where ranking can improve.
            println!(
                "line {}: '{}' first expected hit at rank {}",
                c.line,
                c.query,
                p + 1
            );
        }
        if !c.must.is_empty() {
            rr_sum += first_rank.map(|p| 1.0 / (p as f64 + 1.0)).unwrap_or(0.0);
            rr_n += 1;
        }
    }
    println!(
        "search quality: {} queries, MRR {:.3}",
        cases.len(),
        rr_sum / rr_n.max(1) as f64
    );
    assert!(
        failures.is_empty(),
        "{} of {} queries failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
