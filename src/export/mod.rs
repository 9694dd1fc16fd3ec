//! Exports: pure functions of the catalog, the object store and a curated set.
//!
//! Every format is written under a temporary name beside `--out` and renamed into place
//! only when complete, so an interrupted export never leaves a package that looks
//! finished. Packages are deterministic: the same set exported twice gives the same bytes
//! (timestamps come from the set's last change, or `SOURCE_DATE_EPOCH`; entries are
//! written in a fixed order; image encoding is deterministic).
//!
//! Access rules: withdrawn items are left out with a warning; restricted and embargoed
//! items are refused by id unless `include_restricted` is set, and then nothing is written.

mod bagit;
mod dc;
mod iiif;
mod sha512;
mod sink;
mod site;
mod zipwriter;

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::{json, Value};

use crate::archive::Archive;
use crate::catalog::{FileRow, Item, Set, SetEntry};
use crate::clock;
use crate::derive;
use crate::error::{Error, IoContext, Result};
use crate::progress::Progress;

use sink::Spill;
pub use sink::{DirSink, Sink, Written, ZipSink};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The exhibition package: site, access copies, metadata.
    Zip,
    /// A BagIt 1.0 bag of the masters.
    Bagit,
    /// IIIF Presentation 3.0 collection and manifests.
    Iiif,
    /// A static web exhibition.
    Site,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Zip, Format::Bagit, Format::Iiif, Format::Site];

    /// Its name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Zip => "zip",
            Format::Bagit => "bagit",
            Format::Iiif => "iiif",
            Format::Site => "site",
        }
    }

    /// Parse a name.
    pub fn parse(s: &str) -> Result<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "'{s}' is not an export format; use zip, bagit, iiif or site"
                ))
            })
    }
}

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Format.
    pub format: Format,
    /// Where the package goes (a folder, or a `.zip` file for zip).
    pub out: PathBuf,
    /// Export restricted and embargoed items too.
    pub include_restricted: bool,
    /// Where IIIF files will be served (default `http://localhost:8000/`).
    pub base_url: Option<String>,
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// Set name.
    pub set: String,
    /// Format.
    pub format: Format,
    /// Package path.
    pub out: PathBuf,
    /// Items exported, in order.
    pub items: Vec<String>,
    /// Withdrawn items left out.
    pub withdrawn: Vec<String>,
    /// Restricted or embargoed items included (only with `include_restricted`).
    pub restricted_included: Vec<String>,
    /// Files written.
    pub files: u64,
    /// Bytes written (payload before compression).
    pub bytes: u64,
    /// Notes for the user (items with no image in IIIF, ...).
    pub warnings: Vec<String>,
}

/// One page of an item in a package.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Page {
    pub page: i64,
    pub master: FileRow,
    /// Access image (JPEG) or, for PDF and text, the file itself; path in the package.
    pub access: Option<Asset>,
    pub thumbnail: Option<Asset>,
}

/// A file written into the package.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Asset {
    pub path: String,
    pub media_type: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub sha256: String,
    pub size: u64,
}

/// An item as it goes into a package: its place and captions in the set and the files
/// written for its pages. Neither the full record (texts, metadata) nor the pages are kept
/// in [`Package::items`]: writers get both from [`Package::each_item`], which reads the
/// records from the catalog and the pages from a spill file a chunk at a time, so what a
/// package holds in memory per item stays small however large the set.
#[derive(Debug, Clone)]
pub(crate) struct PkgItem {
    /// Position, canonical item id and captions.
    pub entry: SetEntry,
    /// Open to the public today (restricted items travel only with `include_restricted`).
    pub public: bool,
    /// The item's pages: empty in [`Package::items`], filled in what `each_item` passes.
    pub pages: Vec<Page>,
}

impl PkgItem {
    /// The item's id.
    pub fn id(&self) -> &str {
        &self.entry.id
    }
}

/// Items read from the catalog at once by [`Package::each_item`].
const CHUNK: usize = 256;

/// Everything a format writer needs.
pub(crate) struct Package<'a> {
    pub archive: &'a Archive,
    pub set: Set,
    pub items: Vec<PkgItem>,
    /// Fixed timestamp (Unix seconds) of every entry.
    pub epoch: i64,
    /// Languages of the package, most used first.
    pub langs: Vec<String>,
    pub warnings: Vec<String>,
    /// The pages of every item, one JSON line per item in set order, written by
    /// [`make_assets`] (none before it, or for BagIt, which needs no access copies).
    pages: Option<Spill>,
    /// The package's temporary path, beside which that file is made.
    spill_path: PathBuf,
}

impl Package<'_> {
    /// `YYYY-MM-DD` of the fixed timestamp.
    pub fn date(&self) -> String {
        clock::rfc3339(self.epoch)[..10].to_string()
    }

    /// Call `f` with each item of the package in set order (its index, its package entry
    /// and its full record), reading the records from the catalog [`CHUNK`] at a time.
    pub fn each_item(&self, mut f: impl FnMut(usize, &PkgItem, &Item) -> Result<()>) -> Result<()> {
        use std::io::BufRead;
        let mut spill = match &self.pages {
            Some(file) => {
                let path = file.path();
                let f = std::fs::File::open(path).at(path)?;
                Some((std::io::BufReader::new(f).lines(), path))
            }
            None => None,
        };
        let mut k = 0;
        for chunk in self.items.chunks(CHUNK) {
            let ids: Vec<String> = chunk.iter().map(|p| p.entry.id.clone()).collect();
            let full = self.archive.catalog.items(&ids)?;
            for (p, item) in chunk.iter().zip(&full) {
                let pages = match &mut spill {
                    Some((lines, path)) => {
                        let line = lines
                            .next()
                            .ok_or_else(|| {
                                Error::invalid(format!("{}: ends early", path.display()))
                            })?
                            .at(*path)?;
                        serde_json::from_str(&line).map_err(|e| {
                            Error::invalid(format!("{}: item {k}: {e}", path.display()))
                        })?
                    }
                    None => Vec::new(),
                };
                let with_pages = PkgItem {
                    entry: p.entry.clone(),
                    public: p.public,
                    pages,
                };
                f(k, &with_pages, item)?;
                k += 1;
            }
        }
        Ok(())
    }
}

/// The fixed timestamp: `SOURCE_DATE_EPOCH` when set, else the set's last change.
fn epoch_of(set: &Set) -> i64 {
    if let Some(e) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return e;
    }
    parse_rfc3339(&set.updated).unwrap_or(0)
}

/// Seconds of a `YYYY-MM-DDThh:mm:ssZ` timestamp.
fn parse_rfc3339(t: &str) -> Option<i64> {
    let num = |a: usize, b: usize| t.get(a..b)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let days = crate::edtf::days_from_civil(y, u32::try_from(mo).ok()?, u32::try_from(d).ok()?);
    Some(days * 86_400 + h * 3600 + mi * 60 + s)
}

/// A file name safe on every file system, keeping letters of any script: the last
/// component of the stored name, with separators, control and reserved characters and
/// bidirectional overrides replaced, leading and trailing dots and spaces removed, at most
/// 180 bytes, and Windows device names (`CON`, `nul.txt`, `COM1.tar.gz`) prefixed with `_`.
pub(crate) fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control()
                || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                // An override shows `invoice<RLO>txt.exe` as `invoiceexe.txt`.
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
            {
                '_'
            } else if c == '%' {
                // RFC 8493 wants `%` percent-encoded in manifests, but bagit-python (and
                // most validators) do not decode it (bagit-python issue #157), so a
                // correct bag with `%` in a name is refused there. A full-width percent
                // sign keeps the name readable and every tool agrees on it; the original
                // name stays in the item's metadata.
                '\u{FF05}'
            } else {
                c
            }
        })
        .collect();
    let edges = |c: char| c == '.' || c.is_whitespace();
    let mut out = String::new();
    for c in cleaned.trim_matches(edges).chars() {
        if out.len() + c.len_utf8() > 180 {
            break;
        }
        out.push(c);
    }
    // Cutting may leave a dot or space at the end, which Windows drops.
    let out = out.trim_end_matches(edges);
    if out.is_empty() {
        return "file".into();
    }
    let stem = out
        .split('.')
        .next()
        .unwrap_or(out)
        .trim_end()
        .to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        format!("_{out}")
    } else {
        out.to_string()
    }
}

/// `files/ID/NAME` for a master that travels as it is; a name already used in the item
/// (two pages `x/notes.txt` and `y/notes.txt`) gets its page number, as in bags.
fn file_path(
    id: &str,
    name: &str,
    page: i64,
    used: &mut std::collections::BTreeSet<String>,
) -> String {
    let mut name = safe_name(name);
    if !used.insert(name.clone()) {
        name = format!("p{page:04}-{name}");
        used.insert(name.clone());
    }
    format!("files/{id}/{name}")
}

/// A package path as a URL path: every byte outside the unreserved set (and `/`)
/// percent-encoded, so names with spaces, `#`, `?` or non-Latin letters link correctly.
pub(crate) fn url_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Export a set.
pub fn export(
    archive: &mut Archive,
    set_name: &str,
    opts: &ExportOptions,
    progress: &dyn Progress,
) -> Result<ExportReport> {
    let mut set = archive.catalog.set(set_name)?;
    if set.items.is_empty() {
        return Err(Error::invalid(format!(
            "set '{}' has no items; add some with `hishatak set add {} ID...`",
            set.name, set.name
        )));
    }
    // One pass over the records, a chunk at a time: access, and the languages used. The
    // set's entries move into the package (captions and ids are not copied).
    let mut withdrawn = Vec::new();
    let mut restricted = Vec::new();
    let mut items = Vec::with_capacity(set.items.len());
    let mut langs = LangCount::default();
    langs.add_set(&set);
    let mut entries = std::mem::take(&mut set.items).into_iter();
    loop {
        let chunk: Vec<SetEntry> = entries.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let ids: Vec<String> = chunk.iter().map(|e| e.id.clone()).collect();
        for (entry, item) in chunk.into_iter().zip(archive.catalog.items(&ids)?) {
            if item.withdrawn.is_some() {
                withdrawn.push(item.id.clone());
                continue;
            }
            let public = item.is_public();
            if !public {
                restricted.push(format!("{} ({})", item.id, item.record.access.as_string()));
            }
            langs.add_item(&entry, &item);
            items.push(PkgItem {
                entry: SetEntry {
                    id: item.id.clone(),
                    ..entry
                },
                public,
                pages: Vec::new(),
            });
        }
    }
    // The emptied list still holds its buffer (one slot per set entry): free it before
    // the files are written.
    drop(entries);
    if !restricted.is_empty() && !opts.include_restricted {
        return Err(Error::invalid(format!(
            "set '{}' holds {} item(s) that are not open to the public: {}; nothing was exported. Remove them from the set (`hishatak set remove {} ID`) or pass --include-restricted if this package stays inside the archive",
            set.name,
            restricted.len(),
            restricted.join(", "),
            set.name
        )));
    }
    if items.is_empty() {
        return Err(Error::invalid(format!(
            "every item of set '{}' is withdrawn; nothing to export",
            set.name
        )));
    }
    let parent = match opts.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).at(&parent)?;
    let file_name = opts
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| {
            Error::invalid(format!(
                "--out {} needs a file or folder name",
                opts.out.display()
            ))
        })?;
    // Leftovers of a killed export to this name go first, also when that export had
    // finished its package before it was killed (its scratch files were still there).
    remove_stale_partials(&parent, &file_name);
    if opts.out.exists() {
        return Err(Error::invalid(format!(
            "{} already exists; give another --out or remove it first (nothing was exported)",
            opts.out.display()
        )));
    }
    let tmp = parent.join(format!(".{file_name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let _ = std::fs::remove_file(&tmp);

    let mut pkg = Package {
        archive,
        epoch: epoch_of(&set),
        langs: langs.ranked(),
        set: Set {
            items: Vec::new(),
            ..set.clone()
        },
        items,
        warnings: Vec::new(),
        pages: None,
        spill_path: tmp.clone(),
    };
    let result = write_format(&mut pkg, opts, &tmp, progress);
    // The page list is no longer needed: remove it before the package gets its name.
    pkg.pages = None;
    let (files, bytes) = match result {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    let renamed =
        crate::fault::hit("export-rename").and_then(|()| std::fs::rename(&tmp, &opts.out));
    if let Err(e) = renamed {
        let _ = std::fs::remove_dir_all(&tmp);
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(&opts.out, e));
    }
    crate::store::sync_dir(&parent)?;
    let ids: Vec<String> = pkg.items.iter().map(|p| p.id().to_string()).collect();
    let restricted_included: Vec<String> = pkg
        .items
        .iter()
        .filter(|p| !p.public)
        .map(|p| p.id().to_string())
        .collect();
    let warnings = pkg.warnings;
    archive.catalog.record_export(
        &set.name,
        opts.format.as_str(),
        &opts.out.display().to_string(),
        &ids,
    )?;
    Ok(ExportReport {
        set: set.name,
        format: opts.format,
        out: opts.out.clone(),
        items: ids,
        withdrawn,
        restricted_included,
        files,
        bytes,
        warnings,
    })
}

fn write_format(
    pkg: &mut Package<'_>,
    opts: &ExportOptions,
    tmp: &Path,
    progress: &dyn Progress,
) -> Result<(u64, u64)> {
    match opts.format {
        Format::Bagit => bagit::write(pkg, tmp, progress),
        Format::Iiif => {
            let mut sink = DirSink::new(tmp)?;
            make_assets(pkg, &mut sink, progress)?;
            iiif::write(pkg, &mut sink, opts.base_url.as_deref())?;
            sink.finish()
        }
        Format::Site => {
            let mut sink = DirSink::new(tmp)?;
            make_assets(pkg, &mut sink, progress)?;
            site::write(pkg, &mut sink)?;
            sink.finish()
        }
        Format::Zip => {
            let mut sink = ZipSink::new(tmp, pkg.epoch)?;
            make_assets(pkg, &mut sink, progress)?;
            site::write(pkg, &mut sink)?;
            let files = sink.written()?;
            sink.add_streamed("manifest.json", &mut |w| write_manifest(pkg, &files, w))?;
            sink.add_streamed("metadata.csv", &mut |w| dc::write_metadata_csv(pkg, w))?;
            sink.add_streamed("metadata.xml", &mut |w| dc::write_metadata_xml(pkg, w))?;
            sink.add_streamed("captions.csv", &mut |w| dc::write_captions_csv(pkg, w))?;
            sink.finish()
        }
    }
}

/// Languages used by the set's titles, the captions and the items, counted as the items
/// are read, ranked most used first (ties by code) for the language switch.
#[derive(Default)]
struct LangCount(std::collections::BTreeMap<String, usize>);

impl LangCount {
    fn add_set(&mut self, set: &Set) {
        for l in set.titles.keys().filter(|l| !l.is_empty()) {
            *self.0.entry(l.clone()).or_default() += 3;
        }
    }

    fn add_item(&mut self, entry: &SetEntry, item: &Item) {
        for l in entry.captions.keys().filter(|l| !l.is_empty()) {
            *self.0.entry(l.clone()).or_default() += 2;
        }
        for l in item.record.titles.keys() {
            *self.0.entry(l.clone()).or_default() += 1;
        }
    }

    fn ranked(self) -> Vec<String> {
        let mut v: Vec<(String, usize)> = self.0.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter().map(|(l, _)| l).collect()
    }
}

/// Make (or copy) the access copy and thumbnail of every page and write them into the
/// sink in set order, a few items at a time on all cores, so memory stays flat however
/// large the set. Items whose access copies and thumbnails were made at ingest (or by
/// `derive`) use them: every page of multi-page scans, no decoding here.
pub(crate) fn make_assets(
    pkg: &mut Package<'_>,
    sink: &mut dyn Sink,
    progress: &dyn Progress,
) -> Result<()> {
    let archive = pkg.archive;
    let store = archive.store.as_ref();
    let d = &archive.settings.derivatives;
    let (access_edge, thumb_edge, quality) =
        (d.access_long_edge, d.thumbnail_long_edge, d.jpeg_quality);
    progress.begin("exporting", pkg.items.len() as u64, 0);
    let mut warnings = Vec::new();
    let spill = Spill::beside(&pkg.spill_path, "pages");
    let file = std::fs::File::create(spill.path()).at(spill.path())?;
    let mut out = std::io::BufWriter::new(file);
    for chunk in pkg.items.chunks_mut(8) {
        let ids: Vec<String> = chunk.iter().map(|p| p.entry.id.clone()).collect();
        let full = archive.catalog.items(&ids)?;
        let stored: Vec<Option<Vec<StoredPage>>> = full.iter().map(stored_pages).collect();
        // Decode and encode the pages that have no stored derivatives in parallel; write
        // in order.
        let made: Vec<Vec<Result<Made>>> = full
            .par_iter()
            .zip(&stored)
            .map(|(item, stored)| {
                if stored.is_some() {
                    return Vec::new();
                }
                masters(item)
                    .into_iter()
                    .map(|m| {
                        if !derive::decodable(&m.media_type) {
                            return Ok((None, None));
                        }
                        let path = store.local_file(&m.sha256)?;
                        let f = std::fs::File::open(&path).at(&path)?;
                        let img = derive::decode(std::io::BufReader::new(f), &m.name)?;
                        let (a, t, _) =
                            derive::access_and_thumbnail(&img, access_edge, thumb_edge, quality)?;
                        Ok((Some(a), Some(t)))
                    })
                    .collect()
            })
            .collect();
        for (((p, item), stored), made) in chunk.iter_mut().zip(&full).zip(stored).zip(made) {
            let id = item.id.as_str();
            let mut used = Default::default();
            if let Some(pages) = stored {
                for sp in pages {
                    let (access, thumbnail) = match (&sp.access, &sp.thumbnail) {
                        (Some(a), Some(t)) => (
                            Some(put_stored(
                                sink,
                                store,
                                &format!("access/{id}/p{:04}.jpg", sp.page),
                                a,
                            )?),
                            Some(put_stored(
                                sink,
                                store,
                                &format!("thumbnails/{id}/p{:04}.jpg", sp.page),
                                t,
                            )?),
                        ),
                        _ => (
                            Some(put_master(sink, store, id, &sp.master, sp.page, &mut used)?),
                            None,
                        ),
                    };
                    p.pages.push(Page {
                        page: sp.page,
                        master: lean(&sp.master),
                        access,
                        thumbnail,
                    });
                }
            } else {
                for (m, result) in masters(item).into_iter().zip(made) {
                    let page = m.page.unwrap_or(1);
                    let (access, thumbnail) = match result {
                        Ok((Some(a), Some(t))) => (
                            Some(put_jpeg(sink, &format!("access/{id}/p{page:04}.jpg"), a)?),
                            Some(put_jpeg(
                                sink,
                                &format!("thumbnails/{id}/p{page:04}.jpg"),
                                t,
                            )?),
                        ),
                        // PDF, text and other files travel as they are.
                        Ok(_) => (Some(put_master(sink, store, id, m, page, &mut used)?), None),
                        Err(e) => {
                            warnings.push(format!("{id} page {page}: no access copy: {e}"));
                            (None, None)
                        }
                    };
                    p.pages.push(Page {
                        page,
                        master: lean(m),
                        access,
                        thumbnail,
                    });
                }
            }
            let pages = std::mem::take(&mut p.pages);
            serde_json::to_writer(&mut out, &pages)
                .map_err(|e| Error::invalid(format!("{}: {e}", spill.path().display())))?;
            out.write_all(b"\n").at(spill.path())?;
            progress.advance(1, 0);
        }
    }
    out.flush().at(spill.path())?;
    drop(out);
    progress.end();
    pkg.warnings.extend(warnings);
    pkg.pages = Some(spill);
    Ok(())
}

/// A master without its technical metadata (EXIF and the like), which a package page
/// does not need and which can be large.
fn lean(m: &FileRow) -> FileRow {
    FileRow {
        technical: None,
        ..m.clone()
    }
}

/// Copy a master that travels as it is (PDF, text, other files) into `files/ID/NAME`.
fn put_master(
    sink: &mut dyn Sink,
    store: &dyn crate::store::ObjectStore,
    id: &str,
    m: &FileRow,
    page: i64,
    used: &mut std::collections::BTreeSet<String>,
) -> Result<Asset> {
    let path = file_path(id, &m.name, page, used);
    let mut f = store.read(&m.sha256)?;
    sink.add_reader(&path, &mut f, m.size)?;
    Ok(Asset {
        path,
        media_type: m.media_type.clone(),
        width: None,
        height: None,
        sha256: m.sha256.clone(),
        size: m.size,
    })
}

/// A page of an item as stored: its master, and its access copy and thumbnail if any.
struct StoredPage {
    page: i64,
    master: FileRow,
    access: Option<FileRow>,
    thumbnail: Option<FileRow>,
}

/// The pages of an item from its stored derivatives, when every image master has them.
fn stored_pages(item: &Item) -> Option<Vec<StoredPage>> {
    let find = |role: &str, page: i64| {
        item.files
            .iter()
            .find(|f| f.role == role && f.page == Some(page))
            .cloned()
    };
    if !item.files.iter().any(|f| f.role == "access") {
        return None;
    }
    let mut out = Vec::new();
    let mut slot = 0i64;
    for m in masters(item) {
        let image = derive::decodable(&m.media_type);
        let sub = if image {
            m.technical
                .as_ref()
                .and_then(|t| t["pages"].as_i64())
                .unwrap_or(1)
                .max(1)
        } else {
            1
        };
        for _ in 0..sub {
            slot += 1;
            let (a, t) = (find("access", slot), find("thumbnail", slot));
            if image && (a.is_none() || t.is_none()) && m.problem.is_none() {
                // Not derived yet: make them at export time instead.
                return None;
            }
            out.push(StoredPage {
                page: slot,
                master: m.clone(),
                access: if image { a } else { None },
                thumbnail: if image { t } else { None },
            });
        }
    }
    Some(out)
}

/// Copy a stored derivative into the package.
fn put_stored(
    sink: &mut dyn Sink,
    store: &dyn crate::store::ObjectStore,
    path: &str,
    f: &FileRow,
) -> Result<Asset> {
    let mut r = store.read(&f.sha256)?;
    sink.add_reader(path, &mut r, f.size)?;
    let dim = |k: &str| {
        f.technical
            .as_ref()
            .and_then(|t| t[k].as_u64())
            .and_then(|v| u32::try_from(v).ok())
    };
    Ok(Asset {
        path: path.to_string(),
        media_type: "image/jpeg".into(),
        width: dim("width"),
        height: dim("height"),
        sha256: f.sha256.clone(),
        size: f.size,
    })
}

/// The access copy and thumbnail of one page (both `None` for files that are not images).
type Made = (Option<derive::Derived>, Option<derive::Derived>);

fn put_jpeg(sink: &mut dyn Sink, path: &str, d: derive::Derived) -> Result<Asset> {
    use sha2::Digest;
    let sha = hex::encode(sha2::Sha256::digest(&d.bytes));
    sink.add(path, &d.bytes)?;
    Ok(Asset {
        path: path.to_string(),
        media_type: "image/jpeg".into(),
        width: Some(d.width),
        height: Some(d.height),
        sha256: sha,
        size: d.bytes.len() as u64,
    })
}

/// An item's master files in page order.
pub(crate) fn masters(item: &Item) -> Vec<&FileRow> {
    let mut m: Vec<&FileRow> = item.files.iter().filter(|f| f.role == "master").collect();
    m.sort_by_key(|f| f.page.unwrap_or(1));
    m
}

/// The text to show with an item: transcript, then translation, then OCR/PDF text.
pub(crate) fn item_texts(item: &Item) -> Vec<(String, Option<String>, String)> {
    let rank = |s: &str| match s {
        "transcript" => 0,
        "translation" => 1,
        "pdf" => 2,
        _ => 3,
    };
    let mut t: Vec<_> = item
        .texts
        .iter()
        .map(|t| (t.source.clone(), t.lang.clone(), t.text.clone()))
        .collect();
    t.sort_by_key(|(s, l, _)| (rank(s), l.clone()));
    t
}

/// The zip package's `manifest.json` (schema: `schemas/export-manifest.schema.json`),
/// written item by item so a set of any size needs the memory of one item.
fn write_manifest(pkg: &Package<'_>, files: &Written, w: &mut dyn std::io::Write) -> Result<()> {
    let set = &pkg.set;
    let head = json!({
        "format": "hishatak-exhibition-package",
        "version": 1,
        "generator": format!("hishatak {}", env!("CARGO_PKG_VERSION")),
        "created": clock::rfc3339(pkg.epoch),
        "archive": pkg.archive.settings.name,
        "set": {
            "name": set.name,
            "type": set.kind.as_str(),
            "titles": set.titles,
            "descriptions": set.descriptions,
            "venue": set.venue,
            "dates": set.dates,
            "updated": set.updated,
        },
        "languages": pkg.langs,
    });
    let io = |e: std::io::Error| Error::io("manifest.json", e);
    let js = |e: serde_json::Error| Error::invalid(format!("manifest.json: {e}"));
    // The head object without its closing brace, then the two arrays, element by element.
    let head_text = serde_json::to_string_pretty(&head).map_err(js)?;
    let open = head_text.trim_end().trim_end_matches('}').trim_end();
    write!(w, "{open},\n  \"items\": [").map_err(io)?;
    pkg.each_item(|k, p, item| {
        let text = serde_json::to_string(&manifest_item(p, item)).map_err(js)?;
        write!(w, "{}\n    {text}", if k == 0 { "" } else { "," }).map_err(io)
    })?;
    write!(w, "\n  ],\n  \"files\": [").map_err(io)?;
    let mut k = 0;
    files.each(&mut |p, s, n| {
        let text =
            serde_json::to_string(&json!({"path": p, "sha256": s, "size": n})).map_err(js)?;
        write!(w, "{}\n    {text}", if k == 0 { "" } else { "," }).map_err(io)?;
        k += 1;
        Ok(())
    })?;
    writeln!(w, "\n  ]\n}}").map_err(io)?;
    Ok(())
}

/// One item's entry in `manifest.json`.
fn manifest_item(p: &PkgItem, item: &Item) -> Value {
    let r = &item.record;
    let asset = |a: &Option<Asset>| {
        a.as_ref().map(|a| {
            json!({"path": a.path, "media_type": a.media_type, "width": a.width,
                   "height": a.height, "sha256": a.sha256, "size": a.size})
        })
    };
    json!({
        "position": p.entry.position,
        "id": item.id,
        "kind": item.kind().as_str(),
        "title": item.title(),
        "titles": r.titles,
        "descriptions": r.descriptions,
        "captions": p.entry.captions,
        "date": r.date.as_ref().map(|d| d.text.clone()),
        "date_earliest": r.date.as_ref().and_then(|d| d.earliest).map(crate::edtf::format_day),
        "date_latest": r.date.as_ref().and_then(|d| d.latest).map(crate::edtf::format_day),
        "lang": r.langs,
        "creator": r.creator,
        "collection": r.collection,
        "source_archive": r.source_archive,
        "source_country": r.source_country,
        "reference": r.reference,
        "rights": r.rights,
        "access": r.access.as_string(),
        "persons": r.persons,
        "places": r.places,
        "subjects": r.subjects,
        "page": format!("items/{}.html", item.id),
        "pages": p.pages.iter().map(|pg| json!({
            "page": pg.page,
            "master": {"name": pg.master.name, "sha256": pg.master.sha256,
                       "size": pg.master.size, "media_type": pg.master.media_type},
            "access": asset(&pg.access),
            "thumbnail": asset(&pg.thumbnail),
        })).collect::<Vec<_>>(),
    })
}

/// Remove `.NAME.partial-PID` leftovers of exports to the same `--out` whose process is
/// gone (killed, or the machine stopped). A partial of a running export is left alone.
fn remove_stale_partials(parent: &Path, file_name: &str) {
    let prefix = format!(".{file_name}.partial-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(&prefix) else {
            continue;
        };
        // `<pid>` is the package itself, `<pid>.<suffix>` one of its scratch files.
        let pid = pid.split('.').next().unwrap_or(pid);
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let p = e.path();
        let _ = std::fs::remove_dir_all(&p);
        let _ = std::fs::remove_file(&p);
    }
}

/// Whether a process with this id runs (Linux: `/proc/PID`; elsewhere assume it does, so
/// nothing of a running export is ever removed).
fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}
