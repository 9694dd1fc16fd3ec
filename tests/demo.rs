//! `demo`: the embedded sample collection.

use crate::util::Dir;

#[test]
fn demo_builds_an_archive_from_the_embedded_sample_and_reuses_it() {
    let d = Dir::new();
    let r = d.run(&["demo"]).ok();
    assert!(r.stdout.contains("created demo-archive"), "{}", r.stdout);
    assert!(r.stdout.contains("Try next"), "{}", r.stdout);
    let items = d
        .run(&[
            "--archive",
            "demo-archive",
            "list",
            "--json",
            "--include-restricted",
        ])
        .ok()
        .stdout
        .lines()
        .count();
    assert!(items >= 30, "{items} items");
    d.run(&["--archive", "demo-archive", "verify"]).ok();
    // A curated set, exported in every format.
    let exports = d.path().join("demo-archive/exports");
    for f in [
        "demo-exhibition-site/index.html",
        "demo-exhibition.zip",
        "demo-exhibition-bag/bagit.txt",
        "demo-exhibition-iiif/collection.json",
    ] {
        assert!(exports.join(f).is_file(), "{f} missing");
    }
    assert!(
        r.stdout.contains("demo-exhibition-site/index.html"),
        "{}",
        r.stdout
    );
    let set = d
        .run(&[
            "--archive",
            "demo-archive",
            "set",
            "show",
            "demo-exhibition",
            "--json",
        ])
        .ok()
        .json();
    assert!(set["items"].as_array().unwrap().len() >= 10, "{set}");
    assert!(set["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["access"] == "open" && i["captions"]["hy"].is_string()));
    let again = d.run(&["demo"]).ok();
    assert!(
        again.stdout.contains("reused demo-archive"),
        "{}",
        again.stdout
    );
    assert!(
        again.stdout.contains("0 item(s) stored"),
        "{}",
        again.stdout
    );
}
