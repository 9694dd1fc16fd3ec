//! Reading what is inside the masters: technical metadata and EXIF, access copies and
//! thumbnails of every image page, the text layer of PDFs, OCR, the language of every
//! text, and perceptual hashes for near-duplicates.
//!
//! Runs after the masters are committed (by `ingest`, and by `hishatak derive`), so a file
//! that no decoder can read is still kept bit for bit: it is flagged with the reason and
//! gets no derivative. Every file is analysed on a worker thread under a time limit, with
//! decoder limits on pixels and memory, and with panics from third-party parsers caught.
//! Derivatives go into the object store with the same durable protocol as masters, then
//! one catalog transaction per item records them.

pub mod image_meta;
pub mod lang;
pub mod ocr;
pub mod pdf;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::Once;
use std::time::Duration;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use crate::archive::Archive;
use crate::catalog::Item;
use crate::derive::{self, Derived};
use crate::error::{Error, Result};
use crate::progress::Progress;

/// When to OCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OcrMode {
    /// Image pages and text-less PDF pages of items that have no transcript and are not
    /// photographs.
    #[default]
    Auto,
    /// Every image page and text-less PDF page.
    Always,
    /// Never.
    Never,
}

impl OcrMode {
    /// Parse `auto`, `always` or `never`.
    pub fn parse(s: &str) -> Result<OcrMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(OcrMode::Auto),
            "always" => Ok(OcrMode::Always),
            "never" => Ok(OcrMode::Never),
            _ => Err(Error::invalid(format!(
                "'{s}' is not an OCR mode; use auto, always or never"
            ))),
        }
    }
}

/// One page made from a master.
#[derive(Debug, Clone)]
pub struct PageOut {
    /// Access copy.
    pub access: Derived,
    /// Thumbnail.
    pub thumbnail: Derived,
    /// Perceptual hash (hex, 64 bits).
    pub phash: String,
}

/// A text found in a master.
#[derive(Debug, Clone)]
pub struct FoundText {
    /// `pdf` or `ocr`.
    pub source: &'static str,
    /// Page within the master (1-based).
    pub page: usize,
    /// The text.
    pub text: String,
    /// OCR confidence.
    pub confidence: Option<f64>,
    /// OCR packs used.
    pub packs: Option<String>,
}

/// What was read from one master file.
#[derive(Debug, Clone)]
pub struct FileAnalysis {
    /// Technical metadata (JSON).
    pub meta: Value,
    /// Why the file (or a page of it) could not be read.
    pub problems: Vec<String>,
    /// Pages (images: every page; PDFs: none).
    pub pages: Vec<Option<PageOut>>,
    /// Texts found.
    pub texts: Vec<FoundText>,
}

impl FileAnalysis {
    /// Keep the text OCR found on a page (nothing when the page had none), or say why OCR
    /// failed there.
    fn add_ocr(&mut self, r: std::result::Result<ocr::Ocr, String>, name: &str, page: usize) {
        match r {
            Ok(o) if !o.text.trim().is_empty() => self.texts.push(FoundText {
                source: "ocr",
                page,
                text: o.text,
                confidence: Some(o.confidence),
                packs: Some(o.langs),
            }),
            Ok(_) => {}
            Err(e) => self.problems.push(format!("{name} page {page}: OCR: {e}")),
        }
    }
}

/// Settings of one analysis run.
#[derive(Debug, Clone)]
pub struct Options {
    /// OCR mode.
    pub ocr: OcrMode,
    /// Analyse items again even when they were analysed before (`derive`).
    pub force: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            ocr: OcrMode::Auto,
            force: false,
        }
    }
}

/// What a content run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContentReport {
    /// Items analysed.
    pub items: usize,
    /// Master files analysed.
    pub files: usize,
    /// Access copies and thumbnails made.
    pub derivatives: usize,
    /// Text sources added (PDF pages and OCR pages).
    pub texts: usize,
    /// Files or pages flagged, with the reason.
    pub flagged: Vec<String>,
    /// Near-duplicates and tool notes.
    pub warnings: Vec<String>,
}

/// Panics inside the parsers are caught and reported as flags; keep the default hook
/// from printing them as if hishatak had crashed.
fn quiet_worker_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let worker = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("hishatak-content"));
            if !worker {
                default(info);
            }
        }));
    });
}

/// Run `f` on a named worker thread with a time limit; a panic or a timeout becomes Err.
fn limited<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::result::Result<T, String> {
    quiet_worker_panics();
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("hishatak-content".into())
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Err(format!("{what}: no worker thread ({e})"));
    }
    match rx.recv_timeout(limit) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(_)) => Err(format!(
            "{what}: the decoder failed on this file (malformed data)"
        )),
        // The worker is left to finish on its own; it holds no lock and writes nothing.
        Err(_) => Err(format!(
            "{what}: reading it took longer than {} s and was abandoned",
            limit.as_secs()
        )),
    }
}

/// Two image pages whose perceptual hashes differ in at most this many of 256 bits are
/// reported as near-duplicates (a rescan, a resized or recompressed copy, a slight crop).
/// Measured on real photographs (scikit-image's CC0 set): a 3 % crop moves the hash by up
/// to 33 bits, resizing and JPEG quality 50 by up to 11; different photographs were at
/// least 59 bits apart. Drawn pictures built from one template can come closer (27).
pub const NEAR_DUPLICATE_DISTANCE: u32 = 40;

/// Perceptual hash (gradient, 256 bits) of an image, as 64 hex digits.
pub fn phash(img: &image::DynamicImage) -> String {
    let hasher = image_hasher::HasherConfig::new()
        .hash_alg(image_hasher::HashAlg::Gradient)
        .hash_size(16, 16)
        .to_hasher();
    hex::encode(hasher.hash_image(img).as_bytes())
}

/// A perceptual hash decoded once for comparing: 256 bits as four words, so that a
/// distance is four XORs and popcounts (decoding the hex of both sides for every pair
/// made ingest of 100,000 similar pages spend its time in the allocator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bits([u64; 4]);

impl Bits {
    /// The 64 hex digits `phash` writes; `None` for anything else.
    pub fn parse(hex: &str) -> Option<Bits> {
        let bytes = hex::decode(hex).ok()?;
        if bytes.len() != 32 {
            return None;
        }
        let mut w = [0u64; 4];
        for (word, chunk) in w.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *word = u64::from_be_bytes(b);
        }
        Some(Bits(w))
    }

    /// Hamming distance: how many of the 256 bits differ.
    pub fn distance(&self, other: &Bits) -> u32 {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a ^ b).count_ones())
            .sum()
    }
}

/// At most this many near-duplicates are named in an ingest warning per page; the rest are
/// counted (`hishatak duplicates` lists every group). Pages made from one template, such
/// as blank forms or typed sheets, can all be near one another, and one warning per pair
/// grew as the square of the pages.
pub const NEAR_DUPLICATES_NAMED: usize = 3;

/// Everything needed to analyse one master, owned so it can move to a worker thread.
struct Job {
    item: String,
    name: String,
    sha256: String,
    media_type: String,
    path: PathBuf,
    langs: Vec<String>,
    ocr: bool,
    access_edge: u32,
    thumb_edge: u32,
    quality: u8,
    ocr_limit: Duration,
    tmp: PathBuf,
}

/// Files larger than this are kept and described but not decoded.
const MAX_ANALYSE_BYTES: u64 = 2 << 30;

fn analyse(job: &Job) -> FileAnalysis {
    let mut a = FileAnalysis {
        meta: json!({"media_type": job.media_type}),
        problems: Vec::new(),
        pages: Vec::new(),
        texts: Vec::new(),
    };
    let bytes = match std::fs::read(&job.path) {
        Ok(b) => b,
        Err(e) => {
            a.problems
                .push(format!("{}: cannot be read from the store ({e})", job.name));
            return a;
        }
    };
    if job.media_type == "application/pdf" {
        let info = pdf::read(&bytes);
        a.meta = info.meta;
        a.problems
            .extend(info.problem.map(|p| format!("{}: {p}", job.name)));
        let page_count = a.meta["pages"].as_u64().unwrap_or(0) as usize;
        for (i, text) in info.pages.iter().enumerate() {
            if text.chars().any(char::is_alphanumeric) {
                a.texts.push(FoundText {
                    source: "pdf",
                    page: i + 1,
                    text: text.clone(),
                    confidence: None,
                    packs: None,
                });
            }
        }
        if job.ocr && a.meta["encrypted"] != json!(true) && ocr::available() && ocr::can_rasterize()
        {
            for page in 1..=page_count.min(500) {
                let has_text = info
                    .pages
                    .get(page - 1)
                    .is_some_and(|t| t.chars().filter(|c| c.is_alphanumeric()).count() > 20);
                if has_text {
                    continue;
                }
                let r = ocr::rasterize(&job.path, page, &job.tmp, job.ocr_limit)
                    .and_then(|img| ocr::recognise(&img, &job.langs, &job.tmp, job.ocr_limit));
                a.add_ocr(r, &job.name, page);
            }
        }
        return a;
    }
    if !derive::decodable(&job.media_type) {
        return a;
    }
    if job.media_type == "image/jpeg" && !jpeg_complete(&bytes) {
        a.problems.push(format!(
            "{}: the JPEG is truncated (no end-of-image marker); the access copy shows only what could be decoded",
            job.name
        ));
    }
    match image_meta::describe(&bytes, &job.media_type) {
        Ok(m) => a.meta = m,
        Err(e) => {
            a.problems
                .push(format!("{}: the image cannot be read ({e})", job.name));
            return a;
        }
    }
    for (i, page) in image_meta::pages(&bytes, &job.media_type, &job.name)
        .into_iter()
        .enumerate()
    {
        let img = match page {
            Ok(img) => img,
            Err(e) => {
                a.problems.push(e);
                a.pages.push(None);
                continue;
            }
        };
        let made = derive::access_and_thumbnail(&img, job.access_edge, job.thumb_edge, job.quality)
            .map(|(access, thumbnail, small)| PageOut {
                access,
                thumbnail,
                // From the thumbnail-sized image: the hash looks at 17x16 cells anyway.
                phash: phash(&small),
            });
        match made {
            Ok(p) => a.pages.push(Some(p)),
            Err(e) => {
                a.problems.push(format!("{} page {}: {e}", job.name, i + 1));
                a.pages.push(None);
            }
        }
        if job.ocr {
            let r = ocr::recognise(&img, &job.langs, &job.tmp, job.ocr_limit);
            a.add_ocr(r, &job.name, i + 1);
        }
    }
    a
}

/// Whether a JPEG ends with its end-of-image marker (trailing padding allowed).
fn jpeg_complete(bytes: &[u8]) -> bool {
    let end = bytes
        .iter()
        .rposition(|&b| b != 0x00 && b != 0x0A && b != 0x0D && b != 0x20)
        .unwrap_or(0);
    end >= 1 && bytes[end - 1] == 0xFF && bytes[end] == 0xD9
}

/// Analyse the masters of these items and record what was found; with `force`, items
/// that were analysed before are done again (their old derivatives are replaced).
pub fn process(
    archive: &mut Archive,
    ids: &[String],
    opts: &Options,
    progress: &dyn Progress,
) -> Result<ContentReport> {
    let mut report = ContentReport::default();
    let settings = archive.settings.clone();
    let d = &settings.derivatives;
    let limit = Duration::from_secs(settings.content.file_time_limit_s.max(1));
    let ocr_limit = Duration::from_secs(settings.content.ocr_time_limit_s.max(1));
    let tmp_root = archive
        .root()
        .join("objects")
        .join("tmp")
        .join(format!("content-{}", std::process::id()));
    std::fs::create_dir_all(&tmp_root).map_err(|e| Error::io(&tmp_root, e))?;
    // The items with something inside to read, not read yet: found a chunk of ids at a
    // time; the items themselves are loaded a group at a time below, so memory holds
    // one group, not every new item (a large ingest reads inside all it stored).
    let mut todo: Vec<String> = Vec::new();
    let mut total = 0u64;
    for chunk in ids.chunks(1000) {
        let norm: Vec<String> = chunk
            .iter()
            .map(|i| crate::catalog::normalize_item_id(i))
            .collect();
        let worth = archive.catalog.items_with_content(&norm)?;
        let from = todo.len();
        for id in norm {
            if !worth.contains(&id) {
                continue;
            }
            if !opts.force && archive.catalog.was_analysed(&id)? {
                continue;
            }
            todo.push(id);
        }
        total += archive.catalog.count_masters(&todo[from..])?;
    }
    let want_ocr = |item: &Item| match opts.ocr {
        OcrMode::Never => false,
        OcrMode::Always => true,
        // Photographs seldom hold text worth reading and OCR of them gives noise.
        OcrMode::Auto => {
            item.kind() != crate::model::Kind::Photo
                && !item.texts.iter().any(|t| t.source == "transcript")
        }
    };
    // Our own pool for the outer loop: the parsers use rayon's global pool inside (lopdf,
    // image), and must find its threads free rather than all waiting on us.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(std::thread::available_parallelism().map_or(2, |n| n.get()))
        .thread_name(|i| format!("hishatak-files-{i}"))
        .build()
        .map_err(|e| Error::invalid(format!("no worker threads: {e}")))?;
    let allowed = settings.languages.clone();
    // Image pages already in the archive, for near-duplicate warnings; new pages join it.
    let mut known = archive.catalog.image_hashes()?;
    let mut known_bits: Vec<Option<Bits>> = known.iter().map(|k| Bits::parse(&k.hash)).collect();
    progress.begin("reading", total, 0);
    let mut told_no_ocr = false;
    // A group of items at a time: loaded, analysed on all cores, made durable, recorded,
    // and dropped, so memory stays flat however many items come in.
    for group_ids in todo.chunks(32) {
        let loaded = archive.catalog.items(group_ids)?;
        let group: &[Item] = &loaded;
        if !told_no_ocr && group.iter().any(&want_ocr) && !ocr::available() {
            report.warnings.push(
                "tesseract is not installed: no OCR was done (install tesseract-ocr and its language packs, then run `hishatak derive`)"
                    .into(),
            );
            told_no_ocr = true;
        }
        let mut jobs = Vec::new();
        for item in group {
            for f in item.files.iter().filter(|f| f.role == "master") {
                let n = jobs.len();
                jobs.push(Job {
                    item: item.id.clone(),
                    name: f.name.clone(),
                    sha256: f.sha256.clone(),
                    media_type: f.media_type.clone(),
                    path: archive.store.local_file(&f.sha256)?,
                    langs: item.record.langs.clone(),
                    ocr: want_ocr(item) && ocr::available(),
                    access_edge: d.access_long_edge,
                    thumb_edge: d.thumbnail_long_edge,
                    quality: d.jpeg_quality,
                    ocr_limit,
                    tmp: tmp_root.join(format!("j{n}")),
                });
                let size = f.size;
                if size > MAX_ANALYSE_BYTES {
                    jobs.pop();
                    report.flagged.push(format!(
                        "{} {}: {} bytes is more than this version analyses; kept as master only",
                        item.id, f.name, size
                    ));
                }
            }
        }
        let results: Vec<(usize, FileAnalysis)> = pool.install(|| {
            jobs.par_iter()
                .enumerate()
                .map(|(i, job)| {
                    let _ = std::fs::create_dir_all(&job.tmp);
                    let owned = Job {
                        item: job.item.clone(),
                        name: job.name.clone(),
                        sha256: job.sha256.clone(),
                        media_type: job.media_type.clone(),
                        path: job.path.clone(),
                        langs: job.langs.clone(),
                        ocr: job.ocr,
                        access_edge: job.access_edge,
                        thumb_edge: job.thumb_edge,
                        quality: job.quality,
                        ocr_limit: job.ocr_limit,
                        tmp: job.tmp.clone(),
                    };
                    if !derive::decodable(&job.media_type) && job.media_type != "application/pdf" {
                        // Text and other files: nothing to decode.
                        progress.advance(1, 0);
                        return (
                            i,
                            FileAnalysis {
                                meta: json!({"media_type": job.media_type}),
                                problems: Vec::new(),
                                pages: Vec::new(),
                                texts: Vec::new(),
                            },
                        );
                    }
                    // OCR has its own limit per page; the file limit covers decoding.
                    let file_limit = if owned.ocr {
                        limit + ocr_limit * 4
                    } else {
                        limit
                    };
                    let r = limited(file_limit, &job.name, move || analyse(&owned)).unwrap_or_else(
                        |e| FileAnalysis {
                            meta: json!({"media_type": job.media_type}),
                            problems: vec![e],
                            pages: Vec::new(),
                            texts: Vec::new(),
                        },
                    );
                    let _ = std::fs::remove_dir_all(&job.tmp);
                    progress.advance(1, 0);
                    (i, r)
                })
                .collect()
        });
        let mut by_item: BTreeMap<String, Vec<(usize, FileAnalysis)>> = BTreeMap::new();
        for (i, r) in results {
            by_item
                .entry(jobs[i].item.clone())
                .or_default()
                .push((i, r));
        }
        // Derivatives of the group are made durable together, then one catalog transaction
        // records it.
        for chunk in group.chunks(200) {
            let staging = archive.store.writer()?;
            let mut staged = Vec::new();
            let mut batch: Vec<(String, crate::catalog::ContentRecord)> = Vec::new();
            for item in chunk {
                let analyses = by_item.remove(&item.id).unwrap_or_default();
                let mut record = crate::catalog::ContentRecord::default();
                let mut global_page = 0usize;
                for (i, a) in &analyses {
                    let job = &jobs[*i];
                    record.objects.push((
                        job.sha256.clone(),
                        job.media_type.clone(),
                        a.meta.clone(),
                        (!a.problems.is_empty()).then(|| a.problems.join("; ")),
                    ));
                    for p in &a.problems {
                        report.flagged.push(format!("{} {p}", item.id));
                    }
                    let master_page = item
                        .files
                        .iter()
                        .find(|f| f.role == "master" && f.sha256 == job.sha256)
                        .and_then(|f| f.page)
                        .unwrap_or(1);
                    for (k, page) in a.pages.iter().enumerate() {
                        global_page += 1;
                        let Some(page) = page else { continue };
                        for (role, d) in [("access", &page.access), ("thumbnail", &page.thumbnail)]
                        {
                            let s = staging
                                .stage(
                                    &mut std::io::Cursor::new(&d.bytes),
                                    std::path::Path::new(&job.name),
                                    d.bytes.len() as u64,
                                )
                                .map_err(|e| match e {
                                    crate::store::StageError::Source(e)
                                    | crate::store::StageError::Store(e) => e,
                                })?;
                            record.derivatives.push(crate::catalog::NewDerivative {
                                role,
                                page: global_page as i64,
                                name: format!("{}-p{:04}.jpg", role, global_page),
                                sha256: s.sha256.clone(),
                                size: s.size,
                                width: d.width,
                                height: d.height,
                            });
                            staged.push(s);
                        }
                        record
                            .hashes
                            .push((job.sha256.clone(), k as i64 + 1, page.phash.clone()));
                    }
                    if a.pages.is_empty() {
                        global_page += 1;
                    }
                    for t in &a.texts {
                        record.texts.push(crate::catalog::NewText {
                            source: t.source,
                            lang: None,
                            page: Some(master_page + t.page as i64 - 1),
                            name: Some(job.name.clone()),
                            sha256: Some(job.sha256.clone()),
                            encoding: t.packs.clone().map(|p| format!("tesseract:{p}")),
                            body: t.text.clone(),
                        });
                        record.confidences.push(t.confidence);
                    }
                }
                // Languages of every text source of the item (stored and new).
                let mut detected: Vec<Option<String>> = Vec::new();
                for t in &record.texts {
                    detected.push(lang::detect(&t.body, &allowed));
                }
                record.detected = detected;
                record.existing_detected = item
                    .texts
                    .iter()
                    .map(|t| lang::detect(&t.text, &allowed))
                    .collect();
                // Near-duplicates among image pages already in the archive (or earlier in this run).
                for (sha, page, h) in &record.hashes {
                    let name = item
                        .files
                        .iter()
                        .find(|f| &f.sha256 == sha)
                        .map(|f| f.name.clone())
                        .unwrap_or_default();
                    let bits = Bits::parse(h);
                    let mut close: Vec<(u32, &str, i64)> = match &bits {
                        Some(b) => known
                            .iter()
                            .zip(&known_bits)
                            .filter_map(|(k, kb)| {
                                let d = kb.as_ref()?.distance(b);
                                (d <= NEAR_DUPLICATE_DISTANCE && k.item != item.id).then_some((
                                    d,
                                    k.item.as_str(),
                                    k.page,
                                ))
                            })
                            .collect(),
                        None => Vec::new(),
                    };
                    close.sort();
                    close.dedup_by(|a, b| a.1 == b.1);
                    for (d, other_item, other_page) in close.iter().take(NEAR_DUPLICATES_NAMED) {
                        report.warnings.push(format!(
                    "{} ({name} page {page}) looks like {other_item} page {other_page} (distance {d} of 256): the same picture scanned or saved again?",
                    item.id
                ));
                    }
                    if close.len() > NEAR_DUPLICATES_NAMED {
                        report.warnings.push(format!(
                            "{} ({name} page {page}) is also close to {} more item(s); `hishatak duplicates` lists every group",
                            item.id,
                            close.len() - NEAR_DUPLICATES_NAMED
                        ));
                    }
                    known_bits.push(bits);
                    known.push(crate::catalog::ImageHash {
                        item: item.id.clone(),
                        name,
                        sha256: sha.clone(),
                        page: *page,
                        hash: h.clone(),
                    });
                }
                report.derivatives += record.derivatives.len();
                report.texts += record.texts.len();
                report.files += analyses.len();
                report.items += 1;
                batch.push((item.id.clone(), record));
            }
            if let Err(e) = staging.commit(&staged) {
                staging.discard(staged);
                return Err(e);
            }
            archive.catalog.record_contents(&batch)?;
        }
    }
    progress.end();
    let _ = std::fs::remove_dir_all(&tmp_root);
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance of two hex hashes as the callers compute it: `u32::MAX` when either
    /// cannot be read.
    fn distance(a: &str, b: &str) -> u32 {
        match (Bits::parse(a), Bits::parse(b)) {
            (Some(x), Some(y)) => x.distance(&y),
            _ => u32::MAX,
        }
    }

    #[test]
    fn bits_distance_counts_differing_bits_and_refuses_other_lengths() {
        let zero = "00".repeat(32);
        let mut last = "00".repeat(31);
        last.push_str("ff");
        assert_eq!(distance(&zero, &last), 8);
        assert_eq!(distance(&zero, &zero), 0);
        assert_eq!(distance(&zero, &"f".repeat(64)), 256);
        assert_eq!(distance(&zero, &"81".repeat(32)), 64);
        assert_eq!(distance(&zero, "00ff"), u32::MAX);
        assert_eq!(distance(&zero, &"zz".repeat(32)), u32::MAX);
    }
}
