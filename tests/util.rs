//! Runs the real `hishatak` binary in a fresh temporary folder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary working folder with an archive path, and a way to run the binary in it.
pub struct Dir {
    tmp: tempfile::TempDir,
}

/// What a run printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The text field `key` of every object in the JSON list `list`, in its order.
pub fn texts<'a>(list: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list:#}"))
        .iter()
        .map(|x| {
            x[key]
                .as_str()
                .unwrap_or_else(|| panic!("no text `{key}` in {x:#}"))
        })
        .collect()
}

/// The ids of the items an `ingest --json` report stored, in its order.
pub fn stored_ids(report: &serde_json::Value) -> Vec<String> {
    report["stored"]
        .as_array()
        .unwrap_or_else(|| panic!("no `stored` list in {report:#}"))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", self.stdout))
    }
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A folder with an initialised archive at ./archive.
    pub fn with_archive() -> Dir {
        let d = Dir::new();
        d.run(&["init", "--name", "Test archive"]).ok();
        d
    }

    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    pub fn archive(&self) -> PathBuf {
        self.path().join("archive")
    }

    /// Make the archive's ingest batches hold `n` items (its `hishatak.toml` must still
    /// have the default that `init` writes).
    pub fn set_batch_items(&self, n: usize) {
        let settings = self.archive().join("hishatak.toml");
        let text = std::fs::read_to_string(&settings).unwrap();
        assert!(text.contains("batch_items = 1500"), "{text}");
        std::fs::write(
            &settings,
            text.replace("batch_items = 1500", &format!("batch_items = {n}")),
        )
        .unwrap();
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_hishatak"));
        c.current_dir(self.path());
        c.env_remove("HISHATAK_ARCHIVE");
        c.env("HISHATAK_AGENT", "test-archivist");
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.cmd().args(args).output().expect("run hishatak").into()
    }

    /// Write a file (creating folders), return its path.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write");
        p
    }

    /// Open the catalog directly (read-only checks of what the binary stored).
    pub fn catalog(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.archive().join("catalog.sqlite")).expect("catalog")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.catalog().query_row(sql, [], |r| r.get(0)).expect(sql)
    }

    /// Every object file under objects/ (not the temporary area).
    pub fn object_files(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let root = self.archive().join("objects");
        for a in std::fs::read_dir(&root).expect("objects") {
            let a = a.expect("entry").path();
            if a.file_name().map(|n| n == "tmp").unwrap_or(false) || !a.is_dir() {
                continue;
            }
            for b in std::fs::read_dir(&a).expect("fan") {
                for f in std::fs::read_dir(b.expect("entry").path()).expect("fan2") {
                    out.push(f.expect("entry").path());
                }
            }
        }
        out.sort();
        out
    }
}

/// The repository's sample collection.
pub fn sample_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("collections")
        .join("sample")
}

/// Every file of the sample collection with this extension, sorted by path.
pub fn sample_files(ext: &str) -> Vec<PathBuf> {
    fn walk(d: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                walk(&p, ext, out);
            } else if p
                .extension()
                .map(|e| e.eq_ignore_ascii_case(ext))
                .unwrap_or(false)
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&sample_dir(), ext, &mut out);
    out.sort();
    assert!(!out.is_empty(), "no .{ext} file in the sample collection");
    out
}

/// The first file of the sample collection with this extension.
pub fn sample_file(ext: &str) -> PathBuf {
    sample_files(ext).remove(0)
}

/// An external program the test needs. Absent: the test is skipped (returns None) unless
/// HISHATAK_REQUIRE_EXTERNAL is set (CI), where absence fails the test.
pub fn external(program: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        if std::env::var_os("HISHATAK_REQUIRE_EXTERNAL").is_some() {
            panic!("{program} is required (HISHATAK_REQUIRE_EXTERNAL is set) but not on PATH");
        }
        eprintln!("skipped: {program} is not installed");
    }
    found
}

/// Asserts that `bagit.py --validate` accepts the bag; false when bagit.py is absent
/// (and allowed to be, see `external`).
pub fn bagit_py_accepts(bag: &Path) -> bool {
    let Some(bagit) = external("bagit.py") else {
        return false;
    };
    let out = Command::new(bagit)
        .arg("--validate")
        .arg(bag)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bagit.py refused the bag:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}
