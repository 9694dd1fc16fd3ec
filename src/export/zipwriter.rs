//! A zip writer whose memory does not grow with the number of entries.
//!
//! The zip crate (and the other Rust zip writers we looked at) keeps a record per entry in
//! memory until the archive is finished, for the central directory at the end of the file:
//! about 1.4 KB per entry, 160 MB for a package of 100,000 items. Here each entry's
//! central-directory record is encoded as soon as the entry is finished and appended to a
//! scratch file beside the package; `finish` copies it to the end of the zip. So a package
//! of a million files needs the same memory as one of ten.
//!
//! The format follows PKWARE's APPNOTE 6.3: local header, data, then (after the last entry)
//! the central directory and its end records. Each entry's CRC-32 and sizes are written
//! into its local header once the data is written (the file is seekable), so no data
//! descriptors are needed and streaming readers see the sizes up front. Zip64 records are
//! written exactly when a size, offset or the entry count does not fit the classic fields.
//! Already-compressed content (JPEG, PNG, GIF, WebP, JPEG 2000, zip, gzip) is stored;
//! everything else is deflated at level 6. Names are UTF-8 (flag bit 11 when not ASCII);
//! every entry has the same time and Unix mode 0644, so the same inputs give the same bytes.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use flate2::{Compress, Compression, FlushCompress, Status};

use super::sink::Spill;
use crate::error::{Error, IoContext, Result};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
const ZIP64_END_SIG: u32 = 0x0606_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
/// Field value meaning "see the zip64 extra field".
const FULL32: u32 = u32::MAX;
const FULL16: u16 = u16::MAX;
/// An entry whose size may reach this gets a zip64 field in its local header, so that the
/// sizes fit whatever deflate does to it (incompressible data grows a little).
const RESERVE_ZIP64_FROM: u64 = 0xF000_0000;
/// "Made by" Unix (3), specification 4.5.
const MADE_BY_UNIX: u16 = (3 << 8) | 45;
/// Regular file, mode 0644, in the high half of the external attributes.
const UNIX_FILE_0644: u32 = 0o100_644 << 16;
const FLAG_UTF8: u16 = 1 << 11;

/// How an entry's bytes are kept.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    /// As they are (method 0).
    Stored,
    /// Raw deflate (method 8).
    Deflated,
}

impl Method {
    /// Store what is already compressed, judged by its first bytes (the same content
    /// sniffing as ingest); deflate the rest. Deflating a JPEG again costs CPU and saves
    /// a few percent at most.
    pub fn for_content(head: &[u8]) -> Method {
        const COMPRESSED: [&str; 7] = [
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/webp",
            "image/jp2",
            "application/zip",
            "application/gzip",
        ];
        match infer::get(head) {
            Some(t) if COMPRESSED.contains(&t.mime_type()) => Method::Stored,
            _ => Method::Deflated,
        }
    }

    fn code(self) -> u16 {
        match self {
            Method::Stored => 0,
            Method::Deflated => 8,
        }
    }
}

/// The entry being written.
struct Open {
    name: Vec<u8>,
    method: Method,
    /// Where its local header starts.
    offset: u64,
    /// Whether its local header has a zip64 field.
    zip64_local: bool,
    crc: crc32fast::Hasher,
    size: u64,
    csize: u64,
}

/// A zip file being written; entries are added one after another with
/// [`start`](ZipFile::start), [`Write`] and [`end`](ZipFile::end).
pub struct ZipFile {
    path: PathBuf,
    out: BufWriter<File>,
    /// Bytes written to `out` so far.
    pos: u64,
    central: BufWriter<File>,
    central_spill: Spill,
    central_len: u64,
    entries: u64,
    time: u16,
    date: u16,
    deflate: Compress,
    /// Deflate's output, reused for every entry.
    squeezed: Vec<u8>,
    open: Option<Open>,
}

impl ZipFile {
    /// Create the zip file at `path` (its central directory is gathered in
    /// `<path>.central` meanwhile). Every entry is dated `epoch` (Unix seconds, clamped to
    /// the 1980-2107 range of zip's MS-DOS dates).
    pub fn create(path: &Path, epoch: i64) -> Result<ZipFile> {
        let out = File::create(path).at(path)?;
        let central_spill = Spill::beside(path, "central");
        let central = File::create(central_spill.path()).at(central_spill.path())?;
        let (time, date) = dos_time(epoch);
        Ok(ZipFile {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(256 * 1024, out),
            pos: 0,
            central: BufWriter::new(central),
            central_spill,
            central_len: 0,
            entries: 0,
            time,
            date,
            deflate: Compress::new(Compression::new(6), false),
            squeezed: Vec::with_capacity(64 * 1024),
            open: None,
        })
    }

    /// A zip file that starts `gap` bytes into a sparse file, so that tests can reach
    /// offsets past 4 GiB without writing 4 GiB.
    #[cfg(test)]
    fn create_after_gap(path: &Path, epoch: i64, gap: u64) -> Result<ZipFile> {
        let mut z = ZipFile::create(path, epoch)?;
        z.out.get_ref().set_len(gap).at(path)?;
        z.out.seek(SeekFrom::Start(gap)).at(path)?;
        z.pos = gap;
        Ok(z)
    }

    /// Begin an entry named `name`; `size` is its length when known in advance.
    pub fn start(&mut self, name: &str, method: Method, size: Option<u64>) -> Result<()> {
        if self.open.is_some() {
            return Err(self.bug("an entry was started before the last one ended"));
        }
        if name.len() > usize::from(FULL16) {
            return Err(Error::invalid(format!(
                "{}: entry name longer than 65,535 bytes: {}…",
                self.path.display(),
                name.chars().take(60).collect::<String>()
            )));
        }
        let zip64_local = size.is_none_or(|n| n >= RESERVE_ZIP64_FROM);
        let mut h = Vec::with_capacity(30 + name.len() + 20);
        put32(&mut h, LOCAL_SIG);
        put16(&mut h, if zip64_local { 45 } else { 20 });
        put16(&mut h, flags(name.as_bytes()));
        put16(&mut h, method.code());
        put16(&mut h, self.time);
        put16(&mut h, self.date);
        // CRC-32 and sizes: filled in by `end`.
        h.extend_from_slice(&[0; 12]);
        put16(&mut h, name.len() as u16);
        put16(&mut h, if zip64_local { 20 } else { 0 });
        h.extend_from_slice(name.as_bytes());
        if zip64_local {
            put16(&mut h, 1);
            put16(&mut h, 16);
            h.extend_from_slice(&[0; 16]);
        }
        self.out.write_all(&h).at(&self.path)?;
        let offset = self.pos;
        self.pos += h.len() as u64;
        self.deflate.reset();
        self.open = Some(Open {
            name: name.as_bytes().to_vec(),
            method,
            offset,
            zip64_local,
            crc: crc32fast::Hasher::new(),
            size: 0,
            csize: 0,
        });
        Ok(())
    }

    /// Finish the current entry: flush its compressed tail, write its CRC-32 and sizes
    /// into its local header, and append its central-directory record to the scratch file.
    pub fn end(&mut self) -> Result<()> {
        if matches!(self.open.as_ref().map(|o| o.method), Some(Method::Deflated)) {
            self.squeeze(&[], FlushCompress::Finish).at(&self.path)?;
        }
        let Some(e) = self.open.take() else {
            return Err(self.bug("an entry was ended that was not started"));
        };
        let crc = e.crc.finalize();
        if !e.zip64_local && (e.size >= u64::from(FULL32) || e.csize >= u64::from(FULL32)) {
            return Err(Error::invalid(format!(
                "{}: entry {} grew past 4 GiB, more than its announced size",
                self.path.display(),
                String::from_utf8_lossy(&e.name)
            )));
        }
        // Local header: CRC-32 at offset 14, then the sizes (or, with a zip64 field, the
        // marker values here and the real sizes in the field after the name).
        let mut fixed = Vec::with_capacity(12);
        put32(&mut fixed, crc);
        if e.zip64_local {
            put32(&mut fixed, FULL32);
            put32(&mut fixed, FULL32);
        } else {
            put32(&mut fixed, e.csize as u32);
            put32(&mut fixed, e.size as u32);
        }
        self.patch(e.offset + 14, &fixed)?;
        if e.zip64_local {
            let mut sizes = Vec::with_capacity(16);
            put64(&mut sizes, e.size);
            put64(&mut sizes, e.csize);
            self.patch(e.offset + 30 + e.name.len() as u64 + 4, &sizes)?;
        }
        // Central record: sizes and offset that do not fit go to its zip64 field, in the
        // order the specification gives (size, compressed size, offset).
        let mut extra = Vec::new();
        let big = |n: u64| n >= u64::from(FULL32);
        for n in [e.size, e.csize, e.offset] {
            if big(n) {
                put64(&mut extra, n);
            }
        }
        let zip64 = !extra.is_empty();
        let mut c = Vec::with_capacity(46 + e.name.len() + 4 + extra.len());
        put32(&mut c, CENTRAL_SIG);
        put16(&mut c, MADE_BY_UNIX);
        put16(&mut c, if zip64 || e.zip64_local { 45 } else { 20 });
        put16(&mut c, flags(&e.name));
        put16(&mut c, e.method.code());
        put16(&mut c, self.time);
        put16(&mut c, self.date);
        put32(&mut c, crc);
        let clip = |n: u64| if big(n) { FULL32 } else { n as u32 };
        put32(&mut c, clip(e.csize));
        put32(&mut c, clip(e.size));
        put16(&mut c, e.name.len() as u16);
        put16(&mut c, if zip64 { extra.len() as u16 + 4 } else { 0 });
        put16(&mut c, 0); // comment
        put16(&mut c, 0); // disk
        put16(&mut c, 0); // internal attributes
        put32(&mut c, UNIX_FILE_0644);
        put32(&mut c, clip(e.offset));
        c.extend_from_slice(&e.name);
        if zip64 {
            put16(&mut c, 1);
            put16(&mut c, extra.len() as u16);
            c.extend_from_slice(&extra);
        }
        self.central.write_all(&c).at(self.central_spill.path())?;
        self.central_len += c.len() as u64;
        self.entries += 1;
        Ok(())
    }

    /// Write the central directory and the end records, and make the file durable.
    pub fn finish(mut self) -> Result<()> {
        if self.open.is_some() {
            return Err(self.bug("the zip was finished inside an entry"));
        }
        let spill = self.central_spill.path().to_path_buf();
        self.central.flush().at(&spill)?;
        let mut central = File::open(&spill).at(&spill)?;
        let cd_offset = self.pos;
        let copied = std::io::copy(&mut central, &mut self.out).at(&spill)?;
        if copied != self.central_len {
            return Err(Error::invalid(format!(
                "{}: central directory scratch file changed while writing",
                spill.display()
            )));
        }
        let cd_len = self.central_len;
        self.pos += cd_len;
        let n = self.entries;
        let mut end = Vec::with_capacity(56 + 20 + 22);
        let zip64 =
            n >= u64::from(FULL16) || cd_len >= u64::from(FULL32) || cd_offset >= u64::from(FULL32);
        if zip64 {
            let record_at = self.pos;
            put32(&mut end, ZIP64_END_SIG);
            put64(&mut end, 44); // size of the rest of this record
            put16(&mut end, MADE_BY_UNIX);
            put16(&mut end, 45);
            put32(&mut end, 0); // this disk
            put32(&mut end, 0); // disk with the central directory
            put64(&mut end, n);
            put64(&mut end, n);
            put64(&mut end, cd_len);
            put64(&mut end, cd_offset);
            put32(&mut end, ZIP64_LOCATOR_SIG);
            put32(&mut end, 0);
            put64(&mut end, record_at);
            put32(&mut end, 1); // disks
        }
        put32(&mut end, END_SIG);
        put16(&mut end, 0);
        put16(&mut end, 0);
        let count16 = if zip64 { FULL16 } else { n as u16 };
        put16(&mut end, count16);
        put16(&mut end, count16);
        put32(&mut end, if zip64 { FULL32 } else { cd_len as u32 });
        put32(&mut end, if zip64 { FULL32 } else { cd_offset as u32 });
        put16(&mut end, 0); // comment
        self.out.write_all(&end).at(&self.path)?;
        let f = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        f.sync_all().at(&self.path)
    }

    /// Deflate `input` (or finish the stream) and write what comes out.
    fn squeeze(&mut self, mut input: &[u8], flush: FlushCompress) -> std::io::Result<()> {
        loop {
            self.squeezed.clear();
            let (in0, out0) = (self.deflate.total_in(), self.deflate.total_out());
            let status = self
                .deflate
                .compress_vec(input, &mut self.squeezed, flush)
                .map_err(std::io::Error::other)?;
            let used = (self.deflate.total_in() - in0) as usize;
            let made = (self.deflate.total_out() - out0) as usize;
            input = &input[used..];
            self.out.write_all(&self.squeezed[..made])?;
            self.pos += made as u64;
            if let Some(e) = self.open.as_mut() {
                e.csize += made as u64;
            }
            let done = match flush {
                FlushCompress::Finish => status == Status::StreamEnd,
                _ => input.is_empty(),
            };
            if done {
                return Ok(());
            }
            if used == 0 && made == 0 {
                return Err(std::io::Error::other("deflate made no progress"));
            }
        }
    }

    /// Overwrite bytes already written at `at`, then go back to the end.
    fn patch(&mut self, at: u64, bytes: &[u8]) -> Result<()> {
        self.out.seek(SeekFrom::Start(at)).at(&self.path)?;
        self.out.write_all(bytes).at(&self.path)?;
        self.out.seek(SeekFrom::Start(self.pos)).at(&self.path)?;
        Ok(())
    }

    fn bug(&self, what: &str) -> Error {
        Error::invalid(format!("{}: {what}", self.path.display()))
    }
}

impl Write for ZipFile {
    /// Write data of the current entry.
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(e) = self.open.as_mut() else {
            return Err(std::io::Error::other("zip data written outside an entry"));
        };
        e.crc.update(buf);
        e.size += buf.len() as u64;
        match e.method {
            Method::Stored => {
                e.csize += buf.len() as u64;
                self.out.write_all(buf)?;
                self.pos += buf.len() as u64;
            }
            Method::Deflated => self.squeeze(buf, FlushCompress::None)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// General-purpose flags: bit 11 (UTF-8) for a name that is not ASCII.
fn flags(name: &[u8]) -> u16 {
    if name.is_ascii() {
        0
    } else {
        FLAG_UTF8
    }
}

/// MS-DOS time and date of a Unix time (UTC), clamped to 1980-01-01..2107-12-31.
fn dos_time(epoch: i64) -> (u16, u16) {
    let (y, mo, d) = crate::edtf::civil_from_days(epoch.div_euclid(86_400));
    let secs = epoch.rem_euclid(86_400);
    let (y, mo, d, secs) = if y < 1980 {
        (1980, 1, 1, 0)
    } else if y > 2107 {
        (2107, 12, 31, 86_399)
    } else {
        (y, mo, d, secs)
    };
    let time = ((secs / 3600) << 11) | (((secs % 3600) / 60) << 5) | ((secs % 60) / 2);
    let date = ((y - 1980) << 9) | ((mo as i64) << 5) | d as i64;
    (time as u16, date as u16)
}

fn put16(v: &mut Vec<u8>, n: u16) {
    v.extend_from_slice(&n.to_le_bytes());
}

fn put32(v: &mut Vec<u8>, n: u32) {
    v.extend_from_slice(&n.to_le_bytes());
}

fn put64(v: &mut Vec<u8>, n: u64) {
    v.extend_from_slice(&n.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Text that deflate shrinks, and bytes that look like a JPEG and are stored.
    fn sample_entries() -> Vec<(String, Vec<u8>, Option<u64>)> {
        let text = "Erzurum, Эрзурум, Էրզրում, Erzeroum. "
            .repeat(2000)
            .into_bytes();
        let mut jpeg = b"\xFF\xD8\xFF\xE0".to_vec();
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            jpeg.push(x as u8);
        }
        vec![
            (
                "notes/memoir.txt".into(),
                text.clone(),
                Some(text.len() as u64),
            ),
            (
                "access/HSH-000001/p0001.jpg".into(),
                jpeg.clone(),
                Some(jpeg.len() as u64),
            ),
            ("empty.txt".into(), Vec::new(), Some(0)),
            ("Բաքու/Баку 100%.txt".into(), b"Baku\r\n".to_vec(), Some(6)),
            ("manifest.json".into(), text[..70_001].to_vec(), None),
        ]
    }

    /// A zip of `entries` in a new temporary folder (kept alive by the returned guard).
    fn zip_of(
        name: &str,
        gap: u64,
        entries: &[(String, Vec<u8>, Option<u64>)],
    ) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        write_zip(&path, gap, entries);
        (dir, path)
    }

    fn write_zip(path: &Path, gap: u64, entries: &[(String, Vec<u8>, Option<u64>)]) {
        let mut z = if gap == 0 {
            ZipFile::create(path, 1_700_000_000).unwrap()
        } else {
            ZipFile::create_after_gap(path, 1_700_000_000, gap).unwrap()
        };
        for (name, bytes, size) in entries {
            z.start(name, Method::for_content(bytes), *size).unwrap();
            // In uneven pieces, as readers deliver them.
            for piece in bytes.chunks(7_777) {
                z.write_all(piece).unwrap();
            }
            z.end().unwrap();
        }
        z.finish().unwrap();
    }

    /// Read every entry back with the zip crate (which checks each CRC-32 as it reads).
    fn read_back(path: &Path) -> Vec<(String, Vec<u8>, zip::CompressionMethod)> {
        let mut a = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
        (0..a.len())
            .map(|i| {
                let mut f = a.by_index(i).unwrap();
                let mut v = Vec::new();
                f.read_to_end(&mut v).unwrap();
                (f.name().to_string(), v, f.compression())
            })
            .collect()
    }

    /// Python's zipfile, a third implementation: every CRC-32 checked, names listed.
    fn python_names(path: &Path) -> Option<Vec<String>> {
        let script = "import sys, zipfile\n\
            z = zipfile.ZipFile(sys.argv[1])\n\
            bad = z.testzip()\n\
            assert bad is None, bad\n\
            sys.stdout.write('\\n'.join(z.namelist()))\n";
        match std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(path)
            .output()
        {
            Ok(o) => {
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
                Some(
                    String::from_utf8(o.stdout)
                        .unwrap()
                        .lines()
                        .map(String::from)
                        .collect(),
                )
            }
            Err(_) if std::env::var_os("HISHATAK_REQUIRE_EXTERNAL").is_none() => None,
            Err(e) => panic!("python3 is required (HISHATAK_REQUIRE_EXTERNAL is set): {e}"),
        }
    }

    /// The entries read back are those written, in order, byte for byte.
    fn assert_same(
        entries: &[(String, Vec<u8>, Option<u64>)],
        back: &[(String, Vec<u8>, zip::CompressionMethod)],
    ) {
        assert_eq!(back.len(), entries.len());
        for ((name, bytes, _), (bname, bbytes, _)) in entries.iter().zip(back) {
            assert_eq!(name, bname);
            assert!(bytes == bbytes, "{name} differs");
        }
    }

    #[test]
    fn entries_read_back_whole_stored_or_deflated_by_content() {
        let entries = sample_entries();
        let (dir, path) = zip_of("p.zip", 0, &entries);
        let back = read_back(&path);
        assert_same(&entries, &back);
        for ((name, _, _), (_, _, method)) in entries.iter().zip(&back) {
            let want = if name.ends_with(".jpg") {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            assert_eq!(*method, want, "{name}");
        }
        // The memoir's text is repetitive: deflate must have shrunk the file.
        assert!(std::fs::metadata(&path).unwrap().len() < 120_000);
        if let Some(names) = python_names(&path) {
            let want: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
            assert_eq!(names, want);
        }
        // The same entries give the same bytes.
        let again = dir.path().join("q.zip");
        write_zip(&again, 0, &entries);
        assert!(std::fs::read(&path).unwrap() == std::fs::read(&again).unwrap());
    }

    #[test]
    fn more_than_65535_entries_get_zip64_end_records() {
        let n = 70_000;
        let entries: Vec<(String, Vec<u8>, Option<u64>)> = (0..n)
            .map(|i| {
                let b = format!("item {i}\n").into_bytes();
                (format!("items/{i:06}.txt"), b.clone(), Some(b.len() as u64))
            })
            .collect();
        let (_dir, path) = zip_of("many.zip", 0, &entries);
        let bytes = std::fs::read(&path).unwrap();
        let sig = ZIP64_END_SIG.to_le_bytes();
        assert!(bytes.windows(4).any(|w| w == sig), "no zip64 end record");
        let back = read_back(&path);
        assert_eq!(back.len(), n);
        assert_eq!(back[69_999].0, "items/069999.txt");
        assert_eq!(back[69_999].1, b"item 69999\n");
        if let Some(names) = python_names(&path) {
            assert_eq!(names.len(), n);
        }
    }

    #[test]
    fn entries_past_4_gib_get_zip64_offsets() {
        let entries = sample_entries();
        // A sparse hole of 4.5 GiB before the first entry: every offset needs zip64.
        let (_dir, path) = zip_of("far.zip", 0x1_2000_0000, &entries);
        assert_same(&entries, &read_back(&path));
        if let Some(names) = python_names(&path) {
            assert_eq!(names.len(), entries.len());
        }
    }

    /// Writes 8.6 GB; run by hand: `cargo test --release --lib over_4_gib -- --ignored`.
    #[test]
    #[ignore]
    fn entries_over_4_gib_stored_and_deflated_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.zip");
        let big = (1u64 << 32) + 300_000_000;
        let mut z = ZipFile::create(&path, 0).unwrap();
        // Stored: sizes and (for the second entry) the offset need zip64 fields.
        let mut block = vec![0u8; 1 << 20];
        block[..3].copy_from_slice(b"\xFF\xD8\xFF");
        z.start("stored.jpg", Method::for_content(&block), Some(big))
            .unwrap();
        let mut left = big;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            z.write_all(&block[..n]).unwrap();
            block[5] = block[5].wrapping_add(1);
            left -= n as u64;
        }
        z.end().unwrap();
        // Deflated zeros of unknown size: the size needs zip64, the compressed size not.
        z.start("zeros.txt", Method::Deflated, None).unwrap();
        let zeros = vec![0u8; 1 << 20];
        let mut left = big;
        while left > 0 {
            let n = left.min(zeros.len() as u64) as usize;
            z.write_all(&zeros[..n]).unwrap();
            left -= n as u64;
        }
        z.end().unwrap();
        z.finish().unwrap();
        let mut a = zip::ZipArchive::new(File::open(&path).unwrap()).unwrap();
        for i in 0..2 {
            let mut f = a.by_index(i).unwrap();
            assert_eq!(f.size(), big);
            // Reading to the end checks the CRC-32.
            let n = std::io::copy(&mut f, &mut std::io::sink()).unwrap();
            assert_eq!(n, big);
        }
        if let Some(names) = python_names(&path) {
            assert_eq!(names, ["stored.jpg", "zeros.txt"]);
        }
    }

    #[test]
    fn misuse_is_an_error_not_a_broken_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.zip");
        let mut z = ZipFile::create(&path, 0).unwrap();
        assert!(z.write_all(b"x").is_err());
        assert!(z.end().is_err());
        z.start("a.txt", Method::Deflated, Some(1)).unwrap();
        assert!(z.start("b.txt", Method::Deflated, Some(1)).is_err());
        z.write_all(b"a").unwrap();
        z.end().unwrap();
        // More data than announced past the 4 GiB line cannot be told by a small test;
        // an overlong name can.
        assert!(z
            .start(&"n".repeat(70_000), Method::Stored, Some(0))
            .is_err());
        z.finish().unwrap();
        assert_eq!(read_back(&path).len(), 1);
    }

    #[test]
    fn dos_dates_are_clamped_to_the_zip_range() {
        // 2026-12-02 10:50:08 UTC.
        let (t, d) = dos_time(1_796_208_608);
        assert_eq!((d >> 9) + 1980, 2026);
        assert_eq!((d >> 5) & 0xF, 12);
        assert_eq!(d & 0x1F, 2);
        assert_eq!((t >> 11, (t >> 5) & 0x3F, (t & 0x1F) * 2), (10, 50, 8));
        assert_eq!(dos_time(0), (0, 0x21)); // 1970 -> 1980-01-01 00:00
        let (_, d) = dos_time(i64::from(u32::MAX) * 4);
        assert_eq!((d >> 9) + 1980, 2107);
    }
}
