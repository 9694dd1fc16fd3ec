//! Failures at every write step, damaged catalogs and indexes, scheduled fixity, backup
//! and restore: each leaves an archive that is valid, and says what to do.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::{sample_file, Dir, Run};

/// The checks every archive must pass after any failure: SQLite's own checks, fixity of
/// every object the catalog names, and a search index that agrees with the catalog.
pub fn assert_sound(d: &Dir, archive: &Path, context: &str) {
    let c = rusqlite::Connection::open(archive.join("catalog.sqlite")).expect("catalog");
    let ic: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(ic, "ok", "{context}: integrity_check");
    let fk: i64 = c
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("foreign_key_check");
    assert_eq!(fk, 0, "{context}: foreign_key_check");
    let dangling: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM files f LEFT JOIN objects o ON o.sha256 = f.sha256 WHERE o.sha256 IS NULL",
            [],
            |r| r.get(0),
        )
        .expect("files without objects");
    assert_eq!(dangling, 0, "{context}: a file row names no object");
    let items: i64 = c
        .query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))
        .expect("items");
    drop(c);
    let a = archive.to_str().expect("utf-8 path");
    let v = d.run(&["--archive", a, "verify", "--json"]);
    assert_eq!(v.code, 0, "{context}: verify\n{}\n{}", v.stdout, v.stderr);
    // The index agrees with the catalog after the next command: every item is found by
    // the word all test items carry.
    let s = d.run(&[
        "--archive",
        a,
        "search",
        "zorvanek",
        "--json",
        "--limit",
        "1",
    ]);
    assert_eq!(s.code, 0, "{context}: search\n{}", s.stderr);
    assert_eq!(
        s.json()["total"].as_i64(),
        Some(items),
        "{context}: the index disagrees with the catalog"
    );
}

fn batch(d: &Dir, name: &str, n: usize) -> PathBuf {
    for i in 0..n {
        d.write(
            &format!("{name}/{name}-{i:02}.txt"),
            format!("zorvanek record {name} number {i}: a letter from Kars"),
        );
    }
    d.path().join(name)
}

/// Run hishatak with `HISHATAK_FAULTS` set to `faults`.
pub fn run_env(d: &Dir, args: &[&str], faults: &str) -> Run {
    d.cmd()
        .args(args)
        .env("HISHATAK_FAULTS", faults)
        .output()
        .expect("run")
        .into()
}

#[test]
fn a_failure_at_every_write_step_of_ingest_leaves_a_valid_archive() {
    // (point, how many small files: >16 takes the syncfs path, fewer the fsync path)
    let points = [
        ("stage-write", 3),
        ("stage-write", 20),
        ("stage-sync", 3),
        ("stage-sync", 20),
        ("rename", 3),
        // 64 or more files are renamed into place on two threads.
        ("rename", 70),
        ("dir-sync", 3),
        ("dir-sync", 20),
        ("catalog-commit", 3),
        ("index-commit", 3),
    ];
    for (point, n) in points {
        for action in ["enospc", "eio", "crash"] {
            let context = format!("{point} {action} with {n} files");
            let d = Dir::with_archive();
            let first = batch(&d, "first", 2);
            d.run(&["ingest", first.to_str().unwrap()]).ok();
            let b = batch(&d, "second", n);
            let r = run_env(
                &d,
                &["ingest", b.to_str().unwrap()],
                &format!("{point}=1:{action}"),
            );
            let before: i64 = d.count("SELECT COUNT(*) FROM items");
            if point == "index-commit" && action != "crash" {
                // The items are committed; only the index lags, and says so.
                assert_eq!(r.code, 0, "{context}: {}", r.stderr);
                assert!(
                    r.stderr.contains("search index was not updated"),
                    "{context}: {}",
                    r.stderr
                );
                assert_eq!(before, 2 + n as i64, "{context}");
            } else {
                assert_ne!(r.code, 0, "{context}: the failure must be reported");
                if action != "crash" {
                    let want = if action == "enospc" {
                        "No space left on device"
                    } else {
                        "Input/output error"
                    };
                    assert!(r.stderr.contains(want), "{context}: {}", r.stderr);
                    // The message names the file or folder that failed.
                    assert!(
                        r.stderr.contains("archive/") || r.stderr.contains("catalog.sqlite"),
                        "{context}: {}",
                        r.stderr
                    );
                }
                if point != "index-commit" {
                    assert_eq!(before, 2, "{context}: nothing of the batch committed");
                }
            }
            assert_sound(&d, &d.archive(), &context);
            // Running the batch again completes it, with nothing doubled.
            d.run(&["ingest", b.to_str().unwrap()]).ok();
            assert_eq!(
                d.count("SELECT COUNT(*) FROM items"),
                2 + n as i64,
                "{context}"
            );
            assert_sound(&d, &d.archive(), &format!("{context}, after the re-run"));
            let tmp: Vec<_> = std::fs::read_dir(d.archive().join("objects/tmp"))
                .unwrap()
                .collect();
            assert!(tmp.is_empty(), "{context}: temporary files left");
        }
    }
}

fn set_with_items(d: &Dir) {
    let b = batch(d, "items", 3);
    d.run(&["ingest", b.to_str().unwrap(), "--json"]).ok();
    d.run(&["set", "create", "show"]).ok();
    d.run(&[
        "set",
        "add",
        "show",
        "HSH-000001",
        "HSH-000002",
        "HSH-000003",
    ])
    .ok();
}

#[test]
fn a_failed_export_leaves_nothing_half_written_and_the_next_one_succeeds() {
    for format in ["zip", "bagit", "site"] {
        for (point, action) in [
            ("export-write", "enospc"),
            ("export-write", "crash"),
            ("export-rename", "eio"),
            ("export-rename", "crash"),
        ] {
            let context = format!("{format}: {point} {action}");
            let d = Dir::with_archive();
            set_with_items(&d);
            let out = d.path().join("out").join(format!("pkg-{format}"));
            let args = [
                "export",
                "show",
                "--format",
                format,
                "--out",
                out.to_str().unwrap(),
            ];
            let r = run_env(&d, &args, &format!("{point}=1:{action}"));
            assert_ne!(r.code, 0, "{context}");
            assert!(!out.exists(), "{context}: a partial package at --out");
            if action != "crash" {
                assert!(
                    r.stderr.contains("No space left") || r.stderr.contains("Input/output"),
                    "{context}: {}",
                    r.stderr
                );
                let left: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().collect();
                assert!(left.is_empty(), "{context}: temporary files left");
            }
            d.run(&args).ok();
            assert!(out.exists(), "{context}");
            // The killed export's partial copy is gone too.
            let names: Vec<String> = std::fs::read_dir(out.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(names, vec![format!("pkg-{format}")], "{context}");
            assert_sound(&d, &d.archive(), &context);
        }
    }
}

fn object_path(archive: &Path, sha: &str) -> PathBuf {
    archive.join(format!("objects/{}/{}/{sha}", &sha[..2], &sha[2..4]))
}

fn master_objects(d: &Dir) -> Vec<(String, String, String)> {
    let c = d.catalog();
    let mut st = c
        .prepare("SELECT item_id, name, sha256 FROM files WHERE role = 'master' ORDER BY item_id")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(|r| r.unwrap()).collect()
}

#[test]
fn scheduled_fixity_checks_what_is_due_or_a_sample_and_always_finds_damage() {
    let d = Dir::with_archive();
    let b = batch(&d, "fix", 20);
    d.run(&["ingest", b.to_str().unwrap()]).ok();
    // Never checked: everything is due.
    let j = d.run(&["verify", "--since", "30", "--json"]).ok().json();
    assert_eq!(j["checked"], 20);
    assert_eq!(j["skipped"], 0);
    // Checked just now: nothing is due for 30 days; --since 0 checks all.
    let j = d.run(&["verify", "--since", "30", "--json"]).ok().json();
    assert_eq!(j["checked"], 0);
    assert_eq!(j["skipped"], 20);
    let j = d.run(&["verify", "--since", "0", "--json"]).ok().json();
    assert_eq!(j["checked"], 20);
    // A sample: 10 % of 20 is 2 objects (of 2 items).
    let pick = |seed: &str| {
        let j = d
            .run(&["verify", "--sample", "10", "--seed", seed, "--json"])
            .ok()
            .json();
        assert_eq!(j["checked"], 2);
        assert_eq!(j["skipped"], 18);
        j["items"].as_u64().unwrap()
    };
    assert_eq!(pick("7"), 2);
    d.run(&["verify", "--sample", "0"]).code(2);
    d.run(&["verify", "--sample", "150"]).code(2);

    // Damage: one flipped byte, one truncated object, one deleted.
    let masters = master_objects(&d);
    let (flip, trunc, gone) = (&masters[0], &masters[1], &masters[2]);
    let p = object_path(&d.archive(), &flip.2);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let mut bytes = std::fs::read(&p).unwrap();
    bytes[3] ^= 0x20;
    std::fs::write(&p, bytes).unwrap();
    let p = object_path(&d.archive(), &trunc.2);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    std::fs::remove_file(object_path(&d.archive(), &gone.2)).unwrap();

    let r = d.run(&["verify", "--json"]).code(4);
    let j = r.json();
    let damaged = j["damaged"].as_array().unwrap();
    assert_eq!(damaged.len(), 3, "{j:#}");
    for (item, name, sha) in [flip, trunc, gone] {
        let e = damaged
            .iter()
            .find(|x| x["sha256"] == sha.as_str())
            .unwrap_or_else(|| panic!("{sha} not reported"));
        assert_eq!(e["items"][0], item.as_str());
        assert_eq!(e["files"][0], name.as_str());
        assert!(e["path"].as_str().unwrap().ends_with(sha.as_str()));
    }
    let problems: Vec<&str> = damaged
        .iter()
        .map(|x| x["problem"].as_str().unwrap())
        .collect();
    assert_eq!(
        problems.iter().filter(|p| **p == "missing").count(),
        1,
        "{problems:?}"
    );
    // Damaged objects stay due, however recently they were checked.
    let j = d.run(&["verify", "--since", "30", "--json"]).code(4).json();
    assert_eq!(j["checked"], 3);
    // The human report names item, file and path.
    let h = d.run(&["verify"]).code(4);
    assert!(
        h.stdout.contains(&flip.0) && h.stdout.contains(&flip.1),
        "{}",
        h.stdout
    );
}

#[test]
fn a_damaged_catalog_or_index_is_named_with_the_way_to_recover() {
    let d = Dir::with_archive();
    let b = batch(&d, "dmg", 4);
    d.run(&["ingest", b.to_str().unwrap()]).ok();
    d.run(&["search", "zorvanek"]).ok();

    // A damaged index segment: search rebuilds the derived index and answers.
    let index = d.archive().join("index");
    for e in std::fs::read_dir(&index).unwrap() {
        let p = e.unwrap().path();
        if p.extension().map(|x| x == "store").unwrap_or(false) {
            let mut bytes = std::fs::read(&p).unwrap();
            let n = bytes.len();
            for b in &mut bytes[n.saturating_sub(40)..] {
                *b ^= 0xA5;
            }
            std::fs::write(&p, bytes).unwrap();
        }
    }
    let r = d.run(&["search", "zorvanek", "--json"]).ok();
    assert_eq!(r.json()["total"], 4);
    assert!(r.stderr.contains("rebuilt"), "{}", r.stderr);
    // A garbled index state file: rebuilt too.
    std::fs::write(index.join("meta.json"), "not json").unwrap();
    let r = d.run(&["search", "zorvanek", "--json"]).ok();
    assert_eq!(r.json()["total"], 4);

    // A damaged catalog: a clear error that says to restore from a backup, no panic,
    // and nothing changed.
    let cat = d.archive().join("catalog.sqlite");
    d.run(&["backup", d.path().join("bk").to_str().unwrap()])
        .ok();
    let mut bytes = std::fs::read(&cat).unwrap();
    for b in &mut bytes[..100] {
        *b = 0x5A;
    }
    std::fs::write(&cat, &bytes).unwrap();
    for args in [
        vec!["list"],
        vec!["search", "zorvanek"],
        vec!["verify"],
        vec!["ingest", b.to_str().unwrap()],
    ] {
        let r = d.run(&args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("catalog") && r.stderr.contains("backup"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    // Recovery as documented: the backup's catalog back in place.
    std::fs::copy(d.path().join("bk/catalog.sqlite"), &cat).unwrap();
    let _ = std::fs::remove_file(d.archive().join("catalog.sqlite-wal"));
    let _ = std::fs::remove_file(d.archive().join("catalog.sqlite-shm"));
    assert_sound(&d, &d.archive(), "after restoring the catalog");
}

#[test]
fn backup_makes_a_verified_copy_that_restores_the_archive() {
    let d = Dir::with_archive();
    let b = batch(&d, "bk", 5);
    d.run(&["ingest", b.to_str().unwrap()]).ok();
    let jpg = sample_file("jpg");
    d.run(&["ingest", jpg.to_str().unwrap(), "--title", "zorvanek photo"])
        .ok();
    let dest = d.path().join("copies/backup-1");
    let r = d
        .run(&["backup", dest.to_str().unwrap(), "--json"])
        .ok()
        .json();
    // 5 texts, the photo, its access copy and thumbnail.
    assert_eq!(r["objects"], 8, "{r:#}");
    assert_eq!(r["copied"], 8);
    assert_eq!(r["items"], 6);
    let ds = dest.to_str().unwrap();
    d.run(&["--archive", ds, "verify"]).ok();
    for (sha, _) in d
        .catalog()
        .prepare("SELECT sha256, size FROM objects")
        .unwrap()
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
    {
        assert_eq!(
            std::fs::read(object_path(&dest, &sha)).unwrap(),
            std::fs::read(object_path(&d.archive(), &sha)).unwrap()
        );
    }

    // An update copies only what is new.
    let more = batch(&d, "later", 2);
    d.run(&["ingest", more.to_str().unwrap()]).ok();
    d.run(&["edit", "HSH-000001", "--set", "title=zorvanek edited"])
        .ok();
    let r = d
        .run(&["backup", dest.to_str().unwrap(), "--json"])
        .ok()
        .json();
    assert_eq!(r["copied"], 2, "{r:#}");
    assert_eq!(r["present"], 8);
    assert_eq!(r["items"], 8);

    // Refusals: inside the archive, a folder that is not an archive, another archive.
    d.run(&["backup", d.archive().join("objects/bk").to_str().unwrap()])
        .code(1);
    d.write("junk/notes.txt", "mine");
    let r = d.run(&["backup", d.path().join("junk").to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a hishatak archive"), "{}", r.stderr);
    let other = d.path().join("other");
    d.run(&["--archive", other.to_str().unwrap(), "init"]).ok();
    let r = d.run(&["backup", other.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("another archive"), "{}", r.stderr);

    // A damaged object is not copied over the good copy in the backup.
    let (_, _, sha) = master_objects(&d).remove(0);
    let p = object_path(&d.archive(), &sha);
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&p, "rot").unwrap();
    d.run(&["backup", ds]).ok();
    assert_ne!(std::fs::read(object_path(&dest, &sha)).unwrap(), b"rot");

    // Restore: the original is lost; the backup is used, then copied back.
    std::fs::remove_dir_all(d.archive()).unwrap();
    assert_sound(&d, &dest, "the backup");
    let h = d
        .run(&["--archive", ds, "show", "HSH-000001", "--json"])
        .ok();
    assert_eq!(h.json()["title"], "zorvanek edited");
    d.run(&["--archive", ds, "backup", d.archive().to_str().unwrap()])
        .ok();
    assert_sound(&d, &d.archive(), "the restored archive");
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 8);
}

#[test]
fn a_backup_killed_half_way_leaves_the_destination_valid() {
    let d = Dir::with_archive();
    let b = batch(&d, "half", 30);
    d.run(&["ingest", b.to_str().unwrap()]).ok();
    let dest = d.path().join("bk");
    let ds = dest.to_str().unwrap();
    d.run(&["backup", ds]).ok();
    let more = batch(&d, "more", 30);
    d.run(&["ingest", more.to_str().unwrap()]).ok();
    // Killed before the new catalog is installed: the old backup stands, whole.
    let r = run_env(&d, &["backup", ds], "backup-install=1:crash");
    assert_ne!(r.code, 0);
    assert_sound(
        &d,
        &dest,
        "a backup killed before its catalog was installed",
    );
    assert_eq!(
        d.run(&["--archive", ds, "list", "--json"])
            .ok()
            .stdout
            .lines()
            .count(),
        30
    );
    d.run(&["backup", ds]).ok();
    assert_sound(&d, &dest, "the next backup");
    assert_eq!(
        d.run(&["--archive", ds, "list", "--json"])
            .ok()
            .stdout
            .lines()
            .count(),
        60
    );
}
