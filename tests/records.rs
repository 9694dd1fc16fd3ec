//! `show`, `list`, `edit`, `history`, `withdraw`.

use serde_json::Value;

use crate::util::Dir;

fn ingest(d: &Dir, name: &str, args: &[&str]) -> String {
    let f = d.write(name, format!("content of {name}"));
    let mut all = vec!["ingest", f.to_str().unwrap(), "--json"];
    all.extend_from_slice(args);
    d.run(&all).ok().json()["stored"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn ids_are_stable_short_and_sequential() {
    let d = Dir::with_archive();
    let a = ingest(&d, "a.txt", &[]);
    let b = ingest(&d, "b.txt", &[]);
    assert_eq!((a.as_str(), b.as_str()), ("HSH-000001", "HSH-000002"));
    // Short forms find the same item.
    for form in ["HSH-000002", "hsh-2", "2"] {
        assert_eq!(
            d.run(&["show", form, "--json"]).ok().json()["id"],
            "HSH-000002"
        );
    }
    let r = d.run(&["show", "HSH-000099"]).code(1);
    assert!(
        r.stderr.contains("no item with id HSH-000099"),
        "{}",
        r.stderr
    );
}

#[test]
fn edit_validates_like_ingest_and_history_keeps_old_and_new() {
    let d = Dir::with_archive();
    let id = ingest(&d, "a.txt", &["--date", "1915", "--collection", "Letters"]);
    let r = d.run(&["edit", &id, "--set", "date=1915-13-01"]).code(1);
    assert!(r.stderr.contains("month 13"), "{}", r.stderr);
    let r = d.run(&["edit", &id, "--set", "colour=red"]).code(1);
    assert!(r.stderr.contains("'colour' is not a field"), "{}", r.stderr);
    // A refused edit changes nothing, even the valid part of it.
    d.run(&[
        "edit",
        &id,
        "--set",
        "title=New",
        "--set",
        "date=24.04.1915",
    ])
    .code(1);
    assert!(d.run(&["show", &id, "--json"]).ok().json()["title"] != "New");

    d.run(&[
        "edit",
        &id,
        "--set",
        "date=1915-04~",
        "--set",
        "title:hy=Նամակ",
        "--unset",
        "collection",
    ])
    .ok();
    let s = d.run(&["show", &id, "--json"]).ok().json();
    assert_eq!(s["date"], "1915-04~");
    assert_eq!(s["titles"]["hy"], "Նամակ");
    assert!(s["collection"].is_null());

    let h = d.run(&["history", &id, "--json"]).ok().json();
    let events = h["events"].as_array().unwrap();
    assert_eq!(events[0]["kind"], "ingested");
    assert_eq!(events[0]["agent"], "test-archivist");
    let date_edit = events
        .iter()
        .find(|e| e["detail"]["field"] == "date")
        .unwrap();
    assert_eq!(date_edit["detail"]["old"], "1915");
    assert_eq!(date_edit["detail"]["new"], "1915-04~");
    assert_eq!(date_edit["outcome"], "success");
    let unset = events
        .iter()
        .find(|e| e["detail"]["field"] == "collection")
        .unwrap();
    assert_eq!(unset["detail"]["old"], "Letters");
    assert!(unset["detail"]["new"].is_null());
    for e in events {
        assert!(e["at"].as_str().unwrap().ends_with('Z'));
    }
    // The log is append-only even to someone with SQL.
    let c = d.catalog();
    assert!(c.execute("DELETE FROM events", []).is_err());
    assert!(c.execute("UPDATE events SET outcome = 'x'", []).is_err());
}

#[test]
fn list_filters_and_hides_restricted_and_withdrawn_items() {
    let d = Dir::with_archive();
    let open_hy = ingest(
        &d,
        "a.txt",
        &[
            "--lang",
            "hy",
            "--kind",
            "memoir",
            "--collection",
            "Memoirs",
        ],
    );
    let restricted = ingest(&d, "b.txt", &["--access", "restricted"]);
    let embargoed = ingest(&d, "c.txt", &["--access", "embargoed:2999-01-01"]);
    let past_embargo = ingest(&d, "d.txt", &["--access", "embargoed:2001-01-01"]);
    let gone = ingest(&d, "e.txt", &[]);
    d.run(&["withdraw", &gone, "--reason", "Donor asked for it back"])
        .ok();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--json"];
        all.extend_from_slice(args);
        d.run(&all)
            .ok()
            .stdout
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(ids(&[]), [open_hy.clone(), past_embargo.clone()]);
    assert_eq!(
        ids(&["--include-restricted"]),
        [open_hy.clone(), restricted, embargoed, past_embargo]
    );
    assert!(ids(&["--include-withdrawn"]).contains(&gone));
    assert_eq!(ids(&["--lang", "hy"]), std::slice::from_ref(&open_hy));
    assert_eq!(ids(&["--kind", "memoir"]), std::slice::from_ref(&open_hy));
    assert_eq!(ids(&["--collection", "Memoirs"]), [open_hy]);
    let human = d.run(&["list"]).ok();
    assert!(
        human.stderr.contains("3 restricted or withdrawn not shown"),
        "{}",
        human.stderr
    );
}

#[test]
fn withdraw_keeps_files_and_history_and_needs_a_reason() {
    let d = Dir::with_archive();
    let id = ingest(&d, "a.txt", &[]);
    let r = d.run(&["withdraw", &id, "--reason", "  "]).code(1);
    assert!(r.stderr.contains("--reason"), "{}", r.stderr);
    d.run(&["withdraw", &id, "--reason", "Duplicate of a better scan"])
        .ok();
    let again = d.run(&["withdraw", &id, "--reason", "again"]).code(1);
    assert!(again.stderr.contains("already withdrawn"));
    let s = d.run(&["show", &id, "--json"]).ok().json();
    assert_eq!(s["withdrawn"]["reason"], "Duplicate of a better scan");
    assert_eq!(d.object_files().len(), 1, "files are kept");
    let h = d.run(&["history", &id, "--json"]).ok().json();
    assert_eq!(
        h["events"].as_array().unwrap().last().unwrap()["kind"],
        "withdrawn"
    );
}
