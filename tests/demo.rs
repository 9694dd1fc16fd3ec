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
