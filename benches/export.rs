//! Export figures, in the same run, on the same files:
//! - BagIt: `hishatak export --format bagit` of a set of BENCH_BAG_MB (default 2048) MB in
//!   BENCH_BAG_FILES (default 20) files vs `bagit.py` making a bag of a copy of the same
//!   files with the same checksums (sha256 + sha512) and the same number of processes,
//!   timed twice: the bagging alone (in place, the copy made beforehand) and `cp -r` +
//!   `bagit.py` (what making a bag of files one must keep costs, since bagit.py moves them;
//!   our export writes that copy itself); then `bagit.py --validate` of our bag.
//! - Zip: `hishatak export --format zip` of sets of 1,000 and 10,000 items (one small JPEG
//!   each: access copy and thumbnail made, site and metadata written): items per second and
//!   peak memory, to show memory does not grow with the set.
//!
//! Run: `cargo bench --bench export` (BENCH_BAG_MB, BENCH_BAG_FILES, BENCH_ZIP_ITEMS=1000,10000,
//! BENCH_DIR=target/bench-export). Needs GNU time; bagit.py is optional (skipped with a note).
//! Prints a Markdown table and one RESULT line per measurement (see `benches/common`) for
//! `scripts/compare.sh`.

mod common;
use common::*;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (seconds, peak MB, success) of a timed run.
fn triple(t: Timed) -> (f64, f64, bool) {
    (t.secs, t.mb, t.ok)
}

fn run(bin: &Path, archive: &Path, args: &[&str]) {
    let st = Command::new(bin)
        .arg("--archive")
        .arg(archive)
        .arg("--quiet")
        .args(args)
        .status()
        .expect("run hishatak");
    assert!(
        st.success(),
        "hishatak {} failed",
        args.iter().take(4).copied().collect::<Vec<_>>().join(" ")
    );
}

/// A set named `s` holding every item of the archive; returns how many.
fn set_of_all(bin: &Path, archive: &Path) -> usize {
    run(bin, archive, &["set", "create", "s", "--title", "bench"]);
    let out = Command::new(bin)
        .arg("--archive")
        .arg(archive)
        .args(["list", "--json"])
        .output()
        .expect("list");
    let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect();
    for chunk in ids.chunks(2000) {
        let mut args = vec!["set", "add", "s"];
        args.extend(chunk.iter().map(String::as_str));
        run(bin, archive, &args);
    }
    ids.len()
}

fn main() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_hishatak"));
    let bag_mb = env_num("BENCH_BAG_MB", 2048);
    let bag_files = env_num("BENCH_BAG_FILES", 20).max(1);
    let zip_sizes: Vec<u64> = std::env::var("BENCH_ZIP_ITEMS")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let base = fresh_dir("target/bench-export");
    let mut table = vec![
        "| what | hishatak | reference | ratio (reference / hishatak) |".to_string(),
        "|---|---|---|---|".to_string(),
    ];

    // BagIt of large files.
    let files = base.join("bagfiles");
    fs::create_dir_all(&files).expect("dir");
    let per = (bag_mb << 20) / bag_files;
    let mut buf = vec![0u8; 8 << 20];
    for i in 0..bag_files {
        let mut f = fs::File::create(files.join(format!("scan-{i:03}.bin"))).expect("file");
        let mut left = per;
        let mut k = 0;
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            fill(i * 1000 + k + 1, &mut buf[..n]);
            f.write_all(&buf[..n]).expect("write");
            left -= n as u64;
            k += 1;
        }
    }
    let archive = base.join("archive-bag");
    run(&bin, &archive, &["init"]);
    run(
        &bin,
        &archive,
        &["ingest", files.to_str().expect("utf-8 path")],
    );
    set_of_all(&bin, &archive);
    // Each side starts with its input in memory and the rest of the page cache free.
    let dropped = settle(&[&archive.join("objects")]);
    let ours_bag = base.join("ours-bag");
    let (t_ours, m_ours, _) = triple(timed_sh(&format!(
        "{} --archive {} --quiet export s --format bagit --out {} && sync",
        sh(&bin),
        sh(&archive),
        sh(&ours_bag)
    )));
    let mb = (bag_mb as f64) * 1.048_576;
    eprintln!("hishatak bagit: {t_ours:.2} s, {m_ours:.0} MB peak");
    let mut results = Vec::new();
    let bag_size = format!("{bag_files} files, {bag_mb} MiB");
    let bag = |reference| Measurement {
        bench: "export",
        step: "BagIt export (sha256 + sha512)".into(),
        size: bag_size.clone(),
        unit: "s",
        ours: Some(t_ours),
        ours_mb: Some(m_ours),
        reference,
        target: Target::AtMost(1.0),
    };
    if have("bagit.py") {
        let theirs_dir = base.join("theirs-bag");
        Command::new("cp")
            .arg("-r")
            .arg(&files)
            .arg(&theirs_dir)
            .status()
            .expect("cp");
        settle(&[&theirs_dir]);
        let (t_theirs, m_theirs, _) = triple(timed_sh(&format!(
            "bagit.py --processes 2 --sha256 --sha512 --quiet {} && sync",
            sh(&theirs_dir)
        )));
        table.push(format!(
            "| BagIt bag of {bag_files} files, {bag_mb} MiB (sha256 + sha512) | {t_ours:.2} s ({:.0} MB/s), {m_ours:.0} MB peak | `bagit.py --processes 2` in place: {t_theirs:.2} s ({:.0} MB/s), {m_theirs:.0} MB peak | {:.2} |",
            mb / t_ours,
            mb / t_theirs,
            t_theirs / t_ours
        ));
        // What making a bag of files one must keep costs with bagit.py: it moves the
        // files into data/, so the user first copies them (our export writes that copy
        // itself, from the object store).
        let copied_dir = base.join("theirs-bag-copied");
        settle(&[&files]);
        let (t_cp, m_cp, _) = triple(timed_sh(&format!(
            "cp -r {} {} && bagit.py --processes 2 --sha256 --sha512 --quiet {} && sync",
            sh(&files),
            sh(&copied_dir),
            sh(&copied_dir)
        )));
        table.push(format!(
            "| same | | `cp -r` + `bagit.py --processes 2`: {t_cp:.2} s ({:.0} MB/s), {m_cp:.0} MB peak | {:.2} |",
            mb / t_cp,
            t_cp / t_ours
        ));
        let (t_val, m_val, ok) = triple(timed_sh(&format!(
            "bagit.py --validate --processes 2 --quiet {}",
            sh(&ours_bag)
        )));
        table.push(format!(
            "| `bagit.py --validate` of our bag | {} | {t_val:.2} s, {m_val:.0} MB peak | |",
            if ok { "valid" } else { "INVALID" }
        ));
        results.push(bag(Reference::Tool {
            name: "bagit.py --processes 2, in place".into(),
            value: t_theirs,
            mb: Some(m_theirs),
        }));
        results.push(bag(Reference::Tool {
            name: "cp -r + bagit.py --processes 2".into(),
            value: t_cp,
            mb: Some(m_cp),
        }));
        results.push(Measurement {
            bench: "export",
            step: "validation of our bag".into(),
            size: bag_size.clone(),
            unit: "s",
            ours: None,
            ours_mb: None,
            reference: Reference::Tool {
                name: "bagit.py --validate --processes 2".into(),
                value: t_val,
                mb: Some(m_val),
            },
            target: Target::Check {
                what: "bagit.py finds it valid".into(),
                passed: ok,
            },
        });
    } else {
        eprintln!("bagit.py not installed: BagIt comparison skipped (pip install bagit)");
        results.push(bag(Reference::Skipped(
            "bagit.py not installed (pip install bagit)".into(),
        )));
        table.push(format!(
            "| BagIt bag of {bag_files} files, {bag_mb} MiB | {t_ours:.2} s, {m_ours:.0} MB peak | bagit.py not installed | |"
        ));
    }

    // Zip packages of many small items.
    for &n in &zip_sizes {
        let dir = base.join(format!("jpegs-{n}"));
        fs::create_dir_all(&dir).expect("dir");
        // Small but real JPEGs, each different (a coloured gradient with the index in it).
        for i in 0..n {
            let mut img = image::RgbImage::from_fn(400, 300, |x, y| {
                image::Rgb([
                    ((x + i as u32) % 256) as u8,
                    ((y * 2 + (i as u32 / 7)) % 256) as u8,
                    ((x ^ y ^ i as u32) % 256) as u8,
                ])
            });
            // A block that spells the index, so every file differs.
            for (k, b) in (i as u32).to_le_bytes().iter().enumerate() {
                for dx in 0..16 {
                    for dy in 0..16 {
                        img.put_pixel(k as u32 * 16 + dx, dy, image::Rgb([*b, 255 - *b, *b]));
                    }
                }
            }
            let sub = dir.join(format!("{:03}", i / 1000));
            fs::create_dir_all(&sub).expect("dir");
            img.save(sub.join(format!("{i:06}.jpg"))).expect("jpeg");
        }
        let archive = base.join(format!("archive-zip-{n}"));
        run(&bin, &archive, &["init"]);
        run(
            &bin,
            &archive,
            &["ingest", dir.to_str().expect("utf-8 path")],
        );
        let n = set_of_all(&bin, &archive) as u64;
        let out = base.join(format!("pkg-{n}.zip"));
        let (t, m, ok) = triple(timed_sh(&format!(
            "{} --archive {} --quiet export s --format zip --out {}",
            sh(&bin),
            sh(&archive),
            sh(&out)
        )));
        let size = fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        eprintln!("zip of {n} items: {t:.2} s, {m:.0} MB peak");
        table.push(format!(
            "| zip package of {n} items (400x300 JPEG each: access copy, thumbnail, page, metadata) | {t:.2} s ({:.0} items/s), {m:.0} MB peak, {:.1} MB file{} | | |",
            n as f64 / t.max(0.001),
            size as f64 / 1e6,
            if ok { "" } else { " (FAILED)" }
        ));
        results.push(Measurement {
            bench: "export",
            step: "zip package (400x300 JPEG items)".into(),
            size: format!("{n} items"),
            unit: "s",
            ours: ok.then_some(t),
            ours_mb: Some(m),
            reference: Reference::None,
            target: Target::None,
        });
    }
    println!("{}", table.join("\n"));
    println!(
        "\nBagIt runs: inputs in the page cache; {}.\n",
        if dropped {
            "the rest of the page cache dropped before each run"
        } else {
            "the page cache could not be dropped (not root)"
        }
    );
    for r in &results {
        r.print();
    }
}
