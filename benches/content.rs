//! Derivatives against `vipsthumbnail`, in the same run, on the same files:
//! BENCH_SCANS (default 200) JPEG scans of 4000 x 3000 pixels; hishatak makes an access copy
//! (2048 px) and a thumbnail (320 px) of each with `hishatak derive --ocr never` (all
//! cores); vipsthumbnail makes the same two sizes, two processes at once (xargs -P, as many
//! as cores). Then OCR pages per second (`derive --ocr always` on the sample's scans) and
//! PDF text pages per second (the sample's and, when fetched, pypdf's PDFs).
//!
//! Run: `cargo bench --bench content` (BENCH_SCANS, BENCH_DIR=target/bench-content).
//! Needs GNU time; vipsthumbnail (libvips-tools) and tesseract are optional (skipped with
//! a note). Prints a Markdown table and one RESULT line per measurement (see
//! `benches/common`) for `scripts/compare.sh`.

mod common;
use common::*;

use std::fs;
use std::path::PathBuf;
use std::process::Command;

/// (seconds, peak MB) of a timed run.
fn pair(t: Timed) -> (f64, f64) {
    (t.secs, t.mb)
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_hishatak"));
    let n = env_num("BENCH_SCANS", 200);
    let cores = std::thread::available_parallelism().map_or(2, |c| c.get());
    let base = fresh_dir("target/bench-content");
    let mut table = vec![
        "| what | hishatak | reference | ratio (reference / hishatak) |".to_string(),
        "|---|---|---|---|".to_string(),
    ];

    // Scans: 4000 x 3000, textured so JPEG has work to do, each different.
    let scans = base.join("scans");
    fs::create_dir_all(&scans).expect("dir");
    for i in 0..n {
        let img = image::RgbImage::from_fn(4000, 3000, |x, y| {
            let v = ((x / 7 + y / 5 + i as u32 * 13) % 200) as u8 + ((x * y + i as u32) % 37) as u8;
            image::Rgb([
                v,
                v.wrapping_add((x % 50) as u8),
                v.wrapping_sub((y % 40) as u8),
            ])
        });
        img.save(scans.join(format!("scan-{i:04}.jpg")))
            .expect("jpeg");
    }
    let archive = base.join("archive");
    let st = Command::new(&bin)
        .arg("--archive")
        .arg(&archive)
        .args(["init", "--quiet"])
        .status()
        .expect("init");
    assert!(st.success());
    let st = Command::new(&bin)
        .arg("--archive")
        .arg(&archive)
        .args(["ingest", "--quiet", "--ocr", "never"])
        .arg(&scans)
        .status()
        .expect("ingest");
    assert!(st.success());
    let (t_ours, m_ours) = pair(timed_sh(&format!(
        "{} --archive {} --quiet derive --ocr never",
        sh(&bin),
        sh(&archive)
    )));
    eprintln!("hishatak derive: {t_ours:.2} s");
    let mut results = Vec::new();
    let derive = |reference| Measurement {
        bench: "content",
        step: "derivatives (2048 + 320 px) of 4000x3000 JPEG scans".into(),
        size: format!("{n} scans"),
        unit: "s",
        ours: Some(t_ours),
        ours_mb: Some(m_ours),
        reference,
        target: Target::AtMost(1.0),
    };
    if have("vipsthumbnail") {
        let out = base.join("vips");
        fs::create_dir_all(&out).expect("dir");
        let script = format!(
            "cd {} && ls *.jpg | xargs -P {cores} -n 8 sh -c 'vipsthumbnail -s 2048 -o {}/%s-access.jpg[Q=85] \"$@\" && vipsthumbnail -s 320 -o {}/%s-thumb.jpg[Q=85] \"$@\"' _",
            sh(&scans),
            out.display(),
            out.display()
        );
        let (t_vips, m_vips) = pair(timed_sh(&script));
        table.push(format!(
            "| access copy (2048 px) + thumbnail (320 px) of {n} JPEG scans 4000x3000, {cores} cores | `derive`: {t_ours:.2} s ({:.1} scans/s), {m_ours:.0} MB peak | `vipsthumbnail` x{cores}: {t_vips:.2} s ({:.1} scans/s), {m_vips:.0} MB peak per process | {:.2} |",
            n as f64 / t_ours,
            n as f64 / t_vips,
            t_vips / t_ours
        ));
        results.push(derive(Reference::Tool {
            name: format!("vipsthumbnail x{cores}"),
            value: t_vips,
            mb: Some(m_vips),
        }));
    } else {
        eprintln!(
            "vipsthumbnail not installed (apt-get install libvips-tools): comparison skipped"
        );
        table.push(format!(
            "| access copy + thumbnail of {n} JPEG scans 4000x3000 | {t_ours:.2} s ({:.1} scans/s), {m_ours:.0} MB peak | vipsthumbnail not installed | |",
            n as f64 / t_ours
        ));
        results.push(derive(Reference::Skipped(
            "vipsthumbnail not installed (libvips-tools)".into(),
        )));
    }

    // OCR and PDF text on the sample collection.
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("collections/sample/manifest.csv");
    let archive2 = base.join("archive-sample");
    let run = |args: &[&str]| {
        Command::new(&bin)
            .arg("--archive")
            .arg(&archive2)
            .arg("--quiet")
            .args(args)
            .status()
            .expect("hishatak")
            .success()
    };
    assert!(run(&["init"]));
    assert!(run(&[
        "ingest",
        "--manifest",
        sample.to_str().expect("path"),
        "--ocr",
        "never"
    ]));
    let pages = |source: &str| -> u64 {
        let out = Command::new("sqlite3")
            .arg(archive2.join("catalog.sqlite"))
            .arg(format!(
                "SELECT COUNT(*) FROM texts WHERE source = '{source}'"
            ))
            .output();
        out.ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(0)
    };
    if have("tesseract") {
        let (t, m) = pair(timed_sh(&format!(
            "{} --archive {} --quiet derive --ocr always",
            sh(&bin),
            sh(&archive2)
        )));
        let p = pages("ocr");
        table.push(format!(
            "| OCR (tesseract, item languages) of the sample collection, with derivatives | {p} page(s) in {t:.2} s ({:.2} pages/s), {m:.0} MB peak | | |",
            p as f64 / t
        ));
        results.push(Measurement {
            bench: "content",
            step: "OCR + derivatives of the sample collection".into(),
            size: format!("{p} OCR pages"),
            unit: "s",
            ours: Some(t),
            ours_mb: Some(m),
            reference: Reference::None,
            target: Target::None,
        });
    } else {
        eprintln!("tesseract not installed: OCR figure skipped");
        results.push(Measurement {
            bench: "content",
            step: "OCR + derivatives of the sample collection".into(),
            size: "-".into(),
            unit: "s",
            ours: None,
            ours_mb: None,
            reference: Reference::Skipped("tesseract not installed (tesseract-ocr)".into()),
            target: Target::None,
        });
    }
    let pdfs = std::env::var("HISHATAK_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/opt/hishatak-corpus/files"))
        .join("pypdf");
    if pdfs.is_dir() {
        let archive3 = base.join("archive-pdf");
        Command::new(&bin)
            .arg("--archive")
            .arg(&archive3)
            .args(["init", "--quiet"])
            .status()
            .expect("init");
        let (t, m) = pair(timed_sh(&format!(
            "{} --archive {} --quiet ingest --ocr never {} || true",
            sh(&bin),
            sh(&archive3),
            sh(&pdfs)
        )));
        let out = Command::new("sqlite3")
            .arg(archive3.join("catalog.sqlite"))
            .arg("SELECT COUNT(*), (SELECT COUNT(*) FROM object_meta WHERE problem IS NOT NULL) FROM texts WHERE source = 'pdf'")
            .output()
            .expect("sqlite3");
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        table.push(format!(
            "| ingest of pypdf's {} test files with PDF text extraction | {t:.2} s, {m:.0} MB peak; pdf text pages, flagged files: {line} | | |",
            fs::read_dir(&pdfs).map(|d| d.count()).unwrap_or(0)
        ));
        results.push(Measurement {
            bench: "content",
            step: "ingest of pypdf's test PDFs with text extraction".into(),
            size: format!(
                "{} files",
                fs::read_dir(&pdfs).map(|d| d.count()).unwrap_or(0)
            ),
            unit: "s",
            ours: Some(t),
            ours_mb: Some(m),
            reference: Reference::None,
            target: Target::None,
        });
    }
    println!("{}", table.join("\n"));
    println!();
    for r in &results {
        r.print();
    }
}
