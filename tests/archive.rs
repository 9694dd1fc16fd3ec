//! `init` and opening archives.

use crate::util::Dir;

#[test]
fn init_makes_the_layout_and_refuses_twice() {
    let d = Dir::new();
    let r = d.run(&["init", "--name", "Memorial archive"]).ok();
    assert!(r.stdout.contains("Memorial archive"));
    for p in [
        "hishatak.toml",
        "catalog.sqlite",
        "objects",
        "index",
        "exports",
    ] {
        assert!(d.archive().join(p).exists(), "{p} missing");
    }
    let toml = std::fs::read_to_string(d.archive().join("hishatak.toml")).unwrap();
    assert!(toml.contains("name = \"Memorial archive\""), "{toml}");
    let c = d.catalog();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let v: i64 = c
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(v, hishatak::catalog::SCHEMA_VERSION);
    let again = d.run(&["init"]).code(1);
    assert!(
        again.stderr.contains("already a hishatak archive"),
        "{}",
        again.stderr
    );
}

#[test]
fn commands_outside_an_archive_say_to_run_init() {
    let d = Dir::new();
    for args in [
        vec!["list"],
        vec!["show", "HSH-000001"],
        vec!["verify"],
        vec!["ingest", "x.jpg"],
        vec!["history", "1"],
    ] {
        let r = d.run(&args).code(1);
        assert!(r.stderr.contains("hishatak init"), "{args:?}: {}", r.stderr);
        assert!(!d.archive().exists(), "{args:?} must not create anything");
    }
}

#[test]
fn archive_flag_and_environment_choose_the_folder() {
    let d = Dir::new();
    d.run(&["--archive", "elsewhere", "init"]).ok();
    assert!(d.path().join("elsewhere/hishatak.toml").is_file());
    let r = d
        .cmd()
        .env("HISHATAK_ARCHIVE", d.path().join("elsewhere"))
        .args(["list", "--json"])
        .output()
        .unwrap();
    assert!(r.status.success());
}

#[test]
fn a_newer_catalog_is_refused_untouched() {
    let d = Dir::with_archive();
    d.catalog()
        .execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')",
            [],
        )
        .unwrap();
    let before = std::fs::read(d.archive().join("catalog.sqlite")).unwrap();
    let r = d.run(&["list"]).code(1);
    assert!(r.stderr.contains("schema version 99"), "{}", r.stderr);
    assert!(r.stderr.contains("newer hishatak"), "{}", r.stderr);
    assert_eq!(
        before,
        std::fs::read(d.archive().join("catalog.sqlite")).unwrap()
    );
}

#[test]
fn a_damaged_settings_file_is_named() {
    let d = Dir::with_archive();
    std::fs::write(
        d.archive().join("hishatak.toml"),
        "format = 1\nname = [broken",
    )
    .unwrap();
    let r = d.run(&["list"]).code(1);
    assert!(r.stderr.contains("hishatak.toml"), "{}", r.stderr);
}
