//! Search against SQLite FTS5 on the same generated corpus, in the same run.
//!
//! The corpus: BENCH_ITEMS (default 100,000) items in en hy ru tr fr de, 40-400 words
//! each from per-language vocabularies, with place and person names drawn from the
//! shipped gazetteer in that language's spelling. hishatak side: the real `ingest` of a
//! JSON Lines manifest, then `hishatak reindex` timed (documents per second, peak memory),
//! then queries through the library's `Searcher`, each timed twice: engine only
//! (`search_ids`: the query and the top ids) and end to end (`search`: hits with their
//! fields and snippets). FTS5 side: one table
//! `fts5(body, tokenize='unicode61 remove_diacritics 2')`, all inserts in one transaction,
//! queries `... MATCH ? ORDER BY rank LIMIT 10`.
//!
//! Run: `cargo bench --bench search` (BENCH_ITEMS, BENCH_QUERIES=300, BENCH_DIR; BENCH_KEEP
//! keeps the corpus and archive for profiling). Prints
//! Markdown tables and one RESULT line per measurement (see `benches/common`) for
//! `scripts/compare.sh`.

mod common;
use common::*;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use hishatak::search::{SearchRequest, Searcher};
use hishatak::Archive;

const VOCAB: [(&str, &str); 6] = [
    ("en", "the of and to in a was were we from report consul refugees village city road people family children mother father letter committee relief orphanage school church deportation caravan winter spring summer autumn march arrived left returned soldiers officials governor telegram embassy survivors memory house bread water mountain river lake"),
    ("hy", "և որ մենք նրանք գյուղ քաղաք ճանապարհ մայր հայր երեխաներ եկեղեցի դպրոց որբանոց նամակ տուն հաց ջուր լեռ գետ լիճ ձմեռ գարուն ամառ աշուն գաղթականներ զինվորներ կառավարիչ հիշողություն ընտանիք եղբայր քույր գնացինք հասանք վերադարձանք տարան"),
    ("ru", "и в на с по из что мы они село город дорога мать отец дети церковь школа приют письмо дом хлеб вода гора река озеро зима весна лето осень беженцы солдаты губернатор консул донесение комитет помощь семья брат сестра прибыли ушли вернулись"),
    ("tr", "ve bir bu ile köy şehir yol anne baba çocuklar kilise okul yetimhane mektup ev ekmek su dağ nehir göl kış ilkbahar yaz sonbahar mülteciler askerler vali konsolos rapor komite yardım aile kardeş geldik gittik döndük Müdürlüğü İstanbul"),
    ("fr", "et le la les de des du un une nous ils village ville route mère père enfants église école orphelinat lettre maison pain eau montagne rivière lac hiver printemps été automne réfugiés soldats gouverneur consul rapport comité secours famille frère sœur arrivés partis"),
    ("de", "und der die das von mit ein eine wir sie dorf stadt straße mutter vater kinder kirche schule waisenhaus brief haus brot wasser berg fluss see winter frühling sommer herbst flüchtlinge soldaten gouverneur konsul bericht komitee hilfe familie bruder schwester ankamen"),
];

const LANG_COLUMN: [(&str, usize); 6] = [
    ("en", 2),
    ("hy", 3),
    ("ru", 4),
    ("tr", 5),
    ("fr", 6),
    ("de", 7),
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

fn dir_size(p: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = fs::read_dir(p) {
        for e in rd.flatten() {
            let m = e.metadata().map(|m| m.len()).unwrap_or(0);
            n += if e.path().is_dir() {
                dir_size(&e.path())
            } else {
                m
            };
        }
    }
    n
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    let n = env_num("BENCH_ITEMS", 100_000);
    let nq = env_num("BENCH_QUERIES", 300);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_hishatak"));
    let base = fresh_dir("target/bench-search");
    fs::create_dir_all(base.join("texts")).expect("bench dir");

    // Names per language from the gazetteer.
    let gaz = include_str!("../index/gazetteer.tsv");
    let mut names: Vec<Vec<String>> = vec![Vec::new(); 6];
    for line in gaz.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        for (k, (_, col)) in LANG_COLUMN.iter().enumerate() {
            if let Some(first) = cells
                .get(*col)
                .and_then(|c| c.split(';').next())
                .filter(|s| !s.is_empty())
            {
                names[k].push(first.to_string());
            }
        }
    }
    let vocab: Vec<Vec<&str>> = VOCAB.iter().map(|(_, v)| v.split(' ').collect()).collect();

    // Corpus + manifest.
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut manifest = fs::File::create(base.join("manifest.jsonl")).expect("manifest");
    let mut bodies: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        let k = (rng.next() % 6) as usize;
        let len = 40 + (rng.next() % 360) as usize;
        let mut words = Vec::with_capacity(len);
        for _ in 0..len {
            if rng.next().is_multiple_of(12) && !names[k].is_empty() {
                words.push(rng.pick(&names[k]).clone());
            } else {
                words.push(rng.pick(&vocab[k]).to_string());
            }
        }
        let body = words.join(" ");
        let rel = format!("texts/{:03}/{i:06}.txt", i / 1000);
        let p = base.join(&rel);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(&p, &body).expect("text");
        let kind = ["document", "memoir", "photo"][i % 3];
        let decade = 1890 + 10 * (rng.next() % 5);
        writeln!(
            manifest,
            "{}",
            serde_json::json!({"files": rel, "lang": VOCAB[k].0, "kind": kind, "date": format!("{}X", decade / 10),
                "collection": format!("Collection {}", i % 7), "title": format!("Item {i}")})
        )
        .expect("manifest line");
        bodies.push(body);
    }
    drop(manifest);
    let archive = base.join("archive");
    let a = archive.to_str().expect("utf-8 path");
    let status = Command::new(&bin)
        .args(["--archive", a, "init", "--quiet"])
        .status();
    assert!(status.map(|s| s.success()).unwrap_or(false));
    let man = base.join("manifest.jsonl");
    let ingest = timed_args(&[
        bin.to_str().expect("path"),
        "--archive",
        a,
        "ingest",
        "--quiet",
        "--manifest",
        man.to_str().expect("path"),
    ]);
    let reindex = timed_args(&[
        bin.to_str().expect("path"),
        "--archive",
        a,
        "reindex",
        "--quiet",
    ]);
    assert!(
        ingest.ok && reindex.ok,
        "ingest or reindex failed (output above)"
    );
    let index_bytes = dir_size(&archive.join("index"));
    let catalog_bytes: u64 = ["catalog.sqlite", "catalog.sqlite-wal"]
        .iter()
        .filter_map(|f| fs::metadata(archive.join(f)).ok())
        .map(|m| m.len())
        .sum();

    // FTS5 on the same texts.
    let fts_path = base.join("fts5.sqlite");
    let t = Instant::now();
    let mut db = rusqlite::Connection::open(&fts_path).expect("fts db");
    db.execute_batch(
        "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');",
    )
    .expect("fts table");
    {
        let tx = db.transaction().expect("tx");
        {
            let mut st = tx
                .prepare("INSERT INTO docs (rowid, body) VALUES (?1, ?2)")
                .expect("insert");
            for (i, b) in bodies.iter().enumerate() {
                st.execute(rusqlite::params![i as i64, b]).expect("row");
            }
        }
        tx.commit().expect("commit");
    }
    let fts_secs = t.elapsed().as_secs_f64();
    let fts_bytes = fs::metadata(&fts_path).map(|m| m.len()).unwrap_or(0);

    // tantivy alone on the same texts, in process: one field, its default tokenizer (no
    // folding, stems, transliteration or gazetteer), a writer on every core. What the
    // engine under hishatak costs for the texts alone: a floor for ours.
    let plain_dir = base.join("tantivy-plain");
    fs::create_dir_all(&plain_dir).expect("tantivy dir");
    let t = Instant::now();
    let mut sb = tantivy::schema::Schema::builder();
    let body_f = sb.add_text_field("body", tantivy::schema::TEXT);
    let plain_index = tantivy::Index::create_in_dir(&plain_dir, sb.build()).expect("tantivy index");
    {
        let threads = std::thread::available_parallelism()
            .map(|x| x.get())
            .unwrap_or(1);
        let mut w: tantivy::IndexWriter = plain_index
            .writer_with_num_threads(threads, 100 << 20)
            .expect("tantivy writer");
        for b in &bodies {
            let mut d = tantivy::TantivyDocument::default();
            d.add_text(body_f, b);
            w.add_document(d).expect("tantivy add");
        }
        w.commit().expect("tantivy commit");
    }
    let plain_secs = t.elapsed().as_secs_f64();
    let plain_reader = plain_index.reader().expect("tantivy reader");
    let plain_searcher = plain_reader.searcher();
    let plain_parser = tantivy::query::QueryParser::for_index(&plain_index, vec![body_f]);

    // Queries, by kind, in both engines.
    let arch = Archive::open(&archive).expect("archive");
    let searcher = Searcher::open(&arch).expect("searcher");
    let mut qrng = Rng(42);
    let all_names: Vec<String> = names.iter().flatten().cloned().collect();
    let simple: Vec<String> = all_names
        .iter()
        .filter(|s| !s.contains(' ') && !s.contains('-'))
        .cloned()
        .collect();
    let mut query_rows = Vec::new();
    for kind in ["term", "phrase", "boolean", "fuzzy", "filtered+faceted"] {
        let mut engine = Vec::new();
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        let mut alone = Vec::new();
        for _ in 0..nq {
            let a1 = qrng.pick(&simple).clone();
            let a2 = qrng.pick(&simple).clone();
            let (q, fts_q, filtered) = match kind {
                "term" => (a1.clone(), Some(format!("\"{a1}\"")), false),
                "phrase" => {
                    let b = qrng.pick(&bodies);
                    let ws: Vec<&str> = b.split(' ').collect();
                    let s = (qrng.next() % (ws.len() as u64 - 2)) as usize;
                    let p = format!("{} {}", ws[s], ws[s + 1]);
                    (format!("\"{p}\""), Some(format!("\"{p}\"")), false)
                }
                "boolean" => (
                    format!("{a1} OR {a2}"),
                    Some(format!("\"{a1}\" OR \"{a2}\"")),
                    false,
                ),
                "fuzzy" => {
                    let mut c: Vec<char> = a1.chars().collect();
                    if c.len() > 5 {
                        c.swap(2, 3);
                    }
                    (c.into_iter().collect(), None, false)
                }
                _ => (a1.clone(), None, true),
            };
            let mut req = SearchRequest {
                query: q,
                limit: 10,
                ..SearchRequest::default()
            };
            if filtered {
                req.kind = Some(hishatak::Kind::Memoir);
                req.facets = true;
                req.from = hishatak::edtf::parse("1905").ok();
                req.to = hishatak::edtf::parse("1925").ok();
            }
            let t = Instant::now();
            let (total, top) = searcher.search_ids(&req).expect("search");
            engine.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            let r = searcher.search(&arch, &req).expect("search");
            ours.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!((r.total, r.hits.len()), (total, top.len()));
            if let Some(fq) = fts_q {
                let t = Instant::now();
                let mut st = db
                    .prepare_cached(
                        "SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10",
                    )
                    .expect("q");
                let rows: Vec<i64> = st
                    .query_map([&fq], |r| r.get(0))
                    .map(|it| it.filter_map(|x| x.ok()).collect())
                    .unwrap_or_default();
                std::hint::black_box(rows);
                theirs.push(t.elapsed().as_secs_f64() * 1000.0);
                // The same query string in tantivy alone (its parser, top 10 and count).
                let t = Instant::now();
                if let Ok(pq) = plain_parser.parse_query(&fq) {
                    let r = plain_searcher.search(
                        &pq,
                        &(
                            tantivy::collector::TopDocs::with_limit(10).order_by_score(),
                            tantivy::collector::Count,
                        ),
                    );
                    std::hint::black_box(r.ok());
                }
                alone.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        query_rows.push((
            kind,
            (pct(&mut engine.clone(), 0.5), pct(&mut engine, 0.99)),
            pct(&mut ours.clone(), 0.5),
            pct(&mut ours, 0.99),
            (!theirs.is_empty()).then(|| (pct(&mut theirs.clone(), 0.5), pct(&mut theirs, 0.99))),
            (!alone.is_empty()).then(|| (pct(&mut alone.clone(), 0.5), pct(&mut alone, 0.99))),
        ));
    }

    println!(
        "\nCorpus: {n} items in 6 languages; {nq} queries per kind; machine: {} cores.\n",
        std::thread::available_parallelism()
            .map(|x| x.get())
            .unwrap_or(1)
    );
    println!("| indexing | hishatak `reindex` | SQLite FTS5 | ratio |");
    println!("|---|---:|---:|---:|");
    let ours_rate = n as f64 / reindex.secs.max(1e-9);
    let fts_rate = n as f64 / fts_secs.max(1e-9);
    println!(
        "| documents/s | {ours_rate:.0} | {fts_rate:.0} | {:.2}x |",
        ours_rate / fts_rate
    );
    let plain_rate = n as f64 / plain_secs.max(1e-9);
    println!(
        "| documents/s, tantivy alone (one field, default tokenizer, in process) | {plain_rate:.0} | {fts_rate:.0} | {:.2}x |",
        plain_rate / fts_rate
    );
    println!("| peak memory | {:.0} MB | (in process) | |", reindex.mb);
    println!(
        "| size on disk | {:.1} MB | {:.1} MB | {:.2} |",
        index_bytes as f64 / 1e6,
        fts_bytes as f64 / 1e6,
        index_bytes as f64 / fts_bytes.max(1) as f64
    );
    println!("\n(`ingest` of the {n} items before indexing: {:.1} s, peak {:.0} MB; it includes catching the index up.)\n", ingest.secs, ingest.mb);
    println!("Engine only: the query run and the ids of the top 10, as FTS5 returns ten rowids.");
    println!(
        "End to end: also each hit's fields and snippet, as `hishatak search` returns them.\n"
    );
    println!("tantivy alone: the FTS5 query string through tantivy's own parser on one field (no forms, no gazetteer), top 10 and count.\n");
    println!("| query kind | engine p50 | engine p99 | end-to-end p50 | end-to-end p99 | FTS5 p50 | FTS5 p99 | p99 ratio FTS5/engine | FTS5/end-to-end | tantivy alone p50 / p99 |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &(kind, (e50, e99), p50, p99, fts, plain) in &query_rows {
        match fts {
            Some((f50, f99)) => println!(
                "| {kind} | {e50:.2} ms | {e99:.2} ms | {p50:.2} ms | {p99:.2} ms | {f50:.2} ms | {f99:.2} ms | {:.1}x | {:.1}x | {} |",
                f99 / e99.max(1e-9),
                f99 / p99.max(1e-9),
                plain.map(|(a, b)| format!("{a:.2} / {b:.2} ms")).unwrap_or_default()
            ),
            None => println!(
                "| {kind} | {e50:.2} ms | {e99:.2} ms | {p50:.2} ms | {p99:.2} ms | n/a | n/a | FTS5 has no such query | |"
            ),
        }
    }
    println!();
    let size = format!("{n} docs");
    let m = |step: &str, unit, ours, ours_mb, reference, target| Measurement {
        bench: "search",
        step: step.into(),
        size: size.clone(),
        unit,
        ours: Some(ours),
        ours_mb,
        reference,
        target,
    };
    m(
        "ingest of the corpus (with index catch-up)",
        "s",
        ingest.secs,
        Some(ingest.mb),
        Reference::None,
        Target::None,
    )
    .print();
    m(
        "indexing (reindex vs FTS5 inserts)",
        "s",
        reindex.secs,
        Some(reindex.mb),
        Reference::Tool {
            name: "SQLite FTS5 (in process)".into(),
            value: fts_secs,
            mb: None,
        },
        Target::AtMost(0.5),
    )
    .print();
    m(
        "indexing, tantivy alone (one field, default tokenizer)",
        "s",
        plain_secs,
        None,
        Reference::Tool {
            name: "SQLite FTS5 (in process)".into(),
            value: fts_secs,
            mb: None,
        },
        Target::None,
    )
    .print();
    m(
        "index size on disk",
        "MB",
        index_bytes as f64 / 1e6,
        None,
        Reference::Tool {
            name: "SQLite FTS5".into(),
            value: fts_bytes as f64 / 1e6,
            mb: None,
        },
        Target::None,
    )
    .print();
    m(
        "catalog size on disk (with WAL)",
        "MB",
        catalog_bytes as f64 / 1e6,
        None,
        Reference::None,
        Target::None,
    )
    .print();
    for (kind, (e50, e99), p50, p99, fts, _) in &query_rows {
        // The target is held by the like-for-like figure (engine only); end to end is
        // shown beside the same FTS5 figure.
        for (which, ours, theirs, target) in [
            ("engine p50", *e50, fts.map(|f| f.0), Target::None),
            ("engine p99", *e99, fts.map(|f| f.1), Target::AtMost(0.1)),
            ("end-to-end p50", *p50, fts.map(|f| f.0), Target::None),
            ("end-to-end p99", *p99, fts.map(|f| f.1), Target::None),
        ] {
            let reference = match theirs {
                Some(v) => Reference::Tool {
                    name: "SQLite FTS5".into(),
                    value: v,
                    mb: None,
                },
                None => Reference::None,
            };
            let target = if theirs.is_some() {
                target
            } else {
                Target::None
            };
            m(
                &format!("query {kind} {which}"),
                "ms",
                ours,
                None,
                reference,
                target,
            )
            .print();
        }
    }
    if std::env::var_os("BENCH_KEEP").is_some() {
        eprintln!("kept {}", base.display());
        return;
    }
    let _ = Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(&base)
        .status();
    let _ = fs::remove_dir_all(&base);
}
