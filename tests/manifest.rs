//! `ingest --manifest`: CSV as spreadsheets write it, JSON, JSON Lines, refusals.

use serde_json::{json, Value};

use crate::util::{sample_dir, sample_file, Dir};

/// Put three distinct scans and texts beside a manifest in `box/`.
fn files(d: &Dir) {
    std::fs::create_dir_all(d.path().join("box/scans")).unwrap();
    std::fs::copy(sample_file("jpg"), d.path().join("box/scans/p1.jpg")).unwrap();
    d.write("box/scans/p2.txt", "second page");
    d.write("box/scans/photo.txt", "a photograph's stand-in");
    d.write("box/scans/other.txt", "another item");
    d.write(
        "box/texts/memoir-hy.txt",
        "\u{feff}Մենք հասանք Էրզրումից Հալեպ։",
    );
    d.write("box/texts/memoir-en.txt", "We came from Erzurum to Aleppo.");
    d.write("outside.txt", "not in the box");
}

fn refusal_for(j: &Value, row: u64) -> &Value {
    j["refused"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["row"] == row)
        .unwrap_or_else(|| panic!("row {row} not refused: {j:#}"))
}

#[test]
fn csv_from_a_spreadsheet_with_bad_rows_stores_the_good_ones_and_exits_3() {
    let d = Dir::with_archive();
    files(&d);
    std::os::unix::fs::symlink(d.path().join("outside.txt"), d.path().join("box/link.txt"))
        .unwrap();
    let csv = concat!(
        "\u{feff}files,kind,title:hy,title:en,description:en,date,lang,persons,places,transcript,translation:en,meta:box,access\r\n",
        "scans/p1.jpg|scans/p2.txt,memoir,Հուշեր,Memoir,\"Two pages;\r\nthe second, typed\",1915?,hy;en,Komitas; Andranik,Erzurum;Aleppo,texts/memoir-hy.txt,texts/memoir-en.txt,Box 12,open\r\n",
        "scans/photo.txt,photo,,Photo,,1915-13-01,,,,,,,\r\n",
        "scans/missing.jpg,,,Gone,,,,,,,,,\r\n",
        "../outside.txt,,,Out,,,,,,,,,\r\n",
        "/etc/hostname,,,Abs,,,,,,,,,\r\n",
        "link.txt,,,Link,,,,,,,,,\r\n",
        "scans/other.txt,document,,Other,,191X,en,,,,,,embargoed:2031-01-01\r\n",
        ",,,,,,,,,,,,\r\n",
    );
    d.write("box/manifest.csv", csv);
    let r = d
        .run(&["ingest", "--manifest", "box/manifest.csv", "--json"])
        .code(3);
    let j = r.json();
    assert_eq!(j["stored"].as_array().unwrap().len(), 2, "{j:#}");
    assert_eq!(j["refused"].as_array().unwrap().len(), 5, "{j:#}");
    let date = refusal_for(&j, 3);
    assert_eq!(date["column"], "date");
    assert!(
        date["reason"].as_str().unwrap().contains("month 13"),
        "{date}"
    );
    assert!(refusal_for(&j, 4)["reason"]
        .as_str()
        .unwrap()
        .contains("file not found: scans/missing.jpg"));
    assert!(refusal_for(&j, 5)["reason"]
        .as_str()
        .unwrap()
        .contains("leaves the manifest's folder"));
    assert!(refusal_for(&j, 6)["reason"]
        .as_str()
        .unwrap()
        .contains("absolute"));
    assert!(refusal_for(&j, 7)["reason"]
        .as_str()
        .unwrap()
        .contains("leaves the manifest's folder"));
    // Human output names each refused row on stderr.
    assert!(r.stderr.contains("row 3, column date"), "{}", r.stderr);

    let id = j["stored"][0]["id"].as_str().unwrap();
    let s = d.run(&["show", id, "--json"]).ok().json();
    assert_eq!(s["kind"], "memoir");
    assert_eq!(s["titles"], json!({"en": "Memoir", "hy": "Հուշեր"}));
    assert_eq!(
        s["title"], "Հուշեր",
        "the title in the item's first language"
    );
    assert_eq!(s["descriptions"]["en"], "Two pages;\nthe second, typed");
    assert_eq!(s["persons"], json!(["Komitas", "Andranik"]));
    assert_eq!(s["places"], json!(["Erzurum", "Aleppo"]));
    assert_eq!(s["meta"]["box"], "Box 12");
    let masters: Vec<&str> = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["role"] == "master")
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(masters, ["scans/p1.jpg", "scans/p2.txt"]);
    let texts = s["text_sources"].as_array().unwrap();
    let transcript = texts.iter().find(|t| t["source"] == "transcript").unwrap();
    assert_eq!(transcript["lang"], "hy");
    assert!(
        transcript["text"].as_str().unwrap().starts_with("Մենք"),
        "BOM stripped"
    );
    let translation = texts.iter().find(|t| t["source"] == "translation").unwrap();
    assert_eq!(translation["lang"], "en");

    // Re-running stores nothing twice and says so.
    let objects = d.object_files().len();
    let again = d
        .run(&["ingest", "--manifest", "box/manifest.csv", "--json"])
        .code(3)
        .json();
    assert_eq!(again["stored"].as_array().unwrap().len(), 0);
    assert_eq!(again["duplicates"].as_array().unwrap().len(), 2);
    assert_eq!(d.object_files().len(), objects);
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 2);
}

#[test]
fn header_problems_refuse_the_whole_manifest() {
    let d = Dir::with_archive();
    files(&d);
    for (csv, says) in [
        (
            "files,title,title\nscans/p1.jpg,a,b\n",
            "columns 2 and 3 are both 'title'",
        ),
        ("title,date\nA,1915\n", "required column 'files' is missing"),
        ("", "empty"),
    ] {
        d.write("box/m.csv", csv);
        let r = d.run(&["ingest", "--manifest", "box/m.csv"]).code(1);
        assert!(r.stderr.contains(says), "{csv:?}: {}", r.stderr);
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 0);
}

#[test]
fn unknown_columns_refuse_the_rows_that_use_them_with_a_suggestion() {
    let d = Dir::with_archive();
    files(&d);
    d.write(
        "box/m.csv",
        "files,titel\nscans/p1.jpg,A letter\nscans/other.txt,\n",
    );
    let j = d
        .run(&["ingest", "--manifest", "box/m.csv", "--json"])
        .code(3)
        .json();
    let r = refusal_for(&j, 2);
    assert_eq!(r["column"], "titel");
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .contains("did you mean 'title'"),
        "{r}"
    );
    assert_eq!(j["stored"].as_array().unwrap().len(), 1);
}

#[test]
fn invalid_utf8_is_refused_with_its_byte_offset() {
    let d = Dir::with_archive();
    files(&d);
    let mut bytes = b"files,title\nscans/p1.jpg,ok\nscans/other.txt,caf".to_vec();
    let bad_at = bytes.len();
    bytes.extend_from_slice(b"\xE9\n");
    d.write("box/m.csv", bytes);
    let j = d
        .run(&["ingest", "--manifest", "box/m.csv", "--json"])
        .code(3)
        .json();
    let r = refusal_for(&j, 3);
    assert!(
        r["reason"]
            .as_str()
            .unwrap()
            .contains(&format!("byte offset {bad_at}")),
        "{r}"
    );
}

#[test]
fn semicolon_separated_csv_from_european_spreadsheets() {
    let d = Dir::with_archive();
    files(&d);
    d.write(
        "box/m.csv",
        "files;title:fr;places\nscans/p1.jpg;Rapport du consul;\"Erzeroum\"\n",
    );
    let j = d
        .run(&["ingest", "--manifest", "box/m.csv", "--json"])
        .ok()
        .json();
    let s = d
        .run(&["show", j["stored"][0]["id"].as_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(s["titles"]["fr"], "Rapport du consul");
    assert_eq!(s["places"], json!(["Erzeroum"]));
}

#[test]
fn json_and_json_lines_manifests_with_a_dry_run_first() {
    let d = Dir::with_archive();
    files(&d);
    let items = json!([
        {"files": ["scans/p1.jpg", "scans/p2.txt"], "kind": "document", "title:ru": "Донесение",
         "date": 1916, "lang": ["ru"], "places": ["Эрзурум", "Баку"], "meta:box": "3"},
        {"files": "scans/other.txt", "title": "Other", "date": "1915-02-30"},
        {"files": ["scans/photo.txt"], "titel": "typo"}
    ]);
    d.write("box/m.json", serde_json::to_vec_pretty(&items).unwrap());
    let dry = d
        .run(&["ingest", "--manifest", "box/m.json", "--dry-run", "--json"])
        .code(3)
        .json();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["stored"].as_array().unwrap().len(), 1);
    assert!(dry["stored"][0]["id"].is_null());
    assert_eq!(
        d.count("SELECT COUNT(*) FROM items"),
        0,
        "a dry run stores nothing"
    );
    assert!(d.object_files().is_empty());
    let j = d
        .run(&["ingest", "--manifest", "box/m.json", "--json"])
        .code(3)
        .json();
    assert_eq!(refusal_for(&j, 2)["column"], "date");
    assert!(
        refusal_for(&j, 2)["reason"]
            .as_str()
            .unwrap()
            .contains("28"),
        "{j:#}"
    );
    assert_eq!(refusal_for(&j, 3)["column"], "titel");
    let s = d
        .run(&["show", j["stored"][0]["id"].as_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(s["places"], json!(["Эрзурум", "Баку"]));
    assert_eq!(s["date"], "1916");

    let lines = "{\"files\": \"scans/other.txt\", \"title\": \"Other\", \"date\": \"1915-21\"}\n\
                 {not json}\n\
                 \n\
                 {\"files\": \"scans/photo.txt\", \"kind\": \"photo\"}\n";
    d.write("box/m.jsonl", lines);
    let j = d
        .run(&["ingest", "--manifest", "box/m.jsonl", "--json"])
        .code(3)
        .json();
    assert_eq!(j["stored"].as_array().unwrap().len(), 2);
    assert!(refusal_for(&j, 2)["reason"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));
}

#[test]
fn the_sample_manifest_is_valid_against_the_published_schema() {
    let schema: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/manifest.schema.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema");
    // The CSV rows as the JSON manifest form: lists split, empty cells left out.
    let mut rdr = csv::Reader::from_path(sample_dir().join("manifest.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let mut items = Vec::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let mut obj = serde_json::Map::new();
        for (h, v) in headers.iter().zip(rec.iter()) {
            if v.trim().is_empty() {
                continue;
            }
            let value = match h {
                "files" => json!(v.split('|').collect::<Vec<_>>()),
                "persons" | "places" | "subjects" | "lang" => {
                    json!(v.split(';').map(str::trim).collect::<Vec<_>>())
                }
                _ => json!(v),
            };
            obj.insert(h.to_string(), value);
        }
        items.push(Value::Object(obj));
    }
    assert!(
        items.len() >= 30,
        "the sample collection has at least 30 items"
    );
    let doc = Value::Array(items);
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // And the schema can fail: a bad row is caught.
    let bad = json!([{"files": [], "kind": "letter", "titel": "x"}]);
    assert!(!validator.is_valid(&bad));
}

/// A manifest longer than one batch (two items a batch here), with rows refused in later
/// batches: while reading (a bad date, a missing file, invalid UTF-8, broken JSON) and
/// while storing (an undecodable transcript). Each is named by its own row, the rest are
/// stored, and running it again stores nothing twice.
#[test]
fn rows_refused_in_later_batches_keep_their_row_numbers_and_the_rest_are_stored() {
    // Item k is CSV row k + 1 (the header is row 1) and JSON row k. Item 7 is broken in
    // CSV (a byte that is not UTF-8) and JSON Lines (not JSON), sound in a JSON array.
    let items = [
        json!({"files": "f1.txt", "title": "one"}),
        json!({"files": "f2.txt", "title": "two"}),
        json!({"files": "f3.txt", "title": "three"}),
        json!({"files": "f4.txt", "title": "four"}),
        json!({"files": "f5.txt", "title": "five"}),
        json!({"files": "f6.txt", "title": "six", "date": "1915-13-01"}),
        json!({"files": "f7.txt", "title": "seven"}),
        json!({"files": "f8.txt", "title": "eight", "transcript": "bad.txt"}),
        json!({"files": "missing.txt", "title": "nine"}),
        json!({"files": "f9.txt", "title": "ten"}),
    ];
    for format in ["csv", "jsonl", "json"] {
        let d = Dir::with_archive();
        d.set_batch_items(2);
        for i in 1..=9 {
            d.write(&format!("box/f{i}.txt"), format!("item number {i}"));
        }
        d.write("box/bad.txt", b"caf\xC1 au lait");
        let mut refused: Vec<(usize, Option<&str>, &str)> = vec![
            (6, Some("date"), "month 13"),
            (
                8,
                Some("transcript"),
                "bad.txt: not valid UTF-8 at byte offset 3",
            ),
            (9, Some("files"), "file not found: missing.txt"),
        ];
        let (first_row, bytes) = match format {
            "csv" => {
                let mut b = b"files,title,date,transcript\n".to_vec();
                for (k, v) in items.iter().enumerate() {
                    let cell = |c: &str| v[c].as_str().unwrap_or("").as_bytes().to_vec();
                    let title = if k == 6 {
                        b"caf\xE9".to_vec()
                    } else {
                        cell("title")
                    };
                    b.extend([cell("files"), title, cell("date"), cell("transcript")].join(&b','));
                    b.push(b'\n');
                }
                refused.push((7, None, "not valid UTF-8 at byte offset"));
                (2, b)
            }
            "jsonl" => {
                let mut lines: Vec<String> = items.iter().map(|v| v.to_string()).collect();
                lines[6] = "{\"files\": \"f7.txt\",".into();
                refused.push((7, None, "not valid JSON"));
                (1, lines.join("\n").into_bytes())
            }
            _ => (
                1,
                serde_json::to_vec_pretty(&json!({ "items": items })).unwrap(),
            ),
        };
        let stored_items: Vec<usize> = (1..=10)
            .filter(|k| !refused.iter().any(|r| r.0 == *k))
            .collect();
        let manifest = format!("box/m.{format}");
        d.write(&manifest, bytes);
        let j = d
            .run(&["ingest", "--manifest", &manifest, "--json"])
            .code(3)
            .json();
        let stored_rows: Vec<String> = j["stored"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                s["source"]
                    .as_str()
                    .unwrap()
                    .rsplit(' ')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect();
        let want: Vec<String> = stored_items
            .iter()
            .map(|k| (k + first_row - 1).to_string())
            .collect();
        assert_eq!(stored_rows, want, "{format}: {j:#}");
        assert_eq!(j["summary"]["stored"], want.len(), "{format}");
        assert_eq!(
            j["refused"].as_array().unwrap().len(),
            refused.len(),
            "{format}: {j:#}"
        );
        for (k, column, says) in &refused {
            let row = (k + first_row - 1) as u64;
            let r = refusal_for(&j, row);
            assert_eq!(r["column"].as_str(), *column, "{format}: {r}");
            assert!(
                r["reason"].as_str().unwrap().contains(says),
                "{format}: {r}"
            );
            assert!(
                r["source"]
                    .as_str()
                    .unwrap()
                    .ends_with(&format!("row {row}")),
                "{format}: {r}"
            );
        }
        assert_eq!(d.count("SELECT COUNT(*) FROM items"), want.len() as i64);
        // Again: nothing stored twice, and the same rows refused.
        let again = d
            .run(&["ingest", "--manifest", &manifest, "--json"])
            .code(3)
            .json();
        assert_eq!(again["stored"].as_array().unwrap().len(), 0, "{format}");
        assert_eq!(
            again["duplicates"].as_array().unwrap().len(),
            want.len(),
            "{format}"
        );
        assert_eq!(again["refused"], j["refused"], "{format}");
        assert_eq!(d.count("SELECT COUNT(*) FROM items"), want.len() as i64);
    }
}
