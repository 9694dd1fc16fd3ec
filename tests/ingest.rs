//! `ingest` of files and folders.

use std::os::unix::fs::PermissionsExt;

use crate::util::{sample_file, texts, Dir};

#[test]
fn a_folder_is_walked_in_sorted_order_and_kinds_are_inferred_from_content() {
    let d = Dir::with_archive();
    // Extensions lie on purpose: the content decides.
    std::fs::create_dir_all(d.path().join("box/b")).unwrap();
    std::fs::copy(sample_file("jpg"), d.path().join("box/b/photo.dat")).unwrap();
    std::fs::copy(sample_file("pdf"), d.path().join("box/a-report.bin")).unwrap();
    d.write("box/c-memoir.jpg", "Մենք հասանք Հալեպ։\n");
    d.write("box/.DS_Store", [0u8, 1, 2]);
    let r = d.run(&["ingest", "box", "--json"]).ok();
    let j = r.json();
    let stored = j["stored"].as_array().unwrap();
    let sources = texts(&j["stored"], "source");
    assert_eq!(
        sources,
        ["box/a-report.bin", "box/b/photo.dat", "box/c-memoir.jpg"]
    );
    let kinds: Vec<&str> = stored.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["document", "photo", "document"]);
    assert!(stored.iter().all(|s| s["kind_inferred"] == true));
    assert_eq!(stored[0]["media_type"], "application/pdf");
    assert_eq!(stored[1]["media_type"], "image/jpeg");
    assert!(
        r.stderr.contains(".DS_Store: hidden file skipped"),
        "{}",
        r.stderr
    );
    // The text master became the item's transcript.
    let show = d
        .run(&["show", stored[2]["id"].as_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(show["text_sources"][0]["source"], "transcript");
    assert!(show["text_sources"][0]["text"]
        .as_str()
        .unwrap()
        .contains("Հալեպ"));
}

#[test]
fn a_walk_follows_links_to_files_not_to_folders_and_names_broken_ones() {
    let d = Dir::with_archive();
    std::fs::create_dir_all(d.path().join("box/inner")).unwrap();
    std::fs::create_dir_all(d.path().join("elsewhere")).unwrap();
    d.write("box/inner/letter.txt", "A letter from Van.");
    d.write("elsewhere/note.txt", "A note from Mush.");
    d.write("elsewhere/deep/unseen.txt", "Never walked into.");
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(d.path().join(target), d.path().join(name)).unwrap()
    };
    link("elsewhere/note.txt", "box/a-note-link.txt");
    link("elsewhere/deep", "box/b-folder-link");
    link("elsewhere/missing.txt", "box/c-broken-link.txt");
    let r = d.run(&["ingest", "box", "--json"]).code(3);
    let j = r.json();
    let stored = texts(&j["stored"], "source");
    assert_eq!(
        stored,
        ["box/a-note-link.txt", "box/inner/letter.txt"],
        "{j}"
    );
    assert!(
        r.stderr
            .contains("box/b-folder-link: symbolic link to a folder not followed"),
        "{}",
        r.stderr
    );
    let refused = j["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{j}");
    assert_eq!(refused[0]["source"], "box/c-broken-link.txt", "{j}");
}

#[test]
fn every_flag_of_the_contract_is_stored() {
    let d = Dir::with_archive();
    let f = d.write("scan.txt", "Report from the consulate.");
    let r = d
        .run(&[
            "ingest",
            f.to_str().unwrap(),
            "--kind",
            "memoir",
            "--collection",
            "Survivor memoirs",
            "--title",
            "Memoir of A. K.",
            "--lang",
            "hy,en",
            "--date",
            "1915-04-24/1915-05-01",
            "--creator",
            "A. K.",
            "--source-archive",
            "National Archives of Armenia",
            "--source-country",
            "am",
            "--reference",
            "F. 57, op. 1, d. 12",
            "--rights",
            "https://rightsstatements.org/vocab/InC/1.0/",
            "--access",
            "embargoed:2031-01-01",
            "--meta",
            "box=12",
            "--meta",
            "folder=3",
            "--donor",
            "The K. family",
            "--ocr",
            "never",
            "--json",
        ])
        .ok()
        .json();
    let id = r["stored"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(r["stored"][0]["kind_inferred"], false);
    let s = d.run(&["show", &id, "--json"]).ok().json();
    for (k, v) in [
        ("kind", "memoir"),
        ("collection", "Survivor memoirs"),
        ("title", "Memoir of A. K."),
        ("date", "1915-04-24/1915-05-01"),
        ("date_earliest", "1915-04-24"),
        ("date_latest", "1915-05-01"),
        ("creator", "A. K."),
        ("source_archive", "National Archives of Armenia"),
        ("source_country", "AM"),
        ("reference", "F. 57, op. 1, d. 12"),
        ("rights", "https://rightsstatements.org/vocab/InC/1.0/"),
        ("access", "embargoed:2031-01-01"),
        ("donor", "The K. family"),
    ] {
        assert_eq!(s[k], v, "{k}");
    }
    assert_eq!(s["lang"], serde_json::json!(["hy", "en"]));
    assert_eq!(s["meta"]["box"], "12");
    assert_eq!(s["meta"]["folder"], "3");
    for key in [
        "id",
        "kind",
        "title",
        "titles",
        "description",
        "date",
        "date_earliest",
        "date_latest",
        "lang",
        "collection",
        "creator",
        "source_archive",
        "source_country",
        "reference",
        "donor",
        "acquired",
        "custody",
        "rights",
        "access",
        "persons",
        "places",
        "subjects",
        "meta",
        "files",
        "text_sources",
        "created",
        "updated",
    ] {
        assert!(s.get(key).is_some(), "show --json lacks {key}");
    }
    let file = &s["files"][0];
    for key in ["name", "role", "sha256", "size", "media_type", "page"] {
        assert!(file.get(key).is_some(), "files[] lacks {key}");
    }
}

#[test]
fn bad_flags_are_usage_errors_that_store_nothing() {
    let d = Dir::with_archive();
    let f = d.write("a.txt", "x");
    for (flag, value, says) in [
        ("--date", "24.04.1915", "1915-04-24"),
        ("--date", "1915-13-01", "month"),
        ("--kind", "letter", "document, photo, memoir"),
        ("--access", "secret", "embargoed:YYYY-MM-DD"),
        ("--source-country", "Armenia", "ISO 3166"),
        ("--lang", "armenian", "ISO 639"),
    ] {
        let r = d.run(&["ingest", f.to_str().unwrap(), flag, value]).code(2);
        assert!(r.stderr.contains(says), "{flag} {value}: {}", r.stderr);
    }
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 0);
    assert!(d.object_files().is_empty());
}

#[test]
fn one_item_keeps_the_page_order_given() {
    let d = Dir::with_archive();
    let p2 = d.write("p2.txt", "page two");
    let p1 = d.write("p1.txt", "page one");
    let p3 = d.write("p3.txt", "page three");
    let r = d
        .run(&[
            "ingest",
            "--one-item",
            "--title",
            "Letter",
            p2.to_str().unwrap(),
            p1.to_str().unwrap(),
            p3.to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(r["stored"].as_array().unwrap().len(), 1);
    let s = d
        .run(&["show", r["stored"][0]["id"].as_str().unwrap(), "--json"])
        .ok()
        .json();
    let pages: Vec<(String, i64)> = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["role"] == "master")
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_string(),
                f["page"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pages,
        [
            ("p2.txt".into(), 1),
            ("p1.txt".into(), 2),
            ("p3.txt".into(), 3)
        ]
    );
}

#[test]
fn the_same_bytes_are_stored_once_and_reingest_stores_nothing() {
    let d = Dir::with_archive();
    let jpg = sample_file("jpg");
    let copy = d.path().join("copy-of-scan.jpg");
    std::fs::copy(&jpg, &copy).unwrap();
    let r = d
        .run(&["ingest", jpg.to_str().unwrap(), "--json"])
        .ok()
        .json();
    let id = r["stored"][0]["id"].as_str().unwrap().to_string();
    // The master, plus the access copy and thumbnail made from it.
    assert_eq!(d.object_files().len(), 3);
    let master: String = d
        .catalog()
        .query_row("SELECT sha256 FROM files WHERE role = 'master'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let objects: Vec<_> = d
        .object_files()
        .into_iter()
        .filter(|p| p.ends_with(&master))
        .collect();
    assert_eq!(objects.len(), 1);
    // Stored bit-exact, named by its hash, read-only.
    let bytes = std::fs::read(&objects[0]).unwrap();
    assert_eq!(bytes, std::fs::read(&jpg).unwrap());
    let name = objects[0]
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(objects[0].ends_with(format!("{}/{}/{name}", &name[..2], &name[2..4])));
    let mode = std::fs::metadata(&objects[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o222, 0, "objects must be read-only");
    // The same bytes under another name: a duplicate, nothing written.
    let again = d
        .run(&["ingest", copy.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(again["stored"].as_array().unwrap().len(), 0);
    assert_eq!(again["duplicates"][0]["id"], id.as_str());
    assert_eq!(d.object_files().len(), 3);
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 1);
    let human = d.run(&["ingest", jpg.to_str().unwrap()]).ok();
    assert!(human.stdout.contains("nothing new"), "{}", human.stdout);
}

#[test]
fn missing_and_unreadable_inputs_are_refused_by_name_and_the_rest_stored() {
    let d = Dir::with_archive();
    let good = d.write("good.txt", "kept");
    let locked = d.write("locked.txt", "secret");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let can_read_anyway = std::fs::read(&locked).is_ok(); // root reads everything
    let r = d.run(&[
        "ingest",
        good.to_str().unwrap(),
        "nothing-here.jpg",
        locked.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("nothing-here.jpg: file not found"),
        "{}",
        r.stderr
    );
    if !can_read_anyway {
        assert!(r.stderr.contains("locked.txt"), "{}", r.stderr);
    }
    assert!(r.stdout.contains("good.txt"));
    let none = d.run(&["ingest", "nothing-here.jpg"]).code(1);
    assert!(none.stderr.contains("file not found"));
}

#[test]
fn a_zero_byte_file_is_stored_with_a_warning() {
    let d = Dir::with_archive();
    let f = d.write("empty.tif", "");
    let r = d.run(&["ingest", f.to_str().unwrap()]).ok();
    assert!(r.stderr.contains("zero-byte"), "{}", r.stderr);
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 1);
}

#[test]
fn leftovers_of_an_interrupted_run_are_cleaned_on_the_next_write() {
    let d = Dir::with_archive();
    let dead = d.archive().join("objects/tmp/w999999-1");
    std::fs::create_dir_all(&dead).unwrap();
    std::fs::write(dead.join("lock"), "").unwrap();
    std::fs::write(dead.join("0.part"), vec![7u8; 4096]).unwrap();
    let f = d.write("a.txt", "fresh");
    d.run(&["ingest", f.to_str().unwrap()]).ok();
    assert!(
        !dead.exists(),
        "the dead writer's temporary folder must be gone"
    );
    let left: Vec<_> = std::fs::read_dir(d.archive().join("objects/tmp"))
        .unwrap()
        .collect();
    assert!(
        left.is_empty(),
        "no temporary files after a finished ingest"
    );
}

#[test]
fn a_transcript_flag_is_decoded_and_bad_text_refused_with_its_offset() {
    let d = Dir::with_archive();
    let scan = sample_file("jpg");
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "В Эрзуруме было тихо.".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let t = d.write("t16.txt", utf16);
    let r = d
        .run(&[
            "ingest",
            scan.to_str().unwrap(),
            "--lang",
            "ru",
            "--transcript",
            t.to_str().unwrap(),
            "--json",
        ])
        .ok()
        .json();
    let s = d
        .run(&["show", r["stored"][0]["id"].as_str().unwrap(), "--json"])
        .ok()
        .json();
    let text = &s["text_sources"][0];
    assert_eq!(text["text"], "В Эрзуруме было тихо.");
    assert_eq!(text["lang"], "ru");
    assert_eq!(text["encoding"], "utf-16le");
    let cp1251 = d.write("cp.txt", [0xC1u8, 0xE0, 0xEA, 0xF3]);
    let other = d.write("other.txt", "another scan");
    let r = d.run(&[
        "ingest",
        other.to_str().unwrap(),
        "--transcript",
        cp1251.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("cp.txt") && r.stderr.contains("byte offset 0"),
        "{}",
        r.stderr
    );
    d.run(&[
        "ingest",
        other.to_str().unwrap(),
        "--transcript",
        cp1251.to_str().unwrap(),
        "--encoding",
        "windows-1251",
    ])
    .ok();
}

/// An archive whose batches hold two items, and six small files to ingest.
fn small_batches(d: &Dir) -> Vec<String> {
    d.set_batch_items(2);
    (1..=6)
        .map(|i| {
            d.write(&format!("in/f{i}.txt"), format!("file number {i}"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn batches_committed_while_the_next_is_copied_keep_order_and_catch_duplicates() {
    // Batches of two: batch 3 (f5, a copy of f1's bytes, and f6) is copied and hashed
    // while batch 2 commits, yet it must see batch 1's item and the ids follow the input.
    let d = Dir::with_archive();
    let mut files = small_batches(&d);
    std::fs::write(&files[4], "file number 1").unwrap();
    files.push(files[1].clone());
    let mut args = vec!["ingest", "--json"];
    args.extend(files.iter().map(String::as_str));
    let r = d.run(&args).json();
    // (source, id) of each entry of a list in the report.
    let pairs = |list: &str| -> Vec<(String, String)> {
        r[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let field = |k: &str| s[k].as_str().unwrap().to_string();
                (field("source"), field("id"))
            })
            .collect()
    };
    let stored = pairs("stored");
    let names: Vec<String> = stored
        .iter()
        .map(|(src, id)| format!("{}={id}", src.rsplit('/').next().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            "f1.txt=HSH-000001",
            "f2.txt=HSH-000002",
            "f3.txt=HSH-000003",
            "f4.txt=HSH-000004",
            "f6.txt=HSH-000005"
        ],
        "{r}"
    );
    let dups = pairs("duplicates");
    assert_eq!(dups.len(), 2, "{r}");
    assert!(
        dups[0].0.ends_with("f5.txt") && dups[0].1 == "HSH-000001",
        "{r}"
    );
    assert!(
        dups[1].0.ends_with("f2.txt") && dups[1].1 == "HSH-000002",
        "{r}"
    );
    // Five objects, each stored once, none left over in the temporary area.
    let v = d.run(&["verify", "--json"]).ok().json();
    assert_eq!(v["checked"], 5, "{v}");
    assert!(v["orphans"].as_array().unwrap().is_empty(), "{v}");
    let tmp = d.archive().join("objects").join("tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

#[test]
fn short_first_and_last_batches_store_every_file_in_order() {
    // Batches of 16: the first takes 2 items, then 16 at a time, and the last 13 items
    // are split 11 + 2 (95 = 2 + 5 x 16 + 11 + 2). Every file is stored once, in input
    // order, and the file that repeats the first one's bytes in the last batch is caught
    // as its duplicate.
    let d = Dir::with_archive();
    d.set_batch_items(16);
    let n = 95;
    for i in 1..=n {
        let body = if i == n {
            "file 1".to_string()
        } else {
            format!("file {i}")
        };
        d.write(&format!("in/f{i:03}.txt"), body);
    }
    let input = d.path().join("in");
    // The batches really are 2, 16, ...: a disk that fills on the third file's copy
    // leaves the first batch, two items, committed.
    let r: crate::util::Run = d
        .cmd()
        .args(["ingest", input.to_str().unwrap()])
        .env("HISHATAK_FAULTS", "stage-write=3:enospc")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("2 item(s) committed before stay valid"),
        "{}",
        r.stderr
    );
    let r = d
        .run(&["ingest", "--json", input.to_str().unwrap()])
        .ok()
        .json();
    let stored = r["stored"].as_array().unwrap();
    assert_eq!(stored.len(), n - 3, "{r}");
    for (k, s) in stored.iter().enumerate() {
        let source = s["source"].as_str().unwrap();
        assert!(source.ends_with(&format!("f{:03}.txt", k + 3)), "{r}");
        assert_eq!(s["id"], format!("HSH-{:06}", k + 3), "{r}");
    }
    let dups = r["duplicates"].as_array().unwrap();
    assert_eq!(dups.len(), 3, "{r}");
    assert!(
        dups[2]["source"].as_str().unwrap().ends_with("f095.txt"),
        "{r}"
    );
    assert_eq!(dups[2]["id"], "HSH-000001", "{r}");
    let v = d.run(&["verify", "--json"]).ok().json();
    assert_eq!(v["checked"], n - 1, "{v}");
    assert!(v["orphans"].as_array().unwrap().is_empty(), "{v}");
}

#[test]
fn a_full_disk_stops_the_batch_and_keeps_what_was_committed() {
    let d = Dir::with_archive();
    let files = small_batches(&d);
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    let r: crate::util::Run = d
        .cmd()
        .args(&args)
        .env("HISHATAK_FAULTS", "stage-write=5:enospc")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("No space left on device"), "{}", r.stderr);
    assert!(
        r.stderr.contains("4 item(s) committed before stay valid"),
        "{}",
        r.stderr
    );
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 4);
    let v = d.run(&["verify", "--json"]).ok().json();
    assert_eq!(v["checked"], 4);
    assert!(
        v["orphans"].as_array().unwrap().is_empty(),
        "no half-written object: {v}"
    );
    // Run again once there is room: the rest is stored, nothing twice.
    let again = d
        .run(&[&["ingest", "--json"][..], &args[1..]].concat())
        .ok()
        .json();
    assert_eq!(again["stored"].as_array().unwrap().len(), 2);
    assert_eq!(again["duplicates"].as_array().unwrap().len(), 4);
}

#[test]
fn a_failed_catalog_commit_rolls_back_its_batch_only() {
    let d = Dir::with_archive();
    let files = small_batches(&d);
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    let r: crate::util::Run = d
        .cmd()
        .args(&args)
        .env("HISHATAK_FAULTS", "catalog-commit=2:eio")
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("rolled back whole"), "{}", r.stderr);
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 2);
    // The rolled-back batch's objects are durable but unreferenced: orphans, not damage.
    let v = d.run(&["verify", "--json"]).ok().json();
    assert_eq!(v["orphans"].as_array().unwrap().len(), 2, "{v}");
    d.run(&args).ok();
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 6);
    let v = d.run(&["verify", "--json"]).ok().json();
    assert!(
        v["orphans"].as_array().unwrap().is_empty(),
        "re-ingest reuses them: {v}"
    );
}

#[test]
fn a_failed_flush_rolls_back_the_batch_whose_names_it_carried() {
    // A batch commits only after the next batch's flush has made its objects' names
    // durable. Batches of two: the 2nd names flush rides on batch 3's flush and carries
    // batch 2's names; when it fails, batch 2 is rolled back with batch 3, and batch 1
    // (committed after the 1st) stays.
    for action in ["eio", "crash"] {
        let d = Dir::with_archive();
        let files = small_batches(&d);
        let mut args = vec!["ingest"];
        args.extend(files.iter().map(String::as_str));
        let r = crate::reliability::run_env(&d, &args, &format!("dir-sync=2:{action}"));
        assert_ne!(r.code, 0, "{action}: {}", r.stderr);
        if action == "eio" {
            assert_eq!(r.code, 3, "{}", r.stderr);
            assert!(r.stderr.contains("Input/output error"), "{}", r.stderr);
            assert!(
                r.stderr.contains("2 item(s) committed before stay valid"),
                "{}",
                r.stderr
            );
        }
        assert_eq!(d.count("SELECT COUNT(*) FROM items"), 2, "{action}");
        // Batch 2's objects were renamed into place: durable orphans, not damage.
        let v = d.run(&["verify", "--json"]).ok().json();
        assert_eq!(v["checked"], 2, "{action}: {v}");
        assert_eq!(v["orphans"].as_array().unwrap().len(), 2, "{action}: {v}");
        let again = d
            .run(&[&["ingest", "--json"][..], &args[1..]].concat())
            .ok()
            .json();
        assert_eq!(again["stored"].as_array().unwrap().len(), 4, "{action}");
        assert_eq!(d.count("SELECT COUNT(*) FROM items"), 6, "{action}");
        let v = d.run(&["verify", "--json"]).ok().json();
        assert!(
            v["orphans"].as_array().unwrap().is_empty(),
            "{action}: re-ingest reuses them: {v}"
        );
    }
}

#[test]
fn a_batch_rolled_back_by_a_failed_flush_is_not_named_as_the_next_ones_original() {
    // Batch 2 repeats batch 1's files. Batch 1's names ride on batch 2's flush; when it
    // fails, batch 1 is rolled back, and batch 2 must not be reported as its duplicates.
    let d = Dir::with_archive();
    let files = small_batches(&d);
    let mut args = vec!["ingest", "--json"];
    args.extend(files[..2].iter().map(String::as_str));
    let copies: Vec<String> = (1..=2)
        .map(|i| {
            d.write(&format!("again/f{i}.txt"), format!("file number {i}"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    args.extend(copies.iter().map(String::as_str));
    let r = crate::reliability::run_env(&d, &args, "dir-sync=1:eio");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("Input/output error"), "{}", r.stderr);
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 0);
    let j = r.json();
    assert!(j["stored"].as_array().unwrap().is_empty(), "{j}");
    assert!(
        j["duplicates"].as_array().unwrap().is_empty(),
        "no duplicate of an item that was rolled back: {j}"
    );
}

#[test]
fn a_crash_before_the_catalog_commit_loses_nothing_committed() {
    let d = Dir::with_archive();
    let files = small_batches(&d);
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    let r: crate::util::Run = d
        .cmd()
        .args(&args)
        .env("HISHATAK_FAULTS", "catalog-commit=3:crash")
        .output()
        .unwrap()
        .into();
    assert_ne!(r.code, 0);
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 4);
    let problems: String = d
        .catalog()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(problems, "ok");
    d.run(&["verify"]).ok();
    d.run(&args).ok();
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 6);
    let left: Vec<_> = std::fs::read_dir(d.archive().join("objects/tmp"))
        .unwrap()
        .collect();
    assert!(
        left.is_empty(),
        "the crashed writer's temporary folder was cleaned"
    );
}

#[test]
fn a_file_larger_than_the_copy_pipeline_threshold_is_stored_bit_exact() {
    // Large files are copied on one thread and hashed on another, with writeback started
    // every 16 MiB: 40 MiB crosses both thresholds, and ends in a partial chunk.
    let d = Dir::with_archive();
    let mut bytes = vec![0u8; 40 * 1024 * 1024 + 12_345];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for b in bytes.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = (x >> 24) as u8;
    }
    let src = d.write("large-scan.bin", &bytes);
    let r = d
        .run(&["ingest", src.to_str().unwrap(), "--json"])
        .ok()
        .json();
    let expected = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    assert_eq!(r["stored"][0]["bytes"], bytes.len(), "{r}");
    let master: String = d
        .catalog()
        .query_row("SELECT sha256 FROM files WHERE role = 'master'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(master, expected);
    let objects = d.object_files();
    assert_eq!(objects.len(), 1, "{objects:?}");
    assert!(objects[0].ends_with(&expected));
    assert!(std::fs::read(&objects[0]).unwrap() == bytes);
    assert!(std::fs::metadata(&objects[0])
        .unwrap()
        .permissions()
        .readonly());
    d.run(&["verify"]).ok();
}
