//! The embedded default: the sample collection in `collections/sample/`, built into the
//! binary, and the demo that ingests it.

use std::path::{Path, PathBuf};

use crate::archive::Archive;
use crate::catalog::{ListFilter, SetChanges, SetKind};
use crate::error::{Error, IoContext, Result};
use crate::export::{self, ExportOptions, ExportReport, Format};
use crate::ingest::{self, manifest, IngestOptions, IngestReport};
use crate::progress::Progress;

include!(concat!(env!("OUT_DIR"), "/sample.rs"));

/// What the demo did.
pub struct DemoReport {
    /// The demo archive folder.
    pub archive: PathBuf,
    /// Whether it was created now (false: reused).
    pub created: bool,
    /// The ingest of the sample collection.
    pub ingest: IngestReport,
}

/// Write the embedded sample collection into `dir` (which must not exist or be empty).
/// Returns the path of its manifest.
pub fn extract_sample(dir: &Path) -> Result<PathBuf> {
    if SAMPLE.is_empty() {
        return Err(Error::invalid(
            "this hishatak was built without its sample collection (collections/sample/ was empty)",
        ));
    }
    for (rel, bytes) in SAMPLE {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).at(parent)?;
        }
        std::fs::write(&p, bytes).at(&p)?;
    }
    Ok(dir.join("manifest.csv"))
}

/// Create (or reuse) the archive at `dir` and ingest the sample collection into it.
pub fn run(dir: &Path, progress: &dyn Progress) -> Result<DemoReport> {
    let created = !dir.join(crate::archive::SETTINGS_FILE).exists();
    let mut archive = if created {
        Archive::init(dir, Some("hishatak demo archive"))?
    } else {
        Archive::open(dir)?
    };
    let tmp = std::env::temp_dir().join(format!("hishatak-sample-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let manifest_path = extract_sample(&tmp)?;
    let result = manifest::read(&manifest_path).and_then(|plans| {
        // The demo runs in seconds with no external program: PDF text and metadata
        // yes, OCR no (`hishatak derive --ocr always` adds it where tesseract exists).
        let opts = IngestOptions {
            ocr: crate::content::OcrMode::Never,
            ..IngestOptions::default()
        };
        ingest::run(&mut archive, plans, &opts, progress)
    });
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(DemoReport {
        archive: dir.to_path_buf(),
        created,
        ingest: result?,
    })
}

/// The set the demo builds.
pub const DEMO_SET: &str = "demo-exhibition";

/// The demo exhibition: sample items (by first file) with captions in English and Armenian.
const EXHIBITION: &[(&str, &str, &str)] = &[
    (
        "scans/telegram-1915-04-24.jpg",
        "Telegram of 24 April 1915",
        "Հեռագիր, 1915 թ. ապրիլի 24",
    ),
    (
        "scans/van-defence-1.jpg",
        "Notes from the defence of Van",
        "Վանի ինքնապաշտպանության նոթեր",
    ),
    (
        "photos/erzurum-street.jpg",
        "A street in Erzurum",
        "Փողոց Էրզրումում",
    ),
    (
        "scans/memoir-erzurum-yerevan-1.png",
        "From Erzurum to Yerevan: a memoir",
        "Էրզրումից Երևան. հուշեր",
    ),
    (
        "photos/etchmiadzin-choir.jpg",
        "Komitas and the Etchmiadzin choir",
        "Կոմիտասը և Էջմիածնի երգչախումբը",
    ),
    (
        "pdf/komitas-programme-1906-fr.pdf",
        "A concert programme of Komitas, 1906",
        "Կոմիտասի համերգի ծրագիր, 1906",
    ),
    (
        "scans/baku-letter-1905.jpg",
        "A letter from Baku, 1905",
        "Նամակ Բաքվից, 1905",
    ),
    (
        "photos/baku-derricks.jpg",
        "Oil derricks at Baku",
        "Նավթահորեր Բաքվում",
    ),
    (
        "photos/aleppo-orphans-a.jpg",
        "Orphans in Aleppo",
        "Որբեր Հալեպում",
    ),
    (
        "photos/smyrna-quay-1922.jpg",
        "The quay of Smyrna, 1922",
        "Զմյուռնիայի նավամատույցը, 1922",
    ),
    (
        "photos/khachaturian-yerevan-1963.jpg",
        "Aram Khachaturian with students",
        "Արամ Խաչատրյանը ուսանողների հետ",
    ),
    (
        "photos/spitak-1988.jpg",
        "Spitak, December 1988",
        "Սպիտակ, 1988 թ. դեկտեմբեր",
    ),
];

/// Build the demo exhibition set (once) and export it in every format under
/// `exports/` of the archive, replacing the demo's own earlier packages.
pub fn exhibition(archive: &mut Archive, progress: &dyn Progress) -> Result<Vec<ExportReport>> {
    if archive.catalog.sets()?.iter().all(|s| s.name != DEMO_SET) {
        let (items, _) = archive.catalog.list(&ListFilter::default())?;
        archive.catalog.create_set(
            DEMO_SET,
            &SetChanges {
                title: Some("Places remembered: Armenian lives, 1896-1988".into()),
                description: Some(
                    "Letters, reports, memoirs and photographs from the sample collection, \
                     from Van and Erzurum to Baku, Aleppo and Yerevan."
                        .into(),
                ),
                lang: Some("en".into()),
                kind: Some(SetKind::Online),
                venue: Some("Online".into()),
                dates: None,
            },
        )?;
        archive.catalog.edit_set(
            DEMO_SET,
            &SetChanges {
                title: Some("Հիշված վայրեր. հայերի կյանքը, 1896-1988".into()),
                lang: Some("hy".into()),
                ..SetChanges::default()
            },
        )?;
        for (file, en, hy) in EXHIBITION {
            let Some(item) = items.iter().find(|i| {
                i.files
                    .iter()
                    .any(|f| f.role == "master" && f.name == *file)
            }) else {
                continue;
            };
            let id = vec![item.id.clone()];
            archive
                .catalog
                .add_to_set(DEMO_SET, &id, Some(en), Some("en"), "en")?;
            archive
                .catalog
                .add_to_set(DEMO_SET, &id, Some(hy), Some("hy"), "en")?;
        }
    }
    let exports = archive.root().join("exports");
    std::fs::create_dir_all(&exports).at(&exports)?;
    let mut reports = Vec::new();
    for (format, name) in [
        (Format::Site, "demo-exhibition-site"),
        (Format::Zip, "demo-exhibition.zip"),
        (Format::Bagit, "demo-exhibition-bag"),
        (Format::Iiif, "demo-exhibition-iiif"),
    ] {
        let out = exports.join(name);
        if out.is_dir() {
            std::fs::remove_dir_all(&out).at(&out)?;
        } else if out.exists() {
            std::fs::remove_file(&out).at(&out)?;
        }
        reports.push(export::export(
            archive,
            DEMO_SET,
            &ExportOptions {
                format,
                out,
                include_restricted: false,
                base_url: None,
            },
            progress,
        )?);
    }
    Ok(reports)
}
