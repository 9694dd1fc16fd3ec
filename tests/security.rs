//! Hostile input and access: file names that break careless tools, manifest paths that
//! try to leave their folder, export paths built from names and titles, and restricted,
//! embargoed and withdrawn items that must not leak through any command.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::ffi::OsStringExt;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::util::{bagit_py_accepts, stored_ids, texts, Dir, Run};

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Run the binary with arguments that may not be UTF-8; stdout must be UTF-8 whatever
/// the names were.
fn run_os(d: &Dir, args: &[&OsStr]) -> Run {
    let o = d.cmd().args(args).output().expect("run hishatak");
    assert!(
        std::str::from_utf8(&o.stdout).is_ok(),
        "stdout is not UTF-8: {:?}",
        String::from_utf8_lossy(&o.stdout)
    );
    o.into()
}

/// Whether a character reorders the text shown around it (`invoice<RLO>txt.exe`).
fn bidi_override(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Human output may hold newlines between lines, never a raw control character (an
/// escape sequence, a carriage return, a tab or NUL from a file name) nor an override.
fn assert_printable(what: &str, text: &str) {
    if let Some(c) = text
        .chars()
        .find(|&c| (c.is_control() && c != '\n') || bidi_override(c))
    {
        panic!("{what} prints a raw control character {c:?}:\n{text:?}");
    }
}

/// Names that break careless tools, each with a label.
fn hostile_names() -> Vec<(&'static str, OsString)> {
    let armenian_255 = format!("{}a.txt", "Ք".repeat(125)); // 250 + 5 bytes
    assert_eq!(armenian_255.len(), 255);
    vec![
        (
            "non-UTF-8",
            OsString::from_vec(b"caf\xE9 \xFF\xFE.txt".to_vec()),
        ),
        ("newline", "line\nbreak.txt".into()),
        ("tab", "tab\there.txt".into()),
        ("escape", "esc\u{1b}[31mred\u{1b}[0m.txt".into()),
        ("carriage return", "cr\rname.txt".into()),
        ("255 bytes", armenian_255.into()),
        ("percent", "100% %2e%2e%2f.txt".into()),
        ("leading dash", "-rf --help.txt".into()),
        ("reserved", "CON.txt".into()),
        ("reserved lower", "nul".into()),
        ("reserved port", "com1.tar.gz".into()),
        ("bidi override", "invoice\u{202e}txt.exe".into()),
    ]
}

/// A package path that is safe to unpack anywhere: relative, no `..`, no empty or dot
/// component, no control or reserved character, components within 255 bytes, no
/// Windows device name.
fn assert_safe_package_path(format: &str, p: &str) {
    assert!(!p.is_empty() && !p.starts_with('/'), "{format}: {p:?}");
    for c in p.split('/') {
        assert!(!c.is_empty() && c != "." && c != "..", "{format}: {p:?}");
        assert!(
            c.len() <= 255,
            "{format}: component over 255 bytes in {p:?}"
        );
        assert!(
            !c.chars().any(|ch| ch.is_control()
                || bidi_override(ch)
                || matches!(ch, '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')),
            "{format}: unsafe character in {p:?}"
        );
        assert!(!c.ends_with('.') && !c.ends_with(' '), "{format}: {p:?}");
        let stem = c.split('.').next().unwrap_or("").to_ascii_uppercase();
        let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || ((stem.starts_with("COM") || stem.starts_with("LPT"))
                && stem.len() == 4
                && stem.as_bytes()[3].is_ascii_digit());
        assert!(!device, "{format}: Windows device name in {p:?}");
    }
}

/// Every file under a folder, by relative path (which must be UTF-8).
fn files_under(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            assert!(
                !meta.file_type().is_symlink(),
                "a symlink in the package: {p:?}"
            );
            if meta.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap();
                let rel = rel
                    .to_str()
                    .unwrap_or_else(|| panic!("a path that is not UTF-8: {rel:?}"));
                out.insert(rel.to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Every entry of a zip file, by its raw name (which must be UTF-8).
fn zip_entries(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = String::from_utf8(e.name_raw().to_vec())
            .unwrap_or_else(|_| panic!("zip entry name is not UTF-8: {:?}", e.name_raw()));
        assert!(
            e.enclosed_name().is_some(),
            "zip entry {name:?} leaves the folder"
        );
        let mut v = Vec::new();
        e.read_to_end(&mut v).unwrap();
        assert!(
            out.insert(name.clone(), v).is_none(),
            "{name} twice in the zip"
        );
    }
    out
}

/// Export `set` in every format; returns the files of each package by format.
fn export_all(d: &Dir, set: &str, out: &str) -> BTreeMap<&'static str, BTreeMap<String, Vec<u8>>> {
    let mut all = BTreeMap::new();
    for format in ["zip", "bagit", "iiif", "site"] {
        let path = if format == "zip" {
            format!("{out}/{format}.zip")
        } else {
            format!("{out}/{format}")
        };
        let r = d
            .run(&["export", set, "--format", format, "--out", &path])
            .ok();
        assert_printable("export", &r.stdout);
        assert_printable("export", &r.stderr);
        let p = d.path().join(&path);
        let files = if format == "zip" {
            zip_entries(&p)
        } else {
            files_under(&p)
        };
        for name in files.keys() {
            assert_safe_package_path(format, name);
        }
        all.insert(format, files);
    }
    all
}

#[test]
fn hostile_file_names_are_stored_bit_exact_printed_safely_and_exported_safely() {
    let d = Dir::with_archive();
    let folder = d.path().join("in");
    std::fs::create_dir_all(&folder).unwrap();
    let mut originals: BTreeMap<String, (&str, OsString, Vec<u8>)> = BTreeMap::new();
    for (i, (label, name)) in hostile_names().into_iter().enumerate() {
        let bytes = format!("file {i}: a name that is {label}\n").into_bytes();
        std::fs::write(folder.join(&name), &bytes).unwrap();
        originals.insert(sha(&bytes), (label, name, bytes));
    }

    // The folder walked: the human report names every file without raw control
    // characters.
    let human = run_os(
        &d,
        &[
            "ingest".as_ref(),
            folder.as_os_str(),
            "--ocr".as_ref(),
            "never".as_ref(),
        ],
    )
    .ok();
    assert_printable("ingest", &human.stdout);
    assert_printable("ingest", &human.stderr);
    assert!(
        human.stdout.contains("stored 12 item(s)"),
        "{}",
        human.stdout
    );
    let item_lines = human
        .stdout
        .lines()
        .filter(|l| l.starts_with("stored      HSH-"));
    assert_eq!(
        item_lines.count(),
        12,
        "one line per item:\n{}",
        human.stdout
    );

    // Every file by name on the command line too (a leading '-' is not a flag there):
    // all already stored, and the JSON report is one valid document naming them.
    let mut args: Vec<OsString> = vec![
        "ingest".into(),
        "--json".into(),
        "--ocr".into(),
        "never".into(),
    ];
    args.extend(
        originals
            .values()
            .map(|(_, n, _)| folder.join(n).into_os_string()),
    );
    let refs: Vec<&OsStr> = args.iter().map(OsString::as_os_str).collect();
    let j = run_os(&d, &refs).ok().json();
    let stored = j["duplicates"].as_array().unwrap();
    assert_eq!(stored.len(), originals.len(), "{j:#}");
    for s in stored {
        assert!(
            s["source"]
                .as_str()
                .unwrap()
                .starts_with(folder.to_str().unwrap()),
            "{s}"
        );
    }

    let objects = d.object_files();
    for s in stored {
        let id = s["id"].as_str().unwrap();
        let show = run_os(&d, &["show".as_ref(), id.as_ref(), "--json".as_ref()]).ok();
        let v = show.json();
        let master = &v["files"][0];
        let hash = master["sha256"].as_str().unwrap();
        let (label, name, bytes) = originals
            .get(hash)
            .unwrap_or_else(|| panic!("{id}: stored hash {hash} is no original's"));
        // Bit-exact: the object holds the original bytes.
        let object = objects
            .iter()
            .find(|p| p.file_name().unwrap() == OsStr::new(hash))
            .unwrap_or_else(|| panic!("{label}: no object {hash}"));
        assert_eq!(&std::fs::read(object).unwrap(), bytes, "{label}");
        // The name is JSON text: the original when it was UTF-8, its readable part when not.
        let shown = master["name"].as_str().unwrap();
        assert_eq!(shown, name.to_string_lossy(), "{label}");

        for (what, args) in [("show", vec!["show", id]), ("history", vec!["history", id])] {
            let r = d.run(&args).ok();
            assert_printable(&format!("{what} of the {label} name"), &r.stdout);
            assert_printable(&format!("{what} of the {label} name"), &r.stderr);
            assert!(!r.stdout.contains("line\nbreak"), "{what}: {}", r.stdout);
        }
    }
    let list = d.run(&["list"]).ok();
    assert_printable("list", &list.stdout);
    assert_eq!(
        list.stdout.lines().count(),
        originals.len(),
        "{}",
        list.stdout
    );
    let search = d.run(&["search", "file", "--limit", "20"]).ok();
    assert_printable("search", &search.stdout);
    assert!(
        search.stdout.contains("12 item(s) match"),
        "{}",
        search.stdout
    );

    // Exports: every path safe, and the masters in the bag bit for bit.
    d.run(&["set", "create", "names", "--title", "Names"]).ok();
    let mut add = vec!["set", "add", "names"];
    let ids: Vec<&str> = stored.iter().map(|s| s["id"].as_str().unwrap()).collect();
    add.extend(ids.iter().copied());
    d.run(&add).ok();
    let packages = export_all(&d, "names", "out");
    let payload: Vec<&Vec<u8>> = packages["bagit"]
        .iter()
        .filter(|(p, _)| p.starts_with("data/"))
        .map(|(_, b)| b)
        .collect();
    assert_eq!(payload.len(), originals.len());
    for b in payload {
        assert!(
            originals.contains_key(&sha(b)),
            "a bag payload file is no original"
        );
    }
    for format in ["zip", "site", "iiif"] {
        let texts = packages[format]
            .iter()
            .filter(|(p, _)| p.starts_with("files/"))
            .count();
        assert_eq!(
            texts,
            originals.len(),
            "{format}: {:?}",
            packages[format].keys()
        );
    }
    bagit_py_accepts(&d.path().join("out/bagit"));
}

#[test]
fn manifest_paths_cannot_leave_their_folder_by_any_spelling() {
    let d = Dir::with_archive();
    d.write("box/a.txt", "inside a");
    d.write("box/scans/b.txt", "inside b");
    d.write("secret.txt", "outside the box");
    d.write("elsewhere/secret2.txt", "outside too");
    // Files that a resolver which forgot Windows spellings would find inside the folder.
    d.write("box/C:/x.tif", "drive C");
    d.write("box/c:/x.tif", "drive c");
    d.write("box/server/share/x.tif", "UNC");
    d.write(
        "box/scans/%2e%2e/secret.txt",
        "a folder really named %2e%2e",
    );
    std::os::unix::fs::symlink(d.path().join("elsewhere"), d.path().join("box/linkdir")).unwrap();
    std::os::unix::fs::symlink(
        d.path().join("box/linkdir/secret2.txt"),
        d.path().join("box/chain.txt"),
    )
    .unwrap();
    let rows: [(&str, &str, &str); 16] = [
        // files, transcript, expected refusal ("" = stored)
        ("a.txt", "", ""),
        ("scans/../scans/b.txt", "", ""),
        ("scans/%2e%2e/secret.txt", "", ""),
        ("C:\\x.tif", "", "is absolute"),
        ("c:/x.tif", "", "is absolute"),
        ("C:x.tif", "", "is absolute"),
        ("\\\\server\\share\\x.tif", "", "is absolute"),
        ("//server/share/x.tif", "", "is absolute"),
        ("\\\\?\\C:\\x.tif", "", "is absolute"),
        ("..\\secret.txt", "", "leaves the manifest's folder"),
        ("scans/../../secret.txt", "", "leaves the manifest's folder"),
        ("linkdir/secret2.txt", "", "leaves the manifest's folder"),
        ("chain.txt", "", "leaves the manifest's folder"),
        ("a.txt", "../secret.txt", "leaves the manifest's folder"),
        ("a.txt", "/etc/hostname", "is absolute"),
        ("a.txt|../secret.txt", "", "leaves the manifest's folder"),
    ];
    let mut csv = String::from("files,title,transcript\n");
    for (i, (files, transcript, _)) in rows.iter().enumerate() {
        csv.push_str(&format!("\"{files}\",Row {},\"{transcript}\"\n", i + 2));
    }
    d.write("box/m.csv", &csv);
    let r = d
        .run(&["ingest", "--manifest", "box/m.csv", "--json"])
        .code(3);
    let j = r.json();
    let refused = j["refused"].as_array().unwrap();
    for (i, (files, transcript, says)) in rows.iter().enumerate() {
        let row = (i + 2) as u64;
        let refusal = refused.iter().find(|x| x["row"] == row);
        match (says.is_empty(), refusal) {
            (true, None) => {}
            (true, Some(x)) => panic!("row {row} ({files}) refused: {x}"),
            (false, None) => panic!("row {row} ({files} {transcript}) was stored"),
            (false, Some(x)) => {
                let reason = x["reason"].as_str().unwrap();
                assert!(reason.contains(says), "row {row} ({files}): {reason}");
                let column = if transcript.is_empty() {
                    "files"
                } else {
                    "transcript"
                };
                assert_eq!(x["column"], column, "row {row}: {x}");
            }
        }
    }
    assert_eq!(j["stored"].as_array().unwrap().len(), 3, "{j:#}");
    assert_eq!(refused.len(), rows.len() - 3);
    // Nothing from outside the folder reached the store.
    for o in d.object_files() {
        let bytes = std::fs::read(o).unwrap();
        assert!(
            !bytes.starts_with(b"outside") && !bytes.starts_with(b"drive") && bytes != b"UNC",
            "{:?} was stored",
            String::from_utf8_lossy(&bytes)
        );
    }
    // The human report names each refused row on stderr.
    for row in 5..=17 {
        assert!(
            r.stderr.contains(&format!("row {row},")),
            "row {row}: {}",
            r.stderr
        );
    }
    // JSON manifests go through the same checks, text columns included.
    d.write(
        "box/m.json",
        r#"[{"files": ["a.txt"], "translation:en": "..\\secret.txt"},
            {"files": "C:/x.tif"}, {"files": ["scans/b.txt"], "transcript": "linkdir/secret2.txt"}]"#,
    );
    let j = d
        .run(&["ingest", "--manifest", "box/m.json", "--json"])
        .code(1)
        .json();
    let reasons = texts(&j["refused"], "reason");
    assert_eq!(reasons.len(), 3, "{j:#}");
    assert!(
        reasons[0].contains("leaves")
            && reasons[1].contains("absolute")
            && reasons[2].contains("leaves"),
        "{reasons:?}"
    );
}

#[test]
fn export_paths_are_safe_whatever_the_names_and_titles() {
    let d = Dir::with_archive();
    let long = format!("{}.txt", "Ժ".repeat(125)); // 254 bytes
    for (path, text) in [
        ("box/a.txt", "a"),
        ("box/sub/b.txt", "b"),
        ("box/x/notes.txt", "notes of x"),
        ("box/y/notes.txt", "notes of y"),
        ("box/tab\there.txt", "tab"),
        ("box/CON.txt", "con"),
        ("box/trailing dot.", "dot"),
        ("box/..hidden", "dots"),
        ("box/-flag.txt", "flag"),
        (&format!("box/{long}"), "long"),
    ] {
        d.write(path, text);
    }
    // Stored names are as the manifest wrote them: separators, `..` and all.
    let csv = format!(
        "files,title,description\n\
         sub/../a.txt,../../../etc/passwd,\"..\\\\..\\\\boot.ini\"\n\
         sub\\b.txt,a/b\\c:d,\n\
         x/notes.txt|y/notes.txt,Two pages with one name,\n\
         tab\there.txt,\"\u{1b}[2J cleared\",\n\
         CON.txt,CON,\n\
         trailing dot.,NUL,\n\
         ..hidden,..,\n\
         -flag.txt,-rf,\n\
         {long},{},\n",
        "Long ".repeat(1000)
    );
    d.write("box/m.csv", &csv);
    let j = d
        .run(&["ingest", "--manifest", "box/m.csv", "--json"])
        .ok()
        .json();
    let ids = stored_ids(&j);
    assert_eq!(ids.len(), 9, "{j:#}");
    let two_pages = &ids[2];
    d.run(&["set", "create", "odd", "--title", "../odd/\\set"])
        .ok();
    let mut add = vec!["set", "add", "odd"];
    add.extend(ids.iter().map(String::as_str));
    add.extend(["--caption", "../../caption\u{7}"]);
    d.run(&add).ok();
    let packages = export_all(&d, "odd", "out");
    // Two pages named alike are two files in every package, not one over the other.
    for (format, prefix) in [
        ("zip", format!("files/{two_pages}/")),
        ("site", format!("files/{two_pages}/")),
        ("iiif", format!("files/{two_pages}/")),
        ("bagit", format!("data/{two_pages}/")),
    ] {
        let contents: Vec<&[u8]> = packages[format]
            .iter()
            .filter(|(p, _)| p.starts_with(&prefix))
            .map(|(_, b)| b.as_slice())
            .collect();
        assert!(
            contents.contains(&&b"notes of x"[..]) && contents.contains(&&b"notes of y"[..]),
            "{format}: {:?}",
            packages[format]
                .keys()
                .filter(|p| p.starts_with(&prefix))
                .collect::<Vec<_>>()
        );
    }
    // Every master of every item is in the bag, nothing else under data/.
    let payload = packages["bagit"]
        .keys()
        .filter(|p| p.starts_with("data/"))
        .count();
    assert_eq!(payload, 10);
    // Nothing was written beside the packages.
    let mut beside: Vec<String> = std::fs::read_dir(d.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["bagit", "iiif", "site", "zip.zip"]);
    assert!(!d.path().join("etc").exists() && !d.path().join("odd").exists());
    bagit_py_accepts(&d.path().join("out/bagit"));
}

// ---------------------------------------------------------------------------------------
// Access: nothing hidden leaks

/// Words only one hidden item has, in every field that is searched or exported.
fn secret_words(tag: &str) -> [String; 7] {
    [
        format!("{tag}titleword"),
        format!("{tag}descword"),
        format!("{tag}transword"),
        format!("{tag}personword"),
        format!("{tag}placeword"),
        format!("{tag}collword"),
        format!("{tag}subjword"),
    ]
}

const HIDDEN: [&str; 3] = ["zrestricted", "zembargoed", "zwithdrawn"];

struct AccessFixture {
    d: Dir,
    /// open, restricted, embargoed (future), withdrawn, embargo ended.
    ids: Vec<String>,
}

fn access_fixture() -> AccessFixture {
    let d = Dir::with_archive();
    let items = [
        ("zopen", "open", "1915", "en", "TR"),
        ("zrestricted", "restricted", "1855", "ru", "RU"),
        ("zembargoed", "embargoed:2999-01-01", "1865", "de", "DE"),
        ("zwithdrawn", "open", "1875", "fr", "FR"),
        ("zpast", "embargoed:2001-01-01", "1916", "en", "TR"),
    ];
    let mut csv = String::from(
        "files,kind,title,description,transcript,persons,places,collection,subjects,date,lang,source_country,access\n",
    );
    for (tag, access, date, lang, country) in items {
        let [title, desc, trans, person, place, coll, subj] = secret_words(tag);
        d.write(&format!("box/{tag}.txt"), format!("scan of {tag}"));
        d.write(
            &format!("box/{tag}-transcript.txt"),
            format!("Transcript of the memoir: {trans} and sharedword."),
        );
        csv.push_str(&format!(
            "{tag}.txt,memoir,{title} sharedword,{desc} sharedword,{tag}-transcript.txt,Anna {person},{place},Collection {coll},{subj},{date},{lang},{country},{access}\n"
        ));
    }
    d.write("box/m.csv", &csv);
    let j = d
        .run(&[
            "ingest",
            "--manifest",
            "box/m.csv",
            "--json",
            "--ocr",
            "never",
        ])
        .ok()
        .json();
    let ids = stored_ids(&j);
    assert_eq!(ids.len(), 5, "{j:#}");
    d.run(&["withdraw", &ids[3], "--reason", "returned to the donor"])
        .ok();
    AccessFixture { d, ids }
}

/// Fail if any hidden item's word or id is in `text`.
fn assert_no_leak(what: &str, text: &str, ids: &[String]) {
    let lower = text.to_lowercase();
    for tag in HIDDEN {
        assert!(!lower.contains(tag), "{what} leaks {tag}:\n{text}");
    }
    for id in &ids[1..4] {
        assert!(!text.contains(id.as_str()), "{what} leaks {id}:\n{text}");
    }
}

#[test]
fn restricted_embargoed_and_withdrawn_items_never_leak() {
    let f = access_fixture();
    let d = &f.d;
    let ids = &f.ids;
    let visible = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.push("--json");
        let j = d.run(&all).ok().json();
        // Everything but the query, which echoes what was asked.
        let answer = format!("{} {} {}", j["total"], j["hits"], j["facets"]);
        assert_no_leak(&format!("search {args:?}"), &answer, ids);
        let mut v: Vec<String> = j["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let public = vec![ids[0].clone(), ids[4].clone()];

    // Search: every word of every hidden item, bare and by field prefix, finds nothing;
    // the open item and the one whose embargo ended are found by theirs.
    for tag in ["zopen", "zrestricted", "zembargoed", "zwithdrawn", "zpast"] {
        let words = secret_words(tag);
        let expect: Vec<String> = match tag {
            "zopen" => vec![ids[0].clone()],
            "zpast" => vec![ids[4].clone()],
            _ => vec![],
        };
        for w in &words {
            assert_eq!(visible(&[w.as_str()]), expect, "{w}");
            // A near spelling reaches no hidden item either.
            let typo = format!("{}x", &w[..w.len() - 1]);
            assert!(
                visible(&[typo.as_str()])
                    .iter()
                    .all(|id| public.contains(id)),
                "{typo}"
            );
        }
        for (prefix, w) in [
            ("title", &words[0]),
            ("person", &words[3]),
            ("place", &words[4]),
            ("collection", &words[5]),
            ("subject", &words[6]),
        ] {
            assert_eq!(
                visible(&[format!("{prefix}:{w}").as_str()]),
                expect,
                "{prefix}:{w}"
            );
        }
        let phrase = format!("\"Transcript of the memoir {}\"", words[2]);
        assert_eq!(visible(&[phrase.as_str()]), expect, "{phrase}");
    }
    // Every filter, and the negation that matches everything else.
    for args in [
        vec!["sharedword"],
        vec!["-nothingsuchword"],
        vec!["sharedword", "--kind", "memoir"],
        vec!["sharedword", "--lang", "ru"],
        vec!["sharedword", "--lang", "de"],
        vec!["sharedword", "--lang", "fr"],
        vec!["sharedword", "--source-country", "RU"],
        vec![
            "sharedword",
            "--collection",
            "Collection zrestrictedcollword",
        ],
        vec!["sharedword", "--from", "1850", "--to", "1880"],
        vec!["sharedword", "--to", "1900"],
        vec!["sharedword", "--limit", "100", "--offset", "0"],
        vec!["memoir OR anna OR sharedword"],
    ] {
        let got = visible(&args);
        assert!(
            got.iter().all(|id| public.contains(id)),
            "{args:?}: {got:?}"
        );
    }
    assert_eq!(visible(&["sharedword"]), public);
    // Facet counts count only what may be seen.
    let r = d.run(&["search", "sharedword", "--facets", "--json"]).ok();
    assert_no_leak("facets", &r.stdout, ids);
    let j = r.json();
    assert_eq!(j["total"], 2);
    for (facet, counts) in j["facets"].as_object().unwrap() {
        let sum: u64 = counts
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        if facet != "lang" && facet != "decade" {
            assert_eq!(sum, 2, "{facet}: {counts}");
        }
    }
    assert_eq!(j["facets"]["lang"], serde_json::json!({"en": 2}));
    assert_eq!(j["facets"]["decade"], serde_json::json!({"1910": 2}));
    assert_eq!(j["facets"]["source_country"], serde_json::json!({"TR": 2}));
    let human = d.run(&["search", "sharedword", "--facets"]).ok();
    assert_no_leak("search (human)", &human.stdout, ids);
    // The hidden words are in the index: staff find them (the test can fail).
    let staff = d
        .run(&[
            "search",
            "zrestrictedtransword",
            "--include-restricted",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(staff["total"], 1);
    let staff = d
        .run(&[
            "search",
            "zwithdrawnplaceword",
            "--include-withdrawn",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(staff["total"], 1);

    // list and list --json.
    let list = d.run(&["list"]).ok();
    assert_no_leak("list", &list.stdout, ids);
    assert!(
        !list.stdout.contains("[restricted]"),
        "an ended embargo is open:\n{}",
        list.stdout
    );
    let list = d.run(&["list", "--json"]).ok();
    assert_no_leak("list --json", &list.stdout, ids);
    assert_eq!(list.stdout.lines().count(), 2);
    for filter in [
        ["--lang", "ru"],
        ["--collection", "Collection zrestrictedcollword"],
        ["--kind", "memoir"],
    ] {
        let mut args = vec!["list", "--json"];
        args.extend(filter);
        assert_no_leak("list filtered", &d.run(&args).ok().stdout, ids);
    }
    let staff = d.run(&["list", "--json", "--include-restricted"]).ok();
    assert!(staff.stdout.contains("zembargoedtitleword"));

    // show is the by-id staff view: it shows a restricted item, marked as such.
    let show = d.run(&["show", &ids[1]]).ok();
    assert!(show.stdout.contains("restricted"), "{}", show.stdout);
    assert_eq!(
        d.run(&["show", &ids[2], "--json"]).ok().json()["access"],
        "embargoed:2999-01-01"
    );

    // Exports: a set holding hidden items is refused in every format, writing nothing and
    // naming the items by id only.
    d.run(&["set", "create", "all", "--title", "Everything"])
        .ok();
    let mut add = vec!["set", "add", "all"];
    add.extend(ids.iter().map(String::as_str));
    d.run(&add).ok();
    for format in ["zip", "bagit", "iiif", "site"] {
        let out = format!("refused/{format}");
        let r = d
            .run(&["export", "all", "--format", format, "--out", &out])
            .code(1);
        assert!(
            r.stderr.contains(&ids[1]) && r.stderr.contains(&ids[2]),
            "{}",
            r.stderr
        );
        for tag in HIDDEN {
            assert!(!r.stderr.contains(tag), "{}", r.stderr);
        }
        assert!(!d.path().join(&out).exists());
    }
    assert!(
        std::fs::read_dir(d.path().join("refused"))
            .map(|rd| rd.count())
            .unwrap_or(0)
            == 0
    );

    // A set of the open item, the ended embargo and the withdrawn item exports the first
    // two; no file of any package (zip entries, site search data, IIIF, bag metadata)
    // holds a word or id of a hidden item.
    d.run(&["set", "create", "public", "--title", "Public"])
        .ok();
    d.run(&[
        "set",
        "add",
        "public",
        &ids[0],
        &ids[4],
        &ids[3],
        "--caption",
        "A caption",
    ])
    .ok();
    let packages = export_all(d, "public", "out");
    for (format, files) in &packages {
        assert!(!files.is_empty());
        let mut seen_public = false;
        for (path, bytes) in files {
            let text = String::from_utf8_lossy(bytes);
            assert_no_leak(&format!("{format} {path}"), &format!("{path}\n{text}"), ids);
            seen_public |= text.contains("zopentitleword");
        }
        assert!(seen_public, "{format}: the open item's title is in no file");
    }
    let data = String::from_utf8_lossy(&packages["site"]["assets/data.js"]).into_owned();
    assert!(data.contains("zpasttransword"), "site search data: {data}");
    // The same grep finds restricted words when staff include them (the test can fail).
    d.run(&["set", "create", "staff", "--title", "Staff"]).ok();
    d.run(&["set", "add", "staff", &ids[1]]).ok();
    d.run(&[
        "export",
        "staff",
        "--format",
        "site",
        "--out",
        "staff-site",
        "--include-restricted",
    ])
    .ok();
    let staff = files_under(&d.path().join("staff-site"));
    assert!(staff
        .values()
        .any(|b| String::from_utf8_lossy(b).contains("zrestrictedtransword")));
}

#[test]
fn an_embargo_ends_on_its_day() {
    // Exactly today: open. The catalog and the index judge by the date of the search,
    // not by the date of ingest.
    let d = Dir::with_archive();
    let today = {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        hishatak::edtf::format_day(secs.div_euclid(86_400))
    };
    let f = d.write("a.txt", "embargoed words: todayword");
    let access = format!("embargoed:{today}");
    let j = d
        .run(&["ingest", f.to_str().unwrap(), "--access", &access, "--json"])
        .ok()
        .json();
    let id = j["stored"][0]["id"].as_str().unwrap().to_string();
    let hits = d.run(&["search", "todayword", "--json"]).ok().json();
    assert_eq!(hits["total"], 1, "{hits}");
    assert!(d.run(&["list"]).ok().stdout.contains(&id));
}

#[test]
fn sql_in_metadata_and_filters_is_only_text() {
    // Every statement binds its values (notes in docs/reliability.md); this pins it from
    // the outside: SQL in a title, a collection, an id and a filter is stored and matched
    // as text, and the catalog keeps every table.
    let d = Dir::with_archive();
    let evil = "x' OR '1'='1";
    let title = "'); DROP TABLE items; --";
    for (name, collection) in [("a.txt", evil), ("b.txt", "Letters")] {
        let f = d.write(name, format!("content of {name}"));
        d.run(&[
            "ingest",
            f.to_str().unwrap(),
            "--title",
            title,
            "--collection",
            collection,
            "--meta",
            "box=1; DELETE FROM events",
        ])
        .ok();
    }
    let listed = d.run(&["list", "--json", "--collection", evil]).ok();
    assert_eq!(listed.stdout.lines().count(), 1, "{}", listed.stdout);
    assert!(listed.stdout.contains("HSH-000001"));
    let none = d
        .run(&["list", "--json", "--collection", "' OR 1=1 --"])
        .ok();
    assert_eq!(none.stdout, "");
    let r = d.run(&["show", "1' OR '1'='1"]).code(1);
    assert!(r.stderr.contains("no item"), "{}", r.stderr);
    let s = d.run(&["show", "HSH-000002", "--json"]).ok().json();
    assert_eq!(s["title"], title);
    assert_eq!(s["meta"]["box"], "1; DELETE FROM events");
    assert_eq!(d.count("SELECT COUNT(*) FROM items"), 2);
    assert!(d.count("SELECT COUNT(*) FROM events") >= 2);
    let hits = d
        .run(&["search", "drop table", "--collection", evil, "--json"])
        .ok()
        .json();
    assert_eq!(hits["total"], 1, "{hits}");
}
