//! BagIt 1.0 (RFC 8493) bags of the masters.
//!
//! Layout: `bagit.txt`, `bag-info.txt`, `manifest-sha256.txt`, `manifest-sha512.txt`,
//! `data/<ID>/<original name>`, and tag files `metadata/<ID>.xml` (Dublin Core),
//! `metadata/<ID>.json` (the full record with provenance and history) and
//! `metadata/set.json` (order and captions), all listed in `tagmanifest-*.txt`.
//! Each master is streamed from the store while both digests are computed, and its
//! SHA-256 is checked against the catalog on the way out: a damaged object stops the
//! export instead of travelling into the bag.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use rayon::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256, Sha512};

use crate::catalog::FileRow;
use crate::error::{Error, IoContext, Result};
use crate::progress::Progress;

use super::{dc, masters, safe_name, Package};

/// A path as written in a manifest: `%`, CR and LF percent-encoded (RFC 8493 2.1.3).
pub(crate) fn encode_path(p: &str) -> String {
    p.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

struct Copied {
    path: String,
    sha256: String,
    sha512: String,
    size: u64,
}

fn copy_hashing(src: &mut dyn Read, dest: &Path) -> Result<(String, String, u64)> {
    crate::fault::hit("export-write").at(dest)?;
    let out = File::create(dest).at(dest)?;
    let mut h256 = Sha256::new();
    let mut h512 = Sha512::new();
    // Large aligned chunks written straight to the disk where it allows (see BulkWriter).
    let mut chunk = crate::store::Chunk::new();
    let mut writer = crate::store::BulkWriter::new(&out);
    let mut size = 0u64;
    loop {
        let n = chunk.fill(src).at(dest)?;
        if n == 0 {
            break;
        }
        let data = chunk.data();
        h256.update(data);
        h512.update(data);
        writer.write_all(data).at(dest)?;
        size += n as u64;
    }
    out.sync_all().at(dest)?;
    Ok((
        hex::encode(h256.finalize()),
        hex::encode(h512.finalize()),
        size,
    ))
}

/// A tag file being written: both digests of what passes through, for the tag manifests.
struct HashingFile {
    out: BufWriter<File>,
    h256: Sha256,
    h512: Sha512,
}

impl HashingFile {
    fn new(out: BufWriter<File>) -> HashingFile {
        HashingFile {
            out,
            h256: Sha256::new(),
            h512: Sha512::new(),
        }
    }

    /// Flush, make durable, and return the (SHA-256, SHA-512) hex digests.
    fn finish(self, path: &Path) -> Result<(String, String)> {
        self.out
            .into_inner()
            .map_err(|e| Error::io(path, e.into_error()))?
            .sync_all()
            .at(path)?;
        Ok((
            hex::encode(self.h256.finalize()),
            hex::encode(self.h512.finalize()),
        ))
    }
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.h256.update(&buf[..n]);
        self.h512.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn write_text(root: &Path, rel: &str, text: &str) -> Result<()> {
    let p = root.join(rel);
    crate::fault::hit("export-write").at(&p)?;
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).at(parent)?;
    }
    let mut f = File::create(&p).at(&p)?;
    f.write_all(text.as_bytes()).at(&p)?;
    f.sync_all().at(&p)
}

/// A bag-info line; continuation lines of a multi-line value are indented.
fn info_line(out: &mut String, label: &str, value: &str) {
    let v = value.trim();
    if v.is_empty() {
        return;
    }
    let folded = v
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n  ");
    out.push_str(&format!("{label}: {folded}\n"));
}

fn human_size(bytes: u64) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1000.0 && u < units.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

/// Write the bag into `root`; returns (payload files, payload bytes).
pub(crate) fn write(
    pkg: &mut Package<'_>,
    root: &Path,
    progress: &dyn Progress,
) -> Result<(u64, u64)> {
    std::fs::create_dir_all(root.join("data")).at(root)?;
    // Payload paths: data/<ID>/<name>; a name used twice in one item gets its page number.
    // Each job holds what the copy needs of a master (no technical metadata).
    let mut jobs = Vec::new();
    pkg.each_item(|_, _, item| {
        let mut used = BTreeSet::new();
        for m in masters(item) {
            let mut name = safe_name(&m.name);
            if !used.insert(name.clone()) {
                name = format!("p{:04}-{name}", m.page.unwrap_or(1));
                used.insert(name.clone());
            }
            let master = FileRow {
                technical: None,
                ..m.clone()
            };
            jobs.push((format!("data/{}/{name}", item.id), master, item.id.clone()));
        }
        Ok(())
    })?;
    let total: u64 = jobs.iter().map(|j| j.1.size).sum();
    progress.begin("bagging", jobs.len() as u64, total);
    let store = pkg.archive.store.as_ref();
    let copied: Vec<Result<Copied>> = jobs
        .par_iter()
        .map(|(rel, m, id)| {
            let dest = root.join(rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).at(parent)?;
            }
            let mut src = store.read(&m.sha256)?;
            let (sha256, sha512, size) = copy_hashing(&mut src, &dest)?;
            if sha256 != m.sha256 {
                return Err(Error::Corruption {
                    what: format!("{id} file {}", m.name),
                    detail: format!(
                        "the stored object {} no longer has its recorded SHA-256; run `hishatak verify` (nothing was exported)",
                        store.locate(&m.sha256)
                    ),
                });
            }
            progress.advance(1, size);
            Ok(Copied {
                path: rel.clone(),
                sha256,
                sha512,
                size,
            })
        })
        .collect();
    progress.end();
    let mut copied: Vec<Copied> = copied.into_iter().collect::<Result<_>>()?;
    copied.sort_by(|a, b| a.path.cmp(&b.path));
    for d in BTreeSet::from_iter(
        copied
            .iter()
            .filter_map(|c| Path::new(&c.path).parent().map(|p| root.join(p))),
    ) {
        crate::store::sync_dir(&d)?;
    }

    let octets: u64 = copied.iter().map(|c| c.size).sum();
    // Tag files are written as they are made, keeping only their digests.
    let mut tag_digests: Vec<(String, String, String)> = Vec::new();
    let tag = |rel: &str, text: &str| -> Result<(String, String, String)> {
        write_text(root, rel, text)?;
        Ok((
            rel.to_string(),
            hex::encode(Sha256::digest(text.as_bytes())),
            hex::encode(Sha512::digest(text.as_bytes())),
        ))
    };
    tag_digests.push(tag(
        "bagit.txt",
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
    )?);
    let org = &pkg.archive.settings.organization;
    let set = &pkg.set;
    let mut info = String::new();
    info_line(
        &mut info,
        "Source-Organization",
        if org.name.is_empty() {
            &pkg.archive.settings.name
        } else {
            &org.name
        },
    );
    info_line(&mut info, "Organization-Address", &org.address);
    info_line(&mut info, "Contact-Name", &org.contact_name);
    info_line(&mut info, "Contact-Email", &org.contact_email);
    info_line(&mut info, "External-Identifier", &set.name);
    info_line(
        &mut info,
        "External-Description",
        &set.description_in(pkg.langs.first().map(String::as_str))
            .unwrap_or_else(|| set.title_in(pkg.langs.first().map(String::as_str))),
    );
    info_line(&mut info, "Internal-Sender-Identifier", &set.name);
    info_line(
        &mut info,
        "Internal-Sender-Description",
        &format!("{} ({})", set.title_in(None), set.kind.as_str()),
    );
    info_line(&mut info, "Bagging-Date", &pkg.date());
    info_line(
        &mut info,
        "Bag-Software-Agent",
        &format!("hishatak {}", env!("CARGO_PKG_VERSION")),
    );
    info_line(
        &mut info,
        "Payload-Oxum",
        &format!("{octets}.{}", copied.len()),
    );
    info_line(&mut info, "Bag-Size", &human_size(octets));
    info_line(&mut info, "Bag-Count", "1 of 1");
    tag_digests.push(tag("bag-info.txt", &info)?);
    // The payload manifests, streamed: one line per file.
    for (rel, pick) in [
        ("manifest-sha256.txt", 0usize),
        ("manifest-sha512.txt", 1usize),
    ] {
        let p = root.join(rel);
        crate::fault::hit("export-write").at(&p)?;
        let f = File::create(&p).at(&p)?;
        let mut hw = HashingFile::new(BufWriter::new(f));
        for c in &copied {
            let digest = if pick == 0 { &c.sha256 } else { &c.sha512 };
            writeln!(hw, "{digest}  {}", encode_path(&c.path)).at(&p)?;
        }
        let (h256, h512) = hw.finish(&p)?;
        tag_digests.push((rel.to_string(), h256, h512));
    }
    pkg.each_item(|_, p, item| {
        tag_digests.push(tag(
            &format!("metadata/{}.xml", item.id),
            &dc::item_dc(item, true),
        )?);
        let (_, history) = pkg.archive.catalog.history(&item.id)?;
        let mut record = item.to_json(false);
        // Exports and fixity checks happen after the set was curated; leaving them out
        // keeps two exports of the same set identical.
        let history: Vec<_> = history
            .into_iter()
            .filter(|e| !matches!(e.kind.as_str(), "exported" | "fixity"))
            .collect();
        record["history"] = serde_json::to_value(&history).unwrap_or_default();
        record["set_position"] = json!(p.entry.position);
        record["captions"] = json!(p.entry.captions);
        tag_digests.push(tag(
            &format!("metadata/{}.json", item.id),
            &(serde_json::to_string_pretty(&record).unwrap_or_default() + "\n"),
        )?);
        Ok(())
    })?;
    let set_json = json!({
        "name": set.name, "type": set.kind.as_str(), "titles": set.titles,
        "descriptions": set.descriptions, "venue": set.venue, "dates": set.dates,
        "items": pkg.items.iter().map(|p| json!({
            "position": p.entry.position, "id": p.id(), "captions": p.entry.captions,
        })).collect::<Vec<_>>(),
    });
    tag_digests.push(tag(
        "metadata/set.json",
        &(serde_json::to_string_pretty(&set_json).unwrap_or_default() + "\n"),
    )?);
    let mut t256 = String::new();
    let mut t512 = String::new();
    for (rel, h256, h512) in &tag_digests {
        t256.push_str(&format!("{h256}  {}\n", encode_path(rel)));
        t512.push_str(&format!("{h512}  {}\n", encode_path(rel)));
    }
    write_text(root, "tagmanifest-sha256.txt", &t256)?;
    write_text(root, "tagmanifest-sha512.txt", &t512)?;
    crate::store::sync_dir(&root.join("metadata"))?;
    crate::store::sync_dir(root)?;
    Ok((copied.len() as u64, octets))
}
