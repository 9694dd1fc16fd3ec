//! Where package files go: a folder or a zip file, written in a fixed order.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::zipwriter::{Method, ZipFile};

use crate::error::{Error, IoContext, Result};

/// A destination for package files (paths use `/`, relative to the package root).
pub trait Sink {
    /// Write one file.
    fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()>;
    /// Stream one file of `size` bytes from a reader (never held in memory whole).
    fn add_reader(&mut self, path: &str, reader: &mut dyn Read, size: u64) -> Result<()>;
    /// Add a file whose bytes `write` produces piece by piece (large generated files such
    /// as `manifest.json`, so they are never held whole in memory).
    fn add_streamed(
        &mut self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()>;
    /// The files written so far, to be read back in writing order with [`Written::each`].
    fn written(&mut self) -> Result<Written>;
    /// Make everything durable; returns (files, bytes).
    fn finish(self) -> Result<(u64, u64)>
    where
        Self: Sized;
}

/// The block in which files are copied into a package.
const COPY_BUF: usize = 128 * 1024;

/// Refuse a package path that could leave the package.
fn check(path: &str) -> Result<()> {
    crate::fault::hit("export-write").map_err(|e| Error::io(Path::new(path), e))?;
    let p = Path::new(path);
    if path.is_empty()
        || p.is_absolute()
        || p.components().any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(Error::invalid(format!(
            "refusing to write '{path}' outside the package"
        )));
    }
    Ok(())
}

/// A writer that hashes and counts what passes through it.
struct Hashing<'a> {
    out: &'a mut dyn Write,
    h: Sha256,
    n: u64,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let k = self.out.write(buf)?;
        self.h.update(&buf[..k]);
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Run `write` into `out` through a 64 KiB buffer; returns (sha256, bytes).
fn stream_hashing(
    out: &mut dyn Write,
    write: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    what: &Path,
) -> Result<(String, u64)> {
    let mut hw = Hashing {
        out,
        h: Sha256::new(),
        n: 0,
    };
    {
        let mut buf = BufWriter::with_capacity(64 * 1024, &mut hw);
        write(&mut buf)?;
        buf.flush().at(what)?;
    }
    Ok((hex::encode(hw.h.finalize()), hw.n))
}

/// Copy `reader` into `out` through `buf` (a sink's own, reused for every file: zeroing
/// a fresh 128 KiB per file was a twentieth of a 100,000-item export); returns (sha256,
/// bytes copied).
fn copy_hashing(
    reader: &mut dyn Read,
    out: &mut dyn Write,
    buf: &mut [u8],
    what: &Path,
) -> Result<(String, u64)> {
    let mut h = Sha256::new();
    let mut n_total = 0u64;
    loop {
        let n = reader.read(buf).at(what)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        out.write_all(&buf[..n]).at(what)?;
        n_total += n as u64;
    }
    Ok((hex::encode(h.finalize()), n_total))
}

/// A scratch file beside a package, removed when dropped. If the process is killed
/// first, the next export to the same name removes it with the other partials (its name
/// is the package's temporary name plus a suffix).
pub(crate) struct Spill(PathBuf);

impl Spill {
    /// A scratch file named `<package temp name>.<suffix>`.
    pub fn beside(package: &Path, suffix: &str) -> Spill {
        let mut name = package.as_os_str().to_owned();
        name.push(".");
        name.push(suffix);
        Spill(PathBuf::from(name))
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The files written into a package (path, sha256, size), one JSON line each in a scratch
/// file rather than in memory, so that a package of a million files needs no more memory
/// than one of ten; read back once for the file list of `manifest.json`.
struct Ledger {
    spill: Spill,
    out: BufWriter<File>,
    files: u64,
    bytes: u64,
}

impl Ledger {
    fn beside(package: &Path) -> Result<Ledger> {
        let spill = Spill::beside(package, "files");
        let f = File::create(spill.path()).at(spill.path())?;
        Ok(Ledger {
            out: BufWriter::new(f),
            spill,
            files: 0,
            bytes: 0,
        })
    }

    fn push(&mut self, path: &str, sha: &str, size: u64) -> Result<()> {
        let line = serde_json::to_string(&(path, sha, size))
            .map_err(|e| Error::invalid(format!("{}: {e}", self.spill.path().display())))?;
        self.out.write_all(line.as_bytes()).at(self.spill.path())?;
        self.out.write_all(b"\n").at(self.spill.path())?;
        self.files += 1;
        self.bytes += size;
        Ok(())
    }

    fn written(&mut self) -> Result<Written> {
        let p = self.spill.path();
        self.out.flush().at(p)?;
        let len = self.out.get_ref().metadata().at(p)?.len();
        Ok(Written {
            path: p.to_path_buf(),
            len,
        })
    }
}

/// The files a sink had written when [`Sink::written`] was called.
pub struct Written {
    path: PathBuf,
    len: u64,
}

impl Written {
    /// Call `f` with each file (path, sha256, size), in writing order.
    pub fn each(&self, f: &mut dyn FnMut(&str, &str, u64) -> Result<()>) -> Result<()> {
        use std::io::BufRead;
        let p = &self.path;
        let r = std::io::BufReader::new(File::open(p).at(p)?.take(self.len));
        for line in r.lines() {
            let line = line.at(p)?;
            let (path, sha, size): (String, String, u64) = serde_json::from_str(&line)
                .map_err(|e| Error::invalid(format!("{}: {e}", p.display())))?;
            f(&path, &sha, size)?;
        }
        Ok(())
    }
}

/// A package folder.
pub struct DirSink {
    root: PathBuf,
    written: Ledger,
    buf: Vec<u8>,
}

impl DirSink {
    /// Create the folder.
    pub fn new(root: &Path) -> Result<DirSink> {
        std::fs::create_dir_all(root).at(root)?;
        Ok(DirSink {
            root: root.to_path_buf(),
            written: Ledger::beside(root)?,
            buf: vec![0; COPY_BUF],
        })
    }

    /// Check a package path and create its file (and folders) under the root.
    fn create(&self, path: &str) -> Result<(PathBuf, File)> {
        check(path)?;
        let p = self.root.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).at(parent)?;
        }
        let f = File::create(&p).at(&p)?;
        Ok((p, f))
    }
}

impl Sink for DirSink {
    fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        let (p, mut f) = self.create(path)?;
        f.write_all(bytes).at(&p)?;
        self.written.push(
            path,
            &hex::encode(Sha256::digest(bytes)),
            bytes.len() as u64,
        )?;
        Ok(())
    }

    fn add_reader(&mut self, path: &str, reader: &mut dyn Read, _size: u64) -> Result<()> {
        let (p, f) = self.create(path)?;
        let mut f = BufWriter::new(f);
        let (sha, n) = copy_hashing(reader, &mut f, &mut self.buf, &p)?;
        f.flush().at(&p)?;
        self.written.push(path, &sha, n)?;
        Ok(())
    }

    fn add_streamed(
        &mut self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let (p, mut f) = self.create(path)?;
        let (sha, n) = stream_hashing(&mut f, write, &p)?;
        self.written.push(path, &sha, n)?;
        Ok(())
    }

    fn written(&mut self) -> Result<Written> {
        self.written.written()
    }

    fn finish(self) -> Result<(u64, u64)> {
        crate::store::sync_filesystem(&self.root)?;
        Ok((self.written.files, self.written.bytes))
    }
}

/// A zip file (see [`super::zipwriter`]): fixed timestamps and permissions, compressed
/// content stored and the rest deflated at a fixed level, zip64 where sizes or the entry
/// count need it, and memory that does not grow with the number of entries.
pub struct ZipSink {
    path: PathBuf,
    zip: ZipFile,
    written: Ledger,
    buf: Vec<u8>,
}

impl ZipSink {
    /// Create the zip file; every entry gets the time `epoch` (Unix seconds, clamped to
    /// the zip format's 1980-2107 range).
    pub fn new(path: &Path, epoch: i64) -> Result<ZipSink> {
        Ok(ZipSink {
            path: path.to_path_buf(),
            zip: ZipFile::create(path, epoch)?,
            written: Ledger::beside(path)?,
            buf: vec![0; COPY_BUF],
        })
    }
}

impl Sink for ZipSink {
    fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        check(path)?;
        let method = Method::for_content(bytes);
        self.zip.start(path, method, Some(bytes.len() as u64))?;
        self.zip.write_all(bytes).at(&self.path)?;
        self.zip.end()?;
        self.written.push(
            path,
            &hex::encode(Sha256::digest(bytes)),
            bytes.len() as u64,
        )?;
        Ok(())
    }

    fn add_reader(&mut self, path: &str, reader: &mut dyn Read, size: u64) -> Result<()> {
        check(path)?;
        // The first bytes decide whether the content is already compressed.
        let mut head = Vec::with_capacity(64);
        (&mut *reader)
            .take(64)
            .read_to_end(&mut head)
            .at(&self.path)?;
        self.zip
            .start(path, Method::for_content(&head), Some(size))?;
        let (sha, n) = copy_hashing(
            &mut head.as_slice().chain(reader),
            &mut self.zip,
            &mut self.buf,
            &self.path,
        )?;
        self.zip.end()?;
        self.written.push(path, &sha, n)?;
        Ok(())
    }

    fn add_streamed(
        &mut self,
        path: &str,
        write: &mut dyn FnMut(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        check(path)?;
        // Generated text; its size is not known in advance.
        self.zip.start(path, Method::Deflated, None)?;
        let (sha, n) = stream_hashing(&mut self.zip, write, &self.path)?;
        self.zip.end()?;
        self.written.push(path, &sha, n)?;
        Ok(())
    }

    fn written(&mut self) -> Result<Written> {
        self.written.written()
    }

    fn finish(self) -> Result<(u64, u64)> {
        self.zip.finish()?;
        Ok((self.written.files, self.written.bytes))
    }
}
