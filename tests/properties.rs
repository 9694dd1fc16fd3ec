//! Property tests (proptest) over hostile and generated input: EDTF dates, manifests,
//! search queries and the text analyser. Each property calls the library as the binary
//! does; a failing case is shrunk and printed by proptest with its seed.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config;

use hishatak::edtf::{self, days_from_civil, days_in_month};
use hishatak::ingest::manifest;
use hishatak::search::{analyze, query, snippet, SearchRequest, Searcher};

use crate::util::Dir;

fn cases(n: u32) -> Config {
    Config {
        cases: n,
        // Failures are reported with the shrunk input; no regression files in the tree.
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------
// EDTF

/// The characters EDTF is written with, plus a few that are not, so that random strings
/// reach deep into the parser instead of failing on the first character.
const EDTF_ALPHABET: &str = r"[0-9X?~%/.\-\[\]{},YESTZ:+ ]{0,40}";

/// One calendar date as generated: the text and, when it has no X digit, no season and no
/// `~`/`%`, the exact day range it must mean.
#[derive(Debug, Clone)]
struct GenDate {
    text: String,
    exact: Option<(i64, i64)>,
    uncertain: bool,
    approximate: bool,
}

/// A valid level 0-2 calendar date: years incl. negative and before 1677, X digits,
/// months, days, seasons and divisions 21-41, qualifiers at the end or on a component.
fn valid_date() -> impl Strategy<Value = GenDate> {
    (
        0i64..=9999,
        any::<bool>(),                                            // negative year
        proptest::collection::vec(prop::bool::weighted(0.15), 4), // X in each year digit
        0u8..4, // 0 year only, 1 month, 2 day, 3 season
        1u32..=12,
        21u32..=41,
        1u32..=31,
        any::<bool>(), // month as XX
        0usize..4,     // qualifier: none ? ~ %
        any::<bool>(), // qualifier on the year component instead
    )
        .prop_map(
            |(year, neg, xs, precision, month, season, day, month_x, q, on_component)| {
                let mut ytext: Vec<char> = format!("{year:04}").chars().collect();
                let has_x = xs.iter().any(|&x| x);
                for (c, x) in ytext.iter_mut().zip(&xs) {
                    if *x {
                        *c = 'X';
                    }
                }
                let ytext: String = ytext.into_iter().collect();
                let y = if neg { -year } else { year };
                let sign = if neg { "-" } else { "" };
                let qual = ["", "?", "~", "%"][q];
                let (body, exact) = match precision {
                    0 => (
                        format!("{sign}{ytext}"),
                        (days_from_civil(y, 1, 1), days_from_civil(y, 12, 31)),
                    ),
                    1 if month_x => (
                        format!("{sign}{ytext}-XX"),
                        (days_from_civil(y, 1, 1), days_from_civil(y, 12, 31)),
                    ),
                    1 => (
                        format!("{sign}{ytext}-{month:02}"),
                        (
                            days_from_civil(y, month, 1),
                            days_from_civil(y, month, days_in_month(y, month)),
                        ),
                    ),
                    2 => {
                        // A day that exists whatever the X digits stand for.
                        let max = if has_x { 28 } else { days_in_month(y, month) };
                        let d = 1 + (day - 1) % max;
                        let day_of = days_from_civil(y, month, d);
                        (format!("{sign}{ytext}-{month:02}-{d:02}"), (day_of, day_of))
                    }
                    _ => (format!("{sign}{ytext}-{season}"), (0, 0)),
                };
                let text = if on_component && !qual.is_empty() && precision > 0 {
                    // Level 2: the qualifier on the year only (`2004?-06`).
                    let (yy, rest) = body.split_at(sign.len() + 4);
                    format!("{yy}{qual}{rest}")
                } else {
                    format!("{body}{qual}")
                };
                let widened = matches!(qual, "~" | "%");
                GenDate {
                    text,
                    exact: (!has_x && precision != 3 && !widened).then_some(exact),
                    uncertain: matches!(qual, "?" | "%"),
                    approximate: widened,
                }
            },
        )
}

/// Years written with Y: more than four digits, or with an exponent.
fn long_year() -> impl Strategy<Value = (String, Option<i64>)> {
    prop_oneof![
        (10_000i64..=999_999_999_999, any::<bool>()).prop_map(|(y, neg)| {
            let v = if neg { -y } else { y };
            (format!("Y{v}"), Some(v))
        }),
        (1i64..=99, 0u32..=14).prop_map(|(m, e)| {
            let v = 10i64.checked_pow(e).and_then(|p| m.checked_mul(p));
            let ok = v.filter(|v| *v <= 1_000_000_000_000);
            (format!("Y{m}E{e}"), ok)
        }),
    ]
}

fn check_range(text: &str, d: &edtf::Edtf) {
    if let (Some(a), Some(b)) = (d.earliest, d.latest) {
        assert!(
            a <= b,
            "{text}: earliest {} after latest {}",
            edtf::format_day(a),
            edtf::format_day(b)
        );
    }
}

proptest! {
    #![proptest_config(cases(10_000))]

    #[test]
    fn edtf_never_panics_on_any_string(s in "\\PC{0,30}|.{0,30}") {
        if let Ok(d) = edtf::parse(&s) {
            prop_assert_eq!(&d.text, s.trim());
            check_range(&s, &d);
        }
    }

    #[test]
    fn edtf_never_panics_on_its_own_alphabet(s in EDTF_ALPHABET) {
        match edtf::parse(&s) {
            Ok(d) => {
                prop_assert_eq!(&d.text, s.trim());
                check_range(&s, &d);
            }
            Err(e) => prop_assert!(!e.reason.trim().is_empty(), "{s:?}: empty reason"),
        }
    }

    #[test]
    fn valid_edtf_dates_parse_keep_their_text_and_range(g in valid_date()) {
        let d = edtf::parse(&g.text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&d.text, &g.text);
        prop_assert!(!d.interval);
        prop_assert_eq!((d.uncertain, d.approximate), (g.uncertain, g.approximate));
        let (a, b) = (d.earliest.unwrap(), d.latest.unwrap());
        prop_assert!(a <= b, "{}: {a} > {b}", g.text);
        if let Some((ea, eb)) = g.exact {
            prop_assert_eq!((a, b), (ea, eb), "{}", g.text);
        }
        // `~` widens by one unit on each side: the range holds the unqualified one.
        if g.approximate {
            let bare = g.text.replace(['~', '%', '?'], "");
            let plain = edtf::parse(&bare).unwrap();
            prop_assert!(a < plain.earliest.unwrap() && b > plain.latest.unwrap(), "{}", g.text);
        }
    }

    #[test]
    fn long_years_parse_or_say_they_are_too_far((text, value) in long_year()) {
        match (edtf::parse(&text), value) {
            (Ok(d), Some(y)) => {
                prop_assert_eq!(d.earliest, Some(days_from_civil(y, 1, 1)));
                prop_assert_eq!(d.latest, Some(days_from_civil(y, 12, 31)));
            }
            (Err(e), None) => prop_assert!(e.reason.contains("too far"), "{text}: {e}"),
            (r, v) => prop_assert!(false, "{text}: expected {v:?}, got {r:?}"),
        }
    }

    #[test]
    fn intervals_span_their_ends(
        a in valid_date(),
        b in valid_date(),
        open_start in 0u8..6,
        open_end in 0u8..6,
    ) {
        // Mostly closed; sometimes `..` (open) or empty (unknown) on one side.
        let start = match open_start { 0 => "..".to_string(), 1 => String::new(), _ => a.text.clone() };
        let end = match open_end { 0 => "..".to_string(), 1 => String::new(), _ => b.text.clone() };
        let text = format!("{start}/{end}");
        let s = (open_start > 1).then(|| edtf::parse(&a.text).unwrap());
        let e = (open_end > 1).then(|| edtf::parse(&b.text).unwrap());
        let got = edtf::parse(&text);
        match (&s, &e) {
            (None, None) => prop_assert!(got.is_err(), "{text}: an interval needs an end"),
            (Some(s), Some(e)) if s.earliest > e.latest => {
                let err = got.err().map(|x| x.reason).unwrap_or_default();
                prop_assert!(err.contains("before it starts"), "{text}: {err}");
            }
            _ => {
                let d = got.map_err(|x| TestCaseError::fail(x.to_string()))?;
                prop_assert!(d.interval);
                prop_assert_eq!(&d.text, &text);
                prop_assert_eq!(d.earliest, s.as_ref().and_then(|s| s.earliest));
                prop_assert_eq!(d.latest, e.as_ref().and_then(|e| e.latest));
                check_range(&text, &d);
                // The interval begins no later than its end does, unless its start
                // overlaps the end (`1915-06/1915`, accepted: June falls within 1915).
                if let (Some(s), Some(e)) = (&s, &e) {
                    if s.latest <= e.earliest {
                        prop_assert!(d.earliest <= e.earliest, "{text}");
                    }
                }
            }
        }
    }

    #[test]
    fn sets_span_their_members(members in proptest::collection::vec(valid_date(), 1..5), all in any::<bool>()) {
        let texts: Vec<&str> = members.iter().map(|m| m.text.as_str()).collect();
        let text = if all { format!("{{{}}}", texts.join(",")) } else { format!("[{}]", texts.join(",")) };
        let d = edtf::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let parsed: Vec<edtf::Edtf> = texts.iter().map(|t| edtf::parse(t).unwrap()).collect();
        prop_assert_eq!(d.earliest, parsed.iter().filter_map(|p| p.earliest).min());
        prop_assert_eq!(d.latest, parsed.iter().filter_map(|p| p.latest).max());
    }
}

// ---------------------------------------------------------------------------------------
// Manifests

/// Write `bytes` as `name` beside the files a manifest may name; returns its path.
fn manifest_file(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A folder with `box/` (the manifest's folder, holding `a.txt` and `b.txt`) and a file
/// beside it that no manifest may reach.
fn manifest_dir() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("box/sub")).unwrap();
    std::fs::write(t.path().join("box/a.txt"), "page a").unwrap();
    std::fs::write(t.path().join("box/sub/b.txt"), "page b").unwrap();
    std::fs::write(t.path().join("secret.txt"), "outside").unwrap();
    t
}

/// What is wrong with a generated row (or nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Defect {
    None,
    MissingFile,
    DotDot,
    Absolute,
    DriveLetter,
    Unc,
    BadDate,
    BadAccess,
    BadLang,
    BadKind,
    UnknownColumn,
    NoFile,
}

const DEFECTS: [Defect; 12] = [
    Defect::None,
    Defect::MissingFile,
    Defect::DotDot,
    Defect::Absolute,
    Defect::DriveLetter,
    Defect::Unc,
    Defect::BadDate,
    Defect::BadAccess,
    Defect::BadLang,
    Defect::BadKind,
    Defect::UnknownColumn,
    Defect::NoFile,
];

/// Free text for titles and descriptions: quotes, separators, newlines, other scripts.
fn cell_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z ,;|\"'\\n\\r\\t]{0,20}",
        "[Ա-Ֆա-ֆА-яё0-9 ,.;:!?«»]{0,20}",
        "\\PC{0,12}",
    ]
}

/// The columns of the structured CSV property, in order.
const CSV_COLUMNS: [&str; 9] = [
    "files",
    "kind",
    "title",
    "description:en",
    "date",
    "lang",
    "access",
    "persons",
    "mystery",
];

fn csv_row(defect: Defect, title: String, desc: String, persons: String) -> Vec<String> {
    let mut files = "a.txt|sub/b.txt".to_string();
    let mut kind = "document".to_string();
    let mut date = "1915-04~".to_string();
    let mut lang = "hy;en".to_string();
    let mut access = "open".to_string();
    let mut mystery = String::new();
    match defect {
        Defect::None => {}
        Defect::MissingFile => files = "a.txt|nowhere.tif".into(),
        Defect::DotDot => files = "../secret.txt".into(),
        Defect::Absolute => files = "/etc/hostname".into(),
        Defect::DriveLetter => files = "C:\\secret.txt".into(),
        Defect::Unc => files = "\\\\server\\share\\x.tif".into(),
        Defect::BadDate => date = "24.04.1915".into(),
        Defect::BadAccess => access = "secret".into(),
        Defect::BadLang => lang = "armenian".into(),
        Defect::BadKind => kind = "letterx".into(),
        Defect::UnknownColumn => mystery = "value".into(),
        Defect::NoFile => files = " | ".into(),
    }
    vec![
        files, kind, title, desc, date, lang, access, persons, mystery,
    ]
}

/// The column a refusal names and a part of its reason.
fn expected_refusal(defect: Defect) -> (&'static str, &'static str) {
    match defect {
        Defect::None => ("", ""),
        Defect::MissingFile => ("files", "file not found: nowhere.tif"),
        Defect::DotDot => ("files", "leaves the manifest's folder"),
        Defect::Absolute | Defect::DriveLetter | Defect::Unc => ("files", "is absolute"),
        Defect::BadDate => ("date", "write the year first"),
        Defect::BadAccess => ("access", "'secret' is not valid"),
        Defect::BadLang => ("lang", "armenian"),
        Defect::BadKind => ("kind", "letterx"),
        Defect::UnknownColumn => ("mystery", "not a known column"),
        Defect::NoFile => ("files", "no file given"),
    }
}

proptest! {
    #![proptest_config(cases(500))]

    #[test]
    fn manifests_of_arbitrary_bytes_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        ext in prop::sample::select(vec!["csv", "json", "jsonl", "tsv"]),
        prefix in prop::sample::select(vec![&b""[..], b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF", b"files\n", b"[", b"{\"files\":"]),
    ) {
        let t = manifest_dir();
        let mut all = prefix.to_vec();
        all.extend_from_slice(&bytes);
        let p = manifest_file(&t.path().join("box"), &format!("m.{ext}"), &all);
        if let Ok(rows) = manifest::read(&p) {
            for r in rows {
                if let Err(refusal) = r {
                    prop_assert!(refusal.row.is_some(), "{refusal:?}");
                    prop_assert!(!refusal.reason.is_empty());
                }
            }
        }
    }

    #[test]
    fn each_bad_csv_row_is_refused_with_its_row_and_the_rest_planned(
        rows in proptest::collection::vec(
            (prop::sample::select(DEFECTS.to_vec()), cell_text(), cell_text(), cell_text()),
            1..12,
        ),
        delimiter in prop::sample::select(vec![b',', b';', b'\t']),
        crlf in any::<bool>(),
        bom in any::<bool>(),
    ) {
        let t = manifest_dir();
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(Vec::new());
        w.write_record(CSV_COLUMNS).unwrap();
        for (defect, title, desc, persons) in &rows {
            w.write_record(csv_row(*defect, title.clone(), desc.clone(), persons.clone())).unwrap();
        }
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend(w.into_inner().unwrap());
        let p = manifest_file(&t.path().join("box"), "m.csv", &bytes);
        let got = manifest::read(&p).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(got.len(), rows.len(), "one result per row");
        for (i, ((defect, ..), r)) in rows.iter().zip(&got).enumerate() {
            let row = i + 2; // the header is row 1
            match (defect, r) {
                (Defect::None, Ok(plan)) => {
                    prop_assert_eq!(plan.row, Some(row));
                    prop_assert_eq!(plan.pages.len(), 2);
                    for page in &plan.pages {
                        prop_assert!(page.starts_with(t.path().join("box").canonicalize().unwrap()));
                    }
                }
                (Defect::None, Err(e)) => prop_assert!(false, "row {row} refused: {e:?}"),
                (_, Ok(_)) => prop_assert!(false, "row {row} ({defect:?}) was not refused"),
                (_, Err(e)) => {
                    prop_assert_eq!(e.row, Some(row), "{:?}", e);
                    prop_assert!(e.source.ends_with(&format!("row {row}")), "{e:?}");
                    let (column, says) = expected_refusal(*defect);
                    prop_assert_eq!(e.column.as_deref(), Some(column), "{:?}", e);
                    prop_assert!(e.reason.contains(says), "{defect:?}: {e:?}");
                }
            }
        }
    }

    #[test]
    fn json_and_json_lines_of_any_shape_never_panic_and_name_rows(
        items in proptest::collection::vec(json_item(), 0..8),
        lines in any::<bool>(),
    ) {
        let t = manifest_dir();
        let (name, bytes) = if lines {
            let text: Vec<String> = items.iter().map(|v| v.to_string()).collect();
            ("m.jsonl", text.join("\n").into_bytes())
        } else {
            ("m.json", serde_json::to_vec(&serde_json::Value::Array(items.clone())).unwrap())
        };
        let p = manifest_file(&t.path().join("box"), name, &bytes);
        let got = manifest::read(&p).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(got.len(), items.len());
        for (i, r) in got.iter().enumerate() {
            let row = Some(i + 1);
            match r {
                Ok(plan) => prop_assert_eq!(plan.row, row),
                Err(e) => {
                    prop_assert_eq!(e.row, row, "{:?}", e);
                    prop_assert!(!e.reason.is_empty());
                }
            }
        }
    }
}

/// A JSON value of any shape, leaning towards manifest-like objects.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)),
        cell_text().prop_map(Value::String),
        prop::sample::select(vec![
            "a.txt",
            "sub/b.txt",
            "../secret.txt",
            "/etc/hostname",
            "C:/x.tif",
            "1915?",
            "hy",
            "embargoed:2999-01-01"
        ])
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z:]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_item() -> impl Strategy<Value = serde_json::Value> {
    let key = prop::sample::select(vec![
        "files",
        "kind",
        "title",
        "title:hy",
        "date",
        "lang",
        "access",
        "persons",
        "places",
        "transcript",
        "translation:en",
        "meta:box",
        "titel",
        "",
        "files:xx",
    ]);
    prop_oneof![
        3 => proptest::collection::btree_map(key, json_value(), 0..6)
            .prop_map(|m| serde_json::Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        1 => json_value(),
    ]
}

// ---------------------------------------------------------------------------------------
// Search queries and the analyser

/// Pieces a hostile or careless query is made of.
fn query_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "\"",
            "(",
            ")",
            "((",
            "))",
            "OR",
            "AND",
            "NOT",
            "-",
            "+",
            "!",
            "|",
            "||",
            "&&",
            "title:",
            "person:",
            "place:",
            "subject:",
            "creator:",
            "ref:",
            "collection:",
            ":",
            "::",
            "*",
            "?",
            "~",
            "^2",
            "\\",
            "'",
            "’",
            "\u{0}",
            "\u{1b}[31m",
            "\t",
            "\r\n",
            "\u{202e}",
            "\u{200b}",
            "\u{fffd}",
            "🕊",
            "e\u{301}",
            "İ",
            "ß",
            "Էրզրում",
            "Эрзурум",
            "Erzurum'a",
            "Aleppo",
            "Komitas",
            "Բաքու",
            "http://x.org/a?b=c",
            "10:30",
            "1915",
            "ﬀ",
            "ǅ",
            "\u{0345}",
            "ΐ",
            "ㄱ",
            "東京",
            "مرحبا",
            "-Aleppo",
            "title:\"Der Zor\"",
        ])
        .prop_map(str::to_string),
        "\\PC{1,8}",
        ".{1,8}",
    ]
}

/// Words and operators that meet the fixture's texts, so that many queries have hits
/// and snippets.
fn query_word() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Aleppo",
        "Erzurum",
        "Էրզրում",
        "Эрзурум",
        "erzurumdan",
        "Komitas",
        "Կոմիտաս",
        "Bakü",
        "baku",
        "Баку",
        "\"Der Zor\"",
        "\"der",
        "person:Khachaturian",
        "creator:Хачатурян",
        "title:memoir",
        "1915",
        "İSTANBUL",
        "-Aleppo",
        "NOT",
        "OR",
        "bold",
        "<b>",
        "quoted",
        "&",
        "ночью",
        "spring",
        "Aleppoo",
        "(Aleppo",
        "Erzurum)",
        "place:",
    ])
    .prop_map(str::to_string)
}

fn query_text() -> impl Strategy<Value = String> {
    let sep = || prop::sample::select(vec!["", " ", "  ", "\t"]);
    prop_oneof![
        3 => proptest::collection::vec((query_piece(), sep()), 0..10)
            .prop_map(|v| v.into_iter().map(|(p, s)| format!("{p}{s}")).collect::<String>()),
        3 => proptest::collection::vec((prop_oneof![3 => query_word(), 1 => query_piece()], sep()), 1..4)
            .prop_map(|v| v.into_iter().map(|(p, s)| format!("{p} {s}")).collect::<String>()),
        1 => ".{0,40}",
    ]
}

/// Text as people write it, in many scripts: letters, each maybe followed by combining
/// marks (accents, Cyrillic titlo, Arabic and Hebrew vowels, Indic nukta and vowel signs),
/// between spaces and punctuation, composed or not.
fn marked_text() -> impl Strategy<Value = String> {
    let letter = prop_oneof![
        "[a-zA-Zа-яА-ЯԱ-Ֆա-ֆα-ωא-תا-يअ-हকখগঘচছজঝটঠডঢণতথদধনপফবভমযরলশষসহ0-9ıİßéüğşçёй]",
        Just("ড়".to_string()),
        Just("ǅ".to_string()),
    ];
    let mark = "[\u{0300}-\u{036F}\u{0483}\u{05B0}-\u{05BD}\u{064B}-\u{065F}\u{093C}\u{093E}-\u{094D}\u{09BC}\u{09BE}-\u{09C4}]";
    let chunk = (letter, proptest::collection::vec(mark, 0..3))
        .prop_map(|(l, ms)| format!("{l}{}", ms.concat()));
    let sep = prop::sample::select(vec!["", " ", ", ", "'", "-", "։", "՛"]);
    proptest::collection::vec((chunk, sep), 0..12)
        .prop_map(|v| v.into_iter().map(|(c, s)| format!("{c}{s}")).collect())
}

/// An archive of a few items in three scripts, and an open searcher over it.
struct SearchFixture {
    _dir: Dir,
    archive: hishatak::Archive,
    searcher: Searcher,
}

fn search_fixture() -> SearchFixture {
    let d = Dir::with_archive();
    for (name, text, args) in [
        (
            "a.txt",
            "We came from Erzurum to Aleppo in the spring of 1915.",
            vec![
                "--lang",
                "en",
                "--title",
                "Memoir of the road",
                "--date",
                "1915-21",
            ],
        ),
        (
            "b.txt",
            "Մենք հասանք Էրզրումից Հալեպ։ Կոմիտաս",
            vec!["--lang", "hy", "--title", "Հուշեր", "--kind", "memoir"],
        ),
        (
            "c.txt",
            "Мы приехали в Эрзурум, потом в Баку <ночью>.",
            vec!["--lang", "ru", "--date", "191X", "--access", "restricted"],
        ),
        (
            "d.txt",
            "Der Zor, \"quoted\" & <b>bold</b> İSTANBUL Bakü'de",
            vec!["--lang", "tr", "--creator", "Khatchadourian"],
        ),
    ] {
        let f = d.write(name, text);
        let mut all = vec!["ingest", f.to_str().unwrap(), "--ocr", "never"];
        all.extend(args);
        d.run(&all).ok();
    }
    let archive = hishatak::Archive::open(&d.archive()).unwrap();
    let searcher = Searcher::open(&archive).unwrap();
    SearchFixture {
        _dir: d,
        archive,
        searcher,
    }
}

/// Run one query with the filters chosen; the only error allowed is "no words to search
/// for", and only when the query really has none.
fn search_never_fails(
    f: &SearchFixture,
    q: &str,
    facets: bool,
    filters: u8,
) -> Result<(), TestCaseError> {
    let req = SearchRequest {
        query: q.to_string(),
        limit: 10,
        facets,
        kind: (filters & 1 != 0).then_some(hishatak::Kind::Memoir),
        lang: (filters & 2 != 0).then(|| "hy".to_string()),
        from: (filters & 4 != 0).then(|| edtf::parse("1910").unwrap()),
        exact_script: filters & 8 != 0,
        include_restricted: filters & 16 != 0,
        ..SearchRequest::default()
    };
    match f.searcher.search(&f.archive, &req) {
        Ok(r) => {
            prop_assert!(r.hits.len() <= r.total.min(10));
            for h in &r.hits {
                // Snippets are HTML: only the <b> marks are markup.
                let bare = h.snippet.replace("<b>", "").replace("</b>", "");
                prop_assert!(!bare.contains(['<', '>']), "{q:?}: {}", h.snippet);
            }
            Ok(())
        }
        Err(e) => {
            prop_assert!(
                query::parse(q).groups.is_empty()
                    && e.to_string().contains("no words to search for"),
                "{q:?}: {e}"
            );
            Ok(())
        }
    }
}

#[test]
fn any_query_parses_and_searches_without_error() {
    let f = search_fixture();
    // Filters on a quarter of the queries: most should reach hits and snippets.
    let strategy = (
        query_text(),
        any::<bool>(),
        prop_oneof![3 => Just(0u8), 1 => 0u8..32],
    );
    proptest::test_runner::TestRunner::new(cases(2000))
        .run(&strategy, |(q, facets, filters)| {
            search_never_fails(&f, &q, facets, filters)
        })
        .unwrap();
}

#[test]
fn ten_thousand_character_queries() {
    let f = search_fixture();
    let strategy = (query_piece(), any::<bool>());
    proptest::test_runner::TestRunner::new(cases(16))
        .run(&strategy, |(piece, one_word)| {
            let q = if one_word {
                // One enormous word: its fuzzy and phonetic forms are asked too.
                "e".repeat(10_000)
            } else {
                let mut q = String::new();
                while q.chars().count() < 10_000 {
                    q.push_str(&piece);
                    q.push(' ');
                }
                q
            };
            search_never_fails(&f, &q, true, 0)
        })
        .unwrap();
}

proptest! {
    #![proptest_config(cases(3000))]

    #[test]
    fn the_analyser_never_panics_and_offsets_point_at_words(text in "\\PC{0,60}|.{0,60}", lang in prop::sample::select(vec!["", "en", "hy", "ru", "tr", "fr", "de", "xx"])) {
        let words = analyze::words(&text);
        for w in &words {
            prop_assert!(w.start < w.end && w.end <= text.len());
            prop_assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end));
            prop_assert!(!w.lower.is_empty());
            // A word typed as a query is read as the same word it was indexed as.
            let again: Vec<String> = analyze::words(&w.lower).into_iter().map(|x| x.lower).collect();
            prop_assert_eq!(again, vec![w.lower.clone()], "{:?} in {:?}", &text[w.start..w.end], text);
            let langs: Vec<&str> = if lang.is_empty() { vec![] } else { vec![lang] };
            let f = analyze::forms(&w.lower, &langs);
            prop_assert!(!f.latin.is_empty());
            let _ = analyze::stem_armenian(&w.lower);
            let _ = analyze::to_latin(&f.plain);
        }
        let _ = analyze::fold(&text);
        let _ = analyze::lower(&text);
        let _ = query::parse(&text);
    }

    #[test]
    fn composed_and_decomposed_text_gives_the_same_words(text in marked_text()) {
        use unicode_normalization::UnicodeNormalization;
        let lowers = |t: &str| -> Vec<String> {
            analyze::words(t).into_iter().map(|w| analyze::fold(&w.lower)).collect()
        };
        let nfc: String = text.nfc().collect();
        let nfd: String = text.nfd().collect();
        prop_assert_eq!(lowers(&nfc), lowers(&nfd), "{:?}", text);
        prop_assert_eq!(lowers(&text), lowers(&nfc), "{:?}", text);
    }

    #[test]
    fn snippets_escape_everything_but_their_marks(text in "\\PC{0,80}|[<>&\"' a-z]{0,80}", word in "[a-z<>&]{1,6}") {
        let mut w = query::Wanted::default();
        w.plain.insert(word.clone());
        w.fuzzy.push((word, 1));
        if let Some((s, _)) = snippet::snippet(&w, &text, &["en"], 12) {
            let bare = s.replace("<b>", "").replace("</b>", "");
            prop_assert!(!bare.contains(['<', '>', '"', '\'']), "{s}");
        }
    }
}
